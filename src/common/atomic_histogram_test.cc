#include "common/atomic_histogram.h"

#include <gtest/gtest.h>

#include <array>
#include <thread>
#include <vector>

namespace ferry {
namespace {

constexpr std::array<uint64_t, 3> kBounds{10, 100, 1000};

TEST(AtomicHistogram, ASampleGoesToTheFirstBucketWhoseBoundIsAtLeastIt) {
  AtomicHistogram h(kBounds);
  for (uint64_t v : {0, 10, 11, 100, 1000, 1001}) h.Observe(v);
  const AtomicHistogram::Snapshot s = h.Read();
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{2, 2, 1, 1}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_EQ(s.sum, 0u + 10 + 11 + 100 + 1000 + 1001);
}

TEST(AtomicHistogram, ConcurrentObservationsAreAllKept) {
  AtomicHistogram h(kBounds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.Observe(50);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.Read().counts[1], 40000u);
  EXPECT_EQ(h.Read().sum, 40000u * 50);
}

}  // namespace
}  // namespace ferry
