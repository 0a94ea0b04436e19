// DurabilityBarrier: Engine::AfterDurable for the PostgreSQL engine.
//
// The engine's connections commit with synchronous_commit off: a commit
// returns once its record is in the WAL buffers, before the WAL is flushed.
// A barrier is one small transaction on a connection of its own with
// synchronous_commit on that writes a commit record (SELECT txid_current()
// takes a transaction id, so its commit is logged); its commit returns only
// once the WAL is flushed up to that record, and the WAL is flushed in
// order, so every commit made before the barrier started is durable when it
// returns. Callbacks that arrive while a barrier runs share the next one, so
// concurrent requests cost one WAL flush between them (group commit).
//
// A barrier that fails (the database is away) calls back kUnavailable: the
// caller answers 503 and the client retries; the change may or may not have
// survived, exactly as for a request that timed out.
//
// Thread-safety: After from any thread; callbacks run on the barrier's
// thread, with no lock held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace ferry::engine::pg {

class DurabilityBarrier {
 public:
  explicit DurabilityBarrier(std::string url);
  // Runs a last barrier for the callbacks still waiting, then stops.
  ~DurabilityBarrier();
  DurabilityBarrier(const DurabilityBarrier&) = delete;
  DurabilityBarrier& operator=(const DurabilityBarrier&) = delete;

  void After(std::function<void(Status)> cb);
  // Barriers run so far (each one WAL flush).
  uint64_t barriers() const { return barriers_.load(); }

 private:
  void Run();

  const std::string url_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::function<void(Status)>> waiting_;  // guarded by mu_
  bool stop_ = false;                                 // guarded by mu_
  std::atomic<uint64_t> barriers_{0};
  std::thread thread_;
};

}  // namespace ferry::engine::pg
