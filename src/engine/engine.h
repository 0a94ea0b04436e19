// Engine: the set of queues and the message state machine of each queue.
//
// A message is, at any time, delayed (not yet visible), visible (ready to be
// received) or in flight (received, hidden until its visibility deadline).
// Receiving moves visible → in flight and hands out a new receipt handle;
// deleting with the latest receipt handle removes the message; an expired
// visibility deadline or a visibility change to 0 makes it visible again.
// Messages older than the queue's retention period are dropped.
//
// Time comes only from the injected Clock. The engine does not run timers:
// its owner calls Tick() periodically (expiry, promotion of due messages,
// waking watchers) and uses NextWakeMs() to schedule long-poll retries.
//
// Thread-safety: Engine guards its queue map with an internal shared mutex;
// each Queue guards its own state with its own mutex. Watch callbacks are
// invoked with no engine lock held.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/body_store.h"
#include "engine/types.h"
#include "storage/log.h"

namespace ferry::engine {

class Queue {
 public:
  virtual ~Queue() = default;

  virtual const std::string& name() const = 0;
  virtual TimeMs created_ms() const = 0;
  virtual TimeMs modified_ms() const = 0;
  virtual QueueSettings settings() const = 0;
  // A FIFO queue (settings().fifo, which never changes), without the copy.
  virtual bool fifo() const = 0;
  // Changes of state fail only when the log cannot be written (kUnavailable);
  // then nothing changed.
  virtual Status SetSettings(QueueSettings settings) = 0;
  virtual std::map<std::string, std::string> tags() const = 0;
  virtual Status Tag(const std::map<std::string, std::string>& tags) = 0;
  virtual Status Untag(const std::vector<std::string>& keys) = 0;

  // Stores a message. Fails only when the log or body store does
  // (kUnavailable), or with kInvalidArgument for a FIFO send without a group
  // or deduplication id. A FIFO duplicate succeeds without storing anything.
  virtual Result<SendResult> Send(SendRequest req) = 0;
  // Returns up to req.max_messages visible messages, now in flight. On a
  // FIFO queue: in sequence order within a group, and none of a group that
  // has a message in flight; standard queues serve groups round robin.
  virtual Result<std::vector<ReceivedMessage>> Receive(const ReceiveRequest& req) = 0;
  // Deletes the message the receipt handle names. A well-formed handle of a
  // message already gone succeeds (deletes are idempotent).
  // Errors: kInvalidArgument for a malformed handle or one of another queue.
  virtual Status Delete(std::string_view receipt_handle) = 0;
  // Sets the in-flight message's visibility deadline to now + timeout_s.
  // Errors: kInvalidArgument for a malformed handle; kNotFound when the
  // message is gone or not in flight under this receipt handle.
  virtual Status ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) = 0;
  virtual Status Purge() = 0;
  virtual QueueStats Stats() = 0;

  // Long polling: `fn` is called once, soon after a message may have become
  // visible (a send, a visibility change, a promotion in Tick). Returns a
  // token for Unwatch; a fired watcher is removed by itself.
  virtual uint64_t Watch(std::function<void()> fn) = 0;
  virtual void Unwatch(uint64_t token) = 0;
  // The earliest time a delayed or in-flight message becomes visible, or
  // INT64_MAX when none will.
  virtual TimeMs NextWakeMs() = 0;

  // Moves between queues: dead-letter queues and move tasks, driven by the
  // QueueMover (dead_letter.h). A queue's Receive must divert a message for
  // which MustDeadLetter holds, as described there.
  //
  // Takes up to `max` visible messages, oldest first, out of circulation (in
  // flight for the queue's visibility timeout, no handle issued, nothing
  // logged) and returns them with their payloads.
  virtual Result<std::vector<MovingMessage>> TakeForMove(int max) = 0;
  // Stores a message dead-lettered from another queue, visible at once.
  // Fails only when the log does (kUnavailable).
  virtual Status AcceptMoved(MovedMessage m) = 0;
  // Deletes a message taken for a move, unless it changed since (it was
  // deleted, or received again: its receive count is not `generation`).
  virtual Status DropMoved(uint64_t sequence, uint32_t generation) = 0;
};

struct DurableOptions {
  std::string dir;
  storage::FsyncMode fsync = storage::FsyncMode::kAlways;
  uint64_t segment_bytes = 64u << 20;
  // A checkpoint is written once this many log bytes follow the last one.
  uint64_t checkpoint_bytes = 256u << 20;
  // Tests: fault injection and a short retry wait (see storage::LogOptions).
  storage::FileOps* file_ops = nullptr;
  std::chrono::milliseconds retry_interval{1000};
  // `ferry repair` only. Recovery refuses to start when a stored message's
  // body is in a segment that is missing; with `salvage` it deletes such
  // messages instead (logging a Delete for each), and also those whose body
  // lies in one of the `lost` LSN ranges [first, second) (the bytes
  // storage::RepairLog could not read), and lists them in the report.
  bool salvage = false;
  std::vector<std::pair<storage::Lsn, storage::Lsn>> lost;
};

// A message whose body was lost, deleted by a salvaging recovery.
struct LostMessage {
  std::string queue;
  uint64_t seq = 0;
  std::array<uint8_t, 16> message_id{};
  storage::Lsn body = 0;
};

struct RecoveryReport {
  uint64_t queues = 0;
  uint64_t messages = 0;
  uint64_t log_records = 0;
  uint64_t truncated_bytes = 0;
  bool from_checkpoint = false;
  std::vector<LostMessage> lost_messages;  // salvage only
};

class Engine {
 public:
  // An engine whose state lives in memory only.
  Engine(const Clock& clock, std::unique_ptr<BodyStore> bodies);
  // A durable engine: recovers the state in options.dir (checkpoint, then
  // the write-ahead log after it), then logs every change there.
  static Result<std::unique_ptr<Engine>> OpenDurable(const Clock& clock, DurableOptions options,
                                                     RecoveryReport* report = nullptr);
  ~Engine();

  // Creates a queue, or returns the existing one if its settings are equal.
  // Errors: kAlreadyExists when it exists with different settings;
  // kFailedPrecondition when a queue of that name was deleted less than
  // queue_reuse_delay() ago.
  Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name, QueueSettings settings,
                                             std::map<std::string, std::string> tags);
  std::shared_ptr<Queue> FindQueue(const std::string& name) const;
  // Errors: kNotFound.
  Status DeleteQueue(const std::string& name);
  // Names in lexicographic order.
  std::vector<std::string> ListQueues(const std::string& prefix) const;

  // Expires old messages, makes due messages visible and wakes watchers;
  // advances the running message move tasks. Call it from one thread at a
  // time: a move task's rate is kept per call.
  void Tick();

  // Message move tasks (StartMessageMoveTask). A task moves the source's
  // visible messages, oldest first, from Tick, at most max_per_second a
  // second (0: kDefaultMoveRate), each as a new message in `destination`, or
  // with an empty destination back to the queue it was dead-lettered from.
  // It completes once it moved as many as were visible at its start, or
  // finds none left. Tasks, their progress and their end are logged; a
  // running task resumes after a restart. A queue keeps its 10 newest tasks;
  // deleting it forgets them.
  // Errors: kNotFound (no such source), kFailedPrecondition (a task of this
  // source is still running or cancelling).
  static constexpr int64_t kDefaultMoveRate = 500;
  Result<MoveTaskInfo> StartMoveTask(const std::string& source, const std::string& destination,
                                     int64_t max_per_second);
  // Cancels a running task: it moves nothing more, is kCancelling until the
  // next Tick, then kCancelled. Returns the task as it was when cancelled.
  // Errors: kNotFound (no such task), kFailedPrecondition (not running).
  Result<MoveTaskInfo> CancelMoveTask(const std::string& source, const std::string& task_id);
  // The source's tasks, newest first, at most `max`. Errors: kNotFound.
  Result<std::vector<MoveTaskInfo>> ListMoveTasks(const std::string& source, size_t max) const;

  // Calls cb once every change made so far is durable (at once for an
  // in-memory engine). Callers answer a request from cb, so that an
  // acknowledged change survives a crash. cb may run on the log's thread.
  void AfterDurable(std::function<void(Status)> cb);

  // Durable engines: writes a checkpoint when enough log has accumulated
  // since the last one, compacts mostly-dead segments (compactor.h), and
  // deletes segments that neither recovery nor any stored message needs,
  // writing a checkpoint early when that frees enough. Blocks on I/O: call
  // it off the request threads, one call at a time.
  Status Maintain();
  // Zero for an in-memory engine.
  CompactionStats compaction_stats() const;
  // Writes a checkpoint now.
  Status Checkpoint();

  const Clock& clock() const { return clock_; }

  // How long a deleted queue's name stays taken: AWS's 60 s by default; 0
  // lets a name be reused at once (test suites that recreate queues). Set it
  // before serving; the recently-deleted names are kept in memory only.
  static constexpr std::chrono::milliseconds kDefaultQueueReuseDelay{60'000};
  void set_queue_reuse_delay(std::chrono::milliseconds delay);
  std::chrono::milliseconds queue_reuse_delay() const;

 private:
  struct State;
  Status Recover(RecoveryReport* report);
  void AdvanceMoveTasks();
  const Clock& clock_;
  std::unique_ptr<State> state_;
};

}  // namespace ferry::engine
