// Journal: what a queue records about its changes, and where its message
// bodies go. LocalQueue reports every change of its state here, under its
// mutex, in the order the changes happen; the journal decides what that costs.
//
//   - MemoryJournal (this header): an in-memory queue. Nothing is written, so
//     every change is durable at once; payloads go to a BodyStore.
//   - WalJournal (wal_journal.h): a durable queue. Each change is a record
//     appended to the write-ahead log; a payload is written inside its send
//     record, whose LSN is the message's BodyRef.
//
// A failed call means the change must not happen: the queue leaves its state
// as it was and returns the error (the log refusing records, e.g. a full
// disk). Views passed in are only read during the call.
//
// Thread-safety: the queue calls StoreBody and DiscardBody with its mutex
// released and every other method with it held, so a journal takes only
// locks below the queue's in docs/locking.md (the log's and LogBodyStore's)
// and never calls back into the queue. A journal belongs to one queue.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/body_store.h"
#include "engine/types.h"
#include "storage/log.h"
#include "storage/record.h"

namespace ferry::engine {

// Whether a durable queue seals the payloads it writes (encryption at rest,
// docs/security.md): every queue does unless its settings turn server-side
// encryption off, which the SQS layer keeps verbatim in `extra` as
// SqsManagedSseEnabled "false" with no KmsMasterKeyId (sqs/attributes.cc:
// an absent SqsManagedSseEnabled is its default, true). Queues the SQS API
// cannot name (SNS's internal ones) never have those entries.
inline bool SealsPayloads(const QueueSettings& s) {
  if (s.extra.contains("KmsMasterKeyId")) return true;
  auto sse = s.extra.find("SqsManagedSseEnabled");
  return sse == s.extra.end() || sse->second != "false";
}

// A new message as its send record carries it.
struct JournalSend {
  uint64_t seq = 0;
  std::array<uint8_t, 16> message_id{};
  TimeMs sent_ms = 0;
  TimeMs visible_at_ms = 0;
  std::string_view group_id;  // empty: no group
  std::string_view dedup_id;  // FIFO queues only (a FIFO send is recorded as such)
  std::string_view payload;
  bool seal = false;  // written sealed (SealsPayloads of the queue's settings)
};

// A message moved in from another queue (a dead letter or a redriven one).
struct JournalDeadLetter {
  uint64_t seq = 0;
  std::array<uint8_t, 16> message_id{};
  TimeMs sent_ms = 0;
  TimeMs visible_at_ms = 0;
  std::string_view group_id;
  std::string_view source_queue;
  uint32_t receive_count = 0;
  TimeMs first_receive_ms = 0;
  std::string_view payload;
  bool seal = false;  // as JournalSend::seal, of the queue it moves into
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Bodies. StoreBody runs before the queue takes its mutex and returns the
  // reference a send passes on to Send or SendDeadLetter; DiscardBody gives
  // back one that no send took (a FIFO duplicate).
  virtual Result<BodyRef> StoreBody(std::string_view payload) = 0;
  virtual void DiscardBody(BodyRef stored) = 0;

  // Changes, each under the queue's mutex. The sends return the message's
  // BodyRef (`stored`, or where the journal put the payload).
  virtual Result<BodyRef> Send(const JournalSend& m, bool fifo, BodyRef stored) = 0;
  virtual Result<BodyRef> SendDeadLetter(const JournalDeadLetter& m, BodyRef stored) = 0;
  // A receive took the message in flight: its receive count is now
  // `receive_count`, visible again at `visible_at_ms`.
  virtual Status Receive(uint64_t seq, uint32_t receive_count, TimeMs now,
                         TimeMs visible_at_ms) = 0;
  // The flight of receive `receive_count` now ends at `visible_at_ms`.
  virtual Status ChangeVisibility(uint64_t seq, uint32_t receive_count, TimeMs visible_at_ms) = 0;
  virtual Status Delete(uint64_t seq) = 0;
  virtual Status Purge(TimeMs now) = 0;
  virtual Status SetSettings(const QueueSettings& settings, TimeMs now) = 0;
  virtual Status SetTags(const std::map<std::string, std::string>& tags) = 0;
  // An event of a message's journey (journey.h), right after the change it
  // describes; nothing to write for an in-memory queue.
  virtual Status JourneyEvent(const storage::JourneyEvent&) { return Status::Ok(); }

  // Compaction: a live body copied to a new place, as its record held it
  // (`sealed`: still sealed, for the same queue and seq); returns its new
  // BodyRef. A journal without a log has nothing to compact
  // (kFailedPrecondition).
  virtual Result<BodyRef> Relocate(uint64_t seq, std::string_view payload, bool sealed) = 0;
  // Checkpoint: the position from which this queue's later changes are
  // recorded (every change recorded after the call is at or after it).
  virtual storage::Lsn NextPosition() const = 0;

  // Recovery, on one thread before the queue is shared: a recovered message
  // refers to `body`; and the log that recovered queues append to from now
  // on (recovery itself appends nothing).
  virtual void RetainRecovered(BodyRef body) = 0;
  virtual void AttachLog(storage::Log* log) = 0;
};

// The in-memory queue's journal: payloads in `bodies`, nothing written.
class MemoryJournal final : public Journal {
 public:
  // `bodies` must outlive the journal (the queue owns both).
  explicit MemoryJournal(BodyStore* bodies) : bodies_(bodies) {}

  Result<BodyRef> StoreBody(std::string_view payload) override { return bodies_->Put(payload); }
  void DiscardBody(BodyRef stored) override { bodies_->Release(stored); }
  Result<BodyRef> Send(const JournalSend&, bool, BodyRef stored) override { return stored; }
  Result<BodyRef> SendDeadLetter(const JournalDeadLetter&, BodyRef stored) override {
    return stored;
  }
  Status Receive(uint64_t, uint32_t, TimeMs, TimeMs) override { return Status::Ok(); }
  Status ChangeVisibility(uint64_t, uint32_t, TimeMs) override { return Status::Ok(); }
  Status Delete(uint64_t) override { return Status::Ok(); }
  Status Purge(TimeMs) override { return Status::Ok(); }
  Status SetSettings(const QueueSettings&, TimeMs) override { return Status::Ok(); }
  Status SetTags(const std::map<std::string, std::string>&) override { return Status::Ok(); }
  Result<BodyRef> Relocate(uint64_t, std::string_view, bool) override {
    return Status::FailedPrecondition("an in-memory queue has no log to compact");
  }
  storage::Lsn NextPosition() const override { return 0; }
  void RetainRecovered(BodyRef) override {}
  void AttachLog(storage::Log*) override {}

 private:
  BodyStore* const bodies_;
};

}  // namespace ferry::engine
