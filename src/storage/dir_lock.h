// DirLock: one process at a time per data directory.
//
// The lock is an exclusive flock(2) on the directory itself, held for the
// lock's lifetime. A lock on a file inside it (LevelDB's LOCK) is lost when
// someone deletes that file: the next process creates a new one, locks it
// and shares the directory with the first, and both acknowledge writes the
// other overwrites. The directory cannot be unlinked while it holds files, so
// its lock holds whatever happens to the files in it. The LOCK file is still
// created and locked too, for older Ferry binaries, which look only at it.
//
// It makes its system calls directly, not through FileOps (file_ops.h): an
// flock belongs to the descriptor it is taken on and is held, not performed
// and synced, so there is no store operation to fail; the lock is taken
// before any store opens, and what its tests check is the real lock.
//
// Thread-safety: not shared; make one per process at start.
#pragma once

#include <string>

#include "common/status.h"

namespace ferry::storage {

class DirLock {
 public:
  // Locks `dir`, which must exist. Fails with kFailedPrecondition when
  // another DirLock (in any process) holds it, kUnavailable when the
  // directory cannot be opened.
  static Result<DirLock> Acquire(const std::string& dir);
  DirLock(DirLock&& other) noexcept;
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();  // releases the lock

 private:
  DirLock(int dir_fd, int file_fd) : dir_fd_(dir_fd), file_fd_(file_fd) {}
  void Release();
  int dir_fd_ = -1;
  int file_fd_ = -1;
};

}  // namespace ferry::storage
