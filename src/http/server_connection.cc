// The per-connection half of the HTTP server (server.h): one accepted
// connection's loop ([TLS handshake ->] wait for a request -> parse head ->
// optional 100 Continue -> parse body -> Handler -> write -> keep-alive or
// close), its deadlines, and the server's own refusals (Handler::Reject).
// It is the request path, kept apart from the listeners and connection
// limits (server.cc), which reach it only through server_connection.h.
#include "http/server_connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <cstdint>
#include <exception>
#include <utility>

#include "http/client_tls.h"
#include "http/request_parser.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace internal {
namespace {

using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Strand>;
// A TLS connection's stream over its socket (see Connection).
using TlsStream = net::ssl::stream<Socket&>;

// Smallest first read of an idle connection. It makes room for a request as
// large as the connection's previous one, and reads grow as a request needs,
// so that a steady stream of 10 KiB batch requests takes one read each.
constexpr size_t kReadChunk = 4096;
// Room beyond the previous request's size, for one a little larger.
constexpr size_t kReadSlack = 1024;
// Largest single read while a request arrives.
constexpr size_t kMaxReadChunk = 64 * 1024;
// A connection going idle gives back a read buffer, request body or response
// header buffer grown beyond this.
constexpr size_t kMaxIdleBufferCapacity = 64 * 1024;
// After an answer that closes the connection the server stops sending and
// discards what the client still sends for this long before closing, so the
// client reads the answer instead of a reset (e.g. a 413 sent while the
// client is still uploading the body).
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

void AppendDecimal(std::string& out, uint64_t v) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(digits[--n]);
}

std::string ReasonPhrase(int status) {
  return std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status))) + "\n";
}

Response PlainText(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = text;
  return r;
}

// What can be read of a request head that the parser refused (too large, or
// malformed): the request line's method and target, and each header line that
// is a well-formed field, up to the first empty line or `limit` bytes. Lines
// end in CRLF or a bare LF here; anything not understood is skipped.
void ReadHeadLeniently(std::string_view raw, size_t limit, Request& head) {
  raw = raw.substr(0, limit);
  while (raw.starts_with("\r\n")) raw.remove_prefix(2);
  bool first = true;
  while (!raw.empty()) {
    const size_t lf = raw.find('\n');
    if (lf == std::string_view::npos) break;  // a partial line says nothing sure
    std::string_view line = raw.substr(0, lf);
    raw.remove_prefix(lf + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;
    if (std::exchange(first, false)) {
      const size_t sp1 = line.find(' ');
      const size_t sp2 = line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
      if (sp2 == std::string_view::npos || !IsToken(line.substr(0, sp1))) continue;
      head.method.assign(line.substr(0, sp1));
      head.target.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!IsFieldValue(value)) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    head.headers.emplace_back(std::move(name), std::string(value));
  }
}

}  // namespace

// One accepted TCP connection: reads a request, hands it to the Handler,
// writes the answer and repeats while keep-alive holds. Every member is used
// only on the connection's strand; Start(), NotifyStop() and Responders reach
// it by posting there. Pending socket operations and outstanding Responders
// hold a shared_ptr, so the object lives until the last of them is done (the
// deadline timer holds only a weak_ptr).
//
// The hot path of a keep-alive request is one read completion: the request is
// parsed from the buffer, handled, and (when the handler answers at once or
// from a strand post) written with a non-blocking send, falling back to an
// asynchronous write only when the socket buffer is full.
class Connection final : public Responder::Target, public std::enable_shared_from_this<Connection> {
 public:
  // A TLS connection has `tls_context` (the listener's at accept time).
  Connection(std::shared_ptr<Shared> shared, uint64_t id, Socket socket, std::string remote,
             std::shared_ptr<net::ssl::context> tls_context)
      : shared_(std::move(shared)),
        id_(id),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        remote_address_(std::move(remote)),
        tls_context_(std::move(tls_context)),
        parser_(shared_->limits.max_header_bytes, shared_->limits.max_body_bytes,
                shared_->limits.max_header_fields) {}

  ~Connection() override { shared_->Release(id_, remote_address_); }

  // Any thread.
  void Start() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->tls_context_) return self->Handshake();
      self->WaitForRequest();
    });
  }
  void NotifyStop() {
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->OnStop(); });
  }

  // Responder::Target; any thread. From an io thread outside any strand
  // (an answer posted there once its records are durable) the strand runs
  // it inline when idle: no second hand-off to another thread, which on a
  // busy machine costs a scheduling delay. From any other thread it is
  // posted.
  void Deliver(uint64_t seq, Response response) override {
    if (socket_.get_executor().running_in_this_thread()) {
      return OnResponse(seq, std::move(response));
    }
    net::dispatch(socket_.get_executor(),
                  [self = shared_from_this(), seq, response = std::move(response)]() mutable {
                    self->OnResponse(seq, std::move(response));
                  });
  }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  void OnStop() {
    // A connection in any other phase notices `stopping` when it next goes idle.
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) Close();
  }

  // TLS: the handshake must finish within tls_handshake_timeout. Every read
  // and write then goes through tls_; the plain path only tests the pointer.
  void Handshake() {
    phase_ = Phase::kHandshake;
    try {
      tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
    } catch (const std::exception&) {
      return Close();  // OpenSSL could not make the session
    }
    SetDeadline(shared_->limits.tls_handshake_timeout);
    tls_->async_handshake(net::ssl::stream_base::server,
                          [self = shared_from_this()](error_code ec) {
                            if (ec) {
                              // Asio reads one entry; the rest would be taken
                              // by the next OpenSSL user on this thread.
                              ForgetTlsErrors();
                              return self->Close();
                            }
                            if (self->phase_ == Phase::kClosed) return;
                            self->WaitForRequest();
                          });
  }

  template <class Buffers, class Done>
  void AsyncWrite(const Buffers& buffers, Done&& done) {
    if (tls_) return net::async_write(*tls_, buffers, std::forward<Done>(done));
    net::async_write(socket_, buffers, std::forward<Done>(done));
  }

  // Deadlines. Arming an Asio timer for every read and write costs a timer
  // queue insert and a cancellation per operation, so the timer is armed
  // lazily: it wakes at most every timer_period while the deadline is
  // further away, and re-arms itself. A deadline set later is at least
  // timer_period (the shorter request timeout) away, hence never before the
  // armed expiry; the rare earlier one (the linger) re-arms the timer.
  void SetDeadline(Clock::duration timeout) {
    const Clock::time_point now = Clock::now();
    deadline_ = now + timeout;
    if (deadline_ < timer_expiry_) ArmTimer(std::min(deadline_, now + shared_->timer_period));
  }
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  void ArmTimer(Clock::time_point at) {
    timer_expiry_ = at;
    try {
      timer_.expires_at(at);  // cancels a wait in progress, which then returns
      // The timer does not keep the connection alive: one whose Responder
      // was dropped unanswered is destroyed (and its socket closed) as before.
      timer_.async_wait([weak = weak_from_this()](error_code ec) {
        if (auto self = weak.lock()) self->OnTimer(ec);
      });
    } catch (const std::exception&) {
      Close();  // out of memory: a connection without a deadline is not kept
    }
  }

  void OnTimer(error_code ec) {
    if (ec || phase_ == Phase::kClosed) return;  // re-armed, or closed
    const Clock::time_point now = Clock::now();
    if (deadline_ <= now) return Close();  // idle, read, write or linger timeout
    ArmTimer(std::min(deadline_, now + shared_->timer_period));
  }

  // Waits (up to idle_timeout) for the first bytes of the next request.
  void WaitForRequest() {
    if (shared_->stopping.load(std::memory_order_acquire)) return CloseGracefully();
    if (buffer_.size() > 0) {
      // Pipelined. Posted, not called: answers written inline would
      // otherwise nest one call chain per buffered request.
      phase_ = Phase::kReading;
      net::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->phase_ != Phase::kClosed) self->StartRequest();
      });
      return;
    }
    phase_ = Phase::kIdle;
    if (buffer_.capacity() > kMaxIdleBufferCapacity) buffer_.shrink_to_fit();
    if (req_.body.capacity() > kMaxIdleBufferCapacity) std::string().swap(req_.body);
    if (head_.capacity() > kMaxIdleBufferCapacity) std::string().swap(head_);
    SetDeadline(shared_->limits.idle_timeout);
    Read(std::clamp(last_request_bytes_ + kReadSlack, kReadChunk, kMaxReadChunk));
  }

  void Read(size_t size) {
    try {
      auto done = [self = shared_from_this()](error_code ec, size_t n) { self->OnRead(ec, n); };
      if (tls_) {
        tls_->async_read_some(buffer_.prepare(size), std::move(done));
      } else {
        socket_.async_read_some(buffer_.prepare(size), std::move(done));
      }
    } catch (const std::exception&) {
      Close();  // the buffer cannot grow
    }
  }

  void OnRead(error_code ec, size_t n) {
    if (phase_ == Phase::kClosed) return;
    // Peer closed (also mid-request: nothing to answer), idle timeout, Stop().
    if (ec) return Close();
    buffer_.commit(n);
    if (phase_ == Phase::kIdle) return StartRequest();
    Parse();
  }

  // A request has started: all of it must arrive within read_timeout.
  void StartRequest() {
    phase_ = Phase::kReading;
    SetDeadline(shared_->limits.read_timeout);
    parser_.Start(req_);
    req_.arrival = std::chrono::steady_clock::now();
    head_done_ = false;
    request_bytes_ = 0;
    Parse();
  }

  // Feeds the buffered input to the parser; reads more when it runs out.
  void Parse() {
    while (true) {
      const auto data = buffer_.data();
      size_t used = 0;
      const RequestParser::State state =
          parser_.Feed(std::string_view(static_cast<const char*>(data.data()), data.size()), used);
      buffer_.consume(used);
      request_bytes_ += used;
      switch (state) {
        case RequestParser::State::kNeedMore:
          return Read(ReadSize());
        case RequestParser::State::kHeaderDone:
          head_done_ = true;
          if (parser_.version() >= 11 && parser_.expects_continue()) return SendContinue();
          break;
        case RequestParser::State::kDone:
          return Dispatch();
        case RequestParser::State::kError:
          return OnParseError(parser_.error());
      }
    }
  }

  // Room for the rest of a Content-Length body (up to kMaxReadChunk), so that
  // a body arrives in one read and the buffer keeps that capacity for the
  // connection's next request.
  size_t ReadSize() const {
    const size_t natural = beast::read_size(buffer_, kMaxReadChunk);
    const uint64_t body = std::min<uint64_t>(parser_.body_remaining(), kMaxReadChunk);
    return std::max<size_t>(natural, static_cast<size_t>(body));
  }

  void SendContinue() {
    AsyncWrite(net::buffer(kContinue.data(), kContinue.size()),
               [self = shared_from_this()](error_code ec, size_t) {
                 if (self->phase_ == Phase::kClosed) return;
                 if (ec) return self->Close();
                 self->Parse();
               });
  }

  void OnParseError(RequestParser::Error error) {
    switch (error) {
      case RequestParser::Error::kHeaderTooLarge:
      case RequestParser::Error::kTooManyHeaders:
        return Reject(431, error);
      case RequestParser::Error::kBodyTooLarge:
        return Reject(413, error);
      case RequestParser::Error::kBadRequest:
      case RequestParser::Error::kNone:
        return Reject(400, error);
    }
  }

  // Hands the parsed request to the Handler. The Handler may answer inside
  // Handle; the connection then writes at once but reads the next request
  // (which reuses req_) only after Handle has returned.
  void Dispatch() {
    phase_ = Phase::kHandling;
    ClearDeadline();
    const uint64_t seq = ++request_seq_;
    keep_alive_ = parser_.keep_alive();
    version_ = parser_.version();
    head_only_ = req_.method == "HEAD";
    last_request_bytes_ = request_bytes_;
    req_.remote_address = remote_address_;
    req_.secure = tls_ != nullptr;
    in_handler_ = true;
    try {
      shared_->handler.Handle(req_, Responder(shared_from_this(), seq));
    } catch (...) {
      OnResponse(seq, PlainText(500, "Internal Server Error\n"));  // ignored if it already answered
    }
    in_handler_ = false;
    if (resume_after_handler_) {
      resume_after_handler_ = false;
      AfterWrite();
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
    // RFC 9110 9.3.2: a HEAD answer has the head a GET would get, with the
    // Content-Length of its body, and no body.
    if (head_only_) body_.clear();
    Write(!keep_alive);
  }

  // Answers a request the server refuses by itself, in the Handler's words
  // (Handler::Reject), then closes.
  void Reject(int status, RequestParser::Error error) {
    version_ = 11;
    // The parser has the whole head once it saw its end: after kHeaderDone,
    // or when the declared Content-Length is over the limit. Otherwise the
    // head is still unconsumed in the buffer, and is read leniently.
    Request scanned;
    const bool parsed = head_done_ || error == RequestParser::Error::kBodyTooLarge;
    if (!parsed) {
      const auto data = buffer_.data();
      ReadHeadLeniently(std::string_view(static_cast<const char*>(data.data()), data.size()),
                        shared_->limits.max_header_bytes, scanned);
    }
    // The handler may log the refusal: it needs the peer and arrival either way.
    req_.remote_address = remote_address_;
    req_.secure = tls_ != nullptr;
    scanned.remote_address = remote_address_;
    scanned.secure = req_.secure;
    scanned.arrival = req_.arrival;
    const Request& head = parsed ? req_ : scanned;
    Response response;
    try {
      response = shared_->handler.Reject(status, head);
      response.status = status;
    } catch (...) {
      response = PlainText(status, ReasonPhrase(status));
    }
    if (!BuildResponse(std::move(response), false) &&
        !BuildResponse(PlainText(status, ReasonPhrase(status)), false)) {
      return Close();
    }
    Write(true);
  }

  // Serialises the status line and headers into head_ and takes the body into
  // body_; false when the handler's response cannot be sent as given.
  bool BuildResponse(Response&& r, bool keep_alive) {
    if (r.status < 200 || r.status > 999) return false;
    bool has_server = false;
    for (const auto& [name, value] : r.headers) {
      if (!IsToken(name) || !IsFieldValue(value)) return false;
      has_server |= beast::iequals(name, "server");
    }
    try {
      head_.clear();
      head_.append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
      AppendDecimal(head_, static_cast<uint64_t>(r.status));
      head_.push_back(' ');
      const beast::string_view reason =
          bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
      head_.append(reason.data(), reason.size());
      head_.append("\r\n");
      if (!has_server) head_.append("Server: Ferry\r\n");
      for (const auto& [name, value] : r.headers) {
        if (IsFramingHeader(name)) continue;  // framing is ours
        head_.append(name).append(": ").append(value).append("\r\n");
      }
      // 204 and 304 have no body and (RFC 9110) no Content-Length of one.
      if (r.status != 204 && r.status != 304) {
        head_.append("Content-Length: ");
        AppendDecimal(head_, r.body.size());
        head_.append("\r\n");
        body_ = std::move(r.body);
      } else {
        body_.clear();
      }
      if (!keep_alive) {
        head_.append("Connection: close\r\n");
      } else if (version_ == 10) {
        head_.append("Connection: keep-alive\r\n");
      }
      head_.append("\r\n");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  static bool IsFramingHeader(std::string_view name) {
    switch (name.size()) {
      case 10:
        return beast::iequals(name, "connection");
      case 14:
        return beast::iequals(name, "content-length");
      case 17:
        return beast::iequals(name, "transfer-encoding");
      default:
        return false;
    }
  }

  // Sends head_ and body_: at once when the socket takes it all, which it
  // nearly always does, else the rest asynchronously.
  void Write(bool close_after) {
    phase_ = Phase::kWriting;
    close_after_write_ = close_after;
    if (tls_) return WriteTls();
    std::array<net::const_buffer, 2> bufs{net::buffer(head_), net::buffer(body_)};
    const size_t total = head_.size() + body_.size();
    error_code ec;
    size_t sent = socket_.write_some(bufs, ec);  // the socket is non-blocking
    if (ec == net::error::would_block || ec == net::error::try_again) {
      sent = 0;
    } else if (ec) {
      return Close();
    }
    if (sent == total) return OnWritten();
    SetDeadline(shared_->limits.read_timeout);
    if (sent < head_.size()) {
      bufs[0] = net::buffer(head_) + sent;
    } else {
      bufs[0] = net::const_buffer();
      bufs[1] = net::buffer(body_) + (sent - head_.size());
    }
    AsyncWrite(bufs, [self = shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->Close();
      self->OnWritten();
    });
  }

  // Over TLS every write is asynchronous (a TLS record cannot be half sent
  // and retried), and the body is copied behind the head: Asio's TLS stream
  // writes one record per buffer.
  void WriteTls() {
    try {
      head_.append(body_);
    } catch (const std::exception&) {
      return Close();
    }
    SetDeadline(shared_->limits.read_timeout);
    AsyncWrite(net::buffer(head_), [self = shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (ec) return self->Close();
      self->OnWritten();
    });
  }

  void OnWritten() {
    std::string().swap(body_);  // do not keep a large body while idle
    if (in_handler_) {
      resume_after_handler_ = true;  // req_ is still the handler's
      return;
    }
    AfterWrite();
  }

  void AfterWrite() {
    if (close_after_write_) return CloseGracefully();
    WaitForRequest();
  }

  // Sends FIN, then discards input until the peer closes or kLingerTimeout.
  // Over TLS too: no close_notify is sent (an answer is framed by HTTP), and
  // what arrives is discarded undecrypted.
  void CloseGracefully() {
    phase_ = Phase::kClosing;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    SetDeadline(std::min<Clock::duration>(kLingerTimeout, shared_->limits.read_timeout));
    Drain();
  }

  void Drain() {
    try {
      socket_.async_read_some(buffer_.prepare(kReadChunk),
                              [self = shared_from_this()](error_code ec, size_t) {
                                if (ec || self->phase_ == Phase::kClosed) return self->Close();
                                self->Drain();
                              });
    } catch (const std::exception&) {
      Close();
    }
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    error_code ignored;
    socket_.close(ignored);
    try {
      timer_.cancel();
    } catch (const std::exception&) {
      // The wait then ends at its expiry and finds the connection closed.
    }
  }

  const std::shared_ptr<Shared> shared_;
  const uint64_t id_;
  Socket socket_;
  Timer timer_;
  const std::string remote_address_;
  const std::shared_ptr<net::ssl::context> tls_context_;  // null: plain HTTP
  std::unique_ptr<TlsStream> tls_;                        // made by Handshake, over socket_
  beast::flat_buffer buffer_;  // reused for every request of the connection
  Request req_;                // the request being read or handled; reused
  RequestParser parser_;
  std::string head_;  // status line and headers of the answer being written
  std::string body_;  // body of the answer being written
  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();
  uint64_t request_seq_ = 0;       // identifies the request a Responder answers
  size_t request_bytes_ = 0;       // of the request being read, so far
  size_t last_request_bytes_ = 0;  // of the last complete request
  unsigned version_ = 11;          // of the request being handled
  bool keep_alive_ = true;         // of the request being handled
  bool head_only_ = false;         // the request being handled is a HEAD
  bool close_after_write_ = false;
  bool head_done_ = false;             // the parser has the request's whole head
  bool in_handler_ = false;            // inside Handler::Handle
  bool resume_after_handler_ = false;  // answered inside Handle; go on when it returns
};

std::shared_ptr<Connection> MakeConnection(std::shared_ptr<Shared> shared, uint64_t id,
                                           Socket socket, std::string remote,
                                           std::shared_ptr<net::ssl::context> tls_context) {
  return std::make_shared<Connection>(std::move(shared), id, std::move(socket), std::move(remote),
                                      std::move(tls_context));
}

void StartConnection(const std::shared_ptr<Connection>& connection) { connection->Start(); }

void NotifyConnectionStop(const std::shared_ptr<Connection>& connection) {
  connection->NotifyStop();
}

}  // namespace internal

Response Handler::Reject(int status, const Request&) {
  return internal::PlainText(status, internal::ReasonPhrase(status));
}

}  // namespace ferry::http
