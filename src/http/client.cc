#include "http/client.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/url/parse.hpp>

#include "http/client_tls.h"

namespace ferry::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Parses an answer straight into an InboundResponse: the status, the headers
// only when asked for, and the body (plain or chunked).
class ResponseParser final : public beast::http::basic_parser<false> {
 public:
  ResponseParser(InboundResponse& out, bool keep_headers)
      : out_(out), keep_headers_(keep_headers) {}

 private:
  void on_request_impl(beast::http::verb, beast::string_view, beast::string_view, int,
                       boost::system::error_code& ec) override {
    ec = beast::http::error::bad_method;  // never called for a response parser
  }
  void on_response_impl(int code, beast::string_view, int, boost::system::error_code&) override {
    out_.status = static_cast<unsigned>(code);
  }
  void on_field_impl(beast::http::field, beast::string_view name, beast::string_view value,
                     boost::system::error_code&) override {
    if (!keep_headers_) return;
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    out_.headers.emplace_back(std::move(lower), std::string(value));
  }
  void on_header_impl(boost::system::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         boost::system::error_code&) override {
    if (length) out_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, boost::system::error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view,
                            boost::system::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 boost::system::error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(boost::system::error_code&) override {}

  InboundResponse& out_;
  const bool keep_headers_;
};

std::string FixedHeaders(const std::string& authority, const ClientOptions& options) {
  std::string out = "Host: " + authority + "\r\n";
  for (const auto& [name, value] : options.default_headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  return out;
}

// A server may close an idle keep-alive connection at any time; the next
// request on it then fails before any answer arrives. Such a request is sent
// once more on a new connection. Over TLS, a server that closes without
// close_notify leaves the stream truncated instead of at its end.
bool IsStaleConnection(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == beast::http::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

Result<Url> ParseUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Status::InvalidArgument("not a URL: " + std::string(text));
  Url url;
  if (parsed->scheme() == "https") {
    url.tls = true;
  } else if (parsed->scheme() != "http") {
    return Status::InvalidArgument("only http:// and https:// URLs are supported: " +
                                   std::string(text));
  }
  url.host = std::string(parsed->encoded_host_address());  // no brackets around IPv6
  if (url.host.empty()) return Status::InvalidArgument("no host in " + std::string(text));
  url.port = parsed->has_port() ? std::string(parsed->port()) : url.tls ? "443" : "80";
  url.authority = std::string(parsed->encoded_host_and_port());
  url.target = std::string(parsed->encoded_target());
  if (url.target.empty() || url.target.front() != '/') url.target.insert(0, "/");
  return url;
}

Result<Endpoint> ResolveEndpoint(const Url& url) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  Endpoint endpoint;
  endpoint.authority = url.authority;
  endpoint.tls = url.tls;
  endpoint.host = url.host;
  endpoint.addresses = resolver.resolve(url.host, url.port, ec);
  if (ec) return Status::Unavailable("cannot resolve " + url.host + ": " + ec.message());
  return endpoint;
}

std::string_view InboundResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

// ---------------------------------------------------------------- connection

// The stream refers to the connection's socket, so closing the socket (a
// timeout, Close()) aborts a pending TLS operation as it does a plain one.
struct ClientConnection::TlsStream {
  TlsStream(tcp::socket& socket, TlsContext& context) : stream(socket, context.context()) {}
  asio::ssl::stream<tcp::socket&> stream;
};

ClientConnection::ClientConnection(asio::any_io_executor executor, Endpoint endpoint,
                                   ClientOptions options)
    : ClientConnection(std::move(executor), std::move(endpoint), std::move(options), nullptr) {}

ClientConnection::ClientConnection(asio::any_io_executor executor, Endpoint endpoint,
                                   ClientOptions options, std::shared_ptr<TlsContext> tls_context)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      socket_(std::move(executor)),
      tls_context_(std::move(tls_context)),
      fixed_headers_(FixedHeaders(endpoint_.authority, options_)) {}

ClientConnection::~ClientConnection() = default;

Status ClientConnection::Failure(std::string_view what, const boost::system::error_code& ec) const {
  return Failure(what, ec.message());
}

Status ClientConnection::Failure(std::string_view what, std::string_view reason) const {
  return Status::Unavailable(std::string(what) + " " + endpoint_.authority + ": " +
                             std::string(timed_out_ ? "timed out" : reason));
}

asio::awaitable<Status> ClientConnection::Connect() {
  socket_ = tcp::socket(socket_.get_executor());
  const SteadyClock::time_point request_deadline = deadline_;
  deadline_ = std::min(request_deadline, SteadyClock::now() + options_.connect_timeout);
  auto [ec, unused] = co_await asio::async_connect(socket_, endpoint_.addresses, kNoThrow);
  Status connected = ec ? Failure("cannot connect to", ec) : Status::Ok();
  if (connected.ok()) {
    ++connects_;
    socket_.set_option(tcp::no_delay(true), ec);
    if (endpoint_.tls) connected = co_await Handshake();
  }
  deadline_ = request_deadline;
  if (!connected.ok()) {
    Close();
    co_return connected;
  }
  open_ = true;
  buffer_.clear();
  co_return Status::Ok();
}

asio::awaitable<Status> ClientConnection::Handshake() {
  if (tls_context_ == nullptr) {
    Result<std::shared_ptr<TlsContext>> made = MakeTlsContext(options_);
    if (!made.ok()) co_return made.status();
    tls_context_ = std::move(made).value();
  }
  // A session is not reused after its connection closed: each connect
  // starts a new one.
  tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
  SSL* ssl = tls_->stream.native_handle();
  if (Status st = PrepareTlsSession(ssl, endpoint_.host, *tls_context_); !st.ok()) co_return st;
  auto [ec] = co_await tls_->stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (ec) co_return Failure("TLS handshake with", HandshakeFailureReason(ssl, ec));
  co_return Status::Ok();
}

asio::awaitable<Result<InboundResponse>> ClientConnection::Send(const OutboundRequest& request) {
  timed_out_ = false;
  deadline_ = SteadyClock::now() + options_.request_timeout;
  bool reused = open_;
  if (!open_) {
    if (Status st = co_await Connect(); !st.ok()) {
      deadline_ = kNever;
      co_return st;
    }
  }
  head_.clear();
  head_.append(request.method);
  head_.push_back(' ');
  head_.append(request.target);
  head_.append(" HTTP/1.1\r\n");
  head_.append(fixed_headers_);
  for (const auto& [name, value] : request.headers) {
    head_.append(name);
    head_.append(": ");
    head_.append(value);
    head_.append("\r\n");
  }
  head_.append("Content-Length: ");
  head_.append(std::to_string(request.body.size()));
  head_.append("\r\n\r\n");
  // Asio's TLS stream writes one record per buffer: head and body go as one.
  std::string_view body = request.body;
  if (endpoint_.tls) {
    head_.append(body);
    body = {};
  }

  while (true) {
    InboundResponse response;
    ResponseParser parser(response, options_.keep_headers);
    parser.body_limit(options_.max_response_bytes);
    parser.eager(true);
    const std::array<asio::const_buffer, 2> bytes{asio::buffer(head_), asio::buffer(body)};
    boost::system::error_code ec;
    // Two copies of the exchange rather than a stream behind an interface,
    // so that the plain path costs what it did before TLS.
    if (tls_ == nullptr) {
      ec = std::get<0>(co_await asio::async_write(socket_, bytes, kNoThrow));
      if (!ec) {
        ec = std::get<0>(co_await beast::http::async_read(socket_, buffer_, parser, kNoThrow));
      }
    } else {
      ec = std::get<0>(co_await asio::async_write(tls_->stream, bytes, kNoThrow));
      if (!ec) {
        ec = std::get<0>(co_await beast::http::async_read(tls_->stream, buffer_, parser, kNoThrow));
      }
      if (ec) ForgetTlsErrors();
    }
    if (!ec) {
      deadline_ = kNever;
      if (!parser.keep_alive()) Close();
      co_return response;
    }
    const bool retry = reused && !timed_out_ && !parser.got_some() && IsStaleConnection(ec);
    Close();
    if (!retry) {
      Status failed = Failure("request to", ec);
      deadline_ = kNever;
      co_return failed;
    }
    reused = false;
    if (Status st = co_await Connect(); !st.ok()) {
      deadline_ = kNever;
      co_return st;
    }
  }
}

void ClientConnection::Close() {
  // Also reached while a connect is pending (open_ still false): closing the
  // socket is what aborts it.
  boost::system::error_code ignored;
  socket_.close(ignored);
  open_ = false;
}

void ClientConnection::CheckTimeout(SteadyClock::time_point now) {
  if (now < deadline_) return;
  deadline_ = kNever;
  timed_out_ = true;
  Close();
}

// ---------------------------------------------------------------- pool

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : HttpClient(std::move(executor), std::move(options), nullptr) {}

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options,
                       std::shared_ptr<TlsContext> tls_context)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      tls_context_(std::move(tls_context)),
      sweeper_(executor_) {}

HttpClient::~HttpClient() { Shutdown(); }

asio::awaitable<Result<InboundResponse>> HttpClient::Send(const Endpoint& endpoint,
                                                          const OutboundRequest& request) {
  Result<std::unique_ptr<ClientConnection>> acquired = co_await Acquire(endpoint);
  if (!acquired.ok()) co_return acquired.status();
  std::unique_ptr<ClientConnection> connection = std::move(acquired).value();
  auto listed = busy_.insert(busy_.end(), connection.get());
  StartSweep();
  Result<InboundResponse> answer = co_await connection->Send(request);
  busy_.erase(listed);
  Release(std::move(connection));
  co_return answer;
}

asio::awaitable<Result<std::unique_ptr<ClientConnection>>> HttpClient::Acquire(
    const Endpoint& endpoint) {
  const SteadyClock::time_point give_up = SteadyClock::now() + options_.request_timeout;
  while (true) {
    if (shut_down_) co_return Status::Unavailable("the HTTP client is shut down");
    if (endpoint.tls && tls_context_ == nullptr) {
      Result<std::shared_ptr<TlsContext>> made = MakeTlsContext(options_);
      if (!made.ok()) co_return made.status();
      tls_context_ = std::move(made).value();
    }
    Pool& pool = PoolsFor(endpoint)[endpoint.authority];
    if (!pool.idle.empty()) {
      std::unique_ptr<ClientConnection> connection = std::move(pool.idle.back());
      pool.idle.pop_back();
      co_return connection;
    }
    const bool endpoint_full = pool.open >= options_.max_connections_per_endpoint;
    if (!endpoint_full && (open_ < options_.max_connections || CloseOneIdle())) {
      ++pool.open;
      ++open_;
      co_return std::make_unique<ClientConnection>(executor_, endpoint, options_,
                                                   endpoint.tls ? tls_context_ : nullptr);
    }
    auto waiter = std::make_shared<asio::steady_timer>(executor_, give_up);
    std::deque<Waiter>& queue = endpoint_full ? pool.waiters : waiters_;
    queue.push_back(waiter);
    auto [ec] = co_await waiter->async_wait(kNoThrow);
    if (ec != asio::error::operation_aborted) {  // not woken: the wait timed out
      std::erase(endpoint_full ? PoolsFor(endpoint)[endpoint.authority].waiters : waiters_, waiter);
      co_return Status::Unavailable("no connection to " + endpoint.authority +
                                    " became free in time");
    }
  }
}

void HttpClient::Release(std::unique_ptr<ClientConnection> connection) {
  auto it = PoolsFor(connection->endpoint()).find(connection->endpoint().authority);
  Pool& pool = it->second;
  if (connection->open() && !shut_down_) {
    pool.idle.push_back(std::move(connection));
  } else {
    --pool.open;
    --open_;
  }
  WakeOne(pool);
}

bool HttpClient::CloseOneIdle() {
  for (auto& pools : pools_) {
    for (auto& [authority, pool] : pools) {
      if (pool.idle.empty()) continue;
      pool.idle.pop_back();  // the destructor closes the socket
      --pool.open;
      --open_;
      return true;
    }
  }
  return false;
}

void HttpClient::WakeOne(Pool& pool) {
  std::deque<Waiter>& queue = !pool.waiters.empty() ? pool.waiters : waiters_;
  if (queue.empty()) return;
  queue.front()->cancel();
  queue.pop_front();
}

void HttpClient::StartSweep() {
  if (sweeping_ || busy_.empty()) return;
  sweeping_ = true;
  sweeper_.expires_after(options_.sweep_interval);
  sweeper_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (alive.expired()) return;
    sweeping_ = false;
    if (ec || shut_down_) return;
    const SteadyClock::time_point now = SteadyClock::now();
    for (ClientConnection* connection : busy_) connection->CheckTimeout(now);
    StartSweep();
  });
}

void HttpClient::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  sweeper_.cancel();
  for (ClientConnection* connection : busy_) connection->Close();
  for (auto& pools : pools_) {
    for (auto& [authority, pool] : pools) {
      pool.idle.clear();
      for (Waiter& w : pool.waiters) w->cancel();
      pool.waiters.clear();
    }
  }
  for (Waiter& w : waiters_) w->cancel();
  waiters_.clear();
}

}  // namespace ferry::http
