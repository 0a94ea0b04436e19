#include "storage/log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "storage/manifest.h"
#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

Status Errno(std::string_view what, const std::string& path, int e) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(e));
}
Status Errno(std::string_view what, const std::string& path) { return Errno(what, path, errno); }

// The errors of a file system with no room left.
bool NoRoom(int e) { return e == ENOSPC || e == EDQUOT; }

Status SyncDir(FileOps& ops, const std::string& dir) {
  return ops.SyncDir(dir) == 0 ? Status::Ok() : Errno("fsync", dir);
}

// Creates `path` filled with `bytes` zeros and syncs it. On failure the file
// is removed, so that a failed attempt holds no disk space (a partial file
// left behind would keep what it took, and grow on every retry), and *err is
// the errno.
Status CreateZeroed(FileOps& ops, const std::string& path, uint64_t bytes, int* err) {
  int fd = ops.Create(path);
  if (fd < 0) {
    *err = errno;
    return Errno("create", path);
  }
  const std::string zeros(1u << 20, '\0');
  Status st;
  for (uint64_t off = 0; off < bytes && st.ok(); off += zeros.size()) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - off));
    st = PwriteAll(ops, fd, std::string_view(zeros.data(), n), static_cast<off_t>(off), path,
                   "write", err);
  }
  if (st.ok() && ops.Fdatasync(fd) != 0) {
    *err = errno;
    st = Errno("fdatasync", path);
  }
  ops.Close(fd);
  if (!st.ok()) ops.Unlink(path);
  return st;
}

// Written batches' buffers kept for the next ones: growing a fresh buffer
// page by page, with the log's mutex held, would add page faults and copies
// to the appends (and so to the requests) that happen to grow it.
constexpr size_t kKeptBuffers = 2;
constexpr size_t kMaxKeptBuffer = 8u << 20;

}  // namespace

Log::Log(LogOptions options)
    : options_(std::move(options)),
      ops_(options_.file_ops ? *options_.file_ops : FileOps::Default()) {}

Log::ReadFd::~ReadFd() { ops.Close(fd); }

Result<std::unique_ptr<Log>> Log::Open(LogOptions options, uint64_t segment, uint32_t offset) {
  std::unique_ptr<Log> log(new Log(std::move(options)));
  FileOps& ops = log->ops_;
  const std::string& dir = log->options_.dir;
  if (ops.CreateDir(dir) != 0) {
    return Status::Unavailable("cannot create " + dir + ": " + std::strerror(errno));
  }
  if (segment == 0) {
    log->segment_ = 1;
    log->offset_ = static_cast<uint32_t>(kSegmentHeaderSize);
    log->pending_.push_back(Chunk{1, 0, SegmentHeader()});
    log->durable_ = MakeLsn(1, 0);
  } else if (offset < kSegmentHeaderSize) {
    // Recovery found the newest segment without a header: write it first.
    log->segment_ = segment;
    log->offset_ = static_cast<uint32_t>(kSegmentHeaderSize);
    log->pending_.push_back(Chunk{segment, 0, SegmentHeader()});
    log->durable_ = MakeLsn(segment, 0);
  } else {
    log->segment_ = segment;
    log->offset_ = offset;
    log->durable_ = MakeLsn(segment, offset);
  }
  // Leftovers of an earlier run; a file that is not there is fine.
  ops.Unlink(log->SparePath());
  ops.Unlink(log->ReservePath() + ".tmp");
  // A reserve is renamed into place only once whole; one of another size
  // (the segment size changed) is made again.
  uint64_t reserve_size = 0;
  if (ops.FileSize(log->ReservePath(), &reserve_size) == 0 &&
      (reserve_size == log->ReserveBytes() || reserve_size == log->options_.segment_bytes)) {
    log->reserve_ready_ = true;
    log->reserve_trimmed_ = reserve_size != log->ReserveBytes();
  } else {
    ops.Unlink(log->ReservePath());
  }
  if (segment != 0) {
    // Recovery found the log whole up to `segment`; a directory written
    // before manifests existed gets one now.
    FERRY_RETURN_IF_ERROR(WriteManifest(log->ops_, log->options_.dir, segment));
    log->manifest_segment_ = segment;
  }
  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  log->preparer_ = std::thread([l = log.get()] { l->PreparerLoop(); });
  return log;
}

Log::~Log() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  spare_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (preparer_.joinable()) preparer_.join();
  for (auto& [s, fd] : write_fds_) ops_.Close(fd);
  ops_.Unlink(SparePath());
}

std::string Log::PathOf(uint64_t segment) const {
  return options_.dir + "/" + SegmentFileName(segment);
}

std::string Log::SparePath() const { return options_.dir + "/spare.wal.tmp"; }

std::string Log::ReservePath() const { return options_.dir + "/RESERVE"; }

Result<Lsn> Log::Append(const Record& r) {
  std::lock_guard lock(mu_);
  if (failing_) return Refused();
  size_t size_hint = SizeHint(r);
  if (size_hint > kMaxRecordPayload) return Status::InvalidArgument("record too large");
  // While the disk is full, what remains of the segment and the reserve is
  // kept for the records that free space.
  if (!HelpsFreeSpace(TypeOf(r)) && (reserve_in_use_ || no_room_)) return RefusedFull();
  if (offset_ + size_hint > options_.segment_bytes && offset_ > kSegmentHeaderSize) {
    ++segment_;
    pending_.push_back(Chunk{segment_, 0, TakeBufferLocked()});
    pending_.back().data.append(SegmentHeader());
    offset_ = static_cast<uint32_t>(kSegmentHeaderSize);
  }
  if (pending_.empty() || pending_.back().segment != segment_) {
    pending_.push_back(Chunk{segment_, offset_, TakeBufferLocked()});
  }
  std::string& buf = pending_.back().data;
  size_t before = buf.size();
  EncodeRecord(r, &buf);
  Lsn lsn = MakeLsn(segment_, offset_);
  offset_ += static_cast<uint32_t>(buf.size() - before);
  ++stats_.records;
  work_cv_.notify_one();
  return lsn;
}

void Log::WhenDurable(Lsn lsn, std::function<void(Status)> cb) {
  {
    std::lock_guard lock(mu_);
    if (lsn >= durable_) {
      waiters_.emplace(lsn, std::move(cb));
      return;
    }
  }
  cb(Status::Ok());
}

Status Log::Flush() {
  std::unique_lock lock(mu_);
  Lsn target = MakeLsn(segment_, offset_);
  done_cv_.wait(lock, [&] { return durable_ >= target || failing_ || stop_; });
  return durable_ >= target ? Status::Ok() : Refused();
}

std::string Log::TakeBufferLocked() {
  if (free_buffers_.empty()) return {};
  std::string b = std::move(free_buffers_.back());
  free_buffers_.pop_back();
  b.clear();
  return b;
}

Status Log::Refused() const {
  return Status::Unavailable("the write-ahead log cannot write to disk: " +
                             (failure_.ok() ? std::string("it is stopping") : failure_.message()));
}

Status Log::RefusedFull() {
  ++stats_.refused_full;
  return Status::Unavailable("the disk is full (" + no_room_cause_.message() +
                             "): new messages are refused until consumers have freed space "
                             "(receives, deletes and purges still work)");
}

bool Log::DiskFull() const {
  std::lock_guard lock(mu_);
  return reserve_in_use_ || no_room_;
}

Status Log::Health() const {
  std::lock_guard lock(mu_);
  if (failing_) return Refused();
  if (reserve_in_use_ || no_room_) {
    return Status::Unavailable("the disk is full (" + no_room_cause_.message() +
                               "): new messages are refused until consumers have freed space");
  }
  return Status::Ok();
}

Lsn Log::NextLsn() const {
  std::lock_guard lock(mu_);
  return MakeLsn(segment_, offset_);
}

LogStats Log::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::vector<uint64_t> Log::Segments() const {
  std::set<uint64_t> out;
  // Listing is best effort: the segment being written is always there.
  std::vector<std::string> names;
  ops_.ListDir(options_.dir, &names);
  for (const auto& name : names) {
    uint64_t s;
    if (ParseSegmentFileName(name, &s)) out.insert(s);
  }
  std::lock_guard lock(mu_);
  out.insert(segment_);
  return {out.begin(), out.end()};
}

Status Log::RemoveSegment(uint64_t segment) {
  {
    std::lock_guard lock(mu_);
    if (segment >= segment_) return Status::InvalidArgument("segment in use");
    for (const auto& c : writing_) {
      if (c.segment == segment) return Status::InvalidArgument("segment being written");
    }
    for (const auto& c : pending_) {
      if (c.segment == segment) return Status::InvalidArgument("segment being written");
    }
    // A read still in progress holds its own reference to the descriptor.
    read_fds_.erase(segment);
  }
  if (ops_.Unlink(PathOf(segment)) != 0 && errno != ENOENT) {
    return Status::Unavailable("cannot remove segment: " + std::string(std::strerror(errno)));
  }
  {
    std::lock_guard lock(mu_);
    space_freed_ = true;
  }
  spare_cv_.notify_all();
  return Status::Ok();
}

Result<std::shared_ptr<const Log::ReadFd>> Log::ReadFdFor(uint64_t segment) const {
  auto it = read_fds_.find(segment);
  if (it != read_fds_.end()) return it->second;
  int fd = ops_.Open(PathOf(segment), O_RDONLY);
  if (fd < 0) return Errno("open", PathOf(segment));
  auto shared = std::make_shared<const ReadFd>(ops_, fd);
  read_fds_[segment] = shared;
  return shared;
}

namespace {

// Most records fit in one read of this size; a larger one takes a second.
constexpr size_t kRecordRead = 4096;
// Records this close together are read with one pread: a receive of ten
// messages sent together costs one system call, not ten. Reading the few
// kilobytes between them costs less than the calls it saves.
constexpr uint64_t kMaxReadSpan = 32 * 1024;

// The payload of the kSend or kRelocate record `record` (header included),
// checked by CRC; `dir` and `lsn` say where it was, should it be corrupt.
Result<std::string> BodyOfRecord(std::string_view record, const std::string& dir, Lsn lsn,
                                 const Keyring* keyring) {
  const RecordFrame frame = DecodeRecordFrame(record, 0);
  // Built only for an error: formatting the file name costs more than the
  // rest of a body read.
  auto where = [&] {
    return dir + "/" + SegmentFileName(SegmentOf(lsn)) + ":" + std::to_string(OffsetOf(lsn));
  };
  switch (frame.check) {
    case FrameCheck::kWhole:
      break;
    case FrameCheck::kBadCrc:
      return Status::Internal("message body at " + where() + " fails its checksum");
    case FrameCheck::kUnknownType:
      return Status::Internal("message body at " + where() + ": " + FrameCheckText(frame.check));
    case FrameCheck::kTruncated:
    case FrameCheck::kBadLength:
      return Status::Internal("bad body reference");
  }
  // Callers cut `record` to the length its header claims.
  if (frame.size != record.size()) return Status::Internal("bad body reference");
  Record r;
  FERRY_RETURN_IF_ERROR(DecodeRecordPayload(frame.type(), frame.payload, &r));
  const std::optional<RecordedBody> body = BodyIn(r);
  if (!body) return std::string();
  if (!body->sealed) return std::string(body->body);
  std::string opened;
  const Status st =
      keyring == nullptr
          ? Status::Internal("no data key is loaded to open it")
          : keyring->Unseal(body->queue_id, body->seq, body->body, &opened);
  if (!st.ok()) return Status::Internal("message body at " + where() + ": " + st.message());
  return opened;
}

// Reads the whole record at `offset`, whatever its length.
Result<std::string> ReadRecordAt(FileOps& ops, int fd, uint32_t offset) {
  std::string record(kRecordRead, '\0');
  ssize_t n = ops.Pread(fd, record.data(), record.size(), offset);
  if (n < static_cast<ssize_t>(kRecordHeaderSize)) {
    return Status::Unavailable("short read of a message body");
  }
  const size_t want = ClaimedRecordSize(std::string_view(record.data(), static_cast<size_t>(n)), 0);
  if (want == 0) return Status::Internal("corrupt body record");
  if (static_cast<size_t>(n) < want) {
    size_t have = static_cast<size_t>(n);
    record.resize(want);
    while (have < want) {
      ssize_t m = ops.Pread(fd, record.data() + have, want - have, offset + have);
      if (m <= 0) return Status::Unavailable("short read of a message body");
      have += static_cast<size_t>(m);
    }
  }
  record.resize(want);
  return record;
}

}  // namespace

Result<std::string> Log::ReadPayload(Lsn lsn) const {
  return std::move(ReadPayloads(std::span<const Lsn>(&lsn, 1)).front());
}

std::vector<Result<std::string>> Log::ReadPayloads(std::span<const Lsn> lsns) const {
  std::vector<Result<std::string>> out;
  out.reserve(lsns.size());
  // Records not on disk yet are copied from the batches under the lock;
  // the others are read afterwards, unlocked, neighbours together.
  struct OnDisk {
    Lsn lsn;
    size_t index;
    std::shared_ptr<const ReadFd> file;  // open even if the segment is deleted meanwhile
  };
  std::vector<OnDisk> disk;
  std::vector<std::pair<size_t, std::string>> buffered;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < lsns.size(); ++i) {
      out.emplace_back(Status::Internal("bad body reference"));
      const uint64_t segment = SegmentOf(lsns[i]);
      const uint32_t offset = OffsetOf(lsns[i]);
      bool found = false;
      for (const auto* list : {&pending_, &writing_}) {
        for (const auto& c : *list) {
          if (c.segment != segment || offset < c.offset || offset >= c.offset + c.data.size()) {
            continue;
          }
          found = true;
          const size_t at = offset - c.offset;
          const size_t size = ClaimedRecordSize(c.data, at);
          if (size == 0 || at + size > c.data.size()) break;
          buffered.emplace_back(i, c.data.substr(at, size));
        }
      }
      if (found) continue;
      auto file = ReadFdFor(segment);
      if (!file.ok()) {
        out[i] = file.status();
        continue;
      }
      disk.push_back({lsns[i], i, std::move(*file)});
    }
  }
  for (auto& [i, record] : buffered) {
    out[i] = BodyOfRecord(record, options_.dir, lsns[i], options_.keyring);
  }
  std::sort(disk.begin(), disk.end(),
            [](const OnDisk& a, const OnDisk& b) { return a.lsn < b.lsn; });
  thread_local std::string span;  // reused: a receive allocates nothing here
  for (size_t a = 0; a < disk.size();) {
    size_t b = a + 1;
    while (b < disk.size() && SegmentOf(disk[b].lsn) == SegmentOf(disk[a].lsn) &&
           disk[b].lsn - disk[a].lsn + kRecordRead <= kMaxReadSpan) {
      ++b;
    }
    const uint32_t base = OffsetOf(disk[a].lsn);
    const size_t want = OffsetOf(disk[b - 1].lsn) - base + kRecordRead;
    if (span.size() < want) span.resize(want);
    ssize_t got = ops_.Pread(disk[a].file->fd, span.data(), want, base);
    for (size_t k = a; k < b; ++k) {
      const OnDisk& d = disk[k];
      const size_t at = OffsetOf(d.lsn) - base;
      if (got >= 0) {
        const std::string_view read(span.data(), static_cast<size_t>(got));
        const size_t size = ClaimedRecordSize(read, at);
        if (size != 0 && at + size <= read.size()) {
          out[d.index] = BodyOfRecord(read.substr(at, size), options_.dir, d.lsn, options_.keyring);
          continue;
        }
      }
      // A record longer than the span read, or a failed read: on its own.
      Result<std::string> record = ReadRecordAt(ops_, d.file->fd, OffsetOf(d.lsn));
      out[d.index] = record.ok() ? BodyOfRecord(*record, options_.dir, d.lsn, options_.keyring) : record.status();
    }
    a = b;
  }
  return out;
}

Status Log::CreateSegment(const std::string& path) {
  bool use_spare;
  bool no_room;
  {
    std::lock_guard lock(mu_);
    use_spare = spare_ready_;
    spare_ready_ = false;
    no_room = no_room_ && reserve_ready_;
  }
  if (use_spare) {
    const bool renamed = ops_.Rename(SparePath(), path) == 0;
    // Used up, or lost if the rename failed: the helper makes another. Only
    // now, so that it never writes a new spare under the name being renamed.
    spare_cv_.notify_one();
    if (renamed) return Status::Ok();
  }
  int err = ENOSPC;
  // Known to fail while the helper finds no room: go straight to the reserve.
  Status st = no_room ? Status::Unavailable("no room for segment " + path)
                      : CreateZeroed(ops_, path, options_.segment_bytes, &err);
  if (st.ok() || !NoRoom(err)) return st;
  {
    std::lock_guard lock(mu_);
    if (!reserve_ready_) return st;
    reserve_ready_ = false;
    reserve_in_use_ = true;
    if (!no_room) no_room_cause_ = st;
    ++stats_.reserve_taken;
  }
  if (ops_.Rename(ReservePath(), path) != 0) {
    Status renamed = Errno("rename", ReservePath());
    {
      std::lock_guard lock(mu_);
      reserve_in_use_ = false;
    }
    // Not ready any more: the helper writes it again.
    spare_cv_.notify_one();
    return renamed;
  }
  // The segment's size; the quarter more is the checkpoint's (TrimReserve).
  if (ops_.Truncate(path, static_cast<off_t>(options_.segment_bytes)) != 0) {
    spdlog::warn("write-ahead log: cannot shorten {}: {}", path, std::strerror(errno));
  }
  spdlog::warn(
      "write-ahead log: the disk is full ({}); the reserve became {}: receives, deletes and "
      "purges go on, new messages are refused until space is freed",
      st.message(), path);
  return Status::Ok();
}

Status Log::WriteChunks(std::vector<Chunk>& chunks) {
  std::set<int> touched;
  bool created = false;
  for (auto& c : chunks) {
    auto it = write_fds_.find(c.segment);
    // A segment is made durable before the next one is created or written,
    // so that only the newest segment can ever end in a torn record.
    if (options_.fsync == FsyncMode::kAlways && !touched.empty() &&
        (it == write_fds_.end() || !touched.count(it->second))) {
      for (int fd : touched) {
        if (ops_.Fdatasync(fd) != 0) return Errno("fdatasync", options_.dir);
      }
      touched.clear();
    }
    if (it == write_fds_.end()) {
      std::string path = PathOf(c.segment);
      uint64_t size = 0;
      if (ops_.FileSize(path, &size) != 0) {
        if (errno != ENOENT) return Errno("stat", path);
        FERRY_RETURN_IF_ERROR(CreateSegment(path));
        created = true;
      }
      int fd = ops_.Open(path, O_WRONLY);
      if (fd < 0) return Errno("open", path);
      it = write_fds_.emplace(c.segment, fd).first;
    }
    FERRY_RETURN_IF_ERROR(PwriteAll(ops_, it->second, c.data, c.offset, PathOf(c.segment)));
    touched.insert(it->second);
  }
  if (options_.fsync == FsyncMode::kAlways) {
    const auto sync_start = std::chrono::steady_clock::now();
    for (int fd : touched) {
      if (ops_.Fdatasync(fd) != 0) return Errno("fdatasync", options_.dir);
    }
    if (options_.probe != nullptr) {
      options_.probe->sync_ns.Observe(
          static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - sync_start)
                                    .count()));
    }
  }
  // A segment created (renamed into place) is not durable until its
  // directory is: a failure here fails the batch like a failed write.
  if (created) FERRY_RETURN_IF_ERROR(SyncDir(ops_, options_.dir));
  // Older segments are complete. Their descriptors are closed so that a
  // segment the engine deletes gives its space back at once.
  while (write_fds_.size() > 1 && write_fds_.begin()->first < chunks.back().segment) {
    ops_.Close(write_fds_.begin()->second);
    write_fds_.erase(write_fds_.begin());
  }
  // The manifest names a new segment once its file is durable and before
  // any of its records is acknowledged (a failed attempt is retried with
  // the batch): recovery then knows the log reaches at least that far.
  if (const uint64_t newest = chunks.back().segment; newest > manifest_segment_) {
    FERRY_RETURN_IF_ERROR(NameNewestSegment(newest));
    manifest_segment_ = newest;
  }
  return Status::Ok();
}

Status Log::NameNewestSegment(uint64_t newest) {
  int err = 0;
  Status st = WriteManifest(ops_, options_.dir, newest, &err);
  if (st.ok() || !NoRoom(err)) return st;
  // The preparer may hold the last free bytes in a file it is still writing:
  // a roll into the spare wakes it to write the next one, which on a nearly
  // full disk cannot fit, and it takes what room there is until its write
  // fails and it removes the file. Taken as a write error, that moment would
  // refuse every record ("cannot write to disk") where a full disk should
  // refuse only sends and take deletes into the reserve. So wait for its
  // attempt to end (not long: the disk it writes to is full), keep it from
  // starting another, and write the manifest once more. A manifest that
  // still does not fit fails the batch, which is retried.
  {
    std::unique_lock lock(mu_);
    preparer_held_ = true;
    prepared_cv_.wait(lock, [&] { return !preparing_; });
  }
  st = WriteManifest(ops_, options_.dir, newest);
  {
    std::lock_guard lock(mu_);
    preparer_held_ = false;
  }
  spare_cv_.notify_all();
  return st;
}

void Log::WriterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) break;
    writing_ = std::move(pending_);
    pending_.clear();
    const uint64_t batch_records = stats_.records - records_written_;
    records_written_ = stats_.records;
    while (true) {
      lock.unlock();
      Status st = WriteChunks(writing_);
      lock.lock();
      if (st.ok()) break;
      // Keep the batch and retry: pwrite at fixed offsets is idempotent.
      ++stats_.write_errors;
      if (!failing_) {
        spdlog::error("write-ahead log: {}; retrying every {} ms", st.message(),
                      options_.retry_interval.count());
      }
      failing_ = true;
      failure_ = st;
      // Nothing becomes durable until a retry succeeds, so every waiter is
      // answered now, also those of records pending behind this batch. As
      // after a timeout, a caller told kUnavailable cannot know whether its
      // record will be written: it will be, once the disk is back.
      std::vector<std::function<void(Status)>> failed;
      for (auto& [lsn, cb] : waiters_) failed.push_back(std::move(cb));
      waiters_.clear();
      done_cv_.notify_all();
      lock.unlock();
      for (auto& cb : failed) cb(st);
      lock.lock();
      if (stop_) {
        writing_.clear();
        return;
      }
      work_cv_.wait_for(lock, options_.retry_interval, [&] { return stop_; });
    }
    if (failing_) spdlog::info("write-ahead log: writing again");
    failing_ = false;
    ++stats_.batches;
    uint64_t batch_bytes = 0;
    for (const auto& c : writing_) batch_bytes += c.data.size();
    stats_.bytes += batch_bytes;
    if (options_.probe != nullptr) {
      options_.probe->batch_records.Observe(batch_records);
      options_.probe->batch_bytes.Observe(batch_bytes);
    }
    const auto& last = writing_.back();
    durable_ = MakeLsn(last.segment, last.offset + static_cast<uint32_t>(last.data.size()));
    for (auto& c : writing_) {
      if (free_buffers_.size() < kKeptBuffers && c.data.capacity() <= kMaxKeptBuffer) {
        free_buffers_.push_back(std::move(c.data));
      }
    }
    writing_.clear();
    std::vector<std::function<void(Status)>> done;
    while (!waiters_.empty() && waiters_.begin()->first < durable_) {
      done.push_back(std::move(waiters_.begin()->second));
      waiters_.erase(waiters_.begin());
    }
    done_cv_.notify_all();
    lock.unlock();
    for (auto& cb : done) cb(Status::Ok());
    lock.lock();
  }
}

Status Log::PrepareFile(bool reserve, int* err) {
  if (!reserve) return CreateZeroed(ops_, SparePath(), options_.segment_bytes, err);
  // Written under another name and renamed once whole and synced, so that a
  // RESERVE found at start is always complete.
  const std::string tmp = ReservePath() + ".tmp";
  FERRY_RETURN_IF_ERROR(CreateZeroed(ops_, tmp, ReserveBytes(), err));
  if (ops_.Rename(tmp, ReservePath()) != 0) {
    *err = errno;
    ops_.Unlink(tmp);
    return Errno("rename", tmp, *err);
  }
  return SyncDir(ops_, options_.dir);
}

void Log::TrimReserveLocked() {
  if (!reserve_ready_ || reserve_trimmed_) return;
  // With mu_ held the writer cannot be renaming the reserve meanwhile.
  if (ops_.Truncate(ReservePath(), static_cast<off_t>(options_.segment_bytes)) != 0) {
    spdlog::warn("write-ahead log: cannot shorten {}: {}", ReservePath(), std::strerror(errno));
    return;
  }
  reserve_trimmed_ = true;
}

void Log::PreparerLoop() {
  const auto max_backoff = 16 * options_.retry_interval;
  auto backoff = options_.retry_interval;
  std::unique_lock lock(mu_);
  while (true) {
    spare_cv_.wait(lock, [&] {
      return stop_ || (!preparer_held_ && (!spare_ready_ || !reserve_ready_ || reserve_trimmed_));
    });
    if (stop_) break;
    // The reserve first: it is what lets consumers drain a full disk. A
    // trimmed one is written whole again and renamed over the old.
    const bool reserve = !reserve_ready_ || reserve_trimmed_;
    preparing_ = true;
    lock.unlock();
    int err = 0;
    Status st = PrepareFile(reserve, &err);
    lock.lock();
    // The file is whole or removed: it holds no space the writer may need.
    preparing_ = false;
    prepared_cv_.notify_all();
    if (st.ok()) {
      const bool was_full = reserve_in_use_ || no_room_;
      if (reserve) {
        reserve_ready_ = true;
        reserve_trimmed_ = false;
        reserve_in_use_ = false;
      } else {
        spare_ready_ = true;
        ++stats_.spares_made;
      }
      // Sends resume once both files fit, not in between.
      if (spare_ready_ && reserve_ready_ && !reserve_trimmed_) no_room_ = false;
      if (was_full && !no_room_)
        spdlog::info("write-ahead log: space is back; taking new messages");
      backoff = options_.retry_interval;
      continue;
    }
    if (!no_room_) {
      spdlog::warn("write-ahead log: cannot prepare the {}: {}",
                   reserve ? "reserve" : "next segment", st.message());
    }
    no_room_ = NoRoom(err);
    if (no_room_) no_room_cause_ = st;
    // The disk is full: the reserve's last quarter goes back to the file
    // system at once, room for the checkpoint after which drained segments
    // can be deleted.
    if (no_room_) TrimReserveLocked();
    // A retry cannot succeed before space is freed: wait, longer each time,
    // unless this log removes a segment meanwhile.
    space_freed_ = false;
    spare_cv_.wait_for(lock, backoff, [&] { return stop_ || space_freed_; });
    backoff = space_freed_ ? options_.retry_interval : std::min(2 * backoff, max_backoff);
  }
}

}  // namespace ferry::storage
