#include "admin/queue_history.h"

#include <gtest/gtest.h>

#include "engine/local_engine.h"
#include "sns/model.h"

namespace ferry::admin {
namespace {

class QueueHistoryTest : public ::testing::Test {
 protected:
  QueueHistoryTest() { engine.set_queue_reuse_delay(std::chrono::milliseconds(0)); }

  std::shared_ptr<engine::Queue> Create(const std::string& name) {
    auto q = engine.CreateQueue(name, {}, {});
    EXPECT_TRUE(q.ok());
    return q.ok() ? *q : nullptr;
  }
  void Send(engine::Queue& q) {
    engine::SendRequest req;
    req.payload = "m";
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  }

  // Advances the clock by `ms` in the server's 100 ms ticks.
  void Run(TimeMs ms) {
    for (TimeMs t = 0; t < ms; t += 100) {
      clock.Advance(100);
      history.Tick();
    }
  }

  FakeClock clock;
  engine::LocalEngine engine{clock, engine::NewMemoryBodyStore()};
  QueueHistory history{engine, clock};
};

TEST_F(QueueHistoryTest, SamplesEveryTenSecondsNotOnEveryTick) {
  auto q = Create("q");
  history.Tick();
  EXPECT_EQ(history.Samples("q").size(), 1u) << "the first tick samples at once";
  Run(9'900);
  EXPECT_EQ(history.Samples("q").size(), 1u);
  Run(100);
  EXPECT_EQ(history.Samples("q").size(), 2u);
}

TEST_F(QueueHistoryTest, ASampleHoldsTheQueuesFiguresAndCounters) {
  auto q = Create("q");
  Send(*q);
  Send(*q);
  auto got = q->Receive(engine::ReceiveRequest());
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  ASSERT_TRUE(q->Delete((*got)[0].receipt_handle).ok());
  Send(*q);
  clock.Advance(5'000);
  history.Tick();
  const std::vector<HistorySample> s = history.Samples("q");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].timestamp_s, clock.NowMs() / 1000);
  EXPECT_EQ(s[0].visible, 2);
  EXPECT_EQ(s[0].in_flight, 0);
  EXPECT_EQ(s[0].oldest_age_s, 5);
  EXPECT_EQ(s[0].sent, 3u);
  EXPECT_EQ(s[0].received, 1u);
  EXPECT_EQ(s[0].deleted, 1u);
}

TEST_F(QueueHistoryTest, KeepsTheLastHourOldestFirst) {
  auto q = Create("q");
  history.Tick();
  const int64_t first_s = clock.NowMs() / 1000;
  Run(QueueHistory::kIntervalMs * (QueueHistory::kSamples + 5));
  const std::vector<HistorySample> s = history.Samples("q");
  ASSERT_EQ(s.size(), QueueHistory::kSamples);
  EXPECT_EQ(s.front().timestamp_s, first_s + 6 * 10) << "the six oldest samples are gone";
  for (size_t i = 1; i < s.size(); ++i) EXPECT_EQ(s[i].timestamp_s, s[i - 1].timestamp_s + 10);
}

TEST_F(QueueHistoryTest, ForgetsADeletedQueue) {
  Create("q");
  history.Tick();
  ASSERT_TRUE(engine.DeleteQueue("q").ok());
  Run(QueueHistory::kIntervalMs);
  EXPECT_TRUE(history.Samples("q").empty());
}

TEST_F(QueueHistoryTest, AQueueCreatedAgainStartsANewHistory) {
  Create("q");
  history.Tick();
  Run(QueueHistory::kIntervalMs);
  ASSERT_EQ(history.Samples("q").size(), 2u);
  ASSERT_TRUE(engine.DeleteQueue("q").ok());
  clock.Advance(1);
  Create("q");
  Run(QueueHistory::kIntervalMs);
  EXPECT_EQ(history.Samples("q").size(), 1u);
}

TEST_F(QueueHistoryTest, LeavesOutSnsInternalQueues) {
  const std::string internal = std::string(sns::kInternalQueuePrefix) + "delivery-x";
  Create(internal);
  history.Tick();
  EXPECT_TRUE(history.Samples(internal).empty());
}

TEST_F(QueueHistoryTest, AQueueWithoutSamplesHasAnEmptyHistory) {
  EXPECT_TRUE(history.Samples("nothing").empty());
}

}  // namespace
}  // namespace ferry::admin
