// LocalQueue: the Queue of an SQS queue — a standard queue (at-least-once
// delivery, best-effort order, message groups served fairly) or, with
// settings.fifo, a FIFO queue (strict order per message group, one group's
// messages in flight at a time, deduplication). The kind is fixed at creation;
// both share the message state machine, the log records and recovery, and
// differ only in how a receive picks its messages (ReceiveStandardLocked,
// ReceiveFifoLocked) and in the FIFO bookkeeping beside it.
//
// State per message is one 64-byte MessageEntry in a SeqIndex; payloads live in
// the BodyStore. Lazily cleaned structures order the work:
//   - visible_ (standard queues): FairLanes of the visible sequences, one lane
//     per message group, served round robin; within a lane in the order the
//     messages became visible. Invariant: every visible message has exactly
//     one element here; other elements name messages that no longer exist.
//   - fifo_groups_ (FIFO queues): every stored message by group, in sequence
//     order, with the group's in-flight count; a group is received from only
//     when nothing of it is in flight and its first message is visible.
//   - timers_: a min-heap of (visible-at time, sequence) for delayed and
//     in-flight messages. An element is current when its message still exists,
//     is not visible and has that visible-at time; a visibility change pushes a
//     new element and leaves the old one to be skipped.
// visible_ and timers_ are compacted when stale elements outnumber live ones,
// so their size stays proportional to the live message count. Every operation
// first expires messages past retention (walking from the oldest sequence,
// which is also the oldest send time) and promotes due timers: amortised O(1)
// when nothing is due. FIFO queues also keep a 5-minute deduplication window
// (logged with each send, copied into checkpoints) and the receive attempts of
// the last 5 minutes (memory only).
//
// Dead letters and moves follow dead_letter.h: a message taken for a move is
// in flight without a receipt handle until DropMoved removes it; in a FIFO
// queue it counts in its group's in-flight number, so the group waits for it.
// Moved messages keep their send time in a standard queue, so they may be
// older than messages before them: early_expiry_ expires those on time.
//
// Every change is reported to the queue's Journal (journal.h) under mu_, in
// the order it happens, and made only when the journal takes it: a
// MemoryJournal for an in-memory queue, a WalJournal (wal_journal.h) for a
// durable one. The queue itself does not know which it has, except that
// recovery, checkpoints and compaction exist only for durable queues.
//
// Thread-safety: every mutable member is guarded by mu_. Body store calls,
// receipt-handle and message-id formatting, and watcher callbacks happen with
// mu_ released. Under mu_ only the journal is called, which takes only the
// log's and LogBodyStore's own mutexes (Append, Retain); the whole lock order
// is in docs/locking.md.
//
// Lifecycle: created by Engine. When the queue is deleted the Engine calls
// Drop(); holders of a shared_ptr may keep using the orphan. The destructor
// releases the bodies of messages still stored. A LocalQueue must not
// outlive the Clock it was given.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/backoff.h"
#include "engine/dead_letter.h"
#include "engine/fair_lanes.h"
#include "engine/fifo.h"
#include "engine/journal.h"
#include "engine/journey.h"
#include "engine/local_engine.h"
#include "engine/log_body_store.h"
#include "engine/seq_index.h"
#include "storage/log.h"
#include "storage/record.h"

namespace ferry::engine {

// Which journal a queue records its changes in, and its identity. With
// `bodies` set the queue is durable (a WalJournal over `log` and `bodies`;
// `log` may be null while the queue is recovered, see AttachLog); without,
// an in-memory queue (a MemoryJournal over the queue's BodyStore).
struct QueueLog {
  storage::Log* log = nullptr;
  LogBodyStore* bodies = nullptr;  // counts the live bodies of each segment
  uint64_t id = 0;                 // persistent queue id; 0 draws one
  TimeMs created_ms = 0;           // 0: now
};

// The journal that `durable` describes, for the queue `queue_id`; `bodies` is
// the queue's BodyStore and must outlive it.
std::unique_ptr<Journal> NewJournal(const QueueLog& durable, uint64_t queue_id, BodyStore* bodies);

class LocalQueue final : public MovableQueue {
 public:
  // `random` draws the redelivery backoff's jitter (backoff.h); null: a
  // SeededRandomSource.
  LocalQueue(std::string name, QueueSettings settings, std::map<std::string, std::string> tags,
             const Clock& clock, std::shared_ptr<BodyStore> bodies, QueueLog durable = {},
             std::shared_ptr<QueueMover> mover = nullptr, RandomSource random = nullptr);
  ~LocalQueue() override;

  LocalQueue(const LocalQueue&) = delete;
  LocalQueue& operator=(const LocalQueue&) = delete;

  const std::string& name() const override { return name_; }
  TimeMs created_ms() const override { return created_ms_; }
  TimeMs modified_ms() const override;
  QueueSettings settings() const override;
  bool fifo() const override { return fifo_; }
  Status SetSettings(QueueSettings settings) override;
  std::map<std::string, std::string> tags() const override;
  Status Tag(const std::map<std::string, std::string>& tags) override;
  Status Untag(const std::vector<std::string>& keys) override;

  Result<SendResult> Send(SendRequest req) override;
  Status SendCopy(const CopyRequest& req) override;
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveRequest& req) override;
  Status Delete(std::string_view receipt_handle) override;
  Status ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) override;
  Status DeadLetter(std::string_view receipt_handle) override;  // local_queue_push.cc
  Status Purge() override;
  QueueStats Stats() override;
  Result<PeekResult> Peek(const PeekRequest& req) override;
  Result<CancelOutcome> Cancel(std::string_view message_id) override;
  std::vector<JourneyEntry> Journey(std::string_view message_id) const override;
  void NoteJourney(JourneyKind kind, const std::array<uint8_t, 16>& id, uint32_t receive_count,
                   std::string_view detail) override;

  uint64_t Watch(std::function<void()> fn) override;
  void Unwatch(uint64_t token) override;
  TimeMs NextWakeMs() override;

  Result<std::vector<MovingMessage>> TakeForMove(int max) override;
  Status AcceptMoved(MovedMessage m) override;
  Status DropMoved(uint64_t sequence, uint32_t generation) override;

  // Expires, promotes due messages, and wakes as many watchers as there are
  // visible messages (which also recovers a wake-up lost to a watcher that was
  // woken but never received).
  void Tick();
  // Purges and wakes every watcher, so that long polls on a deleted queue
  // return promptly.
  void Drop();

  // Bytes held by the index, visible list and timer heap (not the bodies).
  size_t IndexMemoryBytes() const;

  // The persistent id that log records and receipt handles carry.
  uint64_t id() const { return incarnation_; }

  // Recovery: applied by one thread before the queue is shared. Records
  // rebuild each message's entry; FinishRecovery then sorts messages into
  // visible, delayed and in flight by the clock.
  //
  // The record types a queue owns (recovery.h), from a checkpoint (its
  // cursor, kCheckpointQueue, is the engine's) and from the log; the engine
  // registers them and hands each such record of this queue to Recover.
  static constexpr std::array kCheckpointRecords = {
      storage::RecordType::kSetSettings, storage::RecordType::kCheckpointMessage,
      storage::RecordType::kCheckpointDedup, storage::RecordType::kJourneyEvent};
  static constexpr std::array kLogRecords = {
      storage::RecordType::kSetSettings,    storage::RecordType::kSetTags,
      storage::RecordType::kSend,           storage::RecordType::kSendMoved,
      storage::RecordType::kSendDeadLetter, storage::RecordType::kSendFifo,
      storage::RecordType::kReceive,        storage::RecordType::kChangeVisibility,
      storage::RecordType::kDelete,         storage::RecordType::kPurge,
      storage::RecordType::kRelocate,       storage::RecordType::kJourneyEvent};
  // Applies one record of those types; lsn: its position in the log (0 for
  // a checkpoint's). kInternal for a type the queue does not own.
  Status Recover(storage::Lsn lsn, const storage::Record& r);
  // Each kind of send; lsn is the record's (the message's body reference).
  void RecoverSend(const storage::Send& r, storage::Lsn lsn);
  void RecoverSend(const storage::SendFifo& r, storage::Lsn lsn);
  void RecoverSend(const storage::SendMoved& r, storage::Lsn lsn);
  void RecoverSend(const storage::SendDeadLetter& r, storage::Lsn lsn);
  // A checkpoint's message; held aside until FinishCheckpoint, which must
  // be called once the checkpoint is read, before the log is replayed.
  void RecoverMessage(const storage::CheckpointMessage& r);
  void FinishCheckpoint();
  void RecoverDedup(const storage::CheckpointDedup& r);
  void RecoverReceive(const storage::Receive& r);
  void RecoverChangeVisibility(const storage::ChangeVisibility& r);
  void RecoverDelete(uint64_t seq);
  void RecoverPurge();
  void RecoverSettings(QueueSettings settings, TimeMs modified_ms);
  void RecoverTags(std::map<std::string, std::string> tags);
  void RecoverNextSeq(uint64_t next_seq);
  void FinishRecovery();
  // Salvaging recovery (`ferry repair`), after AttachLog and before
  // FinishRecovery: deletes every message whose body `lost` says is gone,
  // logging a Delete for each, and appends them to `out`. Fails only when
  // the log refuses a record.
  Status DropLostBodies(const std::function<bool(BodyRef)>& lost, std::vector<LostMessage>* out);
  // Recovered queues are built without a log (replay must not append);
  // the engine attaches the log once it is open, before sharing the queue.
  void AttachLog(storage::Log* log) { journal_->AttachLog(log); }
  size_t message_count() const;

  // Compaction (see compactor.h). A body record found in an old segment:
  // which message it holds the payload of, where, and the payload (a view
  // into the segment as read).
  struct BodyCopy {
    uint64_t seq;
    storage::Lsn lsn;
    std::string_view payload;  // as the record holds it: sealed when `sealed`
    bool sealed = false;
  };
  // Appends to `live` the bodies in `batch` that their message still uses.
  // Holds mu_ for the call (callers pass small batches) and returns how long.
  std::chrono::nanoseconds KeepLiveBodies(std::span<const BodyCopy> batch,
                                          std::vector<BodyCopy>* live) const;
  // For each body in `batch` that its message still uses: appends a
  // kRelocate record carrying the payload and points the message at it. The
  // old references go to `released` (for the caller to release after), the
  // count to `moved`, the time mu_ was held to `held`. Fails only when the
  // log refuses a record; the bodies moved before it stay moved.
  Status RelocateBodies(std::span<const BodyCopy> batch, std::vector<BodyRef>* released,
                        size_t* moved, std::chrono::nanoseconds* held);
  // Recovery: a kRelocate record moves a message's body reference; one of a
  // message since deleted is ignored.
  void RecoverRelocate(const storage::Relocate& r, storage::Lsn lsn);

  // Checkpoint: appends this queue's state as records to `out` and returns
  // the LSN from which the log must be replayed for this queue. The copy is
  // taken under the queue's mutex (the pause a checkpoint costs a queue).
  storage::Lsn Snapshot(std::string* out, uint64_t* records) const;

 private:
  struct Timer {
    TimeMs at;
    uint64_t seq;
  };
  // A message a receive took, copied out so that its body is read unlocked.
  struct Taken {
    uint64_t seq;
    BodyRef body;
    TimeMs sent_ms;
    TimeMs first_receive_ms;
    uint32_t receive_count;
    std::array<uint8_t, 16> message_id;
    std::string group_id;
    std::string source;  // dead-lettered: the queue it came from
  };
  // A message Peek chose, copied out so that its body is read unlocked.
  struct Peeked {
    Taken message;
    TimeMs visible_at_ms;
    PeekedState state;
  };
  using Callbacks = std::vector<std::function<void()>>;
  static void RunAll(Callbacks& fns);
  // What Send and SendCopy store (or, for a FIFO duplicate, found).
  struct Stored {
    std::array<uint8_t, 16> message_id;
    uint64_t seq;
    bool duplicate;
  };
  // The one send path: `payload` is read during the call; a negative
  // `delay_ms` takes the queue's delay.
  Result<Stored> Store(std::string_view payload, int64_t delay_ms, std::string group_id,
                       std::string_view dedup_id);
  // A send's delay in ms (local_queue_schedule.cc): deliver_at_ms, else
  // delay_s; -1 for the queue's.
  static int64_t DelayMsOf(const SendRequest& req, TimeMs now);
  // Heap order for timers_: the earliest `at` on top.
  static bool TimerLater(const Timer& a, const Timer& b) { return a.at > b.at; }

  // All of these require mu_ held.
  // Expires old messages and promotes due ones; returns how many became
  // visible. Bodies to release are appended to `released`.
  int64_t AdvanceLocked(TimeMs now, std::vector<BodyRef>* released);
  // Receive's selection: appends up to `max` messages, now in flight, to
  // `taken`. Stops early, returning the log's error, when the log refuses a
  // record. A message received max_receive_count times already goes to
  // `dead` instead (TakeForMoveLocked, at most kMaxDeadLettersPerReceive);
  // in a FIFO queue it keeps its group locked until DropMoved removes it.
  Status ReceiveStandardLocked(size_t max, TimeMs now, TimeMs deadline, std::vector<Taken>* taken,
                               std::vector<MovingMessage>* dead, std::vector<BodyRef>* dead_bodies);
  Status ReceiveFifoLocked(size_t max, TimeMs now, TimeMs deadline, std::vector<Taken>* taken,
                           std::vector<MovingMessage>* dead, std::vector<BodyRef>* dead_bodies);
  // A retried FIFO receive: the messages of `attempt_id` when all of them are
  // still in flight under the handles it returned.
  bool ReplayAttemptLocked(const std::string& attempt_id, TimeMs now, std::vector<Taken>* taken);
  // Moves a visible message in flight until `deadline`, plus the queue's
  // redelivery backoff (backoff.h), and logs it; the log's error (and
  // nothing changed) when it refuses the record.
  Status TakeLocked(MessageEntry* e, TimeMs now, TimeMs deadline, std::vector<Taken>* taken);
  Taken TakenOfLocked(const MessageEntry& e) const;
  // The message's group id, or null for a message without one.
  const std::string* GroupOfLocked(const MessageEntry& e) const;
  FifoGroups::Group& FifoGroupOfLocked(const MessageEntry& e);
  // The dedup window's key for a FIFO send, per the queue's DeduplicationScope.
  std::string DedupKeyLocked(std::string_view group, std::string_view dedup_id) const;
  void ExpireLocked(TimeMs now, std::vector<BodyRef>* released);
  int64_t PromoteLocked(TimeMs now);
  void MakeVisibleLocked(MessageEntry* e);
  void ScheduleLocked(MessageEntry* e, TimeMs at);
  // Erases the entry; `e` is invalid afterwards. Returns true when this
  // unlocked a FIFO group (its last in-flight message left).
  bool RemoveLocked(MessageEntry* e, std::vector<BodyRef>* released);
  // Logs a delete and removes the message when it is still the one receipt
  // `generation` names (and, with in_flight_only, still in flight); else
  // succeeds without a change. Takes mu_.
  Status DeleteCurrent(uint64_t seq, uint32_t generation, bool in_flight_only);
  bool IsCurrentTimerLocked(const Timer& t) const;
  // Drops stale elements of visible_ and timers_ once they are the majority;
  // leaves index_ (and so MessageEntry pointers) untouched.
  void CompactLocked();
  Callbacks TakeWatchersLocked(int64_t n);
  // Takes a visible message out of circulation for a move: in flight until
  // `deadline`, nothing logged. Appends it to `out` (payload still to read).
  void TakeForMoveLocked(MessageEntry* e, TimeMs deadline, std::vector<MovingMessage>* out,
                         std::vector<BodyRef>* bodies);
  // Appends an entry to `out` as a moving message (payload still to read),
  // changing nothing.
  void AppendMovingLocked(const MessageEntry& e, std::vector<MovingMessage>* out,
                          std::vector<BodyRef>* bodies) const;
  // A move task's pick from a FIFO queue: up to `max` messages of ready
  // groups, each group from its first message on, every one counted in its
  // group's in-flight number (the group stays locked until they are dropped).
  void TakeFifoForMoveLocked(size_t max, TimeMs deadline, std::vector<MovingMessage>* out,
                             std::vector<BodyRef>* bodies);
  // Reads the payloads of messages taken for a move (mu_ not held); drops
  // from `out` the ones whose body cannot be read and, in a FIFO queue, the
  // later messages of their groups (they stay in flight, behind them).
  void ReadMovingPayloads(std::vector<MovingMessage>* out, const std::vector<BodyRef>& bodies);
  // Peek's selection (see Queue::Peek): the chosen messages, and where the
  // next page starts (0: nothing after them).
  uint64_t PeekLocked(const PeekRequest& req, std::vector<Peeked>* out) const;
  // Empties the queue's message state and returns the old index.
  SeqIndex TakeAllLocked();

  // Recovery: takes in a message rebuilt from a send or checkpoint record
  // (its entry's fields set, body included): notes its group and source,
  // counts its body, and moves the sequence and send-time high marks.
  void NoteRecoveredLocked(MessageEntry& entry, const std::string& group_id,
                           const std::string& source_queue);
  // Recovery: the message of a send record, unless the checkpoint had it,
  // with the receives a dead letter had in its source (zeros otherwise).
  void RecoverSentLocked(const storage::SentMessage& m, const std::string& source_queue,
                         uint32_t receive_count, TimeMs first_receive_ms, storage::Lsn lsn);

  void ReleaseBodies(const std::vector<BodyRef>& refs);

  const std::string name_;
  const TimeMs created_ms_;
  const Clock& clock_;
  const std::shared_ptr<BodyStore> bodies_;
  const std::shared_ptr<QueueMover> mover_;  // null: moves go nowhere
  // Random per queue incarnation; receipt handles carry it.
  const uint64_t incarnation_;
  // Called under mu_ (but StoreBody and DiscardBody); AttachLog before sharing.
  const std::unique_ptr<Journal> journal_;
  const bool fifo_;  // settings_.fifo, which never changes
  class Journey journey_;  // guarded by mu_; journey.h (FerryMessageJourney)

  mutable std::mutex mu_;
  QueueSettings settings_;                   // guarded by mu_
  std::map<std::string, std::string> tags_;  // guarded by mu_
  TimeMs modified_ms_;                       // guarded by mu_
  RandomSource random_;                      // guarded by mu_; the backoff's jitter

  SeqIndex index_;                                    // guarded by mu_
  FairLanes visible_;                                 // guarded by mu_; standard queues
  FifoGroups fifo_groups_;                            // guarded by mu_; FIFO queues
  DedupWindow dedup_;                                 // guarded by mu_; FIFO queues
  ReceiveAttempts attempts_;                          // guarded by mu_; FIFO queues
  std::vector<Timer> timers_;                         // guarded by mu_; min-heap on `at`
  std::unordered_map<uint64_t, std::string> groups_;  // guarded by mu_; seq → group id
  // guarded by mu_; seq → the queue a dead-lettered message came from
  std::unordered_map<uint64_t, std::string> sources_;
  // guarded by mu_; min-heap of (sent_ms, seq) of messages whose send time is
  // older than a message before them (dead-lettered messages keep theirs), so
  // that retention expires them on time although the walk from oldest_seq_
  // reaches them late. Stale elements are skipped; each goes at its expiry.
  std::vector<Timer> early_expiry_;
  uint64_t next_seq_ = 1;                   // guarded by mu_
  std::vector<MessageEntry> checkpointed_;  // guarded by mu_; recovery only
  uint64_t oldest_seq_ = 1;      // guarded by mu_; no stored message has a lower sequence
  TimeMs last_sent_ms_ = 0;      // guarded by mu_; keeps sent_ms ordered like sequences
  int64_t visible_count_ = 0;    // guarded by mu_
  int64_t in_flight_count_ = 0;  // guarded by mu_
  int64_t delayed_count_ = 0;    // guarded by mu_
  // Counters since this process made or recovered the queue (not logged, so
  // a restart starts them at 0): QueueStats' sent ... moved_to_dead_letter.
  // A purge leaves them.
  uint64_t sent_ = 0;                  // guarded by mu_
  uint64_t sent_bytes_ = 0;            // guarded by mu_
  uint64_t received_ = 0;              // guarded by mu_
  uint64_t empty_receives_ = 0;        // guarded by mu_
  uint64_t deleted_ = 0;               // guarded by mu_
  uint64_t moved_to_dead_letter_ = 0;  // guarded by mu_

  // Registration order is wake order: the longest waiter is woken first.
  std::map<uint64_t, std::function<void()>> watchers_;  // guarded by mu_
  uint64_t next_watch_token_ = 1;                       // guarded by mu_
};

}  // namespace ferry::engine
