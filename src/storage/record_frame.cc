#include "storage/record_frame.h"

#include "common/coding.h"
#include "common/crc32c.h"

namespace ferry::storage {

RecordFrame DecodeRecordFrame(std::string_view bytes, size_t offset) {
  RecordFrame f;
  if (offset > bytes.size() || bytes.size() - offset < kRecordHeaderSize) return f;
  const char* p = bytes.data() + offset;
  const uint32_t len = DecodeFixed32(p + 4);
  f.type_byte = static_cast<uint8_t>(p[8]);
  if (len > kMaxRecordPayload) {
    f.check = FrameCheck::kBadLength;
    return f;
  }
  if (len > bytes.size() - offset - kRecordHeaderSize) return f;  // kTruncated
  f.payload = std::string_view(p + kRecordHeaderSize, len);
  f.size = kRecordHeaderSize + len;
  // The CRC covers the type byte and the payload, which follow each other.
  if (Crc32cExtend(0, p + 8, size_t{len} + 1) != DecodeFixed32(p)) {
    f.check = FrameCheck::kBadCrc;
  } else if (!IsKnownRecordType(f.type_byte)) {
    f.check = FrameCheck::kUnknownType;
  } else {
    f.check = FrameCheck::kWhole;
  }
  return f;
}

size_t ClaimedRecordSize(std::string_view bytes, size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < kRecordHeaderSize) return 0;
  const uint32_t len = DecodeFixed32(bytes.data() + offset + 4);
  if (len > kMaxRecordPayload) return 0;
  return kRecordHeaderSize + len;
}

const char* FrameCheckText(FrameCheck check) {
  switch (check) {
    case FrameCheck::kWhole:
      return "a whole record";
    case FrameCheck::kTruncated:
      return "a record is cut short";
    case FrameCheck::kBadLength:
      return "a record's length is out of bounds";
    case FrameCheck::kBadCrc:
      return "a record fails its checksum";
    case FrameCheck::kUnknownType:
      return "a record has an unknown type";
  }
  return "a record is damaged";
}

}  // namespace ferry::storage
