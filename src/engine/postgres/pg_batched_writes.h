// BatchedWrites: the writes that many concurrent requests make one row at a
// time — sends to standard queues and deletes — gathered by Coalescers into
// one statement each (a multi-row INSERT from arrays; a DELETE joined with
// arrays), so that concurrent callers share round trips, commits and
// wake-up notifications (one per queue of a group). A lone caller runs a
// group of one.
//
// A group commits or fails as a whole: every caller of a failed group gets
// its error, and nothing of it is stored.
//
// Thread-safety: every method from any thread.
#pragma once

#include <cstdint>

#include "engine/postgres/pg_coalescer.h"
#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

class BatchedWrites {
 public:
  explicit BatchedWrites(PgPool& pool);

  // Stores `m` in the standard queue `queue_id`, waking its pollers when
  // `wake`; returns its sequence.
  Result<uint64_t> Insert(uint64_t queue_id, const NewMessage& m, bool wake);
  // Deletes message `seq` of the queue when its receive count is
  // `generation`; true when it did. `wake`: notify the queue's pollers (a
  // FIFO delete may unlock a group).
  Result<bool> Delete(uint64_t queue_id, uint64_t seq, uint32_t generation, bool wake);

 private:
  struct InsertItem {
    uint64_t queue_id = 0;
    const NewMessage* message = nullptr;
    bool wake = false;
    Status status;
    uint64_t seq = 0;
  };
  struct DeleteItem {
    uint64_t queue_id = 0;
    uint64_t seq = 0;
    uint32_t generation = 0;
    bool wake = false;
    Status status;
    bool deleted = false;
  };

  void RunInserts(const std::vector<InsertItem*>& group);
  void RunDeletes(const std::vector<DeleteItem*>& group);

  PgPool& pool_;
  Coalescer<InsertItem> inserts_;
  Coalescer<DeleteItem> deletes_;
};

}  // namespace ferry::engine::pg
