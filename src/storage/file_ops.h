// FileOps: every call through which storage touches the file system (the
// log, its reader, the checkpoint, the manifest and repair), in the sense of
// LevelDB's Env: one seam, so that a test can make any single operation fail
// the way a full or failing disk does, and check what the caller then
// guarantees. Default() forwards to the system calls; nothing else in the
// server replaces it. DirLock (dir_lock.h) alone stays on raw calls: an
// flock is a property of a descriptor, not a file operation to fail, and the
// lock is taken before any store is opened.
//
// Each call returns as its system call does: -1 with errno set on failure
// (so EINTR and short writes are the caller's to handle, as with pwrite).
// Descriptors it returns are closed with Close, which always releases the
// descriptor. The helpers below the class build on the calls, so what they
// do goes through the seam too.
//
// Thread-safety: implementations must be thread-safe; the log's writer, its
// spare-segment preparer and its readers call them concurrently.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ferry::storage {

class FileOps {
 public:
  virtual ~FileOps() = default;

  // An existing file, opened with `flags` (O_RDONLY or O_WRONLY; O_CLOEXEC
  // is added).
  virtual int Open(const std::string& path, int flags);
  // `path` created, or emptied if it exists, and opened for writing (0644).
  virtual int Create(const std::string& path);
  virtual void Close(int fd);
  virtual ssize_t Pwrite(int fd, const void* data, size_t n, off_t offset);
  virtual ssize_t Pread(int fd, void* data, size_t n, off_t offset);
  virtual int Fdatasync(int fd);
  // fsync(2): also the file's size and times, for files written once.
  virtual int Fsync(int fd);
  // The size of the file at `path` (stat(2)); ENOENT when there is none.
  virtual int FileSize(const std::string& path, uint64_t* size);
  virtual int Rename(const std::string& from, const std::string& to);
  virtual int Unlink(const std::string& path);
  virtual int Truncate(const std::string& path, off_t size);
  // Makes the names created, renamed or removed in `dir` durable (opens the
  // directory and fsyncs it).
  virtual int SyncDir(const std::string& dir);
  // The names in `dir`, without "." and "..", in no particular order.
  virtual int ListDir(const std::string& dir, std::vector<std::string>* names);
  // `dir` and any missing parents (0755); succeeds when it already exists.
  virtual int CreateDir(const std::string& dir);

  // The system calls; lives for the whole process.
  static FileOps& Default();
};

// Helpers built on the calls above; each error names the file.

// Writes all of `data` at `offset`, retrying on EINTR and short writes. On
// failure: kUnavailable "<what> <path>: <strerror>", and *err (when given)
// is the errno.
Status PwriteAll(FileOps& ops, int fd, std::string_view data, off_t offset, const std::string& path,
                 std::string_view what = "write", int* err = nullptr);

// The whole content of `path`. kInternal when it cannot be opened or read.
Result<std::string> ReadWholeFile(const std::string& path, FileOps& ops = FileOps::Default());

}  // namespace ferry::storage
