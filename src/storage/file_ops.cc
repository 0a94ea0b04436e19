#include "storage/file_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ferry::storage {

int FileOps::Open(const std::string& path, int flags) {
  return ::open(path.c_str(), flags | O_CLOEXEC);
}

int FileOps::Create(const std::string& path) {
  return ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
}

void FileOps::Close(int fd) { ::close(fd); }

ssize_t FileOps::Pwrite(int fd, const void* data, size_t n, off_t offset) {
  return ::pwrite(fd, data, n, offset);
}

ssize_t FileOps::Pread(int fd, void* data, size_t n, off_t offset) {
  return ::pread(fd, data, n, offset);
}

int FileOps::Fdatasync(int fd) { return ::fdatasync(fd); }

int FileOps::Fsync(int fd) { return ::fsync(fd); }

int FileOps::FileSize(const std::string& path, uint64_t* size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  *size = static_cast<uint64_t>(st.st_size);
  return 0;
}

int FileOps::Rename(const std::string& from, const std::string& to) {
  return ::rename(from.c_str(), to.c_str());
}

int FileOps::Unlink(const std::string& path) { return ::unlink(path.c_str()); }

int FileOps::Truncate(const std::string& path, off_t size) {
  return ::truncate(path.c_str(), size);
}

int FileOps::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  errno = e;
  return rc;
}

int FileOps::ListDir(const std::string& dir, std::vector<std::string>* names) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  names->clear();
  errno = 0;
  while (const struct dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names->emplace_back(name);
  }
  const int e = errno;
  ::closedir(d);
  errno = e;
  return e == 0 ? 0 : -1;
}

int FileOps::CreateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    errno = ec.value();
    return -1;
  }
  return 0;
}

FileOps& FileOps::Default() {
  static FileOps ops;
  return ops;
}

Status PwriteAll(FileOps& ops, int fd, std::string_view data, off_t offset, const std::string& path,
                 std::string_view what, int* err) {
  while (!data.empty()) {
    ssize_t n = ops.Pwrite(fd, data.data(), data.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A write of nothing that reports no error is a full disk.
      const int e = n < 0 ? errno : ENOSPC;
      if (err) *err = e;
      return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(e));
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path, FileOps& ops) {
  int fd = ops.Open(path, O_RDONLY);
  if (fd < 0) return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  uint64_t size = 0;
  if (ops.FileSize(path, &size) != 0) {
    Status st = Status::Internal("cannot read " + path + ": " + std::strerror(errno));
    ops.Close(fd);
    return st;
  }
  std::string data(static_cast<size_t>(size), '\0');
  size_t have = 0;
  while (have < data.size()) {
    ssize_t n = ops.Pread(fd, data.data() + have, data.size() - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status st = Status::Internal("cannot read " + path +
                                   (n < 0 ? std::string(": ") + std::strerror(errno) : ""));
      ops.Close(fd);
      return st;
    }
    have += static_cast<size_t>(n);
  }
  ops.Close(fd);
  return data;
}

}  // namespace ferry::storage
