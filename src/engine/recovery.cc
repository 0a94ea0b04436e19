#include "engine/recovery.h"

#include <algorithm>
#include <vector>

#include "storage/checkpoint.h"

namespace ferry::engine {

RecordRouter::Table& RecordRouter::TableOf(RecordSource source) {
  return source == RecordSource::kCheckpoint ? checkpoint_ : log_;
}

const RecordRouter::Table& RecordRouter::TableOf(RecordSource source) const {
  return source == RecordSource::kCheckpoint ? checkpoint_ : log_;
}

void RecordRouter::Own(RecordSource source, storage::RecordType type, RecordOwner& owner) {
  TableOf(source)[static_cast<uint8_t>(type)] = &owner;
}

void RecordRouter::Own(RecordSource source, std::span<const storage::RecordType> types,
                       RecordOwner& owner) {
  for (storage::RecordType type : types) Own(source, type, owner);
}

RecordOwner* RecordRouter::OwnerOf(RecordSource source, storage::RecordType type) const {
  return TableOf(source)[static_cast<uint8_t>(type)];
}

Result<RecoveredRecords> RecoverRecords(const std::string& dir, const RecordRouter& router,
                                        const std::function<void()>& checkpoint_read,
                                        storage::FileOps& ops) {
  RecoveredRecords out;
  // Every record below one of the checkpoint's cursors was durable when it
  // was written, so damage there is never a torn tail.
  storage::Lsn durable_floor = 0;

  // 1. The checkpoint, if there is one: a file of records like the log's.
  // Its framing is recovery's own; everything else goes to its owner.
  auto loaded = storage::ReadCheckpoint(
      dir,
      [&](const storage::Record& r) {
        if (const auto* end = std::get_if<storage::CheckpointEnd>(&r)) {
          out.checkpoint_from = end->replay_from;
          durable_floor = std::max(durable_floor, end->replay_from);
          return Status::Ok();
        }
        if (const auto* cursor = std::get_if<storage::CheckpointQueue>(&r)) {
          durable_floor = std::max(durable_floor, cursor->replay_from);
        }
        RecordOwner* owner = router.OwnerOf(RecordSource::kCheckpoint, storage::TypeOf(r));
        if (owner == nullptr) {
          return Status::Internal("checkpoint " + storage::CheckpointPath(dir) +
                                  " holds an unexpected record");
        }
        return owner->Recover(RecordSource::kCheckpoint, 0, r);
      },
      ops);
  if (!loaded.ok()) return loaded.status();
  if (*loaded) {
    out.from_checkpoint = true;
    checkpoint_read();
  }

  // 2. The log after it.
  auto replay = storage::ReplayLog(
      dir, out.checkpoint_from,
      [&](storage::Lsn lsn, const storage::Record& r) {
        RecordOwner* owner = router.OwnerOf(RecordSource::kLog, storage::TypeOf(r));
        if (owner == nullptr) return Status::Internal("unexpected record type in the log");
        return owner->Recover(RecordSource::kLog, lsn, r);
      },
      durable_floor, ops);
  if (!replay.ok()) return replay.status();
  out.log = *replay;
  return out;
}

Result<std::map<uint64_t, uint64_t>> MissingBodySegments(const std::string& dir,
                                                         const LogBodyStore& bodies, bool salvage,
                                                         storage::FileOps& ops) {
  // Segments before the replay point may be gone, but not one that holds a
  // stored message's body.
  std::map<uint64_t, uint64_t> missing;
  const std::vector<uint64_t> present = storage::ListSegments(dir, ops);
  for (const auto& [seg, count] : bodies.LiveBySegment()) {
    if (!std::binary_search(present.begin(), present.end(), seg)) missing[seg] = count;
  }
  if (!missing.empty() && !salvage) {
    const auto& [seg, count] = *missing.begin();
    return Status::Internal("write-ahead log segment " + storage::SegmentFileName(seg) +
                            ", which holds the bodies of " + std::to_string(count) +
                            (count == 1 ? " stored message" : " stored messages") +
                            ", is missing from " + dir +
                            "; refusing to start; the files are left as they are, and "
                            "`ferry repair --data-dir " +
                            dir + "` salvages the rest");
  }
  return missing;
}

Result<std::unique_ptr<storage::Log>> OpenRecoveredLog(const DurableOptions& options,
                                                       const storage::ReplayResult& end,
                                                       const storage::Keyring* keyring) {
  storage::LogOptions lo;
  lo.dir = options.dir;
  lo.fsync = options.fsync;
  lo.segment_bytes = options.segment_bytes;
  lo.retry_interval = options.retry_interval;
  lo.file_ops = options.file_ops;
  lo.keyring = keyring;
  lo.probe = options.log_probe;
  return storage::Log::Open(lo, end.segment, end.offset);
}

}  // namespace ferry::engine
