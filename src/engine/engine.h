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

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
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
};

struct RecoveryReport {
  uint64_t queues = 0;
  uint64_t messages = 0;
  uint64_t log_records = 0;
  uint64_t truncated_bytes = 0;
  bool from_checkpoint = false;
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
  // kFailedPrecondition when a queue of that name was deleted less than 60 s ago.
  Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name, QueueSettings settings,
                                             std::map<std::string, std::string> tags);
  std::shared_ptr<Queue> FindQueue(const std::string& name) const;
  // Errors: kNotFound.
  Status DeleteQueue(const std::string& name);
  // Names in lexicographic order.
  std::vector<std::string> ListQueues(const std::string& prefix) const;

  // Expires old messages, makes due messages visible and wakes watchers.
  void Tick();

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

 private:
  struct State;
  Status Recover(RecoveryReport* report);
  const Clock& clock_;
  std::unique_ptr<State> state_;
};

}  // namespace ferry::engine
