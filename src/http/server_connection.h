// The seam between the two halves of the HTTP server (server.h): the
// listeners with their accept loop and connection limits (server.cc), and
// the per-connection request loop (server_connection.cc). What both need is
// here: the executor types of an accepted socket, the state a listener
// shares with its connections (Shared), and how a listener makes, starts
// and stops a Connection without seeing its insides. Internal to ferry_http.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/server.h"

namespace ferry::http::internal {

// The executor of a connection: its own strand on the io_context. Concrete
// types rather than any_io_executor spare a type-erased copy per operation.
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;
using Clock = std::chrono::steady_clock;

class Connection;

// State shared by the listener and its connections. Connections hold it, so
// it outlives the Server while connections are still in flight.
struct Shared {
  Shared(Handler& h, const Limits& l)
      : handler(h),
        limits(l),
        timer_period(std::max<Clock::duration>(std::min(l.read_timeout, l.idle_timeout),
                                               std::chrono::seconds(1))) {}

  Handler& handler;
  const Limits limits;
  // How often at most a connection's timer wakes while its deadline is
  // further away (see Connection::SetDeadline).
  const Clock::duration timer_period;
  std::atomic<bool> stopping{false};

  // Why Reserve refused a connection.
  enum class Refusal { kNone, kTotal, kPerClient };

  // Counts a new connection from `remote` against max_connections and
  // max_connections_per_client: its id (its entry in `connections` is set
  // once the Connection exists), or 0 when a limit is reached. The
  // Connection's destructor, or the caller on a failure before it exists,
  // gives it back with Release.
  uint64_t Reserve(const std::string& remote, Refusal& why);
  void Release(uint64_t id, const std::string& remote);

  // Logs a refused connection, at most once per kRefusalLogPeriod (a client
  // opening connections in a loop must not flood the log).
  void LogRefusal(Refusal why, const std::string& remote);

  std::mutex mu;
  // Registry of live connections, for Stop() and max_connections. Guarded by mu.
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
  // Live connections per client address, for max_connections_per_client.
  // Guarded by mu.
  std::unordered_map<std::string, size_t> per_client;
  uint64_t next_id = 0;                  // Guarded by mu.
  uint64_t refused_unlogged = 0;         // Guarded by mu.
  Clock::time_point last_refusal_log{};  // Guarded by mu.
};

// Makes the Connection of an accepted socket, counted in `shared` as `id`
// (Shared::Reserve) until it is destroyed. A TLS connection has
// `tls_context` (the listener's at accept time). Throws only what
// allocation throws.
std::shared_ptr<Connection> MakeConnection(std::shared_ptr<Shared> shared, uint64_t id,
                                           Socket socket, std::string remote,
                                           std::shared_ptr<boost::asio::ssl::context> tls_context);
// Starts its handshake or first read on its strand. Any thread.
void StartConnection(const std::shared_ptr<Connection>& connection);
// The server stops: an idle connection closes, a busy one after its answer.
// Any thread.
void NotifyConnectionStop(const std::shared_ptr<Connection>& connection);

}  // namespace ferry::http::internal
