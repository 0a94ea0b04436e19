// AtomicHistogram: a fixed-bucket histogram of unsigned integer samples
// (nanoseconds, record counts, bytes) that any layer can fill on a hot path
// and the metrics layer reads at scrape time (src/metrics turns a Snapshot
// into a Prometheus histogram, scaling nanoseconds to seconds). It lives in
// common so that storage, sns and delivery can count without knowing
// Prometheus.
//
// Observe is lock-free and allocation-free: one search of the bounds and two
// relaxed atomic additions. A Snapshot taken while samples arrive may see a
// sample in its bucket but not yet in the sum (or the reverse); scrapes
// tolerate that, and nothing else reads it.
//
// Thread-safety: Observe and Snapshot may run concurrently from any thread.
// The bounds are fixed at construction and must outlive the histogram (they
// are static arrays of constants in practice).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ferry {

class AtomicHistogram {
 public:
  // `bounds`: inclusive upper bounds of the buckets, ascending; a last
  // bucket (+Inf) takes everything above them.
  explicit AtomicHistogram(std::span<const uint64_t> bounds)
      : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

  void Observe(uint64_t value) {
    const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }

  struct Snapshot {
    std::span<const uint64_t> bounds;
    std::vector<uint64_t> counts;  // per bucket (not cumulative); the last is +Inf
    uint64_t sum = 0;
    uint64_t count = 0;  // sum of counts
  };
  Snapshot Read() const {
    Snapshot s{bounds_, std::vector<uint64_t>(bounds_.size() + 1), 0, 0};
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      s.counts[i] = counts_[i].load(std::memory_order_relaxed);
      s.count += s.counts[i];
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  const std::span<const uint64_t> bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_{0};
};

}  // namespace ferry
