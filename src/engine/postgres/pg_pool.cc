#include "engine/postgres/pg_pool.h"

#include <algorithm>

namespace ferry::engine::pg {

PgPool::PgPool(std::string url, int size, std::string setup_sql)
    : url_(std::move(url)), size_(std::max(size, 1)), setup_sql_(std::move(setup_sql)) {}

PgPool::Lease::~Lease() {
  if (conn_) pool_->Return(std::move(conn_));
}

Result<PgPool::Lease> PgPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    while (!idle_.empty()) {
      std::unique_ptr<PgConn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->IdleAndAlive()) return Lease(this, std::move(conn));
      --open_;  // the server went away while it was idle: replaced below
    }
    ++open_;  // a slot for the connection made below, unlocked
  }
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url_, setup_sql_);
  if (!conn.ok()) {
    healthy_.store(false, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    --open_;
    freed_.notify_one();
    return conn.status();
  }
  healthy_.store(true, std::memory_order_relaxed);
  return Lease(this, std::move(*conn));
}

void PgPool::Return(std::unique_ptr<PgConn> conn) {
  const bool lost = conn->broken();
  if (lost) {
    healthy_.store(false, std::memory_order_relaxed);
    conn.reset();  // closed outside the lock
  }
  std::lock_guard lock(mu_);
  if (lost) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

}  // namespace ferry::engine::pg
