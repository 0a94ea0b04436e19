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
  uint64_t prev = 0;
  for (uint64_t seg : segments) {
    if (prev != 0 && seg != prev + 1) {
      return Status::Internal("write-ahead log segment " + SegmentFileName(prev + 1) +
                              " is missing from " + dir);
    }
    prev = seg;
    result.segment = seg;
    result.offset = static_cast<uint32_t>(kSegmentHeaderSize);
    if (seg < SegmentOf(from)) continue;
    std::string path = dir + "/" + SegmentFileName(seg);
    auto data = ReadFile(path);
    if (!data.ok()) return data.status();
    std::string_view d = *data;
    bool is_last = seg == last;
    if (d.size() < kSegmentHeaderSize || d.substr(0, 8) != kSegmentMagic ||
        DecodeFixed32(d.data() + 8) != kFormatVersion) {
      if (is_last && AllZero(d.substr(0, std::min(d.size(), kSegmentHeaderSize)))) {
        // Created but its header never reached the disk: start it afresh.
        result.offset = 0;
        continue;
      }
      return Status::Internal("write-ahead log segment " + path +
                              " has a bad header (not a Ferry log, or another format version)");
    }
    size_t off = kSegmentHeaderSize;
    while (true) {
      if (off + kRecordHeaderSize > d.size() || AllZero(d.substr(off, kRecordHeaderSize))) {
        // End of data: the rest of a pre-zeroed segment.
        std::string_view rest = off < d.size() ? d.substr(off) : std::string_view();
        if (!AllZero(rest)) {
          if (!is_last) {
            return Status::Internal("write-ahead log " + path + " is corrupt at offset " +
                                    std::to_string(off));
          }
          spdlog::warn("write-ahead log: truncating torn tail of {} at offset {} ({} bytes)",
                       path, off, rest.size());
          result.truncated_bytes += rest.size();
          FERRY_RETURN_IF_ERROR(ZeroFrom(path, off, d.size()));
        }
        break;
      }
      uint32_t crc = DecodeFixed32(d.data() + off);
      uint32_t len = DecodeFixed32(d.data() + off + 4);
      bool fits = len <= kMaxRecordPayload && off + kRecordHeaderSize + len <= d.size();
      bool good = fits && Crc32cExtend(0, d.data() + off + 8, len + 1) == crc;
      if (!good) {
        if (!is_last) {
          return Status::Internal("write-ahead log " + path + " is corrupt at offset " +
                                  std::to_string(off) +
                                  " (record fails its checksum); refusing to start");
        }
        spdlog::warn("write-ahead log: truncating torn tail of {} at offset {} ({} bytes)", path,
                     off, d.size() - off);
        result.truncated_bytes += d.size() - off;
        FERRY_RETURN_IF_ERROR(ZeroFrom(path, off, d.size()));
        break;
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
        ++result.records;
      }
      off += kRecordHeaderSize + len;
    }
    result.offset = static_cast<uint32_t>(off);
  }
  return result;
}

}  // namespace ferry::storage
