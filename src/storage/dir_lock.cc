#include "storage/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ferry::storage {
namespace {

constexpr char kHeldElsewhere[] = " is in use by another ferry";

}  // namespace

Result<DirLock> DirLock::Acquire(const std::string& dir) {
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    return Status::Unavailable("cannot open data directory " + dir + ": " + std::strerror(errno));
  }
  if (::flock(dir_fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(dir_fd);
    if (e == EWOULDBLOCK) return Status::FailedPrecondition("data directory " + dir + kHeldElsewhere);
    return Status::Unavailable("cannot lock data directory " + dir + ": " + std::strerror(e));
  }
  // Whoever holds the directory may lock LOCK; an older binary holding LOCK
  // alone (it never locks the directory) is found here.
  const std::string path = dir + "/LOCK";
  int file_fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (file_fd < 0 || ::flock(file_fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    if (file_fd >= 0) ::close(file_fd);
    ::close(dir_fd);
    if (e == EWOULDBLOCK) return Status::FailedPrecondition("data directory " + dir + kHeldElsewhere);
    return Status::Unavailable("cannot lock " + path + ": " + std::strerror(e));
  }
  return DirLock(dir_fd, file_fd);
}

DirLock::DirLock(DirLock&& other) noexcept
    : dir_fd_(std::exchange(other.dir_fd_, -1)), file_fd_(std::exchange(other.file_fd_, -1)) {}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    Release();
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    file_fd_ = std::exchange(other.file_fd_, -1);
  }
  return *this;
}

DirLock::~DirLock() { Release(); }

void DirLock::Release() {
  if (file_fd_ >= 0) ::close(file_fd_);
  if (dir_fd_ >= 0) ::close(dir_fd_);
  file_fd_ = dir_fd_ = -1;
}

}  // namespace ferry::storage
