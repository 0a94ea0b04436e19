#include "storage/log_reader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/coding.h"
#include "common/crc32c.h"

namespace ferry::storage {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  std::string data;
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) data.resize(static_cast<size_t>(size));
  size_t have = 0;
  while (have < data.size()) {
    ssize_t n = ::pread(fd, data.data() + have, data.size() - have, static_cast<off_t>(have));
    if (n <= 0) {
      ::close(fd);
      return Status::Internal("cannot read " + path);
    }
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  return data;
}

bool AllZero(std::string_view s) {
  return s.find_first_not_of('\0') == std::string_view::npos;
}

Status ZeroFrom(const std::string& path, uint64_t offset, uint64_t end) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("cannot open " + path + " to truncate its torn tail");
  std::string zeros(static_cast<size_t>(end - offset), '\0');
  ssize_t n = ::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(offset));
  int rc = ::fdatasync(fd);
  ::close(fd);
  if (n != static_cast<ssize_t>(zeros.size()) || rc != 0) {
    return Status::Internal("cannot truncate the torn tail of " + path);
  }
  return Status::Ok();
}

bool GoodHeader(std::string_view d) {
  return d.size() >= kSegmentHeaderSize && d.substr(0, 8) == kSegmentMagic &&
         DecodeFixed32(d.data() + 8) == kFormatVersion;
}

// Where parsing a segment's records stopped.
struct Parsed {
  size_t end = kSegmentHeaderSize;  // offset after the last good record
  bool clean = true;                // false: a partial or bad record, or garbage, at `end`
};

// Visits the records of segment `seg` (its whole content `d`, header checked)
// whose LSN is at least `from`, in order, until the zeros that end the data
// or the first record that is partial or fails its CRC.
Result<Parsed> ParseRecords(std::string_view d, uint64_t seg, Lsn from, const std::string& path,
                            const RecordVisitor& visit) {
  Parsed p;
  size_t& off = p.end;
  while (true) {
    if (off + kRecordHeaderSize > d.size() || AllZero(d.substr(off, kRecordHeaderSize))) {
      p.clean = AllZero(off < d.size() ? d.substr(off) : std::string_view());
      return p;
    }
    uint32_t crc = DecodeFixed32(d.data() + off);
    uint32_t len = DecodeFixed32(d.data() + off + 4);
    bool fits = len <= kMaxRecordPayload && off + kRecordHeaderSize + len <= d.size();
    if (!fits || Crc32cExtend(0, d.data() + off + 8, len + 1) != crc) {
      p.clean = false;
      return p;
    }
    auto type = static_cast<RecordType>(static_cast<uint8_t>(d[off + 8]));
    Lsn lsn = MakeLsn(seg, static_cast<uint32_t>(off));
    if (lsn >= from) {
      Record r;
      Status st = DecodeRecordPayload(type, d.substr(off + kRecordHeaderSize, len), &r);
      if (!st.ok()) {
        return Status::Internal("write-ahead log " + path + " has an undecodable record at offset " +
                                std::to_string(off) + ": " + st.message());
      }
      FERRY_RETURN_IF_ERROR(visit(lsn, r));
    }
    off += kRecordHeaderSize + len;
  }
}

Status Corrupt(const std::string& path, size_t off) {
  return Status::Internal("write-ahead log " + path + " is corrupt at offset " +
                          std::to_string(off) + " (a record fails its checksum); refusing to start");
}

}  // namespace

Result<ReplayResult> ReplayLog(const std::string& dir, Lsn from, const RecordVisitor& visit) {
  std::set<uint64_t> segments;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    uint64_t s;
    if (ParseSegmentFileName(e.path().filename().string(), &s)) segments.insert(s);
  }
  ReplayResult result;
  if (segments.empty()) return result;
  uint64_t last = *segments.rbegin();
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
                              " is missing from " + dir);
    }
    ++expect;
    std::string path = dir + "/" + SegmentFileName(seg);
    auto data = ReadFile(path);
    if (!data.ok()) return data.status();
    std::string_view d = *data;
    bool is_last = seg == last;
    if (!GoodHeader(d)) {
      if (is_last && AllZero(d.substr(0, std::min(d.size(), kSegmentHeaderSize)))) {
        // Created but its header never reached the disk: start it afresh.
        result.offset = 0;
        continue;
      }
      return Status::Internal("write-ahead log segment " + path +
                              " has a bad header (not a Ferry log, or another format version)");
    }
    auto parsed = ParseRecords(d, seg, from, path, [&](Lsn lsn, const Record& r) {
      ++result.records;
      return visit(lsn, r);
    });
    if (!parsed.ok()) return parsed.status();
    if (!parsed->clean) {
      // Only the newest segment can end in a torn write; anywhere else it is
      // damage to acknowledged data.
      if (!is_last) return Corrupt(path, parsed->end);
      uint64_t dropped = d.size() - parsed->end;
      spdlog::warn("write-ahead log: truncating torn tail of {} at offset {} ({} bytes)", path,
                   parsed->end, dropped);
      result.truncated_bytes += dropped;
      FERRY_RETURN_IF_ERROR(ZeroFrom(path, parsed->end, d.size()));
    }
    result.offset = static_cast<uint32_t>(parsed->end);
  }
  if (expect == 0 && from > 0) {
    // Appending after the last segment present would overwrite it.
    return Status::Internal("write-ahead log segment " + SegmentFileName(SegmentOf(from)) +
                            ", where the checkpoint's replay starts, is missing from " + dir);
  }
  return result;
}

Status ScanSegment(const std::string& dir, uint64_t segment, std::string* data,
                   const RecordVisitor& visit) {
  std::string path = dir + "/" + SegmentFileName(segment);
  auto read = ReadFile(path);
  if (!read.ok()) return read.status();
  *data = std::move(*read);
  if (!GoodHeader(*data)) return Status::Internal("write-ahead log segment " + path + " has a bad header");
  auto parsed = ParseRecords(*data, segment, 0, path, visit);
  if (!parsed.ok()) return parsed.status();
  return parsed->clean ? Status::Ok() : Corrupt(path, parsed->end);
}

}  // namespace ferry::storage
