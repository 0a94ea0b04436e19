#include "http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

namespace {

// First read of an idle connection; Beast grows reads as a request needs.
constexpr size_t kReadChunk = 4096;
// A connection going idle gives back a read buffer grown beyond this.
constexpr size_t kMaxIdleBufferCapacity = 64 * 1024;
// After an answer that closes the connection the server stops sending and
// discards what the client still sends for this long before closing, so the
// client reads the answer instead of a reset (e.g. a 413 sent while the
// client is still uploading the body).
constexpr std::chrono::seconds kLingerTimeout{2};
// Accept errors left after Asio's own retries are resource shortages (EMFILE,
// ENFILE, ENOBUFS, ENOMEM): wait a little for descriptors to free up.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Errors of the HTTP parser proper, i.e. malformed input (not limits, not EOF).
bool IsMalformedInput(const error_code& ec) {
  static const error_code kHttpError = bhttp::error::bad_method;
  return ec.category() == kHttpError.category() && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message && ec != bhttp::error::need_more;
}

Response PlainText(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = text;
  return r;
}

class Connection;

// State shared by the listener and its connections. Connections hold it, so
// it outlives the Server while connections are still in flight.
struct Shared {
  Shared(Handler& h, const Limits& l) : handler(h), limits(l) {}

  Handler& handler;
  const Limits limits;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  // Registry of live connections, for Stop() and max_connections. Guarded by mu.
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
  uint64_t next_id = 0;  // Guarded by mu.
};

// One accepted TCP connection: reads a request, hands it to the Handler,
// writes the answer and repeats while keep-alive holds. Every member is used
// only on the connection's strand; Start(), NotifyStop() and the Responder
// reach it by posting there. Pending operations and outstanding Responders
// hold a shared_ptr, so the object lives until the last of them is done.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Shared> shared, uint64_t id, tcp::socket socket)
      : shared_(std::move(shared)),
        id_(id),
        executor_(socket.get_executor()),
        stream_(std::move(socket)) {}

  ~Connection() {
    std::lock_guard lock(shared_->mu);
    shared_->connections.erase(id_);
  }

  // Any thread.
  void Start() {
    net::post(executor_, beast::bind_front_handler(&Connection::OnStart, shared_from_this()));
  }
  void NotifyStop() {
    net::post(executor_, beast::bind_front_handler(&Connection::OnStop, shared_from_this()));
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  void OnStart() {
    error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (ec) return Close();
    try {
      net::ip::address address = peer.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    } catch (const std::exception&) {
      return Close();
    }
    WaitForRequest();
  }

  void OnStop() {
    // A connection in any other phase notices `stopping` when it next goes idle.
    if (phase_ == Phase::kIdle) Close();
  }

  // Waits (up to idle_timeout) for the first bytes of the next request.
  void WaitForRequest() {
    if (shared_->stopping.load(std::memory_order_acquire)) return CloseGracefully();
    if (buffer_.size() > 0) return StartRequest();  // pipelined
    if (buffer_.capacity() > kMaxIdleBufferCapacity) buffer_.shrink_to_fit();
    phase_ = Phase::kIdle;
    stream_.expires_after(shared_->limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Connection::OnIdleRead, shared_from_this()));
  }

  void OnIdleRead(error_code ec, size_t n) {
    if (ec || phase_ == Phase::kClosed) return Close();  // peer closed, idle timeout or Stop()
    buffer_.commit(n);
    StartRequest();
  }

  // A request has started: all of it must arrive within read_timeout.
  void StartRequest() {
    phase_ = Phase::kReading;
    stream_.expires_after(shared_->limits.read_timeout);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(
        shared_->limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(shared_->limits.max_body_bytes);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  void OnHeader(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    const auto& req = parser_->get();
    if (req.version() >= 11 && beast::iequals(req[bhttp::field::expect], "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       beast::bind_front_handler(&Connection::OnContinueSent, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinueSent(error_code ec, size_t) {
    if (ec) return Close();
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
  }

  void OnBody(error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void OnReadError(const error_code& ec) {
    if (ec == bhttp::error::header_limit) return Reject(431, "Request Header Fields Too Large\n");
    if (ec == bhttp::error::body_limit) return Reject(413, "Payload Too Large\n");
    if (IsMalformedInput(ec)) return Reject(400, "Bad Request\n");
    Close();  // peer went away, read_timeout, or a socket error
  }

  // Hands the parsed request to the Handler.
  void Dispatch() {
    phase_ = Phase::kHandling;
    const uint64_t seq = ++request_seq_;
    Request req;
    Responder respond;
    try {
      auto msg = parser_->release();
      parser_.reset();
      keep_alive_ = msg.keep_alive();
      version_ = msg.version();
      req.method.assign(msg.method_string());
      req.target.assign(msg.target());
      for (const auto& field : msg) {
        std::string name(field.name_string());
        for (char& c : name) c = LowerAscii(c);
        req.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      req.body = std::move(msg.body());
      req.remote_address = remote_address_;
      respond = [self = shared_from_this(), seq](Response response) {
        // Inline when answered on the strand (inside Handle), posted otherwise.
        net::dispatch(self->executor_, [self, seq, response = std::move(response)]() mutable {
          self->OnResponse(seq, std::move(response));
        });
      };
    } catch (const std::exception&) {
      parser_.reset();
      return Reject(500, "Internal Server Error\n");
    }
    try {
      shared_->handler.Handle(std::move(req), std::move(respond));
    } catch (...) {
      OnResponse(seq, PlainText(500, "Internal Server Error\n"));  // ignored if it already answered
    }
  }

  void OnResponse(uint64_t seq, Response response) {
    // Ignore a late or repeated answer, or one for a connection that closed.
    if (phase_ != Phase::kHandling || seq != request_seq_) return;
    const bool keep_alive = keep_alive_ && !shared_->stopping.load(std::memory_order_acquire);
    if (!BuildResponse(std::move(response), keep_alive) &&
        !BuildResponse(PlainText(500, "Internal Server Error\n"), keep_alive)) {
      return Close();
    }
    Write(!keep_alive);
  }

  // Answers a request the server refuses by itself, then closes.
  void Reject(int status, std::string_view text) {
    parser_.reset();
    version_ = 11;
    if (!BuildResponse(PlainText(status, text), false)) return Close();
    Write(true);
  }

  // Fills res_; false when the handler's response cannot be sent as given.
  bool BuildResponse(Response&& r, bool keep_alive) {
    if (r.status < 200 || r.status > 999) return false;
    try {
      res_ = {};
      res_.version(version_);
      res_.result(static_cast<unsigned>(r.status));
      res_.set(bhttp::field::server, "Ferry");
      for (const auto& [name, value] : r.headers) {
        const bhttp::field f = bhttp::string_to_field(name);
        if (f == bhttp::field::content_length || f == bhttp::field::transfer_encoding ||
            f == bhttp::field::connection) {
          continue;  // framing is ours
        }
        if (f == bhttp::field::server) {
          res_.set(f, value);
        } else {
          res_.insert(name, value);
        }
      }
      // 204 and 304 have no body and (RFC 9110) no Content-Length of one.
      if (r.status != 204 && r.status != 304) {
        res_.content_length(r.body.size());
        res_.body() = std::move(r.body);
      }
      res_.keep_alive(keep_alive);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void Write(bool close_after) {
    phase_ = Phase::kWriting;
    close_after_write_ = close_after;
    stream_.expires_after(shared_->limits.read_timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Connection::OnWritten, shared_from_this()));
  }

  void OnWritten(error_code ec, size_t) {
    res_ = {};  // do not keep a large body while idle
    if (ec) return Close();
    if (close_after_write_) return CloseGracefully();
    WaitForRequest();
  }

  // Sends FIN, then discards input until the peer closes or kLingerTimeout.
  void CloseGracefully() {
    phase_ = Phase::kClosing;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    stream_.expires_after(std::min(kLingerTimeout, shared_->limits.read_timeout));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Connection::OnDrained, shared_from_this()));
  }

  void OnDrained(error_code ec, size_t) {
    if (ec || phase_ == Phase::kClosed) return Close();
    Drain();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    stream_.close();
  }

  const std::shared_ptr<Shared> shared_;
  const uint64_t id_;
  const net::any_io_executor executor_;  // the connection's strand
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;  // reused for every request of the connection
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::string remote_address_;
  Phase phase_ = Phase::kIdle;
  uint64_t request_seq_ = 0;  // identifies the request a Responder answers
  unsigned version_ = 11;     // of the request being handled
  bool keep_alive_ = true;    // of the request being handled
  bool close_after_write_ = false;
};

}  // namespace

// The acceptor loop. The acceptor and the retry timer are used only on
// strand_ once listening; Listen() and Stop() serialise on shared_->mu.
class Server::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(net::io_context& io, Handler& handler, const Limits& limits)
      : io_(io),
        shared_(std::make_shared<Shared>(handler, limits)),
        strand_(net::make_strand(io)),
        acceptor_(strand_),
        retry_timer_(strand_) {}

  Result<uint16_t> Listen(const std::string& address, uint16_t port) {
    try {
      std::lock_guard lock(shared_->mu);
      if (shared_->stopping.load()) return Status::FailedPrecondition("http server is stopped");
      if (listening_) return Status::FailedPrecondition("http server is already listening");

      error_code ec;
      tcp::endpoint endpoint;
      const net::ip::address ip = net::ip::make_address(address, ec);
      if (!ec) {
        endpoint = tcp::endpoint(ip, port);
      } else {
        tcp::resolver resolver(io_);
        const auto results =
            resolver.resolve(address, std::to_string(port),
                             tcp::resolver::passive | tcp::resolver::numeric_service, ec);
        if (ec || results.empty()) {
          return Status::InvalidArgument("cannot resolve listen address '" + address +
                                         "': " + ec.message());
        }
        endpoint = results.begin()->endpoint();
      }

      const std::string where = address + ":" + std::to_string(port);
      auto fail = [&](const char* step) {
        error_code ignored;
        acceptor_.close(ignored);
        return Status::Unavailable(std::string(step) + " " + where + ": " + ec.message());
      };
      acceptor_.open(endpoint.protocol(), ec);
      if (ec) return fail("open");
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
      if (ec) return fail("SO_REUSEADDR");
      acceptor_.bind(endpoint, ec);
      if (ec) return fail("bind");
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
      if (ec) return fail("listen");
      const uint16_t bound = acceptor_.local_endpoint(ec).port();
      if (ec) return fail("getsockname");

      listening_ = true;
      net::post(strand_, [self = shared_from_this()] { self->Accept(); });
      return bound;
    } catch (const std::exception& e) {
      return Status::Internal(std::string("http listen: ") + e.what());
    }
  }

  void Stop() {
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(shared_->mu);
      if (shared_->stopping.exchange(true)) return;
      if (listening_) {
        // Refuse connections from now on rather than when the posted close
        // runs: on Linux, shutdown() of a listening socket resets its backlog,
        // makes new SYNs get a reset, and wakes the pending accept.
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
      }
      live.reserve(shared_->connections.size());
      for (const auto& [id, weak] : shared_->connections) {
        if (auto conn = weak.lock()) live.push_back(std::move(conn));
      }
    }
    net::post(strand_, [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      try {
        self->retry_timer_.cancel();
      } catch (const std::exception&) {
        // Nothing to cancel then; the retry sees `stopping`.
      }
    });
    for (auto& conn : live) conn->NotifyStop();
  }

 private:
  void Accept() noexcept {
    if (shared_->stopping.load()) return;
    try {
      acceptor_.async_accept(net::make_strand(io_),
                             beast::bind_front_handler(&Impl::OnAccept, shared_from_this()));
    } catch (const std::exception&) {
      RetryLater();
    }
  }

  void OnAccept(error_code ec, tcp::socket socket) noexcept {
    if (shared_->stopping.load()) return;
    if (ec) {
      if (ec != net::error::operation_aborted) RetryLater();
      return;
    }
    Admit(std::move(socket));
    Accept();
  }

  void RetryLater() noexcept {
    try {
      retry_timer_.expires_after(kAcceptRetryDelay);
      retry_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->Accept();
      });
    } catch (const std::exception&) {
      // Out of memory even for a timer: the accept loop ends here; Stop() still works.
    }
  }

  void Admit(tcp::socket socket) noexcept {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    uint64_t id = 0;
    {
      std::lock_guard lock(shared_->mu);
      if (shared_->connections.size() < shared_->limits.max_connections) id = ++shared_->next_id;
    }
    if (id == 0) {
      socket.close(ec);  // over max_connections
      return;
    }
    try {
      auto conn = std::make_shared<Connection>(shared_, id, std::move(socket));
      {
        std::lock_guard lock(shared_->mu);
        shared_->connections.emplace(id, conn);
      }
      conn->Start();
    } catch (const std::exception&) {
      // Out of memory: the connection (if built) closes as it is destroyed.
    }
  }

  net::io_context& io_;
  const std::shared_ptr<Shared> shared_;
  const net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  bool listening_ = false;  // guarded by shared_->mu
};

Server::Server(net::io_context& io, Handler& handler, Limits limits)
    : impl_(std::make_shared<Impl>(io, handler, limits)) {}

Server::~Server() { impl_->Stop(); }

Result<uint16_t> Server::Listen(const std::string& address, uint16_t port) {
  return impl_->Listen(address, port);
}

void Server::Stop() { impl_->Stop(); }

}  // namespace ferry::http
