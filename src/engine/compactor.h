// Compactor: empties old log segments that hold mostly dead messages, so
// that they can be deleted.
//
// Segment deletion alone frees a segment only once every body in it is gone;
// one live message in a thousand keeps 64 MiB on disk. A compaction pass
// looks at the segments before the one being appended to. For a segment whose
// live bodies take less than a quarter of it, it re-appends each live payload
// as a kRelocate record and points the message at the copy, so the segment
// is left with no live body. Maintenance::Maintain deletes it once a checkpoint's
// replay point has passed it and the relocations are durable (a recovery
// from an older checkpoint replays the kRelocate records and so finds the
// copies).
//
// How a segment is examined: it is read whole, its body records (kSend and
// kRelocate) are grouped by queue, and each queue is asked, in batches of a
// few hundred under its mutex, which of them its messages still use. That
// gives the exact live bytes. A segment found too full is noted with its
// live count and bytes and examined again only once its live count (kept by
// LogBodyStore) has fallen enough that the estimate crosses the threshold.
// A pass examines at most two segments, so it reads at most two segments'
// worth and writes at most half a segment's.
//
// Pauses: a queue's mutex is held for one batch at a time (at most 32 bodies
// or 64 KiB of payload to copy into the log's batch). The longest hold is
// measured and reported in CompactionStats and the log line of each
// compacted segment.
//
// Thread-safety: Run is called by one thread at a time (Maintenance::Maintain
// serialises it); stats() may be called from any thread (mu_).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "engine/local_queue.h"
#include "engine/log_body_store.h"
#include "engine/types.h"
#include "storage/log.h"

namespace ferry::engine {

class Compactor {
 public:
  // A queue by its persistent id; null for one deleted.
  using QueueLookup = std::function<std::shared_ptr<LocalQueue>(uint64_t id)>;

  Compactor(storage::Log& log, LogBodyStore& bodies, uint64_t segment_bytes)
      : log_(log), bodies_(bodies), segment_bytes_(segment_bytes) {}

  // One pass. Fails only when the log cannot be written; a segment that
  // cannot be read is logged and left alone.
  Status Run(const QueueLookup& queues);
  CompactionStats stats() const;

 private:
  struct Examined {
    uint64_t live_count;
    uint64_t live_bytes;
  };
  bool MostlyDead(uint64_t live_bytes) const { return live_bytes < segment_bytes_ / 4; }
  Status Compact(uint64_t segment, const QueueLookup& queues);
  void NotePause(std::chrono::nanoseconds held, std::chrono::nanoseconds* segment_worst);

  storage::Log& log_;
  LogBodyStore& bodies_;
  const uint64_t segment_bytes_;
  std::map<uint64_t, Examined> examined_;  // Run's thread only

  mutable std::mutex mu_;
  CompactionStats stats_;  // guarded by mu_
};

}  // namespace ferry::engine
