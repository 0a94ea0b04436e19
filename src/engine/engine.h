// Engine and Queue: what the services (src/sqs, later src/sns) see of an
// engine. Every engine implements both: LocalEngine (local_engine.h, state in
// memory, optionally logged to a write-ahead log) today, a PostgreSQL engine
// later. One conformance suite (conformance/) pins what they must all do.
//
// A message is, at any time, delayed (not yet visible), visible (ready to be
// received) or in flight (received, hidden until its visibility deadline).
// Receiving moves visible → in flight and hands out a new receipt handle;
// deleting with the latest receipt handle removes the message; an expired
// visibility deadline or a visibility change to 0 makes it visible again.
// Messages older than the queue's retention period are dropped.
//
// Time comes only from the engine's Clock. An engine does not run timers:
// its owner calls Tick() periodically (expiry, promotion of due messages,
// waking watchers, move tasks) and queues' NextWakeMs() schedules long-poll
// retries.
//
// Thread-safety: every method of Engine and Queue may be called from any
// thread. Watch and AfterDurable callbacks are invoked with no engine lock
// held. An engine whose calls may block on I/O says so with blocking(); its
// callers then keep those calls off the threads that serve other requests
// (docs/architecture.md, "Engines that block").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/types.h"

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
  // Stores a message exactly as Send does (same states, records, errors and
  // FIFO deduplication), for a caller that needs neither its id nor its
  // sequence and keeps the payload itself: the fan-out of one publish into
  // many queues passes the same bytes to each. Nothing of `req` is kept;
  // the engine formats no id. Ok for a FIFO duplicate (nothing stored).
  virtual Status SendCopy(const CopyRequest& req) = 0;
  // Stores the messages of one request (SendMessageBatch) as Send stores
  // each, in order: one result per request, with Send's errors. An engine
  // whose writes cost a round trip or a commit each stores them together
  // (the PostgreSQL engine: one transaction, so they succeed or fail
  // together); the default sends them one at a time.
  virtual std::vector<Result<SendResult>> SendBatch(std::vector<SendRequest> reqs) {
    std::vector<Result<SendResult>> out;
    out.reserve(reqs.size());
    for (SendRequest& r : reqs) out.push_back(Send(std::move(r)));
    return out;
  }
  // Returns up to req.max_messages visible messages, now in flight. On a
  // FIFO queue: in sequence order within a group, and none of a group that
  // has a message in flight; standard queues serve groups round robin.
  virtual Result<std::vector<ReceivedMessage>> Receive(const ReceiveRequest& req) = 0;
  // Deletes the message the receipt handle names. A well-formed handle of a
  // message already gone succeeds (deletes are idempotent).
  // Errors: kInvalidArgument for a malformed handle or one of another queue.
  virtual Status Delete(std::string_view receipt_handle) = 0;
  // Deletes as Delete does each handle (DeleteMessageBatch): one status
  // per handle, in order. The default deletes one at a time; an engine
  // whose deletes cost a round trip each deletes them together.
  virtual std::vector<Status> DeleteBatch(std::span<const std::string_view> receipt_handles) {
    std::vector<Status> out;
    out.reserve(receipt_handles.size());
    for (std::string_view h : receipt_handles) out.push_back(Delete(h));
    return out;
  }
  // Sets the in-flight message's visibility deadline to now + timeout_s.
  // Errors: kInvalidArgument for a malformed handle; kNotFound when the
  // message is gone or not in flight under this receipt handle.
  virtual Status ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) = 0;
  // Moves the in-flight message the receipt handle names to the queue's
  // dead-letter queue now (a permanent failure: push consumers, src/push),
  // as a dead letter after maxReceiveCount receives moves: same id, body,
  // attributes and group, stored there before it leaves this queue.
  // Errors: kInvalidArgument for a malformed handle or one of another queue;
  // kNotFound when the message is gone or not in flight under this handle;
  // kFailedPrecondition when the queue has no dead-letter queue, or it could
  // not store the message (then the message stays in flight here).
  virtual Status DeadLetter(std::string_view receipt_handle) = 0;
  virtual Status Purge() = 0;
  // Stats' counters (sent, received, ...) count since the engine started.
  virtual QueueStats Stats() = 0;
  // Up to req.max_messages stored messages after req.start_after_sequence,
  // oldest first, in the states the request includes, without changing
  // anything (visibility, receive counts and receipt handles stay; nothing is
  // recorded). Expired messages are absent. The hold on the queue is bounded
  // (types.h, kMaxPeekScan): a page may come back short or empty with
  // next_sequence set. Errors: kUnavailable when a body cannot be read.
  virtual Result<PeekResult> Peek(const PeekRequest& req) = 0;
  // Cancels a scheduled message: the message `message_id` names (a
  // 36-character UUID, any letter case) is removed for good when it is still
  // delayed, durably (a Delete record: after AfterDurable it never comes
  // back). kAlreadyVisible when it is visible or in flight (nothing changes),
  // kNotFound when no stored message has that id. The queue finds the id by a
  // scan of its messages under its lock (no id index: see local_queue.h).
  // Errors: kInvalidArgument for a malformed id; kUnavailable when the log
  // refuses the record (then nothing changed).
  virtual Result<CancelOutcome> Cancel(std::string_view message_id) = 0;
  // The journey of the message `message_id` (its 36-character form) on this
  // queue, oldest first (engine/journey.h); empty when the queue keeps no
  // journeys or knows nothing of it.
  virtual std::vector<JourneyEntry> Journey(std::string_view message_id) const { return {}; }

  // Long polling: `fn` is called once, soon after a message may have become
  // visible (a send, a visibility change, a promotion in Tick). Returns a
  // token for Unwatch; a fired watcher is removed by itself.
  virtual uint64_t Watch(std::function<void()> fn) = 0;
  virtual void Unwatch(uint64_t token) = 0;
  // The earliest time a delayed or in-flight message becomes visible, or
  // INT64_MAX when none will.
  virtual TimeMs NextWakeMs() = 0;
};

// The catalog: named entries of string fields that services built on the
// engine keep in its store beside the queues (SNS topics and
// subscriptions). The engine gives them no meaning: an entry is replaced
// whole by each Put and removed by Erase, and is durable like any other
// change (AfterDurable). Keys are unique within a kind.
enum class CatalogKind : uint8_t {
  kTopic = 1,
  kSubscription = 2,
};

struct CatalogEntry {
  std::string key;
  std::map<std::string, std::string> fields;

  bool operator==(const CatalogEntry&) const = default;
};

// One copy of a fan-out (Engine::SendCopies): the queue and what to store
// in it, read during the call.
struct CopyTarget {
  Queue* queue = nullptr;
  CopyRequest copy;
};

// What Engine::SendDedupedCopies did: the deduplication entry's send (for
// a duplicate, the earlier message's id and sequence, and no copy stored)
// and one status per copy.
struct DedupedCopies {
  SendResult entry;
  std::vector<Status> copies;
};

// Makes the copies of a message once its deduplication entry gave it an id
// and a sequence number; the targets it returns stay valid until
// SendDedupedCopies returns. It may run inside the engine's transaction, so
// it must not call the engine.
using CopiesFor = std::function<Result<std::span<const CopyTarget>>(const SendResult& entry)>;

class Engine {
 public:
  virtual ~Engine() = default;

  // Stores each copy as copy.queue->SendCopy(copy.copy) does: one status per
  // target, in order (the copies of one SNS publish into its subscribed
  // queues and delivery queues). The default stores them one at a time; the
  // PostgreSQL engine stores them in one transaction, so a publish and its
  // deliveries are committed together or not at all. The queues must be
  // this engine's.
  virtual std::vector<Status> SendCopies(std::span<const CopyTarget> copies) {
    std::vector<Status> out;
    out.reserve(copies.size());
    for (const CopyTarget& c : copies) out.push_back(c.queue->SendCopy(c.copy));
    return out;
  }

  // A FIFO topic's publish: sends `entry` to `dedup_queue` (a FIFO queue
  // whose window tells a duplicate); unless it is a duplicate, stores the
  // copies `make_copies` makes from its result, as SendCopies does. Fails
  // as the entry's send, or with make_copies's error.
  //
  // The default does the two steps one after the other. The PostgreSQL
  // engine does both in one transaction, so a failure in between (the
  // database gone, a copy's queue deleted) leaves no entry behind, and the
  // client's retry is not taken for a duplicate. The local engine keeps
  // the default, which is not atomic: its two steps are two appends to one
  // log, and a group commit may end between them. A crash then recovers
  // the entry without the copies, and a write failure (or a full disk's
  // reserve coming into use) in between refuses the copies' appends while
  // the entry's, already in a batch, is written on retry. Each needs a
  // failure in the microseconds between the appends; closing them needs
  // one log batch for both.
  virtual Result<DedupedCopies> SendDedupedCopies(Queue& dedup_queue, const SendRequest& entry,
                                                  const CopiesFor& make_copies) {
    Result<SendResult> sent = dedup_queue.Send(entry);
    if (!sent.ok()) return sent.status();
    DedupedCopies out{std::move(*sent), {}};
    if (out.entry.duplicate) return out;
    Result<std::span<const CopyTarget>> copies = make_copies(out.entry);
    if (!copies.ok()) return copies.status();
    out.copies = SendCopies(*copies);
    return out;
  }

  // Creates a queue, or returns the existing one if its settings are equal.
  // Errors: kAlreadyExists when it exists with different settings;
  // kFailedPrecondition when a queue of that name was deleted less than
  // queue_reuse_delay() ago; kUnavailable when the change cannot be stored.
  virtual Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name,
                                                     QueueSettings settings,
                                                     std::map<std::string, std::string> tags) = 0;
  // Null when there is no such queue.
  virtual std::shared_ptr<Queue> FindQueue(const std::string& name) const = 0;
  // Deletes the queue and its messages and wakes its watchers; its name stays
  // taken for queue_reuse_delay(). Errors: kNotFound.
  virtual Status DeleteQueue(const std::string& name) = 0;
  // The names starting with `prefix`, in lexicographic order.
  virtual std::vector<std::string> ListQueues(const std::string& prefix) const = 0;

  // Expires old messages, makes due messages visible and wakes watchers;
  // advances the running message move tasks. Call it from one thread at a
  // time: a move task's rate is kept per call.
  virtual void Tick() = 0;

  // Message move tasks (StartMessageMoveTask). A task moves the source's
  // visible messages, oldest first, from Tick, at most max_per_second a
  // second (0: kDefaultMoveRate), each as a new message in `destination`, or
  // with an empty destination back to the queue it was dead-lettered from.
  // It completes once it moved as many as were visible at its start, or
  // finds none left. Tasks, their progress and their end are stored; a
  // running task resumes after a restart. A queue keeps its 10 newest tasks;
  // deleting it forgets them.
  // Errors: kNotFound (no such source), kFailedPrecondition (a task of this
  // source is still running or cancelling).
  static constexpr int64_t kDefaultMoveRate = 500;
  virtual Result<MoveTaskInfo> StartMoveTask(const std::string& source,
                                             const std::string& destination,
                                             int64_t max_per_second) = 0;
  // Cancels a running task: it moves nothing more, is kCancelling until the
  // next Tick, then kCancelled. Returns the task as it was when cancelled.
  // Errors: kNotFound (no such task), kFailedPrecondition (not running).
  virtual Result<MoveTaskInfo> CancelMoveTask(const std::string& source,
                                              const std::string& task_id) = 0;
  // The source's tasks, newest first, at most `max`. Errors: kNotFound.
  virtual Result<std::vector<MoveTaskInfo>> ListMoveTasks(const std::string& source,
                                                          size_t max) const = 0;

  // Calls cb once every change made so far is durable (at once for an
  // in-memory engine). Callers answer a request from cb, so that an
  // acknowledged change survives a crash. cb may run on another thread (the
  // log's writer): it must be quick.
  virtual void AfterDurable(std::function<void(Status)> cb) = 0;

  // The catalog (CatalogKind). PutEntry stores or replaces the entry of
  // entry.key; EraseEntry removes one (ok when there is none). Both fail
  // when the change cannot be stored (kUnavailable), or with
  // kInvalidArgument for an entry too large for one log record (8 MiB):
  // then nothing changed. Entries lists a kind's entries in key order
  // (bytewise).
  virtual Status PutEntry(CatalogKind kind, CatalogEntry entry) = 0;
  virtual Status EraseEntry(CatalogKind kind, const std::string& key) = 0;
  virtual std::vector<CatalogEntry> Entries(CatalogKind kind) const = 0;
  // As Entries, but an engine that can fail to read (PostgreSQL) says so
  // (kUnavailable) instead of answering "none": a service that replaces
  // what it holds with the answer must not take a failure for an empty
  // catalog.
  virtual Result<std::vector<CatalogEntry>> ReadEntries(CatalogKind kind) const {
    return Entries(kind);
  }
  // For services that keep the catalog in memory (the SNS registry) and
  // share the store with other processes (nodes of the PostgreSQL engine):
  // a number that differs from an earlier answer once the catalog may have
  // changed since, whoever changed it. Entries read after an answer include
  // every change that answer covers. Cheap and non-blocking (no I/O); the
  // engine's Tick refreshes it, so it may lag a change by its bound (a
  // second on PostgreSQL). An engine whose catalog no other process writes
  // (the local engine) answers 0 always: its own writes are all there are,
  // and the service saw those as it made them.
  virtual uint64_t CatalogVersion() const { return 0; }

  virtual const Clock& clock() const = 0;

  // True when calls may wait on I/O (a database round trip): callers must
  // make them from threads set aside for blocking, never from io threads.
  // False when no call waits on I/O (AfterDurable's wait is a callback
  // either way).
  virtual bool blocking() const = 0;

  // Whether the engine takes durable writes now, for readiness probes
  // (/ready): Ok, or kUnavailable saying why not (a durable engine's disk
  // is full or failing). Cheap and non-blocking on every engine: no I/O.
  // An engine with nothing that can fail so (in memory) is always ready.
  virtual Status Health() const { return Status::Ok(); }

  // How long a deleted queue's name stays taken: AWS's 60 s by default; 0
  // lets a name be reused at once (test suites that recreate queues). Set it
  // before serving (the operator's choice, `ferry serve`).
  static constexpr std::chrono::milliseconds kDefaultQueueReuseDelay{60'000};
  virtual std::chrono::milliseconds queue_reuse_delay() const = 0;
  virtual void set_queue_reuse_delay(std::chrono::milliseconds delay) = 0;
};

}  // namespace ferry::engine
