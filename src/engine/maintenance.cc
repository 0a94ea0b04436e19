#include "engine/maintenance.h"

#include <algorithm>
#include <utility>

#include "storage/log_format.h"

namespace ferry::engine {

Maintenance::Maintenance(const DurableOptions& options, storage::Log& log, LogBodyStore& bodies,
                         storage::Lsn checkpoint_from, Snapshot snapshot, QueuesById queues)
    : options_(options),
      log_(log),
      bodies_(bodies),
      snapshot_(std::move(snapshot)),
      queues_(std::move(queues)),
      compactor_(log, bodies, options.segment_bytes),
      checkpoint_from_(checkpoint_from) {}

Status Maintenance::Checkpoint() {
  std::lock_guard ckpt(checkpoint_mu_);
  const uint64_t logged = log_.stats().bytes;
  storage::CheckpointBuilder builder;
  const storage::Lsn from = snapshot_(builder);
  const std::string& out = builder.Finish(from);
  // Recovery skips each queue's records before its cursor, so the log must
  // hold everything up to them before the checkpoint may replace the old one.
  FERRY_RETURN_IF_ERROR(log_.Flush());
  storage::FileOps& ops = options_.file_ops ? *options_.file_ops : storage::FileOps::Default();
  FERRY_RETURN_IF_ERROR(storage::WriteCheckpoint(ops, options_.dir, out));
  checkpoint_from_ = from;
  logged_at_checkpoint_ = logged;
  checkpoint_size_ = out.size();
  return Status::Ok();
}

Status Maintenance::Maintain() {
  std::lock_guard maintain(maintain_mu_);
  bool due;
  {
    std::lock_guard ckpt(checkpoint_mu_);
    // Something new must be logged, so checkpoint_bytes 0 means "each pass
    // that follows writes", not "each pass".
    const uint64_t since = log_.stats().bytes - logged_at_checkpoint_;
    due = since > 0 && since >= options_.checkpoint_bytes;
  }
  if (due) FERRY_RETURN_IF_ERROR(Checkpoint());

  // Move the live bodies out of mostly-dead segments.
  const std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>> by_id = queues_();
  FERRY_RETURN_IF_ERROR(compactor_.Run([&by_id](uint64_t id) {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  }));

  // Segments before the checkpoint's replay point are needed only for the
  // bodies of messages still stored in them. Emptied segments after it wait
  // for the next checkpoint; write it early once they are worth more than
  // writing it (and a quarter of the regular checkpoint interval).
  const uint64_t active = storage::SegmentOf(log_.NextLsn());
  auto live = bodies_.LiveBySegment();
  uint64_t first_needed;
  uint64_t reclaimable = 0;
  {
    std::lock_guard ckpt(checkpoint_mu_);
    first_needed = storage::SegmentOf(checkpoint_from_);
    for (uint64_t seg : log_.Segments()) {
      if (seg >= first_needed && seg < active && !live.contains(seg)) {
        reclaimable += options_.segment_bytes;
      }
    }
    // On a full disk every segment counts: new messages wait for the space.
    due = reclaimable > 0 &&
          (log_.DiskFull() ||
           reclaimable >= std::max(options_.checkpoint_bytes / 4, checkpoint_size_));
  }
  if (due) {
    FERRY_RETURN_IF_ERROR(Checkpoint());
    std::lock_guard ckpt(checkpoint_mu_);
    first_needed = storage::SegmentOf(checkpoint_from_);
  }
  if (first_needed == 0) return Status::Ok();
  // Every release counted in `live` follows its record (a delete, purge or
  // relocation): make those durable before the bodies' segments go.
  live = bodies_.LiveBySegment();
  FERRY_RETURN_IF_ERROR(log_.Flush());
  for (uint64_t seg : log_.Segments()) {
    if (seg >= first_needed) break;
    if (!live.contains(seg)) FERRY_RETURN_IF_ERROR(log_.RemoveSegment(seg));
  }
  return Status::Ok();
}

}  // namespace ferry::engine
