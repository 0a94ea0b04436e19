// The HTTP/1.1 front door of Ferry: accepts TCP connections, parses requests
// with Boost.Beast and hands each one to a Handler, which answers later through
// a Responder. The http layer knows nothing about AWS; it only enforces the
// transport limits in Limits and answers plain-text 400/413/431 on its own.
//
// Threading: the Server runs on an io_context that the application runs on any
// number of threads. Each connection lives on its own strand and has at most
// one request in flight (pipelined requests are read one after another), so a
// Handler is never called concurrently for the same connection but is called
// concurrently for different connections. No io thread ever waits for a
// Handler: Handle() must return promptly and answer through the Responder.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/status.h"

namespace ferry::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // request-target as sent, e.g. "/000000000000/q?Action=X"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // peer ip

  // Value of the first header with this (case-insensitive) name, or "" when
  // absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  // e.g. {"Content-Type", "text/xml"}. Content-Length, Transfer-Encoding and
  // Connection are set by the server and ignored here; a Server header
  // replaces the default "Ferry".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers one request. Call exactly once, from any thread, possibly much later
// (long polls wait up to 20 s); later calls are ignored. Calling it after the
// client went away is harmless. It keeps the connection object alive until it
// is called or destroyed, and must not be called after the io_context is
// destroyed.
using Responder = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the connection's strand. Must not block; a Handler that throws
  // gets a 500 sent on its behalf (if it has not answered yet).
  virtual void Handle(Request req, Responder respond) = 0;
};

struct Limits {
  size_t max_header_bytes = 16 * 1024;
  // SQS allows 1 MiB messages; base64/url-encoding inflates them.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // Keep-alive connection with no request.
  std::chrono::seconds idle_timeout{75};
  // Slow client: a started request must arrive within this. Also bounds the
  // time to write one response.
  std::chrono::seconds read_timeout{30};
  // Connections beyond this are accepted and closed at once.
  size_t max_connections = 20000;
};

// Lifecycle: construct, Listen(), run the io_context, Stop(). The Handler
// must outlive every thread running the io_context (connections still in
// flight call it), and the io_context must outlive the Server. Destroying the
// Server calls Stop(). All methods are safe to call from any thread.
class Server {
 public:
  Server(boost::asio::io_context& io, Handler& handler, Limits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. port 0 picks a free port; returns the bound
  // port. address is an IP literal or a host name. May be called once.
  Result<uint16_t> Listen(const std::string& address, uint16_t port);

  // Stops accepting, closes idle connections; connections with a request in
  // progress close after answering. When Stop() returns, new connection
  // attempts are refused (on Linux); closing the idle connections happens
  // shortly after, on the io threads.
  void Stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ferry::http
