// Records: one state change each, as the engine hands it to the log and the
// log (or the checkpoint) hands it back at recovery. There is one struct per
// record type (log_format.h), holding that type's fields and no others, and
// `Record` is the variant of them all; a reader dispatches with std::visit
// or std::get_if. Every payload starts with a queue id, so every struct has
// one. The byte layout of each is docs/wal_format.md's "Record payloads".
//
// A body (`std::string_view body`) is a view, never a copy: into the
// caller's buffer when encoding, into the buffer decoded from otherwise, and
// valid only as long as that buffer is.
//
// Every field has an initializer, so a record can be written with designated
// initializers that name only the fields it needs. Records compare (==)
// field by field, bodies by their bytes.
//
// Thread-safety: plain values and pure functions; a record may be read from
// several threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "storage/log_format.h"

namespace ferry::storage {

using Fields = std::vector<std::pair<std::string, std::string>>;
using MessageIdBytes = std::array<uint8_t, 16>;

// A queue created: its name, settings and tags as they were then.
struct CreateQueue {
  static constexpr RecordType kType = RecordType::kCreateQueue;
  uint64_t queue_id = 0;  // fixed for this incarnation of the name
  std::string name{};
  int64_t created_ms = 0;
  Fields settings{};
  Fields tags{};

  bool operator==(const CreateQueue&) const = default;
};

// A queue's settings replaced (all of them).
struct SetSettings {
  static constexpr RecordType kType = RecordType::kSetSettings;
  uint64_t queue_id = 0;
  int64_t modified_ms = 0;
  Fields settings{};

  bool operator==(const SetSettings&) const = default;
};

// A queue's tags replaced (the whole map).
struct SetTags {
  static constexpr RecordType kType = RecordType::kSetTags;
  uint64_t queue_id = 0;
  Fields tags{};

  bool operator==(const SetTags&) const = default;
};

struct DeleteQueue {
  static constexpr RecordType kType = RecordType::kDeleteQueue;
  uint64_t queue_id = 0;

  bool operator==(const DeleteQueue&) const = default;
};

// What every kind of send (Send, SendFifo, SendMoved, SendDeadLetter) holds
// about the message. The record's LSN is the message's body reference.
struct SentMessage {
  uint64_t seq = 0;
  MessageIdBytes message_id{};
  int64_t sent_ms = 0;
  int64_t visible_at_ms = 0;
  std::string group_id{};   // the message group; empty for a message without one
  std::string_view body{};  // the rest of the record
  // The body is sealed (keyring.h): written with kSealedBodyFlag in the type.
  bool sealed = false;

  bool operator==(const SentMessage&) const = default;
};

// A message sent to a standard queue.
struct Send {
  static constexpr RecordType kType = RecordType::kSend;
  uint64_t queue_id = 0;
  SentMessage message{};

  bool operator==(const Send&) const = default;
};

// A message sent to a FIFO queue, with the id its deduplication window keeps.
struct SendFifo {
  static constexpr RecordType kType = RecordType::kSendFifo;
  uint64_t queue_id = 0;
  SentMessage message{};
  std::string dedup_id{};  // MessageDeduplicationId, explicit or content-based

  bool operator==(const SendFifo&) const = default;
};

// A message dead-lettered into this queue, as older logs hold it (without
// its receives in the source; SendDeadLetter is written instead).
struct SendMoved {
  static constexpr RecordType kType = RecordType::kSendMoved;
  uint64_t queue_id = 0;
  SentMessage message{};
  std::string source_queue{};  // the name of the queue it came from

  bool operator==(const SendMoved&) const = default;
};

// A message dead-lettered (or moved back) into this queue, with the receives
// it had in its source: AWS counts receives across queues.
struct SendDeadLetter {
  static constexpr RecordType kType = RecordType::kSendDeadLetter;
  uint64_t queue_id = 0;
  SentMessage message{};
  std::string source_queue{};  // the name of the queue it came from
  uint32_t receive_count = 0;
  int64_t first_receive_ms = 0;

  bool operator==(const SendDeadLetter&) const = default;
};

struct Receive {
  static constexpr RecordType kType = RecordType::kReceive;
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  uint32_t receive_count = 0;  // counting this receive
  int64_t receive_ms = 0;
  int64_t visible_at_ms = 0;  // when the message becomes visible again

  bool operator==(const Receive&) const = default;
};

struct ChangeVisibility {
  static constexpr RecordType kType = RecordType::kChangeVisibility;
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  uint32_t receive_count = 0;  // of the receipt handle: a stale handle changes nothing
  int64_t visible_at_ms = 0;

  bool operator==(const ChangeVisibility&) const = default;
};

struct Delete {
  static constexpr RecordType kType = RecordType::kDelete;
  uint64_t queue_id = 0;
  uint64_t seq = 0;

  bool operator==(const Delete&) const = default;
};

struct Purge {
  static constexpr RecordType kType = RecordType::kPurge;
  uint64_t queue_id = 0;
  int64_t purged_ms = 0;

  bool operator==(const Purge&) const = default;
};

// A live body copied out of an old segment by compaction: the record's LSN
// becomes the message's body reference.
struct Relocate {
  static constexpr RecordType kType = RecordType::kRelocate;
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  std::string_view body{};  // the rest of the record
  bool sealed = false;      // as SentMessage::sealed: compaction copies a sealed body as it is

  bool operator==(const Relocate&) const = default;
};

// Checkpoints only: one message's full state.
struct CheckpointMessage {
  static constexpr RecordType kType = RecordType::kCheckpointMessage;
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  MessageIdBytes message_id{};
  int64_t sent_ms = 0;
  int64_t visible_at_ms = 0;  // 0: visible
  int64_t first_receive_ms = 0;
  uint32_t receive_count = 0;
  uint8_t state = 0;  // the engine's message state
  Lsn body = 0;       // the LSN of the record holding the body
  std::string group_id{};
  // A dead-lettered message's source queue; empty otherwise. Written only
  // when set, so that checkpoints from before it read.
  std::string source_queue{};

  bool operator==(const CheckpointMessage&) const = default;
};

// Checkpoints only: a queue's cursor.
struct CheckpointQueue {
  static constexpr RecordType kType = RecordType::kCheckpointQueue;
  uint64_t queue_id = 0;
  uint64_t next_seq = 0;
  Lsn replay_from = 0;  // the queue's records below it are in the checkpoint

  bool operator==(const CheckpointQueue&) const = default;
};

// Checkpoints only: the trailer.
struct CheckpointEnd {
  static constexpr RecordType kType = RecordType::kCheckpointEnd;
  uint64_t queue_id = 0;      // no queue's: written as 0
  uint64_t record_count = 0;  // the records before it, as a check
  Lsn replay_from = 0;        // where replaying the log starts (for every queue)

  bool operator==(const CheckpointEnd&) const = default;
};

// The whole state of one message move task, written at each change of it.
struct MoveTask {
  static constexpr RecordType kType = RecordType::kMoveTask;
  uint64_t queue_id = 0;  // the task's source queue
  std::string task_id{};
  std::string destination_queue{};  // empty: back to each message's source
  uint64_t max_per_second = 0;      // 0: not given
  int64_t started_ms = 0;
  uint64_t to_move = 0;
  uint64_t moved = 0;
  uint8_t status = 0;  // the engine's MoveTaskStatus
  std::string failure_reason{};

  bool operator==(const MoveTask&) const = default;
};

// Checkpoints only: one entry of a FIFO queue's deduplication window.
struct CheckpointDedup {
  static constexpr RecordType kType = RecordType::kCheckpointDedup;
  uint64_t queue_id = 0;
  std::string key{};  // the dedup id, prefixed by the group with a per-group scope
  MessageIdBytes message_id{};
  uint64_t seq = 0;
  int64_t sent_ms = 0;

  bool operator==(const CheckpointDedup&) const = default;
};

// Written by `ferry repair` over bytes it could not read (as zeros, which it
// writes itself); readers skip it and never decode it.
struct Padding {
  static constexpr RecordType kType = RecordType::kPadding;
  uint64_t queue_id = 0;  // no queue's: 0

  bool operator==(const Padding&) const = default;
};

// One entry of the engine's catalog (engine::CatalogKind), in the log and
// in checkpoints alike: its whole state, or its erasure. Each record
// replaces what the ones before it said about the same kind and key, so
// replaying any run of them in log order over an older state ends in the
// newest one.
struct CatalogEntry {
  static constexpr RecordType kType = RecordType::kCatalogEntry;
  uint64_t queue_id = 0;  // no queue's: written as 0
  uint8_t kind = 0;       // the engine's CatalogKind
  std::string key{};
  bool erased = false;  // true: the entry is gone (and fields is empty)
  Fields fields{};

  bool operator==(const CatalogEntry&) const = default;
};

// One event of a message's journey (engine/journey.h) on a queue that keeps
// journeys, in the log (appended right after the change it describes) and
// in checkpoints alike.
struct JourneyEvent {
  static constexpr RecordType kType = RecordType::kJourneyEvent;
  uint64_t queue_id = 0;
  MessageIdBytes message_id{};
  uint8_t kind = 0;  // the engine's JourneyKind
  int64_t at_ms = 0;
  uint32_t receive_count = 0;
  int64_t visible_until_ms = 0;  // 0: none
  std::string detail{};

  bool operator==(const JourneyEvent&) const = default;
};

using Record = std::variant<CreateQueue, SetSettings, SetTags, DeleteQueue, Send, SendFifo,
                            SendMoved, SendDeadLetter, Receive, ChangeVisibility, Delete, Purge,
                            Relocate, CheckpointMessage, CheckpointQueue, CheckpointEnd, MoveTask,
                            CheckpointDedup, Padding, CatalogEntry, JourneyEvent>;

RecordType TypeOf(const Record& r);
uint64_t QueueIdOf(const Record& r);

// A message body as a record holds it: the records HoldsBody names.
struct RecordedBody {
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  std::string_view body{};
  bool sealed = false;  // `body` is sealed (keyring.h), bound to queue_id and seq

  bool operator==(const RecordedBody&) const = default;
};
// The body of a send or a Relocate record; nullopt for the other types.
std::optional<RecordedBody> BodyIn(const Record& r);
// The message of any kind of send; null for the other types.
const SentMessage* SentMessageOf(const Record& r);
// The sequence number of the one message a record is about (a send, a
// receive, a visibility change, a delete, a relocated body, a checkpointed
// message or dedup entry); 0 for the other types.
uint64_t MessageSeqOf(const Record& r);

// What Log::Append reckons a record takes before encoding it: the header,
// the body, the name (a queue's, or a message's group) and 128 bytes for the
// fixed-size fields. Settings and tags are not counted; a catalog entry's
// key and fields are, since they are not bounded by a few hundred bytes.
size_t SizeHint(const Record& r);

// Appends the record's payload bytes (not the header) to `out`.
void EncodeRecordPayload(const Record& r, std::string* out);
// Appends header and payload.
void EncodeRecord(const Record& r, std::string* out);
// Decodes a payload of the given type into that type's struct. A body in
// `*r` is the only thing that points into `data`. `type_byte` is the frame's
// type byte as read (RecordFrame::type()): a body type with kSealedBodyFlag
// decodes as that type with `sealed` set. Fails on truncated or trailing
// bytes, and on Padding and unknown types.
Status DecodeRecordPayload(RecordType type_byte, std::string_view data, Record* r);

}  // namespace ferry::storage
