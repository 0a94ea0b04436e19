// Reading the frame of one record: the crc | length | type header that
// log_format.h defines and that segments and checkpoints share. Every reader
// of the format (replay, compaction's scan, the log's body reads, checkpoint
// reading, repair) decodes frames here and nowhere else; the encoder is
// EncodeRecord (record.h).
//
// A frame is checked in this order, so the first failing check names the
// damage: the header is whole (kTruncated), its length is at most
// kMaxRecordPayload (kBadLength), the payload is whole (kTruncated), the
// CRC-32C over the type and payload matches (kBadCrc), and the type is one
// this version knows (kUnknownType: a checksummed record that a newer
// version wrote, or a deliberately forged one).
//
// Thread-safety: pure functions over caller-owned bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/log_format.h"

namespace ferry::storage {

enum class FrameCheck : uint8_t {
  kWhole,        // a whole, CRC-valid record of a known type
  kTruncated,    // the bytes end inside the header or the payload
  kBadLength,    // the header claims more than kMaxRecordPayload
  kBadCrc,       // the CRC does not match the type and payload
  kUnknownType,  // the CRC matches, but no version of the format has this type
};

struct RecordFrame {
  FrameCheck check = FrameCheck::kTruncated;
  // Set when the header was read (every check but a truncated header).
  uint8_t type_byte = 0;
  // Set when the claimed length fits the bytes (kWhole, kBadCrc,
  // kUnknownType): the payload, a view into the bytes given, and the length
  // of header and payload together. Only kWhole vouches for them; repair
  // reads damaged records through them.
  std::string_view payload;
  size_t size = 0;

  bool whole() const { return check == FrameCheck::kWhole; }
  RecordType type() const { return static_cast<RecordType>(type_byte); }
};

// The frame of the record that starts at `offset` in `bytes`. An offset at
// or past the end is kTruncated.
RecordFrame DecodeRecordFrame(std::string_view bytes, size_t offset);

// The header and payload length the record header at `offset` claims, for a
// reader deciding how many bytes to fetch before decoding: 0 when fewer than
// kRecordHeaderSize bytes are there or the length is out of bounds.
size_t ClaimedRecordSize(std::string_view bytes, size_t offset);

// What is wrong, as a phrase for error messages ("a record fails its
// checksum"); "a whole record" for kWhole.
const char* FrameCheckText(FrameCheck check);

}  // namespace ferry::storage
