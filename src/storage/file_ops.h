// FileOps: the calls through which the log writes and syncs its segment
// files, so that a test can make them fail the way a full or failing disk
// does (the same seam LevelDB's Env gives). Default() forwards to the system
// calls; nothing else in the server replaces it.
//
// Thread-safety: implementations must be thread-safe; the log's writer and
// its spare-segment preparer call them concurrently.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace ferry::storage {

class FileOps {
 public:
  virtual ~FileOps() = default;
  // As pwrite(2) and fdatasync(2): -1 with errno set on failure.
  virtual ssize_t Pwrite(int fd, const void* data, size_t n, off_t offset);
  virtual int Fdatasync(int fd);

  // The system calls; lives for the whole process.
  static FileOps& Default();
};

}  // namespace ferry::storage
