// QueueHistory: each queue's figures over the last hour, one sample every
// 10 seconds, in memory (GetQueueHistory, docs/admin-api.md). A restart
// starts a new history.
//
// The owner calls Tick often (the server's 100 ms engine tick); a Tick at
// least kIntervalMs after the last sampling reads every queue's Stats and
// appends one sample per queue to its ring of kSamples. A queue no longer in
// the engine is forgotten at the next sampling, and a queue created again
// under a deleted one's name starts a new history (its creation time
// differs). SNS's internal queues (sns/model.h) are left out. At most
// kMaxQueues queues are followed (the first ones met; a
// queue beyond them has no history), so memory is bounded: about 23 KiB a
// queue.
//
// Thread-safety: Tick from one thread at a time; Samples from any thread.
// mu_ guards rings_ and next_due_ms_; it is never held while the engine is
// called (Tick reads every queue's Stats first, then takes mu_ to store).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "engine/engine.h"

namespace ferry::admin {

struct HistorySample {
  int64_t timestamp_s = 0;  // Unix time of the sampling, seconds
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
  int64_t oldest_age_s = 0;  // 0 when the queue is empty
  // QueueStats' counters at that time; throughput is the difference.
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t deleted = 0;
};

class QueueHistory {
 public:
  static constexpr TimeMs kIntervalMs = 10'000;
  static constexpr size_t kSamples = 360;  // one hour
  static constexpr size_t kMaxQueues = 1000;

  // Both outlive the history.
  QueueHistory(engine::Engine& engine, const Clock& clock) : engine_(engine), clock_(clock) {}

  QueueHistory(const QueueHistory&) = delete;
  QueueHistory& operator=(const QueueHistory&) = delete;

  // Samples every queue when kIntervalMs have passed since the last
  // sampling (the first Tick samples at once).
  void Tick();
  // The samples of the queue with this registry name (engine/queue_key.h),
  // oldest first; empty when it has none.
  std::vector<HistorySample> Samples(const std::string& registry_name) const;

 private:
  struct Ring {
    TimeMs created_ms = 0;  // of the queue sampled: a new queue of the name starts afresh
    std::vector<HistorySample> samples;  // at most kSamples; the oldest at `next` once full
    size_t next = 0;
    uint64_t seen = 0;  // the sampling that last found the queue
  };

  engine::Engine& engine_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Ring> rings_;  // guarded by mu_
  TimeMs next_due_ms_ = 0;                       // guarded by mu_
  uint64_t samplings_ = 0;                       // guarded by mu_
};

}  // namespace ferry::admin
