#include "metrics/topic_collector.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "engine/local_engine.h"
#include "metrics/exposition_test_util.h"
#include "metrics/metrics.h"

namespace ferry::metrics {
namespace {

using testing::SeriesValue;

class TopicCollectorTest : public ::testing::Test {
 protected:
  TopicCollectorTest() { metrics_.Add(std::make_shared<TopicCollector>(registry_)); }

  std::shared_ptr<const sns::Topic> Create(const std::string& name) {
    sns::Topic t;
    t.name = name;
    t.account = "000000000000";
    t.region = "us-east-1";
    t.arn = "arn:aws:sns:us-east-1:000000000000:" + name;
    auto made = registry_.CreateTopic(std::move(t));
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made->topic;
  }

  FakeClock clock_;
  engine::LocalEngine engine_{clock_, engine::NewMemoryBodyStore()};
  sns::Registry registry_{engine_, sns::RegistryOptions{}};
  Metrics metrics_;
};

constexpr char kOrders[] = R"(account="000000000000",region="us-east-1",topic="orders")";

TEST_F(TopicCollectorTest, ReportsPublishesAndFilteredOutPerTopic) {
  auto topic = Create("orders");
  topic->counters->published += 3;
  topic->counters->filtered_out += 1;
  const std::string text = metrics_.Text();
  EXPECT_EQ(SeriesValue(text, std::string("ferry_sns_messages_published_total{") + kOrders + "}"),
            3);
  EXPECT_EQ(
      SeriesValue(text, std::string("ferry_sns_notifications_filtered_out_total{") + kOrders + "}"),
      1);
}

TEST_F(TopicCollectorTest, ReportsDeliveriesByProtocolOnlyForProtocolsThatDelivered) {
  auto topic = Create("orders");
  sns::DeliveryCounters& http =
      topic->counters->deliveries[static_cast<size_t>(sns::Protocol::kHttp)];
  http.attempted += 3;
  http.succeeded += 1;
  http.failed += 2;
  http.retried += 2;
  topic->counters->http_latency[0].Observe(30'000'000);
  const std::string text = metrics_.Text();
  const std::string labels = std::string("{") + kOrders + ",protocol=\"http\"}";
  EXPECT_EQ(SeriesValue(text, "ferry_sns_deliveries_attempted_total" + labels), 3);
  EXPECT_EQ(SeriesValue(text, "ferry_sns_deliveries_succeeded_total" + labels), 1);
  EXPECT_EQ(SeriesValue(text, "ferry_sns_deliveries_failed_total" + labels), 2);
  EXPECT_EQ(SeriesValue(text, "ferry_sns_deliveries_retried_total" + labels), 2);
  EXPECT_EQ(SeriesValue(text, "ferry_sns_delivery_duration_seconds_count" + labels), 1);
  EXPECT_EQ(text.find("protocol=\"sqs\""), std::string::npos);
  EXPECT_EQ(text.find("protocol=\"https\""), std::string::npos);
}

TEST_F(TopicCollectorTest, CountsSurviveAChangeOfTheTopicsAttributes) {
  auto topic = Create("orders");
  topic->counters->published += 5;
  auto updated = registry_.UpdateTopic(topic->arn, [](sns::Topic& t) {
    t.attributes["DisplayName"] = "Orders";
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_NE(updated->get(), topic.get());
  EXPECT_EQ(SeriesValue(metrics_.Text(),
                        std::string("ferry_sns_messages_published_total{") + kOrders + "}"),
            5);
}

}  // namespace
}  // namespace ferry::metrics
