// Recovery of a durable engine: reading its data directory back — the
// checkpoint, then the write-ahead log after it — and opening the log to
// continue where the data ends.
//
// Recovery knows the order of things and the checkpoint's framing (its
// replay point and cursors), not what records mean. A record type belongs to
// the module that writes it, its owner: each owner registers the types it
// takes from a checkpoint and from the log in a RecordRouter, and recovery
// hands it each such record, in the order read. A record of a type that no
// owner registered for its source is damage and stops recovery. Adding a
// kind of record means registering an owner, not growing recovery.
//
// Thread-safety: recovery runs on one thread, before the engine it rebuilds
// is shared; none of this is safe for concurrent use.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "engine/local_engine.h"
#include "engine/log_body_store.h"
#include "storage/log.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/record.h"

namespace ferry::engine {

// Where a record being recovered was read: a checkpoint's records restore
// state as of the checkpoint; the log's apply the changes after it.
enum class RecordSource : uint8_t { kCheckpoint, kLog };

class RecordOwner {
 public:
  virtual ~RecordOwner() = default;
  // Applies one record of a type this owner registered for `source`. lsn:
  // the record's position in the log; 0 for a checkpoint's record. A non-ok
  // status stops recovery and is its result.
  virtual Status Recover(RecordSource source, storage::Lsn lsn, const storage::Record& r) = 0;
};

// Which owner takes each record type, per source.
class RecordRouter {
 public:
  // Registers `owner` (which must outlive the router) for records of `type`
  // read from `source`. One owner per type and source: a second replaces
  // the first.
  void Own(RecordSource source, storage::RecordType type, RecordOwner& owner);
  void Own(RecordSource source, std::span<const storage::RecordType> types, RecordOwner& owner);
  // The owner of `type` from `source`; null when none registered.
  RecordOwner* OwnerOf(RecordSource source, storage::RecordType type) const;

 private:
  using Table = std::array<RecordOwner*, 256>;  // by type byte
  Table& TableOf(RecordSource source);
  const Table& TableOf(RecordSource source) const;
  Table checkpoint_{};
  Table log_{};
};

struct RecoveredRecords {
  bool from_checkpoint = false;
  storage::Lsn checkpoint_from = 0;  // the checkpoint's replay point; 0 without one
  storage::ReplayResult log;         // where the log ends
};

// Hands every record of the checkpoint in `dir`, if there is one, to its
// owner in `router`; calls `checkpoint_read` once they all were (only when
// there was a checkpoint); then replays the log from the checkpoint's replay
// point, handing each record to its owner, in log order. A record no owner
// takes is kInternal: "checkpoint <path> holds an unexpected record", or
// "unexpected record type in the log". The log's own damage is reported as
// storage::ReplayLog does. Every file is read through `ops`.
Result<RecoveredRecords> RecoverRecords(const std::string& dir, const RecordRouter& router,
                                        const std::function<void()>& checkpoint_read,
                                        storage::FileOps& ops = storage::FileOps::Default());

// Segments that hold live bodies (as recovered into `bodies`) but are
// missing from `dir` (segment → bodies it holds). Unless `salvage`, any is
// kInternal: recovery refuses to start, and says that `ferry repair`
// salvages the rest. The directory is listed through `ops`.
Result<std::map<uint64_t, uint64_t>> MissingBodySegments(
    const std::string& dir, const LogBodyStore& bodies, bool salvage,
    storage::FileOps& ops = storage::FileOps::Default());

// Opens the log in options.dir to append where the recovered data ends,
// opening sealed bodies with `keyring` (which must outlive the log).
Result<std::unique_ptr<storage::Log>> OpenRecoveredLog(const DurableOptions& options,
                                                       const storage::ReplayResult& end,
                                                       const storage::Keyring* keyring);

}  // namespace ferry::engine
