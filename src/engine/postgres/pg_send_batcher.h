// SendBatcher: stores the messages of concurrent sends to standard queues
// with one multi-row INSERT (group insert, like group commit). A send that
// finds no insert running runs one for itself and every send queued
// meanwhile (it leads); a send that finds one running queues and waits for
// the next leader. One caller alone costs one single-row statement, as
// before; many concurrent callers share statements and so round trips,
// commits and wake-up notifications (one per distinct queue of a batch).
//
// Each message is its own row with its own id and sequence; a batch
// commits or fails as a whole, and every send of a failed batch gets its
// error (nothing of it is stored).
//
// Thread-safety: Insert from any thread; mu_ guards the queue and leading_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

class SendBatcher {
 public:
  explicit SendBatcher(PgPool& pool) : pool_(pool) {}

  // Stores `m` in the standard queue `queue_id`, sending a wake-up for it
  // when `wake`; returns its sequence.
  Result<uint64_t> Insert(uint64_t queue_id, const NewMessage& m, bool wake);

 private:
  struct Pending {
    uint64_t queue_id = 0;
    const NewMessage* message = nullptr;
    bool wake = false;
    bool done = false;  // guarded by mu_
    Status status;
    uint64_t seq = 0;
  };

  // Runs one INSERT for `batch` and sets each one's status and sequence.
  void Run(const std::vector<Pending*>& batch);

  PgPool& pool_;
  std::mutex mu_;
  std::condition_variable done_;
  std::vector<Pending*> queued_;  // guarded by mu_
  bool leading_ = false;          // guarded by mu_: a batch is running
};

}  // namespace ferry::engine::pg
