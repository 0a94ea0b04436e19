// The HTTP/1.1 front door of Ferry: accepts TCP connections (Boost.Asio),
// parses requests (http::RequestParser) and hands each one to a Handler, which
// answers later through a Responder. The http layer knows nothing about AWS;
// it only enforces the transport limits in Limits and refuses with
// 400/413/431 on its own, in a body the Handler renders (Handler::Reject).
//
// Threading: the Server runs on an io_context that the application runs on any
// number of threads. Each connection lives on its own strand and has at most
// one request in flight (pipelined requests are read one after another), so a
// Handler is never called concurrently for the same connection but is called
// concurrently for different connections. No io thread ever waits for a
// Handler: Handle() must return promptly and answer through the Responder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
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
  bool secure = false;         // arrived over TLS (the HTTPS listener)
  // When the server began reading the request (its first bytes were read);
  // the epoch (default) for a request not read by a Server. Request
  // latencies are measured from it, so they include a slow upload.
  std::chrono::steady_clock::time_point arrival{};

  // Value of the first header with this (case-insensitive) name, or "" when
  // absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  // e.g. {"Content-Type", "text/xml"}. Content-Length, Transfer-Encoding and
  // Connection are set by the server and ignored here; a Server header
  // replaces the default "Ferry". A name that is not an HTTP token, or a
  // value with a control character other than tab, makes the server answer
  // 500 instead.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers one request. Call it once, from any thread, possibly much later
// (long polls wait up to 20 s); only the first call of a Responder and its
// copies counts. Calling it after the client went away is harmless. It keeps
// the connection object alive until the last copy is destroyed, and must not
// be called after the io_context is destroyed.
//
// The server's Responders carry no allocation of their own: a shared pointer
// to the connection and the number of the request they answer. A Responder
// can also wrap any function taking a Response (handlers under test, adapters).
class Responder {
 public:
  // Where a Responder delivers. `token` tells apart the requests of one target.
  class Target {
   public:
    virtual ~Target() = default;
    virtual void Deliver(uint64_t token, Response response) = 0;
  };

  Responder() = default;
  Responder(std::shared_ptr<Target> target, uint64_t token)
      : target_(std::move(target)), token_(token) {}
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Responder> && std::is_invocable_v<F&, Response>)
  Responder(F&& fn)  // NOLINT(google-explicit-constructor): a function is a Responder
      : target_(std::make_shared<FunctionTarget<std::decay_t<F>>>(std::forward<F>(fn))) {}

  void operator()(Response response) const {
    if (target_) target_->Deliver(token_, std::move(response));
  }
  explicit operator bool() const { return target_ != nullptr; }

 private:
  template <class F>
  class FunctionTarget final : public Target {
   public:
    explicit FunctionTarget(F fn) : fn_(std::move(fn)) {}
    void Deliver(uint64_t, Response response) override {
      if (!called_.exchange(true, std::memory_order_acq_rel)) fn_(std::move(response));
    }

   private:
    std::atomic<bool> called_{false};
    F fn_;
  };

  std::shared_ptr<Target> target_;
  uint64_t token_ = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the connection's strand. Must not block; a Handler that throws
  // gets a 500 sent on its behalf (if it has not answered yet). `req` is the
  // connection's own buffer, reused for its next request: it is valid only
  // until Handle returns, so a handler that needs any of it later copies it.
  virtual void Handle(const Request& req, Responder respond) = 0;

  // Renders the answer to a request the server refuses by itself: 400 (not
  // HTTP), 413 (body over max_body_bytes), 431 (head over max_header_bytes).
  // `head` holds what could be read of the request's head: its method,
  // target and the header fields that are well-formed, possibly none (a head
  // too large or malformed is read leniently, as far as it goes); no body.
  // Called on the connection's strand; must not block. The connection closes
  // after the answer whatever its headers say. The default is a plain-text
  // reason phrase; a Handler that throws, or answers with a header the
  // server cannot send, gets the default.
  virtual Response Reject(int status, const Request& head);
};

struct Limits {
  size_t max_header_bytes = 16 * 1024;
  // Header fields of one request; more: 431.
  size_t max_header_fields = 100;
  // The application sizes this from the largest request its protocols
  // allow, in its largest encoding.
  size_t max_body_bytes = 3 * 1024 * 1024;
  // Keep-alive connection with no request.
  std::chrono::seconds idle_timeout{75};
  // Slow client: a started request must arrive within this. Also bounds the
  // time to write one response.
  std::chrono::seconds read_timeout{30};
  // A TLS handshake must finish within this after the connection is
  // accepted.
  std::chrono::seconds tls_handshake_timeout{10};
  // Connections beyond this, over all listeners, are accepted and closed at
  // once.
  size_t max_connections = 20000;
  // Connections from one client IP address beyond this, over all listeners,
  // are accepted and closed at once (logged at most every 10 s); 0: no limit.
  size_t max_connections_per_client = 1000;
};

class ServerTlsContext;  // server_tls.h

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

  // Binds and starts accepting plain HTTP. port 0 picks a free port; returns
  // the bound port. address is an IP literal or a host name. May be called
  // more than once (one listener each); connections of every listener share
  // the Handler and Limits.
  Result<uint16_t> Listen(const std::string& address, uint16_t port);

  // The same over TLS (HTTPS): each connection first completes a TLS
  // handshake (within tls_handshake_timeout) with the context `tls` holds at
  // that moment (ServerTlsContext::Reload swaps it for new connections), and
  // its requests have Request::secure set.
  Result<uint16_t> ListenTls(const std::string& address, uint16_t port,
                             std::shared_ptr<ServerTlsContext> tls);

  // Stops accepting, closes idle connections; connections with a request in
  // progress close after answering. When Stop() returns, new connection
  // attempts are refused (on Linux); closing the idle connections happens
  // shortly after, on the io threads.
  void Stop();

  // Connections open now, over every listener (a metrics gauge; it takes
  // the lock the accept path takes, so call it at scrape rate, not per
  // request).
  size_t open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::http
