// BatchedWrites: the writes that many concurrent requests make — sends to
// standard queues and deletes, a row or a request's batch at a time —
// gathered by Coalescers into one statement each (a multi-row INSERT from
// arrays; a DELETE joined with arrays), so that concurrent callers share
// round trips, commits and wake-up notifications (one per queue of a
// group). A lone caller runs a group of one. One statement of each kind
// runs at a time (the Coalescers' leaders: more were measured no faster,
// pg_batched_writes.cc).
//
// A group commits or fails as a whole: every caller of a failed group gets
// its error, and nothing of it is stored; the rows of one call are always
// in the same group.
//
// Thread-safety: every method from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/postgres/pg_coalescer.h"
#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

class BatchedWrites {
 public:
  explicit BatchedWrites(PgPool& pool);

  // A message for a standard queue: `wake` its pollers (it is visible).
  struct InsertRow {
    uint64_t queue_id = 0;
    const NewMessage* message = nullptr;
    bool wake = false;
  };
  // Stores the rows in one statement (shared with concurrent calls);
  // returns their sequences, in order.
  Result<std::vector<uint64_t>> Insert(std::span<const InsertRow> rows);
  Result<uint64_t> Insert(uint64_t queue_id, const NewMessage& m, bool wake);

  // Message `seq` of queue `queue_id`, deleted only while its receive count
  // is `generation`; `wake`: notify the queue's pollers (a FIFO delete may
  // unlock a group).
  struct DeleteRow {
    uint64_t queue_id = 0;
    uint64_t seq = 0;
    uint32_t generation = 0;
    bool wake = false;
  };
  // Deletes the rows in one statement (shared with concurrent calls):
  // whether each one was deleted, in order. A message named twice is
  // deleted, and reported, once.
  Result<std::vector<bool>> Delete(std::span<const DeleteRow> rows);
  Result<bool> Delete(uint64_t queue_id, uint64_t seq, uint32_t generation, bool wake);

 private:
  struct InsertItem {
    std::span<const InsertRow> rows;
    Status status;
    std::vector<uint64_t> seqs;
  };
  struct DeleteItem {
    std::span<const DeleteRow> rows;
    Status status;
    std::vector<bool> deleted;
  };

  void RunInserts(const std::vector<InsertItem*>& group);
  void RunDeletes(const std::vector<DeleteItem*>& group);

  PgPool& pool_;
  Coalescer<InsertItem> inserts_;
  Coalescer<DeleteItem> deletes_;
};

}  // namespace ferry::engine::pg
