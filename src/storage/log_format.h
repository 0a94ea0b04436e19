// The write-ahead log's on-disk format, defined once. docs/wal_format.md
// describes it in prose.
//
// A log is a sequence of segment files named <20-digit segment number>.wal in
// the data directory. A segment starts with a 16-byte header:
//     magic "FERRYWAL" (8) | format version, u32 LE (4) | reserved, zero (4)
// followed by records, back to back:
//     crc32c u32 LE (4) | payload length u32 LE (4) | type (1) | payload
// The CRC-32C covers the type byte and the payload. A record never spans two
// segments. A record's position, its LSN, is (segment number << 32) | offset
// of its first byte, so LSNs increase along the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::storage {

using Lsn = uint64_t;

inline constexpr std::string_view kSegmentMagic = "FERRYWAL";
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 9;
// Larger than any message (1 MiB plus attributes) with room to spare; a
// header claiming more is corrupt.
inline constexpr uint32_t kMaxRecordPayload = 8u << 20;

enum class RecordType : uint8_t {
  kCreateQueue = 1,     // queue id, name, time, settings, tags
  kSetSettings = 2,     // queue id, time, settings
  kSetTags = 3,         // queue id, tags (the whole map)
  kDeleteQueue = 4,     // queue id
  kSend = 5,            // queue id, seq, message id, sent time, visible-at, group, payload
  kReceive = 6,         // queue id, seq, receive count, receive time, visible-at
  kChangeVisibility = 7,// queue id, seq, receive count (of the handle), visible-at
  kDelete = 8,          // queue id, seq
  kPurge = 9,           // queue id, time
  kRelocate = 10,       // queue id, seq, payload: a live body copied out of an old segment
  kCheckpointMessage = 11,  // checkpoints only: one message's full state
  kCheckpointQueue = 12,    // checkpoints only: a queue's cursor (next seq, replay-from LSN)
  kCheckpointEnd = 13,      // checkpoints only: trailer with the record count
  kSendMoved = 14,          // as kSend plus the source queue: a message dead-lettered here
  kMoveTask = 15,           // queue id (the task's source), the whole state of one move task
  kSendDeadLetter = 16,     // kSendMoved's fields, then the receive count and first-receive
                            // time it had in its source, then payload (written since kSendMoved)
  // FIFO queues (added in format version 1 without changing it: logs written
  // before hold none of these and recover as before).
  kSendFifo = 20,           // kSend's fields, then the deduplication id, then payload
  kCheckpointDedup = 21,    // checkpoints only: one entry of a FIFO queue's dedup window
  // Written only by `ferry repair`, over bytes it could not read, so that the
  // records after them keep their LSNs. The payload is zeros; readers skip it.
  kPadding = 22,
  // The engine's catalog (SNS topics and subscriptions): no queue's.
  kCatalogEntry = 23,       // kind, key, erased, fields: an entry's whole state or its erasure
  // Message journeys (engine/journey.h), in the log and in checkpoints alike.
  kJourneyEvent = 24,       // queue id, message id, kind, time, receive count, visible-until, detail
};

// Records whose payload is a message body (a BodyRef is such a record's
// LSN): every kind of send, and a body relocated by compaction. Compaction
// copies the live ones out of old segments.
inline constexpr bool HoldsBody(RecordType t) {
  return t == RecordType::kSend || t == RecordType::kSendMoved ||
         t == RecordType::kSendDeadLetter || t == RecordType::kSendFifo ||
         t == RecordType::kRelocate;
}

// Set in the type byte of a record that HoldsBody when its body is sealed
// (encrypted at rest: storage/keyring.h, docs/wal_format.md "Sealed
// bodies"); the payload is then the type's own, with the sealed body in
// place of the body. Logs written before encryption hold no such byte.
inline constexpr uint8_t kSealedBodyFlag = 0x80;

// A type byte some version of this format defines. Resynchronising after a
// damaged record, a reader takes only these for the start of a record.
inline constexpr bool IsKnownRecordType(uint8_t t) {
  if ((t & kSealedBodyFlag) != 0) {
    return HoldsBody(static_cast<RecordType>(t & ~kSealedBodyFlag));
  }
  return (t >= 1 && t <= 16) || (t >= 20 && t <= 24);
}

// Records that consumers and compaction need in order to free disk space:
// receives, visibility changes, deletes, purges, queue deletions, move-task
// state and relocated bodies. When the disk is full the log still takes
// these (into its reserve, see log.h) and refuses the others, which only add
// data (sends, new queues, settings and tags).
inline constexpr bool HelpsFreeSpace(RecordType t) {
  switch (t) {
    case RecordType::kReceive:
    case RecordType::kChangeVisibility:
    case RecordType::kDelete:
    case RecordType::kPurge:
    case RecordType::kDeleteQueue:
    case RecordType::kMoveTask:
    case RecordType::kRelocate:
    case RecordType::kJourneyEvent:  // follows a change the log took; small
      return true;
    default:
      return false;
  }
}

inline constexpr Lsn MakeLsn(uint64_t segment, uint32_t offset) {
  return (segment << 32) | offset;
}
inline constexpr uint64_t SegmentOf(Lsn lsn) { return lsn >> 32; }
inline constexpr uint32_t OffsetOf(Lsn lsn) { return static_cast<uint32_t>(lsn); }

// The log's manifest, `<dir>/wal.manifest`: the number of the newest
// segment, so that recovery notices when the newest segments are gone.
//     magic "FERRYMAN" (8) | newest segment u64 LE (8) | crc32c of the 16 bytes before (4)
// Rewritten (temporary file, sync, rename, directory sync) each time a
// segment is created, never on the group-commit path.
inline constexpr std::string_view kManifestFile = "wal.manifest";
inline constexpr std::string_view kManifestMagic = "FERRYMAN";
inline constexpr size_t kManifestSize = 20;

std::string SegmentFileName(uint64_t segment);
// The kSegmentHeaderSize bytes a segment starts with.
std::string SegmentHeader();
// Parses "<20 digits>.wal"; false for any other name.
bool ParseSegmentFileName(std::string_view name, uint64_t* segment);

}  // namespace ferry::storage
