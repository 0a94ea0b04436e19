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
// A full disk. Writing into a pre-filled segment needs no new space; only a
// new segment does. Beside the spare, the helper thread keeps a reserve file
// (RESERVE: one segment plus a quarter of one, kept across restarts). While
// the helper finds no room for its next file, or the reserve is in use,
// Append refuses records that only add data (sends, new queues, settings:
// !HelpsFreeSpace) with kUnavailable, so what is left of the segment is kept
// for receives, deletes, purges and compaction's relocations. A refused
// record never enters a batch: it cannot fail the records of other requests.
// When the helper first finds no room, it gives the reserve's extra quarter
// back to the file system (room for the checkpoint that lets emptied
// segments go). When those records need a new segment and none can be
// created, the writer renames the reserve into place instead. A helper
// attempt that finds no room removes what it wrote and waits before the
// next, doubling the wait up to 16 retry intervals; RemoveSegment wakes it
// at once. It makes the reserve (whole) again before the spare; records
// that add data are taken again once both fit. Its file in progress can
// hold the last free bytes when the writer names a new segment in the
// manifest: a manifest write that meets ENOSPC waits for that attempt to end
// and is tried once more, so a full disk is met as one, not as a failing
// write (NameNewestSegment).
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
#include "storage/keyring.h"
#include "storage/log_format.h"
#include "storage/log_probe.h"
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
  // Where every file operation of the log goes (file_ops.h); null means
  // FileOps::Default(). Tests inject faults here. Must outlive the log.
  FileOps* file_ops = nullptr;
  // Opens sealed bodies for ReadPayload (keyring.h); null: a sealed body
  // read is damage. Must outlive the log.
  const Keyring* keyring = nullptr;
  // Where the writer records each batch's size and fdatasync time
  // (log_probe.h); null: not measured. Must outlive the log.
  LogProbe* probe = nullptr;
};

struct LogStats {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t write_errors = 0;
  uint64_t refused_full = 0;   // appends refused because the disk is full
  uint64_t reserve_taken = 0;  // times the reserve became a segment
  uint64_t spares_made = 0;    // spare segments the preparer finished
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

  // The payload of the kSend or kRelocate record at `lsn`, checked by CRC,
  // and opened if it is sealed (a body that does not open is kInternal).
  Result<std::string> ReadPayload(Lsn lsn) const;
  // ReadPayload of each LSN, in the same order; records near each other in a
  // segment are read with one pread.
  std::vector<Result<std::string>> ReadPayloads(std::span<const Lsn> lsns) const;

  // Position the next record will get.
  Lsn NextLsn() const;
  // Segments on disk (and the one being filled), oldest first.
  std::vector<uint64_t> Segments() const;
  // Deletes a whole segment file; not the one being written. Its space is
  // free once reads in progress on it end: the log keeps no descriptor of a
  // segment before the one being written.
  Status RemoveSegment(uint64_t segment);
  // True while the disk is full: the reserve is in use, or the helper thread
  // found no room for its last file. The engine then checkpoints as soon as
  // that lets a segment go.
  bool DiskFull() const;
  // Whether the log takes durable writes: Ok, or kUnavailable with the
  // reason while writes fail (a write or fdatasync error, until a retry
  // succeeds) or the disk is full (DiskFull: records that add data are
  // refused). For readiness probes: one lock, no I/O, no counters touched.
  Status Health() const;
  // Bytes of the reserve file: a segment plus the room given back when the
  // reserve is taken.
  uint64_t ReserveBytes() const { return options_.segment_bytes + options_.segment_bytes / 4; }
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
  // Creates segment file `path`: the spare, else a new zero-filled file,
  // else, when there is no room, the reserve. Writer thread.
  Status CreateSegment(const std::string& path);
  // Writes the manifest naming `newest`, waiting out a file of the
  // preparer's when the disk has no room for it. Writer thread.
  Status NameNewestSegment(uint64_t newest);
  // The helper thread's job: writes the reserve (when `reserve`) or a spare;
  // on failure removes what it wrote and sets *err.
  Status PrepareFile(bool reserve, int* err);
  // Gives the reserve's quarter beyond a segment back to the file system;
  // requires mu_ held.
  void TrimReserveLocked();
  // What Append and Flush answer while writes fail; requires mu_ held.
  Status Refused() const;
  // What Append answers for a record refused because the disk is full;
  // requires mu_ held.
  Status RefusedFull();
  // An empty buffer for a new chunk, reusing a written one's capacity;
  // requires mu_ held.
  std::string TakeBufferLocked();
  // A descriptor for reading a segment, shared so that a read in progress
  // keeps it open while RemoveSegment drops the segment.
  struct ReadFd {
    ReadFd(FileOps& o, int f) : ops(o), fd(f) {}
    ~ReadFd();
    ReadFd(const ReadFd&) = delete;
    ReadFd& operator=(const ReadFd&) = delete;
    FileOps& ops;
    const int fd;
  };
  // Requires mu_ held.
  Result<std::shared_ptr<const ReadFd>> ReadFdFor(uint64_t segment) const;
  std::string PathOf(uint64_t segment) const;
  std::string SparePath() const;
  std::string ReservePath() const;

  const LogOptions options_;
  FileOps& ops_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;        // writer: a batch is waiting, or stop
  std::condition_variable done_cv_;        // Flush(): durable_ advanced
  std::condition_variable spare_cv_;       // preparer: a spare or the reserve is wanted
  std::condition_variable prepared_cv_;    // writer: the preparer's attempt ended
  std::vector<Chunk> pending_;             // guarded by mu_
  std::vector<Chunk> writing_;             // guarded by mu_ (read by ReadPayload)
  std::vector<std::string> free_buffers_;  // guarded by mu_; see TakeBufferLocked
  std::multimap<Lsn, std::function<void(Status)>> waiters_;  // guarded by mu_
  uint64_t segment_ = 0;          // guarded by mu_; segment being appended to
  uint32_t offset_ = 0;           // guarded by mu_; next offset in it
  Lsn durable_ = 0;               // guarded by mu_; every LSN below is durable
  bool failing_ = false;          // guarded by mu_
  Status failure_;                // guarded by mu_; the last write error
  bool stop_ = false;             // guarded by mu_
  bool spare_ready_ = false;      // guarded by mu_
  bool reserve_ready_ = false;    // guarded by mu_: RESERVE is on disk, whole
  bool reserve_trimmed_ = false;  // guarded by mu_: RESERVE is one segment, its quarter given back
  bool reserve_in_use_ = false;   // guarded by mu_: taken as a segment, not rebuilt yet
  bool no_room_ = false;          // guarded by mu_: the helper's last file did not fit
  Status no_room_cause_;          // guarded by mu_: the error that found the disk full
  bool space_freed_ = false;      // guarded by mu_: a segment was removed (wakes the helper)
  bool preparing_ = false;        // guarded by mu_: a preparer's file, maybe holding free space
  bool preparer_held_ = false;    // guarded by mu_: the manifest is retried; start no file
  LogStats stats_;                // guarded by mu_
  mutable std::map<uint64_t, std::shared_ptr<const ReadFd>> read_fds_;  // guarded by mu_
  std::map<uint64_t, int>
      write_fds_;                  // writer thread only; the newest segment's (two across a roll)
  uint64_t records_written_ = 0;   // guarded by mu_: stats_.records taken into batches so far
  uint64_t manifest_segment_ = 0;  // writer thread (and Open): the newest the manifest names

  std::thread writer_;
  std::thread preparer_;
};

}  // namespace ferry::storage
