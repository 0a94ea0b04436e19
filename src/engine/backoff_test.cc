// The redelivery backoff's schedule, jitter and deadline (backoff.h), as
// tables; the queues applying it are in backoff_queue_test.cc.
#include "engine/backoff.h"

#include <gtest/gtest.h>

#include <climits>
#include <set>
#include <vector>

namespace ferry::engine {
namespace {

RedeliveryBackoff Backoff(BackoffFunction f, int64_t base_s, int64_t max_s,
                          BackoffJitter jitter = BackoffJitter::kNone) {
  return RedeliveryBackoff{f, base_s, max_s, jitter};
}

struct Step {
  uint32_t receive_count;
  int64_t backoff_s;
};

void ExpectSchedule(const RedeliveryBackoff& b, const std::vector<Step>& table) {
  for (const Step& step : table) {
    EXPECT_EQ(BackoffMs(b, step.receive_count), step.backoff_s * 1000)
        << "receive count " << step.receive_count;
  }
}

TEST(BackoffTest, ExponentialDoublesFromTheBaseUpToTheCap) {
  ExpectSchedule(Backoff(BackoffFunction::kExponential, 2, 20), {{0, 0},
                                                                 {1, 0},
                                                                 {2, 2},
                                                                 {3, 4},
                                                                 {4, 8},
                                                                 {5, 16},
                                                                 {6, 20},
                                                                 {7, 20},
                                                                 {17, 20},
                                                                 {18, 20},
                                                                 {64, 20},
                                                                 {1000, 20},
                                                                 {UINT32_MAX, 20}});
}

TEST(BackoffTest, ExponentialReachesTheTwelveHourCapWithoutOverflow) {
  ExpectSchedule(Backoff(BackoffFunction::kExponential, 43200, 43200),
                 {{1, 0}, {2, 43200}, {3, 43200}, {40, 43200}, {UINT32_MAX, 43200}});
  ExpectSchedule(Backoff(BackoffFunction::kExponential, 1, 43200),
                 {{2, 1}, {3, 2}, {16, 16384}, {17, 32768}, {18, 43200}, {UINT32_MAX, 43200}});
}

TEST(BackoffTest, LinearGrowsByTheBaseUpToTheCap) {
  ExpectSchedule(Backoff(BackoffFunction::kLinear, 3, 10),
                 {{0, 0}, {1, 0}, {2, 3}, {3, 6}, {4, 9}, {5, 10}, {6, 10}, {UINT32_MAX, 10}});
  ExpectSchedule(Backoff(BackoffFunction::kLinear, 43200, 43200),
                 {{1, 0}, {2, 43200}, {UINT32_MAX, 43200}});
}

TEST(BackoffTest, BaseEqualToTheCapIsConstant) {
  ExpectSchedule(Backoff(BackoffFunction::kExponential, 5, 5), {{1, 0}, {2, 5}, {3, 5}, {9, 5}});
  ExpectSchedule(Backoff(BackoffFunction::kLinear, 5, 5), {{1, 0}, {2, 5}, {3, 5}, {9, 5}});
}

TEST(BackoffTest, NoBackoffWhenNotEnabled) {
  ExpectSchedule(RedeliveryBackoff{}, {{0, 0}, {1, 0}, {2, 0}, {100, 0}, {UINT32_MAX, 0}});
}

TEST(BackoffTest, NoJitterKeepsTheBackoff) {
  for (uint64_t random : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, UINT64_MAX}) {
    EXPECT_EQ(JitteredMs(8000, BackoffJitter::kNone, random), 8000);
  }
}

TEST(BackoffTest, FullJitterIsUniformFromZeroToTheBackoff) {
  struct Row {
    uint64_t random;
    int64_t jittered_ms;
  };
  // random % (backoff + 1): both ends are reached.
  for (const Row& row : std::vector<Row>{{0, 0},
                                         {1, 1},
                                         {4000, 4000},
                                         {8000, 8000},
                                         {8001, 0},
                                         {8002, 1},
                                         {UINT64_MAX, UINT64_MAX % 8001}}) {
    EXPECT_EQ(JitteredMs(8000, BackoffJitter::kFull, row.random), row.jittered_ms)
        << "random " << row.random;
  }
  for (uint64_t random = 0; random < 20000; random += 7) {
    const int64_t j = JitteredMs(8000, BackoffJitter::kFull, random * 0x9e3779b97f4a7c15);
    EXPECT_GE(j, 0);
    EXPECT_LE(j, 8000);
  }
}

TEST(BackoffTest, EqualJitterIsHalfTheBackoffPlusUniformUpToTheOtherHalf) {
  struct Row {
    int64_t backoff_ms;
    uint64_t random;
    int64_t jittered_ms;
  };
  for (const Row& row : std::vector<Row>{{8000, 0, 4000},
                                         {8000, 1, 4001},
                                         {8000, 4000, 8000},
                                         {8000, 4001, 4000},
                                         // An odd number of milliseconds: never below half.
                                         {1001, 0, 501},
                                         {1001, 500, 1001},
                                         {1, 0, 1},
                                         {1, UINT64_MAX, 1}}) {
    EXPECT_EQ(JitteredMs(row.backoff_ms, BackoffJitter::kEqual, row.random), row.jittered_ms)
        << row.backoff_ms << " ms, random " << row.random;
  }
  for (uint64_t random = 0; random < 20000; random += 7) {
    const int64_t j = JitteredMs(8000, BackoffJitter::kEqual, random * 0x9e3779b97f4a7c15);
    EXPECT_GE(j, 4000);
    EXPECT_LE(j, 8000);
  }
}

TEST(BackoffTest, JitterOfNoBackoffIsZero) {
  for (BackoffJitter j : {BackoffJitter::kNone, BackoffJitter::kFull, BackoffJitter::kEqual}) {
    EXPECT_EQ(JitteredMs(0, j, 12345), 0);
  }
}

constexpr TimeMs kNow = 1'700'000'000'000;

// A source that must not be drawn from.
uint64_t NoDraw() {
  ADD_FAILURE() << "drew a random number";
  return 0;
}

TEST(BackoffTest, TheFirstReceiveKeepsTheVisibilityDeadline) {
  const TimeMs deadline = kNow + 30'000;
  for (BackoffJitter j : {BackoffJitter::kNone, BackoffJitter::kFull, BackoffJitter::kEqual}) {
    EXPECT_EQ(RedeliveryDeadline(Backoff(BackoffFunction::kExponential, 60, 600, j), 1, kNow,
                                 deadline, NoDraw),
              deadline);
  }
  EXPECT_EQ(RedeliveryDeadline(RedeliveryBackoff{}, 7, kNow, deadline, NoDraw), deadline);
}

TEST(BackoffTest, LaterReceivesAddTheBackoffToTheVisibilityDeadline) {
  const auto b = Backoff(BackoffFunction::kLinear, 10, 100);
  EXPECT_EQ(RedeliveryDeadline(b, 2, kNow, kNow + 30'000, NoDraw), kNow + 40'000);
  EXPECT_EQ(RedeliveryDeadline(b, 4, kNow, kNow + 30'000, NoDraw), kNow + 60'000);
  // A visibility timeout of 0 leaves the backoff alone.
  EXPECT_EQ(RedeliveryDeadline(b, 3, kNow, kNow, NoDraw), kNow + 20'000);
}

TEST(BackoffTest, JitterDrawsOnceFromTheSourceAndNeverShortensTheTimeout) {
  int draws = 0;
  RandomSource source = [&draws, value = uint64_t{0}]() mutable {
    ++draws;
    return value++;
  };
  const auto full = Backoff(BackoffFunction::kExponential, 4, 100, BackoffJitter::kFull);
  // receive 3: backoff 8 s; random 0 then 1 (ms).
  EXPECT_EQ(RedeliveryDeadline(full, 3, kNow, kNow + 30'000, source), kNow + 30'000);
  EXPECT_EQ(RedeliveryDeadline(full, 3, kNow, kNow + 30'000, source), kNow + 30'001);
  EXPECT_EQ(draws, 2);
  const auto equal = Backoff(BackoffFunction::kExponential, 4, 100, BackoffJitter::kEqual);
  EXPECT_EQ(RedeliveryDeadline(equal, 3, kNow, kNow + 30'000, source), kNow + 34'002);
  EXPECT_EQ(draws, 3);
}

TEST(BackoffTest, TheTotalIsCappedAtTwelveHours) {
  const auto b = Backoff(BackoffFunction::kExponential, 43200, 43200);
  EXPECT_EQ(RedeliveryDeadline(b, 2, kNow, kNow + 30'000, NoDraw), kNow + 43'200'000);
  EXPECT_EQ(RedeliveryDeadline(b, 2, kNow, kNow + 43'200'000, NoDraw), kNow + 43'200'000);
  const auto linear = Backoff(BackoffFunction::kLinear, 100, 1000);
  EXPECT_EQ(RedeliveryDeadline(linear, 3, kNow, kNow + 43'100'000, NoDraw), kNow + 43'200'000);
  EXPECT_EQ(RedeliveryDeadline(linear, 2, kNow, kNow + 43'000'000, NoDraw), kNow + 43'100'000);
}

TEST(BackoffTest, SeededSourcesDrawDifferentValues) {
  RandomSource a = SeededRandomSource();
  RandomSource b = SeededRandomSource();
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) {
    seen.insert(a());
    seen.insert(b());
  }
  EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
}  // namespace ferry::engine
