// FaultyFileOps: FileOps for tests that fails writes or syncs with a chosen
// errno (ENOSPC for a full disk, EIO for a failing one) until told to stop,
// or that models a small file system (LimitSpace).
//
// Thread-safety: all methods are thread-safe (atomics; space_mu_ makes a
// limited write's check and write one step).
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

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
  // A file system of `bytes` that holds only `dir`: a write that would make
  // the files in `dir` larger than that in total writes what fits and then
  // fails with ENOSPC, as a full disk does. Writing over bytes a file already
  // has needs no room; removing files gives it back. 0 lifts the limit.
  void LimitSpace(std::string dir, uint64_t bytes) {
    std::lock_guard lock(space_mu_);
    space_dir_ = std::move(dir);
    space_ = bytes;
  }
  // Bytes the files in the limited directory take.
  uint64_t SpaceUsed() const {
    std::lock_guard lock(space_mu_);
    return UsedLocked();
  }
  // Calls failed so far.
  uint64_t failures() const { return failures_.load(); }

  ssize_t Pwrite(int fd, const void* data, size_t n, off_t offset) override {
    if (int e = write_errno_.load()) return Fail(e);
    std::lock_guard lock(space_mu_);
    if (space_ > 0) {
      struct stat st;
      if (::fstat(fd, &st) != 0) return -1;
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      const uint64_t end = static_cast<uint64_t>(offset) + n;
      if (end > size) {
        const uint64_t used = UsedLocked();
        const uint64_t room = space_ > used ? space_ - used : 0;
        if (end - size > room) {
          // What fits, as a short write; nothing at all is ENOSPC.
          const uint64_t fits = size + room > static_cast<uint64_t>(offset)
                                    ? size + room - static_cast<uint64_t>(offset)
                                    : 0;
          if (fits == 0) return Fail(ENOSPC);
          n = static_cast<size_t>(std::min<uint64_t>(n, fits));
        }
      }
    }
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
  uint64_t UsedLocked() const {
    uint64_t used = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(space_dir_, ec)) {
      std::error_code size_ec;
      if (e.is_regular_file(size_ec)) {
        const auto size = e.file_size(size_ec);
        if (!size_ec) used += size;
      }
    }
    return used;
  }

  std::atomic<int> write_errno_{0};
  std::atomic<int> sync_errno_{0};
  std::atomic<uint64_t> failures_{0};
  mutable std::mutex space_mu_;
  std::string space_dir_;  // guarded by space_mu_
  uint64_t space_ = 0;     // guarded by space_mu_; 0: no limit
};

}  // namespace ferry::storage::testing
