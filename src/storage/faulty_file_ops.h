// FaultyFileOps: FileOps for tests that fails any one kind of file
// operation with a chosen errno (ENOSPC for a full disk, EIO for a failing
// one), optionally only on paths containing a given part, until healed; or
// that models a small file system (LimitSpace). Hooks on writes (BeforePwrite,
// AfterPwrite) let a test hold a thread at a chosen write, to force one
// interleaving of the log's threads without sleeping.
//
// Thread-safety: all methods are thread-safe (atomics; mu_ guards the
// rules, the hooks and the descriptors' paths; space_mu_ makes a limited
// write's check and write one step, and keeps renames, removals and
// truncations out of that step). Hooks run with neither held.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/file_ops.h"

namespace ferry::storage::testing {

// The operations FaultyFileOps can fail (Close always succeeds).
enum class FileOp {
  kOpen,
  kCreate,
  kPwrite,
  kPread,
  kFdatasync,
  kFsync,
  kFileSize,
  kRename,
  kUnlink,
  kTruncate,
  kSyncDir,
  kListDir,
  kCreateDir,
};

class FaultyFileOps final : public FileOps {
 public:
  // 0 lets the call through again.
  void FailWrites(int err) { write_errno_ = err; }
  void FailSyncs(int err) { sync_errno_ = err; }
  // Fails every `op` with `err` from now on; with `path_part`, only the
  // calls whose path (for a descriptor: the path it was opened with; for a
  // rename: either name) contains it.
  void Fail(FileOp op, int err, std::string path_part = "") {
    std::lock_guard lock(mu_);
    rules_.push_back(Rule{op, err, std::move(path_part)});
  }
  // Lifts every failure (not the space limit).
  void Heal() {
    write_errno_ = 0;
    sync_errno_ = 0;
    std::lock_guard lock(mu_);
    rules_.clear();
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
  // Runs fn(data) ahead of every Pwrite on a path containing `path_part`,
  // on the calling thread; fn may block to hold that thread there.
  void BeforePwrite(std::string path_part, std::function<void(std::string_view data)> fn) {
    std::lock_guard lock(mu_);
    before_pwrite_.push_back({std::move(path_part), std::move(fn)});
  }
  // Runs fn(asked, result) after every Pwrite on a path containing
  // `path_part` (asked: the bytes it was given; result: what it returned,
  // short when the limited space ran out), on the calling thread, which may
  // be held there while it keeps what it wrote.
  void AfterPwrite(std::string path_part, std::function<void(size_t asked, ssize_t result)> fn) {
    std::lock_guard lock(mu_);
    after_pwrite_.push_back({std::move(path_part), std::move(fn)});
  }
  // Calls failed so far.
  uint64_t failures() const { return failures_.load(); }

  int Open(const std::string& path, int flags) override {
    if (int e = RuleFor(FileOp::kOpen, path)) return Failed(e);
    return Track(FileOps::Open(path, flags), path);
  }
  int Create(const std::string& path) override {
    if (int e = RuleFor(FileOp::kCreate, path)) return Failed(e);
    return Track(FileOps::Create(path), path);
  }
  void Close(int fd) override {
    {
      std::lock_guard lock(mu_);
      paths_.erase(fd);
    }
    FileOps::Close(fd);
  }
  ssize_t Pwrite(int fd, const void* data, size_t n, off_t offset) override {
    const std::string path = PathOf(fd);
    for (const auto& fn : HooksFor(before_pwrite_, path)) {
      fn(std::string_view(static_cast<const char*>(data), n));
    }
    const ssize_t result = LimitedPwrite(fd, data, n, offset, path);
    const int saved_errno = errno;
    for (const auto& fn : HooksFor(after_pwrite_, path)) fn(n, result);
    errno = saved_errno;
    return result;
  }
  ssize_t Pread(int fd, void* data, size_t n, off_t offset) override {
    if (int e = RuleFor(FileOp::kPread, PathOf(fd))) return Failed(e);
    return FileOps::Pread(fd, data, n, offset);
  }
  int Fdatasync(int fd) override {
    if (int e = sync_errno_.load()) return Failed(e);
    if (int e = RuleFor(FileOp::kFdatasync, PathOf(fd))) return Failed(e);
    return FileOps::Fdatasync(fd);
  }
  int Fsync(int fd) override {
    if (int e = RuleFor(FileOp::kFsync, PathOf(fd))) return Failed(e);
    return FileOps::Fsync(fd);
  }
  int FileSize(const std::string& path, uint64_t* size) override {
    if (int e = RuleFor(FileOp::kFileSize, path)) return Failed(e);
    return FileOps::FileSize(path, size);
  }
  // Renames, removals and truncations hold space_mu_: a listing of the
  // directory that runs while a file is renamed may see it under neither
  // name, and a limited write that counted the space so would take room
  // the disk does not have.
  int Rename(const std::string& from, const std::string& to) override {
    if (int e = RuleFor(FileOp::kRename, from, to)) return Failed(e);
    std::lock_guard lock(space_mu_);
    return FileOps::Rename(from, to);
  }
  int Unlink(const std::string& path) override {
    if (int e = RuleFor(FileOp::kUnlink, path)) return Failed(e);
    std::lock_guard lock(space_mu_);
    return FileOps::Unlink(path);
  }
  int Truncate(const std::string& path, off_t size) override {
    if (int e = RuleFor(FileOp::kTruncate, path)) return Failed(e);
    std::lock_guard lock(space_mu_);
    return FileOps::Truncate(path, size);
  }
  int SyncDir(const std::string& dir) override {
    if (int e = RuleFor(FileOp::kSyncDir, dir)) return Failed(e);
    return FileOps::SyncDir(dir);
  }
  int ListDir(const std::string& dir, std::vector<std::string>* names) override {
    if (int e = RuleFor(FileOp::kListDir, dir)) return Failed(e);
    return FileOps::ListDir(dir, names);
  }
  int CreateDir(const std::string& dir) override {
    if (int e = RuleFor(FileOp::kCreateDir, dir)) return Failed(e);
    return FileOps::CreateDir(dir);
  }

 private:
  struct Rule {
    FileOp op;
    int err;
    std::string path_part;
  };

  // Pwrite without the hooks: the failures, then the space limit.
  ssize_t LimitedPwrite(int fd, const void* data, size_t n, off_t offset, const std::string& path) {
    if (int e = write_errno_.load()) return Failed(e);
    if (int e = RuleFor(FileOp::kPwrite, path)) return Failed(e);
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
          if (fits == 0) return Failed(ENOSPC);
          n = static_cast<size_t>(std::min<uint64_t>(n, fits));
        }
      }
    }
    return FileOps::Pwrite(fd, data, n, offset);
  }
  template <typename Fn>
  struct Hook {
    std::string path_part;
    std::function<Fn> fn;
  };
  // The hooks of `hooks` for `path`, copied so that they run with mu_ released.
  template <typename Fn>
  std::vector<std::function<Fn>> HooksFor(const std::vector<Hook<Fn>>& hooks,
                                          const std::string& path) {
    std::vector<std::function<Fn>> out;
    std::lock_guard lock(mu_);
    for (const auto& h : hooks) {
      if (path.find(h.path_part) != std::string::npos) out.push_back(h.fn);
    }
    return out;
  }
  int Failed(int e) {
    ++failures_;
    errno = e;
    return -1;
  }
  // The errno to fail `op` on `path` (or `other`) with, or 0.
  int RuleFor(FileOp op, const std::string& path, const std::string& other = "") {
    std::lock_guard lock(mu_);
    for (const Rule& r : rules_) {
      if (r.op != op) continue;
      if (r.path_part.empty() || path.find(r.path_part) != std::string::npos ||
          (!other.empty() && other.find(r.path_part) != std::string::npos)) {
        return r.err;
      }
    }
    return 0;
  }
  int Track(int fd, const std::string& path) {
    if (fd >= 0) {
      std::lock_guard lock(mu_);
      paths_[fd] = path;
    }
    return fd;
  }
  std::string PathOf(int fd) {
    std::lock_guard lock(mu_);
    auto it = paths_.find(fd);
    return it == paths_.end() ? std::string() : it->second;
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
  std::mutex mu_;
  std::vector<Rule> rules_;           // guarded by mu_
  std::map<int, std::string> paths_;  // guarded by mu_: open descriptors' paths
  std::vector<Hook<void(std::string_view)>> before_pwrite_;  // guarded by mu_
  std::vector<Hook<void(size_t, ssize_t)>> after_pwrite_;    // guarded by mu_
  mutable std::mutex space_mu_;
  std::string space_dir_;  // guarded by space_mu_
  uint64_t space_ = 0;     // guarded by space_mu_; 0: no limit
};

}  // namespace ferry::storage::testing
