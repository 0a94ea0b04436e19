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

Status WriteManifest(FileOps& ops, const std::string& dir, uint64_t newest, int* err) {
  std::string data(kManifestMagic);
  PutFixed64(&data, newest);
  PutFixed32(&data, Crc32c(data));
  const std::string path = dir + "/" + std::string(kManifestFile);
  const std::string tmp = path + ".tmp";
  int ignored = 0;
  if (err == nullptr) err = &ignored;
  int fd = ops.Create(tmp);
  if (fd < 0) {
    *err = errno;
    return Failed("create", tmp);
  }
  // PwriteAll goes on after a short write, so that a disk with less room
  // than the manifest reports the ENOSPC it meets rather than a stale errno.
  Status st = PwriteAll(ops, fd, data, 0, tmp, "write", err);
  if (st.ok() && ops.Fdatasync(fd) != 0) {
    *err = errno;
    st = Failed("fdatasync", tmp);
  }
  ops.Close(fd);
  if (st.ok() && ops.Rename(tmp, path) != 0) {
    *err = errno;
    st = Failed("rename", tmp);
  }
  if (!st.ok()) {
    // A failed attempt holds no space: on a full disk the temporary file
    // would keep what it took from the retry that follows.
    ops.Unlink(tmp);
    return st;
  }
  if (ops.SyncDir(dir) != 0) {
    *err = errno;
    return Failed("fsync", dir);
  }
  return Status::Ok();
}

}  // namespace ferry::storage
