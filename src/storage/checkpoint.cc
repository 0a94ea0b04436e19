#include "storage/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

Status Failed(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

// The bytes of `path`, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfPresent(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Status::Internal("cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(data));
}

}  // namespace

std::string CheckpointPath(const std::string& dir) {
  return dir + "/" + std::string(kCheckpointFile);
}

CheckpointBuilder::CheckpointBuilder() : data_(kCheckpointMagic) {}

void CheckpointBuilder::Add(const Record& r) {
  EncodeRecord(r, &data_);
  ++count_;
}

const std::string& CheckpointBuilder::Finish(Lsn from) {
  Record end;
  end.type = RecordType::kCheckpointEnd;
  end.seq = count_;
  end.lsn = from;
  EncodeRecord(end, &data_);
  return data_;
}

Status WriteCheckpoint(FileOps& ops, const std::string& dir, std::string_view data) {
  const std::string path = CheckpointPath(dir);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return Failed("cannot create", tmp);
  Status written;
  for (size_t done = 0; done < data.size() && written.ok();) {
    ssize_t n = ops.Pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      written = Failed("cannot write", tmp);
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (written.ok() && ops.Fdatasync(fd) != 0) written = Failed("cannot sync", tmp);
  ::close(fd);
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = Failed("cannot install checkpoint", path);
  }
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status ForEachCheckpointRecord(std::string_view d, const std::string& path,
                               const CheckpointVisitor& visit) {
  if (!d.starts_with(kCheckpointMagic)) {
    return Status::Internal("checkpoint " + path + " has a bad header");
  }
  size_t off = kCheckpointMagic.size();
  uint64_t count = 0;
  while (true) {
    const RecordFrame frame = DecodeRecordFrame(d, off);
    if (!frame.whole()) {
      return Status::Internal("checkpoint " + path + " is corrupt at offset " +
                              std::to_string(off) + " (" + FrameCheckText(frame.check) + ")");
    }
    Record r;
    FERRY_RETURN_IF_ERROR(DecodeRecordPayload(frame.type(), frame.payload, &r));
    off += frame.size;
    FERRY_RETURN_IF_ERROR(visit(r));
    if (frame.type() == RecordType::kCheckpointEnd) {
      if (r.seq != count) return Status::Internal("checkpoint " + path + " is incomplete");
      return Status::Ok();
    }
    ++count;
  }
}

Result<bool> ReadCheckpoint(const std::string& dir, const CheckpointVisitor& visit) {
  const std::string path = CheckpointPath(dir);
  auto data = ReadIfPresent(path);
  if (!data.ok()) return data.status();
  if (!data->has_value()) return false;
  FERRY_RETURN_IF_ERROR(ForEachCheckpointRecord(**data, path, visit));
  return true;
}

Result<std::optional<Lsn>> CheckpointReplayPoint(const std::string& dir) {
  Lsn from = 0;
  auto found = ReadCheckpoint(dir, [&](const Record& r) {
    if (r.type == RecordType::kCheckpointEnd) from = r.lsn;
    return Status::Ok();
  });
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Lsn>();
  return std::optional<Lsn>(from);
}

}  // namespace ferry::storage
