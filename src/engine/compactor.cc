#include "engine/compactor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "storage/log_reader.h"

namespace ferry::engine {
namespace {

constexpr int kSegmentsPerPass = 2;
// Bodies checked per hold of a queue's mutex: hash lookups only.
constexpr size_t kCheckBatch = 256;
// Bodies moved per hold: each is copied into the log's batch under the lock.
constexpr size_t kMoveBatch = 32;
constexpr size_t kMoveBatchBytes = 64u << 10;

using BodyCopy = LocalQueue::BodyCopy;

// The end of the next batch to move, starting at `from`: at most kMoveBatch
// bodies and kMoveBatchBytes of payload, but always at least one body.
size_t MoveBatchEnd(const std::vector<BodyCopy>& bodies, size_t from) {
  size_t end = from;
  size_t bytes = 0;
  while (end < bodies.size() && end - from < kMoveBatch &&
         (end == from || bytes + bodies[end].payload.size() <= kMoveBatchBytes)) {
    bytes += bodies[end].payload.size();
    ++end;
  }
  return end;
}

}  // namespace

CompactionStats Compactor::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Compactor::NotePause(std::chrono::nanoseconds held, std::chrono::nanoseconds* segment_worst) {
  *segment_worst = std::max(*segment_worst, held);
  std::lock_guard lock(mu_);
  stats_.worst_pause = std::max(stats_.worst_pause, held);
}

Status Compactor::Run(const QueueLookup& queues) {
  // Segments before the active one get no more records; once what is
  // pending is durable they are complete on disk and can be read.
  const uint64_t active = storage::SegmentOf(log_.NextLsn());
  FERRY_RETURN_IF_ERROR(log_.Flush());
  const std::map<uint64_t, uint64_t> live = bodies_.LiveBySegment();
  std::erase_if(examined_, [&](const auto& e) { return !live.contains(e.first); });
  int examined = 0;
  for (const auto& [segment, count] : live) {
    if (segment >= active || examined == kSegmentsPerPass) break;
    if (auto it = examined_.find(segment); it != examined_.end()) {
      const Examined& then = it->second;
      // Look again only once the bodies freed since make it worth it,
      // estimating the live bytes from the live count. (A segment found
      // with nothing live, or unreadable, is not looked at again.)
      if (count >= then.live_count || !MostlyDead(then.live_bytes / then.live_count * count)) {
        continue;
      }
    }
    ++examined;
    FERRY_RETURN_IF_ERROR(Compact(segment, queues));
  }
  return Status::Ok();
}

Status Compactor::Compact(uint64_t segment, const QueueLookup& queues) {
  std::string data;
  std::unordered_map<uint64_t, std::vector<BodyCopy>> by_queue;
  Status scanned = storage::ScanSegment(
      log_.options().dir, segment, &data,
      [&](storage::Lsn lsn, const storage::Record& r) {
        if (const std::optional<storage::RecordedBody> b = storage::BodyIn(r)) {
          by_queue[b->queue_id].push_back({b->seq, lsn, b->body, b->sealed});
        }
        return Status::Ok();
      },
      log_.options().file_ops ? *log_.options().file_ops : storage::FileOps::Default());
  {
    std::lock_guard lock(mu_);
    ++stats_.segments_examined;
  }
  if (!scanned.ok()) {
    // Recovery will say the same; until then, leave the segment as it is.
    spdlog::error("compaction: cannot read segment {}: {}", segment, scanned.message());
    examined_[segment] = {0, 0};  // never looked at again
    return Status::Ok();
  }

  // Which bodies are still in use, queue by queue, a batch per lock.
  std::chrono::nanoseconds worst{0};
  std::vector<std::pair<std::shared_ptr<LocalQueue>, std::vector<BodyCopy>>> live;
  uint64_t live_count = 0;
  uint64_t live_bytes = 0;
  for (const auto& [id, bodies] : by_queue) {
    std::shared_ptr<LocalQueue> queue = queues(id);
    if (!queue) continue;
    std::vector<BodyCopy> kept;
    for (size_t i = 0; i < bodies.size(); i += kCheckBatch) {
      std::span<const BodyCopy> batch(bodies.data() + i, std::min(kCheckBatch, bodies.size() - i));
      NotePause(queue->KeepLiveBodies(batch, &kept), &worst);
    }
    if (kept.empty()) continue;
    live_count += kept.size();
    for (const BodyCopy& b : kept) live_bytes += b.payload.size();
    live.emplace_back(std::move(queue), std::move(kept));
  }
  examined_[segment] = {live_count, live_bytes};
  // With nothing live, the segment goes once the last releases are counted.
  if (live.empty() || !MostlyDead(live_bytes)) return Status::Ok();

  uint64_t moved_total = 0;
  Status status;
  for (auto& [queue, bodies] : live) {
    for (size_t i = 0; i < bodies.size() && status.ok();) {
      const size_t end = MoveBatchEnd(bodies, i);
      std::vector<BodyRef> released;
      size_t moved = 0;
      std::chrono::nanoseconds held{0};
      status = queue->RelocateBodies(std::span<const BodyCopy>(bodies.data() + i, end - i),
                                     &released, &moved, &held);
      for (BodyRef ref : released) bodies_.Release(ref);
      NotePause(held, &worst);
      moved_total += moved;
      i = end;
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.bodies_relocated += moved_total;
  }
  FERRY_RETURN_IF_ERROR(status);
  // The segment may be deleted only once the copies are on disk.
  FERRY_RETURN_IF_ERROR(log_.Flush());
  {
    std::lock_guard lock(mu_);
    ++stats_.segments_compacted;
  }
  spdlog::info(
      "compaction: segment {} had {} live bodies ({} bytes); moved them, holding a queue's lock "
      "for at most {} us",
      segment, live_count, live_bytes,
      std::chrono::duration_cast<std::chrono::microseconds>(worst).count());
  return Status::Ok();
}

}  // namespace ferry::engine
