// RepairLog: the write-ahead log's half of `ferry repair`, modelled on
// LevelDB's RepairDB: for a directory recovery refuses, keep every record
// that can be read, say exactly what could not, and leave a log that replays.
//
// Every segment is read whole. Between whole records (CRC matches, known
// type; see NextWholeRecord) any other bytes are a skipped span: in the
// middle of a segment they are covered by padding records (kPadding) of the
// same length, so that every surviving record keeps its LSN, and with them
// the checkpoint's cursors and every stored message's body reference; at the
// end of a segment they are zeroed. A damaged segment header is rewritten. A
// segment missing from the replay point on (a gap, or newest segments the
// manifest names) is replaced by an empty one. When the newest segment was
// changed or replaced, an empty segment is added after it, so that new
// records never take LSNs a checkpoint may already name. The manifest is
// rewritten to name the newest segment.
//
// Nothing is thrown away: each segment changed is first copied to
// `<dir>/lost/` (a name already there gets a numbered suffix), and a file is
// replaced only by a synced temporary file renamed over it.
//
// Thread-safety: for one thread, on a directory no server has open (the
// caller holds its lock).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/file_ops.h"
#include "storage/log_format.h"

namespace ferry::storage {

// A record found inside a skipped span whose header and payload still
// decode, although its checksum fails: what it probably was.
struct DamagedRecord {
  uint32_t offset = 0;
  RecordType type = RecordType::kSend;
  uint64_t queue_id = 0;
  uint64_t seq = 0;  // 0 for types without one
  std::optional<std::array<uint8_t, 16>> message_id;
};

struct SkippedSpan {
  enum class Kind {
    kDamaged,         // bytes between whole records
    kTail,            // bytes after a segment's last whole record (in the newest: a torn write)
    kBadHeader,       // the segment header (rewritten)
    kMissingSegment,  // the whole segment is gone (offset 0, length 0)
  };
  Kind kind = Kind::kDamaged;
  uint64_t segment = 0;
  uint32_t offset = 0;
  uint64_t length = 0;
  std::vector<DamagedRecord> records;
};

struct LogRepair {
  std::vector<SkippedSpan> skipped;
  // What was done (or, for a dry run, would be): one line each.
  std::vector<std::string> actions;
  // LSN ranges [first, second) whose records are gone: a stored message
  // whose body lies there has lost it.
  std::vector<std::pair<Lsn, Lsn>> lost;
  bool changed = false;
};

// `from`: the checkpoint's replay point (0 without a checkpoint); segments
// before it may be missing, as recovery allows. A dry run reads and reports
// but writes nothing.
// Every file operation goes through `ops`.
Result<LogRepair> RepairLog(const std::string& dir, Lsn from, bool dry_run,
                            FileOps& ops = FileOps::Default());

// Writes `data`, a file's original bytes, to `dir/lost/` under the file's
// `name` or, when that is taken (an earlier repair), with a numbered
// suffix; returns the path kept, relative to `dir`.
Result<std::string> KeepOriginal(const std::string& dir, const std::string& name,
                                 std::string_view data, FileOps& ops = FileOps::Default());

const char* RecordTypeName(RecordType type);

}  // namespace ferry::storage
