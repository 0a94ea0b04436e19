// LogProbe: what the log's writer measures of each group commit, for the
// metrics layer to read at scrape time (metrics/store_collector.h): records
// and bytes per batch, and the time of the fdatasync that made a batch
// durable. Plain atomic histograms, so storage knows nothing of Prometheus
// and the writer's loop pays two clock reads and a few relaxed additions
// per batch, never per record.
//
// Thread-safety: the log's writer thread observes; any thread reads. The
// owner (the server) keeps it alive as long as the log.
#pragma once

#include <array>
#include <cstdint>

#include "common/atomic_histogram.h"

namespace ferry::storage {

struct LogProbe {
  // Records per batch: 1 (no concurrency) up to thousands (a busy server).
  static constexpr std::array<uint64_t, 12> kRecordBounds{1,  2,   4,   8,   16,   32,
                                                          64, 128, 256, 512, 1024, 4096};
  // Bytes per batch: 1 KiB to 16 MiB.
  static constexpr std::array<uint64_t, 8> kByteBounds{1u << 10,   4u << 10, 16u << 10, 64u << 10,
                                                       256u << 10, 1u << 20, 4u << 20,  16u << 20};
  // fdatasync, nanoseconds: 50 µs to 1 s.
  static constexpr std::array<uint64_t, 12> kSyncBoundsNs{
      50'000,    100'000,    250'000,    500'000,     1'000'000,   2'500'000,
      5'000'000, 10'000'000, 25'000'000, 100'000'000, 250'000'000, 1'000'000'000};

  AtomicHistogram batch_records{kRecordBounds};
  AtomicHistogram batch_bytes{kByteBounds};
  // Only with FsyncMode::kAlways: one sample per batch, covering every
  // fdatasync the batch needed (one per segment it touched).
  AtomicHistogram sync_ns{kSyncBoundsNs};
};

}  // namespace ferry::storage
