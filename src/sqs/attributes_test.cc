#include "sqs/attributes.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::sqs {
namespace {

std::string Code(const Status& s) { return std::string(api::ErrorFor(s).code); }

Result<engine::QueueSettings> Apply(const AttributeMap& attrs,
                                    engine::QueueSettings base = DefaultQueueSettings()) {
  Status s = ApplyQueueAttributes(attrs, &base);
  if (!s.ok()) return s;
  return base;
}

TEST(AttributesTest, EngineSettingsAreParsedIntoFields) {
  auto s = Apply({{"DelaySeconds", "5"},
                  {"MaximumMessageSize", "2048"},
                  {"MessageRetentionPeriod", "60"},
                  {"ReceiveMessageWaitTimeSeconds", "20"},
                  {"VisibilityTimeout", "43200"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->delay_s, 5);
  EXPECT_EQ(s->max_message_size, 2048);
  EXPECT_EQ(s->retention_s, 60);
  EXPECT_EQ(s->receive_wait_s, 20);
  EXPECT_EQ(s->visibility_timeout_s, 43200);
  EXPECT_TRUE(s->extra.empty());
}

TEST(AttributesTest, ValuesOutsideTheirRangeAreInvalidAttributeValue) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"DelaySeconds", "901"},
      {"DelaySeconds", "-1"},
      {"MaximumMessageSize", "1023"},
      {"MaximumMessageSize", "1048577"},
      {"MessageRetentionPeriod", "59"},
      {"MessageRetentionPeriod", "1209601"},
      {"ReceiveMessageWaitTimeSeconds", "21"},
      {"VisibilityTimeout", "43201"},
      {"VisibilityTimeout", "ten"},
      {"VisibilityTimeout", ""},
      {"VisibilityTimeout", "1.5"},
      {"KmsDataKeyReusePeriodSeconds", "59"},
      {"KmsDataKeyReusePeriodSeconds", "86401"},
      {"SqsManagedSseEnabled", "yes"},
      {"Policy", "not json"},
      {"RedrivePolicy", "[1]"},
      {"RedriveAllowPolicy", "{"},
  };
  for (const auto& [name, value] : bad) {
    auto s = Apply({{name, value}});
    ASSERT_FALSE(s.ok()) << name << "=" << value;
    EXPECT_EQ(Code(s.status()), "InvalidAttributeValue") << name << "=" << value;
    EXPECT_EQ(s.status().message(), "Invalid value for the parameter " + name + ".");
  }
}

TEST(AttributesTest, UnknownAndReadOnlyNamesAreInvalidAttributeName) {
  for (std::string name : {"Bogus", "QueueArn", "ApproximateNumberOfMessages", "All",
                           "CreatedTimestamp", "visibilitytimeout"}) {
    auto s = Apply({{name, "1"}});
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(Code(s.status()), "InvalidAttributeName") << name;
  }
}

TEST(AttributesTest, PoliciesAreKeptVerbatimAndEmptyRemovesThem) {
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  auto s = Apply({{"Policy", policy}, {"RedrivePolicy", R"({"maxReceiveCount":"5"})"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extra.at("Policy"), policy);
  auto removed = Apply({{"Policy", ""}}, *s);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(removed->extra.contains("Policy"));
  EXPECT_TRUE(removed->extra.contains("RedrivePolicy"));
}

TEST(AttributesTest, DefaultSseValueLeavesSettingsEqualToDefaults) {
  auto s = Apply({{"SqsManagedSseEnabled", "true"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, DefaultQueueSettings());
}

TEST(AttributesTest, KmsKeyTurnsManagedSseOff) {
  auto s = Apply({{"KmsMasterKeyId", "alias/aws/sqs"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extra.at("KmsMasterKeyId"), "alias/aws/sqs");
  auto both = Apply({{"KmsMasterKeyId", "alias/aws/sqs"}, {"SqsManagedSseEnabled", "true"}});
  EXPECT_EQ(Code(both.status()), "InvalidAttributeValue");
  auto back = Apply({{"SqsManagedSseEnabled", "true"}}, *s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, DefaultQueueSettings());
}

TEST(AttributesTest, FirstDifferingAttributeComparesOnlyRequestedNames) {
  engine::QueueSettings existing = DefaultQueueSettings();
  existing.visibility_timeout_s = 60;
  AttributeMap same = {{"VisibilityTimeout", "60"}, {"SqsManagedSseEnabled", "true"}};
  engine::QueueSettings desired = existing;
  ASSERT_TRUE(ApplyQueueAttributes(same, &desired).ok());
  EXPECT_EQ(FirstDifferingAttribute(same, existing, desired), std::nullopt);

  AttributeMap other = {{"DelaySeconds", "0"}, {"VisibilityTimeout", "30"}};
  desired = existing;
  ASSERT_TRUE(ApplyQueueAttributes(other, &desired).ok());
  EXPECT_EQ(FirstDifferingAttribute(other, existing, desired), "VisibilityTimeout");
}

TEST(AttributesTest, QueueKindFollowsFifoQueueAndNeedsAFifoName) {
  EXPECT_EQ(*CheckQueueKind("orders.fifo", {{"FifoQueue", "true"}}), true);
  EXPECT_EQ(*CheckQueueKind("orders", {{"FifoQueue", "false"}}), false);
  EXPECT_EQ(*CheckQueueKind("orders", {{"VisibilityTimeout", "1"}}), false);
  EXPECT_EQ(Code(CheckQueueKind("orders", {{"FifoQueue", "true"}}).status()),
            "InvalidParameterValue");
  EXPECT_EQ(Code(CheckQueueKind("orders", {{"FifoQueue", "maybe"}}).status()),
            "InvalidAttributeValue");
  EXPECT_EQ(Code(CheckQueueKind("orders", {{"ContentBasedDeduplication", "false"}}).status()),
            "InvalidAttributeName");
  auto s = Apply({{"FifoQueue", "false"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, DefaultQueueSettings());
}

TEST(AttributesTest, FifoAttributesAreValidatedAndParsed) {
  engine::QueueSettings fifo = DefaultQueueSettings();
  fifo.fifo = true;
  auto s = Apply({{"FifoQueue", "true"},
                  {"ContentBasedDeduplication", "true"},
                  {"DeduplicationScope", "messageGroup"},
                  {"FifoThroughputLimit", "perMessageGroupId"}},
                 fifo);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->content_based_dedup);
  EXPECT_EQ(s->dedup_scope, engine::DedupScope::kMessageGroup);
  EXPECT_TRUE(s->throughput_per_group);
  EXPECT_EQ(Code(Apply({{"ContentBasedDeduplication", "yes"}}, fifo).status()),
            "InvalidAttributeValue");
  EXPECT_EQ(Code(Apply({{"DeduplicationScope", "group"}}, fifo).status()), "InvalidAttributeValue");
  EXPECT_EQ(Code(Apply({{"FifoThroughputLimit", "perGroup"}}, fifo).status()),
            "InvalidAttributeValue");
  // perMessageGroupId needs messageGroup deduplication.
  EXPECT_EQ(Code(Apply({{"FifoThroughputLimit", "perMessageGroupId"}}, fifo).status()),
            "InvalidAttributeValue");
  EXPECT_EQ(Code(Apply({{"DeduplicationScope", "queue"}}, *s).status()), "InvalidAttributeValue");
  // Standard queues have none of them.
  EXPECT_EQ(Code(Apply({{"DeduplicationScope", "queue"}}).status()), "InvalidAttributeName");
}

}  // namespace
}  // namespace ferry::sqs
