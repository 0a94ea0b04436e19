// Fuzzes the write-ahead log's record decoder. The first byte is the record
// type, the rest its payload, as recovery hands them over once a record's
// CRC matched. A payload that decodes must encode back to one that decodes
// to the same record.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/record.h"

namespace {

using ferry::storage::Record;

bool Same(const Record& a, const Record& b) {
  return a.type == b.type && a.queue_id == b.queue_id && a.seq == b.seq && a.time_ms == b.time_ms &&
         a.visible_at_ms == b.visible_at_ms && a.first_receive_ms == b.first_receive_ms &&
         a.receive_count == b.receive_count && a.state == b.state && a.lsn == b.lsn &&
         a.message_id == b.message_id && a.name == b.name && a.settings == b.settings &&
         a.tags == b.tags && a.payload == b.payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto type = static_cast<ferry::storage::RecordType>(data[0]);
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  Record r;
  if (!ferry::storage::DecodeRecordPayload(type, payload, &r).ok()) return 0;
  if (r.payload.data() != nullptr &&
      (r.payload.data() < payload.data() ||
       r.payload.data() + r.payload.size() > payload.data() + payload.size())) {
    std::abort();  // the payload view must point into the input
  }
  std::string again;
  ferry::storage::EncodeRecordPayload(r, &again);
  Record back;
  if (!ferry::storage::DecodeRecordPayload(type, again, &back).ok() || !Same(r, back)) std::abort();
  // The framed form checks its CRC over type and payload.
  std::string framed;
  ferry::storage::EncodeRecord(r, &framed);
  if (framed.size() != again.size() + 9 || static_cast<uint8_t>(framed[8]) != data[0]) std::abort();
  return 0;
}
