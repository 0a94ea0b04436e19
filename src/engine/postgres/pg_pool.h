// PgPool: a fixed number of connections to one database, handed out one
// caller at a time (Lease). A connection that lost its server is dropped
// when it comes back and a new one is made on the next Acquire, so a
// database restart is recovered without restarting Ferry: calls fail with
// kUnavailable while the server is away and succeed once it is back.
//
// healthy() is what Engine::Health reports: false from the first failed
// connection or lost call until a connection succeeds again. It does no I/O.
//
// Thread-safety: every method from any thread; mu_ guards the idle list and
// the count of open connections. No connection is used under mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/postgres/pg_conn.h"

namespace ferry::engine::pg {

class PgPool {
 public:
  // `setup_sql` runs on each new connection (session settings).
  PgPool(std::string url, int size, std::string setup_sql);

  // A connection held by one caller; back to the pool when destroyed (or
  // closed when it was lost).
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConn* operator->() { return conn_.get(); }
    // Gives the connection back now (before callbacks that may need one).
    void Release() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    PgConn& operator*() { return *conn_; }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConn> conn_;
  };

  // Waits for a free connection, or opens one while fewer than `size` are
  // open. kUnavailable when the database cannot be reached.
  Result<Lease> Acquire();
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  // Called by users of a lease that saw the server go away.
  void MarkUnhealthy() { healthy_.store(false, std::memory_order_relaxed); }
  const std::string& url() const { return url_; }

 private:
  void Return(std::unique_ptr<PgConn> conn);

  const std::string url_;
  const int size_;
  const std::string setup_sql_;
  std::atomic<bool> healthy_{true};
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
  int open_ = 0;                               // guarded by mu_: idle and leased
};

}  // namespace ferry::engine::pg
