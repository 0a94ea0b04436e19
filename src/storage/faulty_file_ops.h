// FaultyFileOps: FileOps for tests that fails writes or syncs with a chosen
// errno (ENOSPC for a full disk, EIO for a failing one) until told to stop.
//
// Thread-safety: all methods are thread-safe (atomics).
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "storage/file_ops.h"

namespace ferry::storage::testing {

class FaultyFileOps final : public FileOps {
 public:
  // 0 lets the call through again.
  void FailWrites(int err) { write_errno_ = err; }
  void FailSyncs(int err) { sync_errno_ = err; }
  void Heal() {
    write_errno_ = 0;
    sync_errno_ = 0;
  }
  // Calls failed so far.
  uint64_t failures() const { return failures_.load(); }

  ssize_t Pwrite(int fd, const void* data, size_t n, off_t offset) override {
    if (int e = write_errno_.load()) return Fail(e);
    return FileOps::Pwrite(fd, data, n, offset);
  }
  int Fdatasync(int fd) override {
    if (int e = sync_errno_.load()) return Fail(e);
    return FileOps::Fdatasync(fd);
  }

 private:
  int Fail(int e) {
    ++failures_;
    errno = e;
    return -1;
  }

  std::atomic<int> write_errno_{0};
  std::atomic<int> sync_errno_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace ferry::storage::testing
