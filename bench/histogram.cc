#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ferry::bench {

// For shift s = max(0, bit_width(v) - 7), v >> s lies in [64, 128) (or in
// [0, 128) when s = 0), so index = 64 * s + (v >> s) is dense and ordered:
// shift s owns indexes [64 (s + 1), 64 (s + 2)).
int LatencyHistogram::IndexOf(uint64_t nanos) {
  const int shift = std::max(0, static_cast<int>(std::bit_width(nanos)) - kSubBucketBits);
  return shift * kHalfSubBuckets + static_cast<int>(nanos >> shift);
}

uint64_t LatencyHistogram::UpperBoundOf(int index) {
  if (index < 2 * kHalfSubBuckets) return static_cast<uint64_t>(index);
  const int shift = index / kHalfSubBuckets - 1;
  const uint64_t sub = static_cast<uint64_t>(index - shift * kHalfSubBuckets);
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t nanos) {
  ++counts_[IndexOf(nanos)];
  ++count_;
  sum_ += nanos;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::ValueAtQuantile(double quantile) const {
  if (count_ == 0) return 0;
  const double wanted = std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_));
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(wanted));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(UpperBoundOf(i), max_);
  }
  return max_;
}

}  // namespace ferry::bench
