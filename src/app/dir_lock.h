// DirLock: an exclusive flock on <data dir>/LOCK, held for the life of the
// object, so that two processes (two servers, or a server and `ferry
// repair`) never open one store at once.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>

namespace ferry::app {

class DirLock {
 public:
  explicit DirLock(const std::string& dir) {
    std::string path = dir + "/LOCK";
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace ferry::app
