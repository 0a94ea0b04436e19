#include "storage/log_reader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "common/coding.h"
#include "storage/manifest.h"
#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

constexpr size_t kNone = std::string_view::npos;

bool AllZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

// Zeroes [offset, end) of `path`, the torn tail, and syncs it. Zeros, not a
// shorter file: segments keep their pre-filled size (log.h).
Status ZeroFrom(FileOps& ops, const std::string& path, uint64_t offset, uint64_t end) {
  int fd = ops.Open(path, O_WRONLY);
  if (fd < 0) return Status::Internal("cannot open " + path + " to truncate its torn tail");
  const std::string zeros(static_cast<size_t>(end - offset), '\0');
  Status st = PwriteAll(ops, fd, zeros, static_cast<off_t>(offset), path);
  if (st.ok() && ops.Fdatasync(fd) != 0) st = Status::Unavailable(std::strerror(errno));
  ops.Close(fd);
  if (!st.ok()) return Status::Internal("cannot truncate the torn tail of " + path);
  return Status::Ok();
}

std::string RepairHint(const std::string& dir) {
  return "; the files are left as they are, and `ferry repair --data-dir " + dir +
         "` salvages every readable record";
}

// Where parsing a segment's records stopped.
struct Parsed {
  size_t end = kSegmentHeaderSize;         // offset after the last good record
  bool clean = true;                       // false: a partial or bad record, or garbage, at `end`
  FrameCheck damage = FrameCheck::kWhole;  // when not clean: what is wrong at `end`
  size_t next_whole = kNone;               // when not clean: the first whole record after `end`
};

// Marks `p` as stopped by damage at p.end in `d`.
void StopAtDamage(std::string_view d, Parsed* p) {
  p->clean = false;
  p->damage = DecodeRecordFrame(d, p->end).check;
  // Garbage that happens to frame a whole record is still garbage here: the
  // zeros before it ended the data.
  if (p->damage == FrameCheck::kWhole) p->damage = FrameCheck::kBadCrc;
  p->next_whole = NextWholeRecord(d, p->end + 1);
}

// Visits the records of segment `seg` (its whole content `d`, header checked)
// whose LSN is at least `from`, in order, until the zeros that end the data
// or the first record that is partial or fails its CRC. Padding records
// (written by repair) are skipped.
Result<Parsed> ParseRecords(std::string_view d, uint64_t seg, Lsn from, const std::string& path,
                            const RecordVisitor& visit) {
  Parsed p;
  size_t& off = p.end;
  while (true) {
    if (off + kRecordHeaderSize > d.size() || AllZero(d.substr(off, kRecordHeaderSize))) {
      if (!AllZero(off < d.size() ? d.substr(off) : std::string_view())) StopAtDamage(d, &p);
      return p;
    }
    const RecordFrame frame = DecodeRecordFrame(d, off);
    if (!frame.whole()) {
      StopAtDamage(d, &p);
      return p;
    }
    Lsn lsn = MakeLsn(seg, static_cast<uint32_t>(off));
    if (lsn >= from && frame.type() != RecordType::kPadding) {
      Record r;
      Status st = DecodeRecordPayload(frame.type(), frame.payload, &r);
      if (!st.ok()) {
        return Status::Internal("write-ahead log " + path +
                                " has an undecodable record at offset " + std::to_string(off) +
                                ": " + st.message());
      }
      FERRY_RETURN_IF_ERROR(visit(lsn, r));
    }
    off += frame.size;
  }
}

Status Corrupt(const std::string& path, size_t off, const std::string& why) {
  return Status::Internal("write-ahead log " + path + " is corrupt at offset " +
                          std::to_string(off) + " (" + why + "); refusing to start");
}

// Why the damage at `p.end` is not a torn tail, or nullopt when it may be.
std::optional<std::string> NotATornTail(const Parsed& p, bool is_last, Lsn at, Lsn durable_floor) {
  const std::string what = FrameCheckText(p.damage);
  if (p.next_whole != kNone) {
    return what + " and a whole record follows at offset " + std::to_string(p.next_whole) +
           ", so it is not a torn write";
  }
  if (!is_last) return what + " in a segment that is not the newest";
  if (at < durable_floor) return what + " below what the checkpoint knows to be durable";
  return std::nullopt;
}

}  // namespace

std::vector<uint64_t> ListSegments(const std::string& dir, FileOps& ops) {
  std::set<uint64_t> segments;
  std::vector<std::string> names;
  ops.ListDir(dir, &names);
  for (const auto& name : names) {
    uint64_t s;
    if (ParseSegmentFileName(name, &s)) segments.insert(s);
  }
  return {segments.begin(), segments.end()};
}

bool GoodSegmentHeader(std::string_view d) {
  return d.size() >= kSegmentHeaderSize && d.substr(0, 8) == kSegmentMagic &&
         DecodeFixed32(d.data() + 8) == kFormatVersion;
}

size_t WholeRecordAt(std::string_view d, size_t off) {
  const RecordFrame frame = DecodeRecordFrame(d, off);
  return frame.whole() ? frame.size : 0;
}

size_t NextWholeRecord(std::string_view d, size_t from) {
  // A record's type byte is at offset 8 and never zero: look for a known
  // type byte first, which also steps over zeroed space cheaply.
  for (size_t t = from + 8; t < d.size(); ++t) {
    if (!IsKnownRecordType(static_cast<uint8_t>(d[t]))) continue;
    if (WholeRecordAt(d, t - 8) != 0) return t - 8;
  }
  return kNone;
}

Result<ReplayResult> ReplayLog(const std::string& dir, Lsn from, const RecordVisitor& visit,
                               Lsn durable_floor, FileOps& ops) {
  const std::vector<uint64_t> segments = ListSegments(dir, ops);
  const uint64_t last = segments.empty() ? 0 : segments.back();
  auto manifest = ReadManifest(dir, ops);
  if (!manifest.ok()) {
    return Status::Internal(manifest.status().message() + "; refusing to start" + RepairHint(dir));
  }
  if (manifest->has_value() && **manifest > last) {
    // Ferry never deletes the newest segment: the end of the log is gone.
    std::string missing = SegmentFileName(last + 1);
    if (**manifest > last + 1) missing += " to " + SegmentFileName(**manifest);
    return Status::Internal("write-ahead log segment " + missing + " is missing from " + dir +
                            " (the log's manifest names " + SegmentFileName(**manifest) +
                            " as the newest): acknowledged records are gone; refusing to start" +
                            RepairHint(dir));
  }
  ReplayResult result;
  // Segments before the replay point may have been deleted (or compacted
  // away) one by one; from it on, the log is whole.
  uint64_t expect = 0;  // the segment that must come next, once replay began
  for (uint64_t seg : segments) {
    result.segment = seg;
    result.offset = static_cast<uint32_t>(kSegmentHeaderSize);
    if (seg < SegmentOf(from)) continue;
    if (expect == 0) expect = from > 0 ? SegmentOf(from) : seg;
    if (seg != expect) {
      return Status::Internal("write-ahead log segment " + SegmentFileName(expect) +
                              " is missing from " + dir + "; refusing to start" + RepairHint(dir));
    }
    ++expect;
    std::string path = dir + "/" + SegmentFileName(seg);
    auto data = ReadWholeFile(path, ops);
    if (!data.ok()) return data.status();
    std::string_view d = *data;
    const bool is_last = seg == last;
    if (!GoodSegmentHeader(d)) {
      if (is_last && AllZero(d.substr(0, std::min(d.size(), kSegmentHeaderSize)))) {
        // Created, but its first batch (header and records, one write) did
        // not reach the disk: start it afresh, unless records did.
        Parsed p;
        p.end = 0;
        p.clean = AllZero(d);
        if (!p.clean) {
          p.damage = FrameCheck::kBadCrc;
          p.next_whole = NextWholeRecord(d, kSegmentHeaderSize);
          if (auto why = NotATornTail(p, is_last, MakeLsn(seg, 0), durable_floor)) {
            return Status::Internal(Corrupt(path, 0, "its header is zeroed; " + *why).message() +
                                    RepairHint(dir));
          }
          spdlog::warn("write-ahead log: truncating torn tail of {} at offset 0 ({} bytes)", path,
                       d.size());
          result.truncated_bytes += d.size();
          FERRY_RETURN_IF_ERROR(ZeroFrom(ops, path, 0, d.size()));
        }
        result.offset = 0;
        continue;
      }
      return Status::Internal("write-ahead log segment " + path +
                              " has a bad header at offset 0 (not a Ferry log, or another "
                              "format version); refusing to start" +
                              RepairHint(dir));
    }
    auto parsed = ParseRecords(d, seg, from, path, [&](Lsn lsn, const Record& r) {
      ++result.records;
      return visit(lsn, r);
    });
    if (!parsed.ok()) return parsed.status();
    if (!parsed->clean) {
      const Lsn at = MakeLsn(seg, static_cast<uint32_t>(parsed->end));
      if (auto why = NotATornTail(*parsed, is_last, at, durable_floor)) {
        return Status::Internal(Corrupt(path, parsed->end, *why).message() + RepairHint(dir));
      }
      uint64_t dropped = d.size() - parsed->end;
      spdlog::warn("write-ahead log: truncating torn tail of {} at offset {} ({} bytes)", path,
                   parsed->end, dropped);
      result.truncated_bytes += dropped;
      FERRY_RETURN_IF_ERROR(ZeroFrom(ops, path, parsed->end, d.size()));
    }
    result.offset = static_cast<uint32_t>(parsed->end);
  }
  if (expect == 0 && from > 0) {
    // Appending after the last segment present would overwrite it, or put
    // new records below the checkpoint's cursors.
    return Status::Internal("write-ahead log segment " + SegmentFileName(SegmentOf(from)) +
                            ", where the checkpoint's replay starts, is missing from " + dir +
                            "; refusing to start" + RepairHint(dir));
  }
  return result;
}

Status ScanSegment(const std::string& dir, uint64_t segment, std::string* data,
                   const RecordVisitor& visit, FileOps& ops) {
  std::string path = dir + "/" + SegmentFileName(segment);
  auto read = ReadWholeFile(path, ops);
  if (!read.ok()) return read.status();
  *data = std::move(*read);
  if (!GoodSegmentHeader(*data)) {
    return Status::Internal("write-ahead log segment " + path + " has a bad header");
  }
  auto parsed = ParseRecords(*data, segment, 0, path, visit);
  if (!parsed.ok()) return parsed.status();
  return parsed->clean ? Status::Ok() : Corrupt(path, parsed->end, FrameCheckText(parsed->damage));
}

}  // namespace ferry::storage
