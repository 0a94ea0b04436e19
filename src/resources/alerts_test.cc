#include "resources/alerts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "resources/spec_test_util.h"

namespace ferry::resources {
namespace {

using ::testing::HasSubstr;

TEST(AlertsTest, EachAlarmOfAQueueBecomesARuleOnItsMetric) {
  Spec spec = MustParse(R"(queues:
  orders-dlq:
    alarms: {messages_visible_above: 0, for: 1m}
  orders:
    alarms: {oldest_message_age_above: 3600, severity: ticket}
  quiet:
)");
  YAML::Node rules = YAML::Load(RenderAlertRules(spec, "orders"));
  ASSERT_EQ(rules["groups"].size(), 1u);
  EXPECT_EQ(rules["groups"][0]["name"].Scalar(), "orders");
  YAML::Node list = rules["groups"][0]["rules"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["alert"].Scalar(), "OrdersDlqMessagesVisible");
  EXPECT_EQ(list[0]["expr"].Scalar(), "ferry_sqs_messages_visible{queue=\"orders-dlq\"} > 0");
  EXPECT_EQ(list[0]["for"].Scalar(), "1m");
  EXPECT_EQ(list[0]["labels"]["severity"].Scalar(), "page");
  EXPECT_EQ(list[0]["labels"]["queue"].Scalar(), "orders-dlq");
  EXPECT_EQ(list[1]["alert"].Scalar(), "OrdersOldestMessageAge");
  EXPECT_EQ(list[1]["expr"].Scalar(),
            "ferry_sqs_oldest_message_age_seconds{queue=\"orders\"} > 3600");
  EXPECT_EQ(list[1]["for"].Scalar(), "5m");
  EXPECT_EQ(list[1]["labels"]["severity"].Scalar(), "ticket");
  EXPECT_THAT(list[1]["annotations"]["summary"].Scalar(), HasSubstr("humanizeDuration"));
}

TEST(AlertsTest, AFileWithoutAlarmsHasAnEmptyGroup) {
  YAML::Node rules = YAML::Load(RenderAlertRules(MustParse("queues:\n  q:\n"), "g"));
  EXPECT_EQ(rules["groups"][0]["rules"].size(), 0u);
}

TEST(AlertsTest, AlarmsAreValidated) {
  auto error = [](std::string_view text) {
    Result<Spec> spec = ParseSpec(text, "r.yaml");
    return spec.ok() ? std::string() : spec.status().message();
  };
  EXPECT_THAT(error("queues:\n  q:\n    alarms: {}\n"),
              HasSubstr("alarms needs messages_visible_above or oldest_message_age_above"));
  EXPECT_THAT(error("queues:\n  q:\n    alarms: {messages_visible_above: -1}\n"),
              HasSubstr("messages_visible_above must be a whole number, 0 or more"));
  EXPECT_THAT(error("queues:\n  q:\n    alarms: {messages_visible_above: 1, for: soon}\n"),
              HasSubstr("for must be a Prometheus duration"));
  EXPECT_THAT(error("queues:\n  q:\n    alarms: {depth: 1}\n"),
              HasSubstr("r.yaml:3:14: unknown key 'depth' in alarms"));
}

}  // namespace
}  // namespace ferry::resources
