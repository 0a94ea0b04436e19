// PgCore: what a PostgreSQL engine shares with its queues — the clock, the
// connection pool, the watchers and their listener,
// this node's counters per queue and the cache of queue rows — and the
// statements more than one of them runs (storing a message, moving
// messages to a dead-letter queue). Queues hold the core, so a queue kept
// past its engine still works.
//
// The queue-row cache: FindRow answers from a row read less than a second
// ago by the engine's clock (kRowCacheTtl), so that the SQS layer's FindQueue per request costs no
// round trip; a change made through this engine replaces or drops the
// cached row at once, and a change made by another node is seen within the
// second.
//
// Thread-safety: every method from any thread. mu_ guards the cache and the
// counters' map (the counters themselves are atomic).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/engine.h"
#include "engine/postgres/pg_conn.h"
#include "engine/postgres/pg_pool.h"
#include "engine/postgres/pg_wake.h"
#include "engine/postgres/postgres_engine.h"

namespace ferry::engine::pg {

class BatchedWrites;

inline constexpr std::chrono::milliseconds kRowCacheTtl{1000};
// The FIFO deduplication window and the receive-attempt window.
inline constexpr TimeMs kFifoWindowMs = 5 * 60 * 1000;

// A row of ferry_queues.
struct QueueRow {
  uint64_t id = 0;
  std::string name;
  bool fifo = false;
  QueueSettings settings;
  std::map<std::string, std::string> tags;
  TimeMs created_ms = 0;
  TimeMs modified_ms = 0;
};

// The columns QueueRowAt reads, in its order.
inline constexpr const char* kQueueColumns =
    "id, name, fifo, settings, tags, created_ms, modified_ms";
std::shared_ptr<const QueueRow> QueueRowAt(const PgResult& r, int row);

// Fields (settings, tags, catalog entries) as bytes and back.
std::string EncodeFields(const std::vector<std::pair<std::string, std::string>>& fields);
std::vector<std::pair<std::string, std::string>> DecodeFields(std::string_view bytes);

// This node's counters of one queue (QueueStats' counters).
struct QueueCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> sent_bytes{0};
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> empty_receives{0};
  std::atomic<uint64_t> deleted{0};
  std::atomic<uint64_t> moved_to_dead_letter{0};
};

// A message to store (Send, a move task's redrive).
struct NewMessage {
  std::array<uint8_t, 16> id{};
  std::string_view payload;
  std::string_view group_id;
  std::string_view dedup_id;  // FIFO queues only
  TimeMs sent_ms = 0;
  TimeMs visible_at_ms = 0;
};

struct Stored {
  std::array<uint8_t, 16> id{};
  uint64_t seq = 0;
  bool duplicate = false;
};

// The columns MessageAt reads, in its order.
inline constexpr const char* kMessageColumns =
    "seq, message_id, payload, group_id, sent_ms, first_receive_ms, receive_count, "
    "dead_letter_source, visible_at_ms, in_flight";
struct MessageRow {
  uint64_t seq = 0;
  std::array<uint8_t, 16> id{};
  std::string payload;
  std::string group_id;
  TimeMs sent_ms = 0;
  TimeMs first_receive_ms = 0;
  int64_t receive_count = 0;
  std::string dead_letter_source;
  TimeMs visible_at_ms = 0;
  bool in_flight = false;
};
// Reads kMessageColumns starting at column `first`.
MessageRow MessageAt(const PgResult& r, int row, int first = 0);

std::array<uint8_t, 16> NewMessageId();

// The CTEs `g` and `ins` of a statement whose CTE `moved` deleted messages
// (seq, message_id, payload, group_id, sent_ms, receive_count,
// first_receive_ms) from a queue: they store them in its dead-letter queue
// (same id, payload, group, receive count and first receive; the source's
// name as dead_letter_source; a FIFO DLQ restarts the send time and gets
// the groups' rows), `ins` returning each one's payload `bytes`. The
// arguments are the numbers of the parameters holding the DLQ's id,
// whether it is FIFO, the time and the source's name.
std::string DeadLetterInsertSql(int dlq, int fifo, int now, int source);

class PgCore {
 public:
  PgCore(const Clock& clock, const PostgresOptions& options);
  ~PgCore();

  const Clock& clock() const { return clock_; }
  PgPool& pool() { return pool_; }
  Watchers& watchers() { return watchers_; }
  QueueCounters& Counters(uint64_t queue_id);
  // Where this node's next fair receive of a standard queue starts its walk
  // over the queue's message groups (postgres_queue_receive.cc): after this
  // group; '' (the default) from the first. Per node: each node turns
  // through the groups on its own, without a shared row to contend on.
  std::string FairCursor(uint64_t queue_id);
  void SetFairCursor(uint64_t queue_id, std::string group);

  // The queue named `name` (null: none), from the cache when fresh; the
  // last row seen when the database cannot be reached (the call made on the
  // queue then fails kUnavailable), else that error.
  Result<std::shared_ptr<const QueueRow>> FindRow(const std::string& name);
  // The cached row of `name` however old, with no I/O (null: none): for a
  // caller holding a connection, which must not wait for another.
  std::shared_ptr<const QueueRow> CachedRow(const std::string& name);
  // Replaces the cached row of row->name (a change made here).
  void CacheRow(std::shared_ptr<const QueueRow> row);
  void ForgetRow(const std::string& name);

  // Stores `m` in `queue` with `conn` (autocommit or the caller's
  // transaction), sending a wake-up for it when it is visible at once. A
  // FIFO duplicate within the window stores nothing and returns the
  // original's id and sequence.
  Result<Stored> Store(PgConn& conn, const QueueRow& queue, const NewMessage& m, TimeMs now);
  BatchedWrites& batched() { return *batched_; }
  // Stores each message in its queue as Send does, in one transaction: all
  // are stored or none. Standard queues only: one insert shared with
  // concurrent calls (BatchedWrites); one FIFO message: its one statement
  // (no BEGIN/COMMIT); else each message's statement in one transaction of
  // its own, in (queue, group) order, so that two such transactions never
  // wait on each other's group rows. Messages of a queue that keeps
  // journeys go the last way too, whose transaction writes their Sent
  // events (StoreInOrder). Counts what it stored in this node's
  // counters and wakes the local pollers of queues with a message visible
  // at once.
  struct ToStore {
    const QueueRow* queue = nullptr;
    NewMessage message;
  };
  Result<std::vector<Stored>> SendMany(std::span<const ToStore> messages, TimeMs now);
  // SendMany's transactional half, in the caller's transaction on `conn`:
  // each message's statement in (queue, group) order, then the Sent events
  // of the stored messages of journeyed queues; out[i] is message i's.
  Status StoreInOrder(PgConn& conn, std::span<const ToStore> messages, TimeMs now,
                      std::span<Stored> out);
  // After the commit: counts what was stored (not the duplicates) and
  // wakes the local pollers of queues with a message visible at once.
  void Sent(std::span<const ToStore> messages, std::span<const Stored> stored, TimeMs now);

  // In the caller's transaction: moves the messages `seqs` of `source` to
  // its dead-letter queue `dlq` (same id, payload, group, receive count and
  // first receive; the source's name as dead_letter_source; a FIFO DLQ
  // restarts the send time), deleting them from `source`, with their
  // journeys' events when either queue keeps journeys. Returns how many
  // moved.
  Result<int64_t> MoveToDeadLetterQueue(PgConn& conn, const QueueRow& source, const QueueRow& dlq,
                                        const std::vector<int64_t>& seqs, TimeMs now);

  int64_t reuse_delay_ms() const { return reuse_delay_ms_.load(); }
  void set_reuse_delay_ms(int64_t ms) { reuse_delay_ms_.store(ms); }

 private:
  struct Cached {
    std::shared_ptr<const QueueRow> row;
    TimeMs read_ms = 0;  // by clock_
  };

  const Clock& clock_;
  PgPool pool_;
  Watchers watchers_;
  std::unique_ptr<BatchedWrites> batched_;
  WakeListener listener_;  // after watchers_, which it fires
  std::atomic<int64_t> reuse_delay_ms_{Engine::kDefaultQueueReuseDelay.count()};
  std::mutex mu_;
  std::unordered_map<std::string, Cached> rows_;                           // guarded by mu_
  std::unordered_map<uint64_t, std::unique_ptr<QueueCounters>> counters_;  // guarded by mu_
  std::unordered_map<uint64_t, std::string> fair_cursors_;                 // guarded by mu_
};

}  // namespace ferry::engine::pg
