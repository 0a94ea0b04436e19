// The listening half of the HTTP server (server.h): each listener's bind and
// accept loop, the connection limits counted in Shared as connections are
// admitted, and Server itself. What a connection does once admitted is
// server_connection.cc's, reached through server_connection.h.
#include "http/server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/string.hpp>
#include <exception>
#include <utility>
#include <vector>

#include "http/server_connection.h"
#include "http/server_tls.h"

namespace ferry::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

namespace internal {
namespace {

// Accept errors left after Asio's own retries are resource shortages (EMFILE,
// ENFILE, ENOBUFS, ENOMEM): wait a little for descriptors to free up.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
// Connections refused over a limit are logged at most this often.
constexpr std::chrono::seconds kRefusalLogPeriod{10};

}  // namespace

uint64_t Shared::Reserve(const std::string& remote, Refusal& why) {
  std::lock_guard lock(mu);
  if (connections.size() >= limits.max_connections) {
    why = Refusal::kTotal;
    return 0;
  }
  size_t& from_client = per_client[remote];
  if (limits.max_connections_per_client != 0 && from_client >= limits.max_connections_per_client) {
    why = Refusal::kPerClient;
    return 0;
  }
  ++from_client;
  const uint64_t id = ++next_id;
  connections.emplace(id, std::weak_ptr<Connection>());
  why = Refusal::kNone;
  return id;
}

void Shared::Release(uint64_t id, const std::string& remote) {
  std::lock_guard lock(mu);
  connections.erase(id);
  if (auto it = per_client.find(remote); it != per_client.end() && --it->second == 0) {
    per_client.erase(it);
  }
}

void Shared::LogRefusal(Refusal why, const std::string& remote) {
  uint64_t count = 0;
  {
    std::lock_guard lock(mu);
    ++refused_unlogged;
    const Clock::time_point now = Clock::now();
    if (now - last_refusal_log < kRefusalLogPeriod) return;
    last_refusal_log = now;
    count = std::exchange(refused_unlogged, 0);
  }
  spdlog::warn(
      "http: closed {} new connection(s) over the connection limits (total {}, per client "
      "address {}); the latest from {}, over the {} limit",
      count, limits.max_connections, limits.max_connections_per_client, remote,
      why == Refusal::kTotal ? "total" : "per-client");
}

namespace {

// One listening socket and its accept loop. The acceptor and the retry timer
// are used only on strand_ once listening; Open() runs before that, and
// Stop() only shuts the socket down (Linux) and posts the rest.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, std::shared_ptr<Shared> shared,
           std::shared_ptr<ServerTlsContext> tls)
      : io_(io),
        shared_(std::move(shared)),
        tls_(std::move(tls)),
        strand_(net::make_strand(io)),
        acceptor_(strand_),
        retry_timer_(strand_) {}

  // Binds and listens; returns the bound port.
  Result<uint16_t> Open(const std::string& address, uint16_t port) {
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
    net::post(strand_, [self = shared_from_this()] { self->Accept(); });
    return bound;
  }

  // Called with shared_->mu held, once.
  void Stop() {
    // Refuse connections from now on rather than when the posted close
    // runs: on Linux, shutdown() of a listening socket resets its backlog,
    // makes new SYNs get a reset, and wakes the pending accept.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    net::post(strand_, [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      try {
        self->retry_timer_.cancel();
      } catch (const std::exception&) {
        // Nothing to cancel then; the retry sees `stopping`.
      }
    });
  }

 private:
  void Accept() noexcept {
    if (shared_->stopping.load()) return;
    try {
      acceptor_.async_accept(Strand(io_.get_executor()),
                             [self = shared_from_this()](error_code ec, Socket socket) {
                               self->OnAccept(ec, std::move(socket));
                             });
    } catch (const std::exception&) {
      RetryLater();
    }
  }

  void OnAccept(error_code ec, Socket socket) noexcept {
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

  void Admit(Socket socket) noexcept {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    // Writes are tried synchronously first (see Connection::Write).
    socket.non_blocking(true, ec);
    if (ec) return;  // socket closes as it is destroyed
    std::string remote;
    try {
      const tcp::endpoint peer = socket.remote_endpoint(ec);
      if (ec) return;  // already gone
      net::ip::address address = peer.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      }
      remote = address.to_string();
    } catch (const std::exception&) {
      return;
    }
    Shared::Refusal why = Shared::Refusal::kNone;
    uint64_t id = 0;
    try {
      id = shared_->Reserve(remote, why);
    } catch (const std::exception&) {
      return;  // out of memory for the count: refused
    }
    if (id == 0) {
      socket.close(ec);  // over a limit: closed at once, before any read
      try {
        shared_->LogRefusal(why, remote);
      } catch (const std::exception&) {
        // Logging failed; the refusal stands.
      }
      return;
    }
    bool made = false;
    try {
      auto conn =
          MakeConnection(shared_, id, std::move(socket), remote, tls_ ? tls_->Current() : nullptr);
      made = true;
      {
        std::lock_guard lock(shared_->mu);
        shared_->connections[id] = conn;
      }
      StartConnection(conn);
    } catch (const std::exception&) {
      // Out of memory. A Connection that was made gives its count back as
      // it is destroyed.
      if (!made) shared_->Release(id, remote);
    }
  }

  net::io_context& io_;
  const std::shared_ptr<Shared> shared_;
  const std::shared_ptr<ServerTlsContext> tls_;  // null: plain HTTP
  const net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
};

}  // namespace
}  // namespace internal

using internal::Connection;
using internal::Listener;
using internal::Shared;

// The listeners and the state their connections share. Listen() and Stop()
// serialise on shared_->mu, which guards listeners_.
class Server::Impl {
 public:
  Impl(net::io_context& io, Handler& handler, const Limits& limits)
      : io_(io), shared_(std::make_shared<Shared>(handler, limits)) {}

  Result<uint16_t> Listen(const std::string& address, uint16_t port,
                          std::shared_ptr<ServerTlsContext> tls) {
    try {
      std::lock_guard lock(shared_->mu);
      if (shared_->stopping.load()) return Status::FailedPrecondition("http server is stopped");
      auto listener = std::make_shared<Listener>(io_, shared_, std::move(tls));
      auto bound = listener->Open(address, port);
      if (bound.ok()) listeners_.push_back(std::move(listener));
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
      for (auto& listener : listeners_) listener->Stop();
      live.reserve(shared_->connections.size());
      for (const auto& [id, weak] : shared_->connections) {
        if (auto conn = weak.lock()) live.push_back(std::move(conn));
      }
    }
    for (auto& conn : live) NotifyConnectionStop(conn);
  }

  size_t OpenConnections() const {
    std::lock_guard lock(shared_->mu);
    return shared_->connections.size();
  }

 private:
  net::io_context& io_;
  const std::shared_ptr<Shared> shared_;
  std::vector<std::shared_ptr<Listener>> listeners_;  // guarded by shared_->mu
};

Server::Server(net::io_context& io, Handler& handler, Limits limits)
    : impl_(std::make_unique<Impl>(io, handler, limits)) {}

Server::~Server() { impl_->Stop(); }

Result<uint16_t> Server::Listen(const std::string& address, uint16_t port) {
  return impl_->Listen(address, port, nullptr);
}

Result<uint16_t> Server::ListenTls(const std::string& address, uint16_t port,
                                   std::shared_ptr<ServerTlsContext> tls) {
  if (tls == nullptr) return Status::InvalidArgument("ListenTls without a TLS context");
  return impl_->Listen(address, port, std::move(tls));
}

void Server::Stop() { impl_->Stop(); }

size_t Server::open_connections() const { return impl_->OpenConnections(); }

}  // namespace ferry::http
