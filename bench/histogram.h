// LatencyHistogram: a log-linear histogram of durations in nanoseconds, in the
// manner of HdrHistogram with two significant digits.
//
// Values below 128 ns get a bucket each; above that every power of two is cut
// into 64 equal buckets, so a reported percentile is within 1/64 (1.6%) of the
// true sample, over the whole 64-bit range, in a fixed 30 KiB of counters.
// Recording is a shift, an add and two compares: cheap enough to call on every
// request. The exact minimum and maximum are kept beside the buckets.
//
// Thread-safety: none. Each connection records into its own histogram; the
// histograms are merged after the threads that recorded into them are joined.
#pragma once

#include <array>
#include <cstdint>

namespace ferry::bench {

class LatencyHistogram {
 public:
  void Record(uint64_t nanos);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // The smallest bucket bound at or below which at least `quantile` (0..1] of
  // the samples fall, clamped to the exact maximum; 0 when empty.
  uint64_t ValueAtQuantile(double quantile) const;

 private:
  static constexpr int kSubBucketBits = 7;  // 128 linear buckets below 2^7
  static constexpr int kHalfSubBuckets = 1 << (kSubBucketBits - 1);
  static constexpr int kBuckets = (64 - kSubBucketBits + 2) * kHalfSubBuckets;

  static int IndexOf(uint64_t nanos);
  static uint64_t UpperBoundOf(int index);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace ferry::bench
