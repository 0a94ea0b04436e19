// Record: one state change, as the engine hands it to the log and the log
// hands it back at recovery. Which fields a type uses is listed in
// log_format.h; the others are ignored when encoding and zero when decoding.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/log_format.h"

namespace ferry::storage {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Record {
  RecordType type = RecordType::kSend;
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  int64_t time_ms = 0;
  int64_t visible_at_ms = 0;
  int64_t first_receive_ms = 0;  // checkpoint messages, kSendDeadLetter
  uint32_t receive_count = 0;
  uint8_t state = 0;             // checkpoint messages: the engine's message state
  uint64_t lsn = 0;              // checkpoint messages: body LSN; checkpoint queues: replay-from
  std::array<uint8_t, 16> message_id{};
  std::string name;              // queue name, or a message's group id
  std::string source;            // kSendMoved, kCheckpointMessage: the queue a
                                 // dead-lettered message came from
  // kMoveTask (also uses time_ms = started, state = status)
  std::string task_id;
  std::string destination;
  std::string failure;
  uint64_t rate = 0;
  uint64_t to_move = 0;
  uint64_t moved = 0;
  std::string dedup_id;          // FIFO sends: deduplication id; dedup entries: the key
  Fields settings;
  Fields tags;
  std::string_view payload;      // a view: into the caller's buffer when encoding,
                                 // into the read buffer when decoding
};

// Appends the record's payload bytes (not the header) to `out`.
void EncodeRecordPayload(const Record& r, std::string* out);
// Appends header and payload.
void EncodeRecord(const Record& r, std::string* out);
// Decodes a payload of the given type. `r.payload` and nothing else points
// into `data`. Fails on truncated or trailing bytes.
Status DecodeRecordPayload(RecordType type, std::string_view data, Record* r);

}  // namespace ferry::storage
