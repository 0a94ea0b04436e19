// Fuzzes the write-ahead log's record decoder. The first byte is the record
// type, the rest its payload, as recovery hands them over once a record's
// CRC matched. A payload that decodes must encode back to one that decodes
// to the same record (every field of its type).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/log_format.h"
#include "storage/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto type = static_cast<ferry::storage::RecordType>(data[0]);
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  ferry::storage::Record r;
  if (!ferry::storage::DecodeRecordPayload(type, payload, &r).ok()) return 0;
  // The struct of the type decoded; a body type's byte may carry the
  // sealed flag (encryption at rest), which decodes as that type, sealed.
  const auto base = static_cast<ferry::storage::RecordType>(data[0] & ~ferry::storage::kSealedBodyFlag);
  if (ferry::storage::TypeOf(r) != ((data[0] & ferry::storage::kSealedBodyFlag) ? base : type)) {
    std::abort();
  }
  if (const auto body = ferry::storage::BodyIn(r); body && body->body.data() != nullptr &&
      (body->body.data() < payload.data() ||
       body->body.data() + body->body.size() > payload.data() + payload.size())) {
    std::abort();  // the body view must point into the input
  }
  std::string again;
  ferry::storage::EncodeRecordPayload(r, &again);
  ferry::storage::Record back;
  if (!ferry::storage::DecodeRecordPayload(type, again, &back).ok() || !(r == back)) std::abort();
  // The framed form checks its CRC over type and payload.
  std::string framed;
  ferry::storage::EncodeRecord(r, &framed);
  if (framed.size() != again.size() + 9 || static_cast<uint8_t>(framed[8]) != data[0]) std::abort();
  return 0;
}
