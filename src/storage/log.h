// Log: the append side of the write-ahead log, with group commit.
//
// Append() encodes a record into an in-memory batch and returns its LSN at
// once; it never touches the disk. One writer thread takes the whole batch,
// writes it with one pwrite per segment, calls fdatasync once, and then runs
// the WhenDurable callbacks of every record the batch covered. So a request
// is answered only after its record is on disk, and many concurrent requests
// share one fdatasync.
//
// Segments are pre-filled with zeros by a helper thread before use, so that
// fdatasync after an overwrite need not also commit a file-size change; a run
// of zero bytes therefore marks the end of a segment's data. Each new segment
// is named in the log's manifest (manifest.h) before any of its records is
// acknowledged, so that recovery notices when the newest segments are gone.
//
// When a write or fdatasync fails (disk full, I/O error) the batch is kept
// and retried every LogOptions::retry_interval (a second). Every waiting
// callback gets kUnavailable at once (also those of records pending behind
// the failed batch), and Append and Flush fail with kUnavailable until a
// retry succeeds. Nothing appended is dropped: a retry writes the whole
// batch again at the same offsets, so pages a failed fdatasync left behind
// are rewritten, and the pending records follow once the disk is back.
//
// Thread-safety: all public methods are thread-safe. mu_ guards the batch,
// positions and waiters; the writer thread does I/O with mu_ released.
// Callbacks run on the writer thread and must be quick (post elsewhere).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "storage/file_ops.h"
#include "storage/log_format.h"
#include "storage/record.h"

namespace ferry::storage {

enum class FsyncMode {
  kAlways,  // fdatasync every batch before acknowledging it (the default)
  kNever,   // leave flushing to the OS: survives a process crash, not an OS crash
};

struct LogOptions {
  std::string dir;
  uint64_t segment_bytes = 64u << 20;
  FsyncMode fsync = FsyncMode::kAlways;
  // How long the writer waits before retrying a failed write.
  std::chrono::milliseconds retry_interval{1000};
  // Where writes and syncs go; null means FileOps::Default(). Tests inject
  // faults here. Must outlive the log.
  FileOps* file_ops = nullptr;
};

struct LogStats {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t write_errors = 0;
};

class Log {
 public:
  // Opens the log for appending at (segment, offset): where recovery found
  // the end of the data. segment 0 means an empty log.
  static Result<std::unique_ptr<Log>> Open(LogOptions options, uint64_t segment, uint32_t offset);
  ~Log();  // writes and syncs what is pending, then stops the threads
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Buffers the record and returns its LSN. Fails with kUnavailable while the
  // disk is failing, and kInvalidArgument for a record over the size limit.
  Result<Lsn> Append(const Record& r);
  // Calls cb(status) once the record at `lsn` is durable (or has failed).
  void WhenDurable(Lsn lsn, std::function<void(Status)> cb);
  // Blocks until everything appended so far is durable (tests, shutdown).
  Status Flush();

  // The payload of the kSend or kRelocate record at `lsn`, checked by CRC.
  Result<std::string> ReadPayload(Lsn lsn) const;
  // ReadPayload of each LSN, in the same order; records near each other in a
  // segment are read with one pread.
  std::vector<Result<std::string>> ReadPayloads(std::span<const Lsn> lsns) const;

  // Position the next record will get.
  Lsn NextLsn() const;
  // Segments on disk (and the one being filled), oldest first.
  std::vector<uint64_t> Segments() const;
  // Deletes a whole segment file; not the one being written.
  Status RemoveSegment(uint64_t segment);
  LogStats stats() const;
  const LogOptions& options() const { return options_; }

 private:
  struct Chunk {
    uint64_t segment;
    uint32_t offset;  // where data[0] goes in the segment file
    std::string data;
  };

  explicit Log(LogOptions options);
  void WriterLoop();
  void PreparerLoop();
  Status WriteChunks(std::vector<Chunk>& chunks);
  // What Append and Flush answer while writes fail; requires mu_ held.
  Status Refused() const;
  // An empty buffer for a new chunk, reusing a written one's capacity;
  // requires mu_ held.
  std::string TakeBufferLocked();
  // A descriptor for reading a segment, shared so that a read in progress
  // keeps it open while RemoveSegment drops the segment.
  struct ReadFd {
    explicit ReadFd(int f) : fd(f) {}
    ~ReadFd();
    ReadFd(const ReadFd&) = delete;
    ReadFd& operator=(const ReadFd&) = delete;
    const int fd;
  };
  // Requires mu_ held.
  Result<std::shared_ptr<const ReadFd>> ReadFdFor(uint64_t segment) const;
  std::string PathOf(uint64_t segment) const;
  std::string SparePath() const;

  const LogOptions options_;
  FileOps& ops_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;    // writer: a batch is waiting, or stop
  std::condition_variable done_cv_;    // Flush(): durable_ advanced
  std::condition_variable spare_cv_;   // preparer: a spare segment is wanted
  std::vector<Chunk> pending_;         // guarded by mu_
  std::vector<Chunk> writing_;         // guarded by mu_ (read by ReadPayload)
  std::vector<std::string> free_buffers_;  // guarded by mu_; see TakeBufferLocked
  std::multimap<Lsn, std::function<void(Status)>> waiters_;  // guarded by mu_
  uint64_t segment_ = 0;               // guarded by mu_; segment being appended to
  uint32_t offset_ = 0;                // guarded by mu_; next offset in it
  Lsn durable_ = 0;                    // guarded by mu_; every LSN below is durable
  bool failing_ = false;               // guarded by mu_
  Status failure_;                     // guarded by mu_; the last write error
  bool stop_ = false;                  // guarded by mu_
  bool spare_ready_ = false;           // guarded by mu_
  LogStats stats_;                     // guarded by mu_
  mutable std::map<uint64_t, std::shared_ptr<const ReadFd>> read_fds_;  // guarded by mu_
  std::map<uint64_t, int> write_fds_;  // writer thread only
  uint64_t manifest_segment_ = 0;      // writer thread (and Open): the newest the manifest names

  std::thread writer_;
  std::thread preparer_;
};

}  // namespace ferry::storage
