#include "storage/manifest.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/log_format.h"

namespace ferry::storage {
namespace {

Status Failed(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::optional<uint64_t>> ReadManifest(const std::string& dir, FileOps& ops) {
  const std::string path = dir + "/" + std::string(kManifestFile);
  int fd = ops.Open(path, O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<uint64_t>();
    return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  }
  char buf[kManifestSize + 1];
  ssize_t n = ops.Pread(fd, buf, sizeof buf, 0);
  ops.Close(fd);
  if (n != static_cast<ssize_t>(kManifestSize) ||
      std::string_view(buf, kManifestMagic.size()) != kManifestMagic ||
      DecodeFixed32(buf + 16) != Crc32cExtend(0, buf, 16)) {
    return Status::Internal("the log's manifest " + path + " is damaged");
  }
  return std::optional<uint64_t>(DecodeFixed64(buf + 8));
}

Status WriteManifest(FileOps& ops, const std::string& dir, uint64_t newest) {
  std::string data(kManifestMagic);
  PutFixed64(&data, newest);
  PutFixed32(&data, Crc32c(data));
  const std::string path = dir + "/" + std::string(kManifestFile);
  const std::string tmp = path + ".tmp";
  int fd = ops.Create(tmp);
  if (fd < 0) return Failed("create", tmp);
  ssize_t n = ops.Pwrite(fd, data.data(), data.size(), 0);
  if (n != static_cast<ssize_t>(data.size()) || ops.Fdatasync(fd) != 0) {
    Status st = Failed("write", tmp);
    ops.Close(fd);
    return st;
  }
  ops.Close(fd);
  if (ops.Rename(tmp, path) != 0) return Failed("rename", tmp);
  return ops.SyncDir(dir) == 0 ? Status::Ok() : Failed("fsync", dir);
}

}  // namespace ferry::storage
