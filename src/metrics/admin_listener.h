// AdminListener: the operations listener of --metrics-listen host:port, a
// second http::Server on the server's io_context that serves only the
// Routes it is given (/metrics, /health, /ready) and answers 404 to
// everything else: no AWS request reaches the gateway through it, so it
// can be exposed to a monitoring network without exposing the API.
//
// Lifecycle: construct, Listen, run the io_context, Stop (with the API
// server's). Thread-safety: as http::Server; the Routes' handlers must
// outlive it.
#pragma once

#include <string>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace ferry::metrics {

// "host:port", "[v6]:port" → host and port. Errors: kInvalidArgument.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(const std::string& text);

class AdminListener {
 public:
  AdminListener(boost::asio::io_context& io, std::vector<http::Route> routes);

  // Binds host:port (port 0: a free one); returns the bound port.
  Result<uint16_t> Listen(const std::string& host_port);
  void Stop() { server_.Stop(); }

 private:
  class NotFound final : public http::Handler {
   public:
    void Handle(const http::Request& req, http::Responder respond) override;
  };

  NotFound not_found_;
  http::Router router_;
  http::Server server_;
};

}  // namespace ferry::metrics
