// Reading the write-ahead log back at recovery.
//
// ReplayLog visits every record at or after `from`, in log order, checking
// each record's CRC. A torn write can only damage the end of the last
// group-commit batch, which nobody was told is durable, so only a bad or
// partial record in the LAST segment with no whole record anywhere after it
// is a torn tail: it is truncated (zeroed) with a warning naming the file,
// offset and bytes dropped. Anything else is damage to acknowledged data and
// replay stops with kInternal naming the file and offset, leaving every file
// as it was: a bad record followed by a whole one (found by resynchronising
// on a checksummed header of a known type, whatever lies between), a bad
// record in an older segment, a bad record below `durable_floor`, a damaged
// segment header, a segment missing from `from` on, and newest segments
// missing according to the manifest (manifest.h). Segments before `from` may
// be missing (deleted once nothing needed them). `ferry repair`
// (repair.h) salvages a log that replay refuses.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/file_ops.h"
#include "storage/log_format.h"
#include "storage/record.h"

namespace ferry::storage {

struct ReplayResult {
  uint64_t segment = 0;  // where appending continues (0: empty log)
  uint32_t offset = 0;
  uint64_t records = 0;  // records visited
  uint64_t truncated_bytes = 0;
};

using RecordVisitor = std::function<Status(Lsn lsn, const Record& record)>;

// `durable_floor`: every record below it is known to have been durable (the
// checkpoint's cursors), so damage there is never a torn tail. Every file
// operation goes through `ops`.
Result<ReplayResult> ReplayLog(const std::string& dir, Lsn from, const RecordVisitor& visit,
                               Lsn durable_floor = 0, FileOps& ops = FileOps::Default());

// Reads one whole segment that is no longer written (for compaction) into
// *data and visits its records in order; their payload views point into
// *data. Any bad record is corruption: kInternal naming the file and offset.
Status ScanSegment(const std::string& dir, uint64_t segment, std::string* data,
                   const RecordVisitor& visit, FileOps& ops = FileOps::Default());

// Lower level, shared with repair.

// The segment numbers present in `dir`, oldest first (none when it cannot
// be listed). ReadWholeFile is in file_ops.h.
std::vector<uint64_t> ListSegments(const std::string& dir, FileOps& ops = FileOps::Default());
// A segment's bytes start with a header of this format version.
bool GoodSegmentHeader(std::string_view segment);
// The length of the whole record at `off` in a segment's bytes `d` (its CRC
// matches, its type is known, it fits), or 0 when there is none.
size_t WholeRecordAt(std::string_view d, size_t off);
// The offset of the first whole record at or after `from`, or npos. Runs of
// zeros (the unwritten end of a segment) are skipped without a CRC.
size_t NextWholeRecord(std::string_view d, size_t from);

}  // namespace ferry::storage
