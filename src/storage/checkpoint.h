// The checkpoint file: its layout, how it is written and installed, and how
// it is read back. The engine decides what a checkpoint holds (its queues'
// state, as records); storage owns the file.
//
// A checkpoint is `<dir>/checkpoint`:
//     magic "FERRYCKP" (8) | records in the log's record format (log_format.h)
// ending with one kCheckpointEnd record whose `seq` is the number of records
// before it and whose `lsn` is where the log's replay starts. It is written
// to `checkpoint.tmp`, synced, renamed over the old one and the directory
// synced, so that a crash leaves the old checkpoint or the new one, each
// whole. docs/wal_format.md describes it in prose.
//
// Thread-safety: a CheckpointBuilder is used by one thread at a time. The
// functions are for one writer per directory at a time (the engine holds
// its checkpoint mutex); reading happens at recovery and in `ferry repair`,
// when nothing writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/file_ops.h"
#include "storage/log_format.h"
#include "storage/record.h"

namespace ferry::storage {

inline constexpr std::string_view kCheckpointMagic = "FERRYCKP";
inline constexpr std::string_view kCheckpointFile = "checkpoint";

// `<dir>/checkpoint`.
std::string CheckpointPath(const std::string& dir);

// The bytes of a checkpoint being built: the header, then its records.
class CheckpointBuilder {
 public:
  CheckpointBuilder();
  void Add(const Record& r);
  // For code that encodes its records itself (a queue's snapshot): the
  // buffer they go into, and the count of records it must keep up to date.
  std::string* data() { return &data_; }
  uint64_t* count() { return &count_; }
  // Appends the kCheckpointEnd record (the count, replay from `from`) and
  // returns the whole checkpoint. Nothing may be added afterwards.
  const std::string& Finish(Lsn from);

 private:
  std::string data_;
  uint64_t count_ = 0;
};

// Writes `data` (a finished checkpoint) to `<dir>/checkpoint.tmp`, syncs
// it, renames it over `<dir>/checkpoint` and syncs the directory; every
// step goes through `ops`. Any failure is kUnavailable naming the file. On
// a failed create, write, sync or rename the temporary file is removed (a
// partial checkpoint would hold disk space that a full disk needs) and the
// old checkpoint stays in place. On a failed directory sync the new
// checkpoint is in place but may not survive a crash, which may bring back
// the old one: the caller must go on as if the write had failed (keep what
// the old checkpoint needs).
Status WriteCheckpoint(FileOps& ops, const std::string& dir, std::string_view data);

// Visits the records of a checkpoint's bytes `data` in order, its final
// kCheckpointEnd included; `path` names it in errors. A checkpoint is
// installed only once complete and synced, so a bad header, a record that
// fails its CRC or does not decode, a missing end or a wrong record count
// is damage: kInternal naming the file (and the offset). An error from
// `visit` stops the walk and is returned.
using CheckpointVisitor = std::function<Status(const Record& record)>;
Status ForEachCheckpointRecord(std::string_view data, const std::string& path,
                               const CheckpointVisitor& visit);

// Reads `<dir>/checkpoint` and visits its records as above. False when
// there is none.
Result<bool> ReadCheckpoint(const std::string& dir, const CheckpointVisitor& visit,
                            FileOps& ops = FileOps::Default());

// The LSN from which the checkpoint in `dir` says to replay the log, or
// nullopt when there is no checkpoint. kInternal when it is damaged.
Result<std::optional<Lsn>> CheckpointReplayPoint(const std::string& dir,
                                                 FileOps& ops = FileOps::Default());

}  // namespace ferry::storage
