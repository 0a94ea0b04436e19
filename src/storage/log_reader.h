// Reading the write-ahead log back at recovery.
//
// ReplayLog visits every record at or after `from`, in log order, checking
// each record's CRC. A bad or partial record in the LAST segment is a torn
// tail — the unacknowledged end of a batch cut short by a crash — and is
// truncated (zeroed) with a warning naming the file, offset and bytes
// dropped. A bad record in any earlier segment is corruption of
// acknowledged data: replay stops with kInternal naming the file and offset,
// and nothing is truncated. Segments before `from` may be missing (deleted
// once nothing needed them); from `from` on, a missing segment is an error.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "storage/log_format.h"
#include "storage/record.h"

namespace ferry::storage {

struct ReplayResult {
  uint64_t segment = 0;   // where appending continues (0: empty log)
  uint32_t offset = 0;
  uint64_t records = 0;   // records visited
  uint64_t truncated_bytes = 0;
};

using RecordVisitor = std::function<Status(Lsn lsn, const Record& record)>;

Result<ReplayResult> ReplayLog(const std::string& dir, Lsn from, const RecordVisitor& visit);

// Reads one whole segment that is no longer written (for compaction) into
// *data and visits its records in order; their payload views point into
// *data. Any bad record is corruption: kInternal naming the file and offset.
Status ScanSegment(const std::string& dir, uint64_t segment, std::string* data,
                   const RecordVisitor& visit);

}  // namespace ferry::storage
