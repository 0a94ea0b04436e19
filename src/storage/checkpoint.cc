#include "storage/checkpoint.h"

#include <cerrno>
#include <cstring>

#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

Status Failed(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

// The bytes of `path`, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfPresent(FileOps& ops, const std::string& path) {
  uint64_t size = 0;
  if (ops.FileSize(path, &size) != 0 && errno == ENOENT) return std::optional<std::string>();
  auto data = ReadWholeFile(path, ops);
  if (!data.ok()) return data.status();
  return std::optional<std::string>(std::move(*data));
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
  EncodeRecord(CheckpointEnd{.record_count = count_, .replay_from = from}, &data_);
  return data_;
}

Status WriteCheckpoint(FileOps& ops, const std::string& dir, std::string_view data) {
  const std::string path = CheckpointPath(dir);
  const std::string tmp = path + ".tmp";
  int fd = ops.Create(tmp);
  if (fd < 0) return Failed("cannot create", tmp);
  Status written = PwriteAll(ops, fd, data, 0, tmp, "cannot write");
  if (written.ok() && ops.Fdatasync(fd) != 0) written = Failed("cannot sync", tmp);
  ops.Close(fd);
  if (written.ok() && ops.Rename(tmp, path) != 0) {
    written = Failed("cannot install checkpoint", path);
  }
  if (!written.ok()) {
    ops.Unlink(tmp);
    return written;
  }
  if (ops.SyncDir(dir) != 0) return Failed("cannot sync the directory of checkpoint", path);
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
    if (const auto* end = std::get_if<CheckpointEnd>(&r)) {
      if (end->record_count != count) {
        return Status::Internal("checkpoint " + path + " is incomplete");
      }
      return Status::Ok();
    }
    ++count;
  }
}

Result<bool> ReadCheckpoint(const std::string& dir, const CheckpointVisitor& visit, FileOps& ops) {
  const std::string path = CheckpointPath(dir);
  auto data = ReadIfPresent(ops, path);
  if (!data.ok()) return data.status();
  if (!data->has_value()) return false;
  FERRY_RETURN_IF_ERROR(ForEachCheckpointRecord(**data, path, visit));
  return true;
}

Result<std::optional<Lsn>> CheckpointReplayPoint(const std::string& dir, FileOps& ops) {
  Lsn from = 0;
  auto found = ReadCheckpoint(
      dir,
      [&](const Record& r) {
        if (const auto* end = std::get_if<CheckpointEnd>(&r)) from = end->replay_from;
        return Status::Ok();
      },
      ops);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Lsn>();
  return std::optional<Lsn>(from);
}

}  // namespace ferry::storage
