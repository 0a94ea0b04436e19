// The outbound HTTP/1.1 client: one keep-alive connection (ClientConnection)
// and a bounded pool of them over many endpoints (HttpClient). The load
// generator drives single connections in closed loops; SNS HTTP deliveries
// and the admin CLI go through the pool.
//
// Timeouts are deadlines, not timers: a connection records when the request
// in flight must be done, and whoever owns it calls CheckTimeout() now and
// then (HttpClient runs one sweep timer for all of its connections; the load
// generator sweeps its own). A timer armed per read and write would cost more
// than a small request itself. A timed-out request fails with
// Code::kUnavailable and a message that says so, and its connection is closed.
//
// https:// endpoints are spoken to over TLS (OpenSSL through Asio's ssl
// stream) on the same keep-alive, deadline and reconnect logic: the server's
// certificate is verified against the system trust store (plus
// ClientOptions::tls_ca_file) and must name the endpoint's host, which is
// also sent as SNI. A plain connection pays nothing for it: the TLS stream is
// a separate object, made only for TLS endpoints, and each transfer picks its
// stream with one branch.
//
// Thread-safety: none. A ClientConnection, and an HttpClient with all of its
// connections, belong to one thread or strand: every call, and every
// coroutine they run, on the executor they were made with.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ferry::http {

// An http:// or https:// URL split for a request: where to connect and what
// to ask for.
struct Url {
  std::string host;    // as written, IPv6 without brackets
  std::string port;    // "80" (http) or "443" (https) when the URL names none
  std::string target;  // path and query, "/" when empty
  // The Host header: host[:port], brackets around IPv6, port only when given.
  std::string authority;
  bool tls = false;  // https://
};

// Parses an absolute http:// or https:// URL. Errors: kInvalidArgument (not
// a URL, another scheme, no host).
Result<Url> ParseUrl(std::string_view text);

// Where a connection goes: the Host header to send and the addresses to try;
// for TLS, also the name the certificate must carry.
struct Endpoint {
  std::string authority;
  boost::asio::ip::tcp::resolver::results_type addresses;
  bool tls = false;
  // The host as the URL wrote it (IPv6 without brackets): the SNI and the
  // name (or IP address) the server's certificate is verified against.
  // Used only when `tls`.
  std::string host;
};

// Resolves a URL's host, blocking the calling thread (use it off the io
// threads, or once at start). Errors: kInvalidArgument, kUnavailable (name
// does not resolve).
Result<Endpoint> ResolveEndpoint(const Url& url);

using Header = std::pair<std::string_view, std::string_view>;

// What to send. Views: what they point at must outlive the Send() call.
struct OutboundRequest {
  std::string_view method = "POST";
  std::string_view target = "/";
  std::span<const Header> headers;  // Host and Content-Length are added
  std::string_view body;
};

struct InboundResponse {
  unsigned status = 0;
  // Lower-cased names; filled only when ClientOptions::keep_headers.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of this (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  // From the first byte written to the last byte of the answer.
  std::chrono::milliseconds request_timeout{15'000};
  uint64_t max_response_bytes = 64ull << 20;
  bool keep_headers = true;
  // Headers sent with every request (written once into the connection's
  // fixed request prefix), e.g. a User-Agent.
  std::vector<std::pair<std::string, std::string>> default_headers;
  // HttpClient only: connections open at once, over all endpoints and to one.
  size_t max_connections = 256;
  size_t max_connections_per_endpoint = 8;
  // HttpClient only: how often the sweep looks for requests past their deadline.
  std::chrono::milliseconds sweep_interval{100};
  // TLS only: a PEM file of certificates to trust besides the system's trust
  // store (a private CA, or a test's self-signed certificate).
  std::string tls_ca_file;
  // TLS only. false accepts any certificate for any name: INSECURE, anyone on
  // the path can read and change the traffic. For tests and private
  // endpoints whose certificate cannot be verified.
  bool tls_verify = true;
};

// The TLS settings of ClientOptions made ready for connections: the trust
// store loaded once and shared by every connection given it. Opaque.
class TlsContext;

// Loads the trust store (the system's and options.tls_ca_file) as
// options.tls_verify asks. A connection makes one on its first TLS connect
// when given none; call this at start to refuse a bad CA file early.
// Errors: kInvalidArgument (tls_ca_file unreadable or holds no certificate),
// kInternal (OpenSSL).
Result<std::shared_ptr<TlsContext>> MakeTlsContext(const ClientOptions& options);

// One keep-alive connection to one endpoint, one request at a time. It
// connects on first use and reconnects before the next request whenever the
// server answered without keep-alive or a transfer failed, so a closed loop
// can keep calling Send() whatever the server does.
class ClientConnection {
 public:
  ClientConnection(boost::asio::any_io_executor executor, Endpoint endpoint,
                   ClientOptions options);
  // With the TLS context to use for a TLS endpoint (shared, so that many
  // connections load the trust store once); null makes one on first use.
  ClientConnection(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options,
                   std::shared_ptr<TlsContext> tls_context);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Sends one request and reads its answer. A transport failure, a refused
  // TLS handshake (the message says why: e.g. the certificate is not trusted
  // or names another host) or a timeout is an error (kUnavailable); any HTTP
  // status is a response. The connect timeout covers connect and handshake.
  boost::asio::awaitable<Result<InboundResponse>> Send(const OutboundRequest& request);

  // Aborts the request in flight, if any (its Send() fails), and closes.
  void Close();
  // Aborts the request in flight if it has run past its deadline.
  void CheckTimeout(std::chrono::steady_clock::time_point now);

  bool busy() const { return deadline_ != kNever; }
  bool open() const { return open_; }
  const Endpoint& endpoint() const { return endpoint_; }
  // TCP connections this object opened so far.
  uint64_t connects() const { return connects_; }

 private:
  struct TlsStream;  // the ssl stream over socket_, remade on every TLS connect
  static constexpr auto kNever = std::chrono::steady_clock::time_point::max();
  boost::asio::awaitable<Status> Connect();
  boost::asio::awaitable<Status> Handshake();
  Status Failure(std::string_view what, const boost::system::error_code& ec) const;
  Status Failure(std::string_view what, std::string_view reason) const;

  const Endpoint endpoint_;
  const ClientOptions options_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<TlsContext> tls_context_;
  std::unique_ptr<TlsStream> tls_;  // null on plain connections
  boost::beast::flat_buffer buffer_;
  const std::string fixed_headers_;  // Host and the default headers
  std::string head_;                 // this request's head, reused
  std::chrono::steady_clock::time_point deadline_ = kNever;
  bool timed_out_ = false;
  bool open_ = false;
  uint64_t connects_ = 0;
};

// A pool of keep-alive connections over any number of endpoints, bounded in
// total and per endpoint. A request waits (in arrival order, per endpoint)
// for a connection when its endpoint is at its bound, so one slow endpoint
// holds at most max_connections_per_endpoint connections and never delays
// requests to the others; at the total bound, idle connections of other
// endpoints are closed to make room before anyone waits. TLS and plain
// endpoints are pooled apart (the same host:port may be either), and the
// TLS connections share one TlsContext, made on the first TLS request.
class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, ClientOptions options);
  // With the TLS context its TLS connections share (MakeTlsContext at start:
  // a bad CA file is then refused before any request, and the trust store
  // is not loaded on an io thread); null makes one on the first TLS request.
  HttpClient(boost::asio::any_io_executor executor, ClientOptions options,
             std::shared_ptr<TlsContext> tls_context);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request to `endpoint` on a pooled connection.
  boost::asio::awaitable<Result<InboundResponse>> Send(const Endpoint& endpoint,
                                                       const OutboundRequest& request);

  // Closes every connection and fails the requests in flight and waiting.
  void Shutdown();

  size_t open_connections() const { return open_; }

 private:
  using Waiter = std::shared_ptr<boost::asio::steady_timer>;
  struct Pool {
    std::vector<std::unique_ptr<ClientConnection>> idle;
    size_t open = 0;              // idle and busy
    std::deque<Waiter> waiters;  // at the per-endpoint bound
  };
  // A connection for `endpoint`: an idle one, a new one, or the next one
  // released, waiting at most the request timeout.
  boost::asio::awaitable<Result<std::unique_ptr<ClientConnection>>> Acquire(
      const Endpoint& endpoint);
  void Release(std::unique_ptr<ClientConnection> connection);
  bool CloseOneIdle();
  void WakeOne(Pool& pool);
  void StartSweep();
  std::map<std::string, Pool, std::less<>>& PoolsFor(const Endpoint& endpoint) {
    return pools_[endpoint.tls ? 1 : 0];
  }

  boost::asio::any_io_executor executor_;
  const ClientOptions options_;
  std::shared_ptr<TlsContext> tls_context_;
  // [0] plain, [1] TLS; each by authority.
  std::array<std::map<std::string, Pool, std::less<>>, 2> pools_;
  std::deque<Waiter> waiters_;         // at the total bound
  std::list<ClientConnection*> busy_;  // swept for deadlines
  boost::asio::steady_timer sweeper_;
  size_t open_ = 0;
  bool sweeping_ = false;
  bool shut_down_ = false;
  // Goes with the client: the sweep's wait, cancelled by Shutdown, completes
  // later and must then leave the client alone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::http

