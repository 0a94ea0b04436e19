#include "engine/postgres/pg_barrier.h"

#include <memory>

#include "engine/postgres/pg_conn.h"

namespace ferry::engine::pg {

DurabilityBarrier::DurabilityBarrier(std::string url) : url_(std::move(url)) {
  thread_ = std::thread([this] { Run(); });
}

DurabilityBarrier::~DurabilityBarrier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void DurabilityBarrier::After(std::function<void(Status)> cb) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(cb));
  }
  wake_.notify_one();
}

void DurabilityBarrier::Run() {
  std::unique_ptr<PgConn> conn;
  for (;;) {
    std::vector<std::function<void(Status)>> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stop_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, nobody waits
      batch.swap(waiting_);
    }
    Status st;
    if (!conn || !conn->IdleAndAlive()) {
      conn.reset();
      Result<std::unique_ptr<PgConn>> opened = PgConn::Connect(url_, "SET synchronous_commit = on");
      if (opened.ok()) {
        conn = std::move(*opened);
      } else {
        st = opened.status();
      }
    }
    if (conn) {
      st = conn->Exec("SELECT txid_current()").status();
      ++barriers_;
    }
    for (auto& cb : batch) cb(st);
  }
}

}  // namespace ferry::engine::pg
