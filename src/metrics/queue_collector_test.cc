#include "metrics/queue_collector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "engine/local_engine.h"
#include "metrics/exposition_test_util.h"
#include "metrics/metrics.h"

namespace ferry::metrics {
namespace {

using testing::SeriesValue;

class QueueCollectorTest : public ::testing::Test {
 protected:
  QueueCollectorTest() : engine_(clock_, engine::NewMemoryBodyStore()) {
    metrics_.Add(std::make_shared<QueueCollector>(
        engine_, QueueLabelOptions{.account_id = "000000000000", .region = "us-east-1"}));
  }

  std::shared_ptr<engine::Queue> Create(const std::string& key, bool fifo = false) {
    engine::QueueSettings settings;
    settings.fifo = fifo;
    auto q = engine_.CreateQueue(key, settings, {});
    EXPECT_TRUE(q.ok()) << q.status().message();
    return *q;
  }

  static void Send(engine::Queue& q, std::string payload, int64_t delay_s = -1) {
    engine::SendRequest req;
    req.payload = std::move(payload);
    req.delay_s = delay_s;
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  }
  static std::vector<engine::ReceivedMessage> ReceiveOne(engine::Queue& q) {
    engine::ReceiveRequest req;
    req.max_messages = 1;
    auto got = q.Receive(req);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::vector<engine::ReceivedMessage>{};
  }

  FakeClock clock_;
  engine::LocalEngine engine_;
  Metrics metrics_;
};

constexpr char kJobs[] =
    R"({account="000000000000",queue="jobs",region="us-east-1",type="standard"})";

TEST_F(QueueCollectorTest, ReportsDepthAndAgeOfTheOldestMessage) {
  auto jobs = Create("jobs");
  Send(*jobs, "one");
  clock_.Advance(5'000);
  Send(*jobs, "two");
  Send(*jobs, "later", 60);

  const std::string text = metrics_.Text();
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_messages_visible") + kJobs), 2);
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_messages_delayed") + kJobs), 1);
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_messages_not_visible") + kJobs), 0);
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_oldest_message_age_seconds") + kJobs), 5);
}

TEST_F(QueueCollectorTest, AnEmptyQueueHasAnOldestAgeOfZero) {
  Create("jobs");
  EXPECT_EQ(
      SeriesValue(metrics_.Text(), std::string("ferry_sqs_oldest_message_age_seconds") + kJobs), 0);
}

TEST_F(QueueCollectorTest, InFlightMessagesAreNotVisible) {
  auto jobs = Create("jobs");
  Send(*jobs, "one");
  Send(*jobs, "two");
  ASSERT_EQ(ReceiveOne(*jobs).size(), 1u);

  const std::string text = metrics_.Text();
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_messages_visible") + kJobs), 1);
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sqs_messages_not_visible") + kJobs), 1);
  // Counters are the engine's QueueStats; their values are the engine's to
  // test, the series must exist from the start.
  EXPECT_TRUE(SeriesValue(text, std::string("ferry_sqs_messages_sent_total") + kJobs));
  EXPECT_TRUE(SeriesValue(text, std::string("ferry_sqs_messages_moved_to_dlq_total") + kJobs));
}

TEST_F(QueueCollectorTest, LabelsNameTheAccountRegionAndKindOfEachQueue) {
  Create("111111111111/eu-west-1/orders.fifo", /*fifo=*/true);
  EXPECT_TRUE(SeriesValue(
      metrics_.Text(),
      R"(ferry_sqs_messages_visible{account="111111111111",queue="orders.fifo",region="eu-west-1",type="fifo"})"));
}

TEST_F(QueueCollectorTest, InternalQueuesAreLeftOut) {
  Create("~sns/delivery-1234");
  EXPECT_EQ(metrics_.Text().find("delivery-1234"), std::string::npos);
}

TEST_F(QueueCollectorTest, MessageIdsAndReceiptHandlesNeverAppear) {
  auto jobs = Create("jobs");
  Send(*jobs, "one");
  const std::vector<engine::ReceivedMessage> got = ReceiveOne(*jobs);
  ASSERT_EQ(got.size(), 1u);
  const std::string text = metrics_.Text();
  EXPECT_EQ(text.find(got[0].message_id), std::string::npos);
  EXPECT_EQ(text.find(got[0].receipt_handle), std::string::npos);
}

TEST_F(QueueCollectorTest, MarksTheQueuesThatARedrivePolicyNames) {
  Create("jobs-dlq");
  engine::QueueSettings settings;
  settings.dead_letter_queue = "jobs-dlq";
  settings.max_receive_count = 3;
  ASSERT_TRUE(engine_.CreateQueue("jobs", settings, {}).ok());
  const std::string text = metrics_.Text();
  EXPECT_EQ(
      SeriesValue(
          text,
          R"(ferry_sqs_dead_letter_queue_info{account="000000000000",queue="jobs-dlq",region="us-east-1",type="standard"})"),
      1);
  EXPECT_FALSE(SeriesValue(text, std::string("ferry_sqs_dead_letter_queue_info") + kJobs));
}

}  // namespace
}  // namespace ferry::metrics
