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
  };
  for (const auto& [name, value] : bad) {
    auto s = Apply({{name, value}});
    ASSERT_FALSE(s.ok()) << name << "=" << value;
    EXPECT_EQ(Code(s.status()), "InvalidAttributeValue") << name << "=" << value;
    EXPECT_EQ(s.status().message(), "Invalid value for the parameter " + name + ".");
  }
}

TEST(AttributesTest, RedrivePoliciesThatAreNotJsonObjectsAreInvalidAttributeValue) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"RedrivePolicy", "[1]"},
           {"RedrivePolicy", "{"},
           {"RedriveAllowPolicy", "{"},
           {"RedriveAllowPolicy", R"({"redrivePermission":"maybe"})"},
           {"RedriveAllowPolicy", R"({"redrivePermission":"allowAll","other":1})"}}) {
    auto s = Apply({{name, value}});
    ASSERT_FALSE(s.ok()) << name << "=" << value;
    EXPECT_EQ(Code(s.status()), "InvalidAttributeValue") << name << "=" << value;
    EXPECT_TRUE(
        s.status().message().starts_with("Invalid value for the parameter " + name + ". Reason: "))
        << s.status().message();
  }
}

TEST(AttributesTest, RedrivePolicyBecomesEngineSettings) {
  auto s = Apply(
      {{"RedrivePolicy",
        R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"5"})"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->dead_letter_queue, "dlq");
  EXPECT_EQ(s->max_receive_count, 5);
  EXPECT_FALSE(s->extra.contains("RedrivePolicy"));
  auto number = Apply(
      {{"RedrivePolicy", R"({"maxReceiveCount":1000,"deadLetterTargetArn":"arn:aws:sqs:r:1:d"})"}});
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->max_receive_count, 1000);
  auto removed = Apply({{"RedrivePolicy", ""}}, *s);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, DefaultQueueSettings());
}

TEST(AttributesTest, RedrivePolicyRulesAreInvalidParameterValueWithAwsReasons) {
  const std::string arn = R"("deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq")";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{" + arn + "}", "Redrive policy does not contain mandatory attribute: maxReceiveCount."},
      {R"({"maxReceiveCount":3})",
       "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."},
      {"{" + arn + R"(,"maxReceiveCount":0})",
       "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive."},
      {"{" + arn + R"(,"maxReceiveCount":"1001"})",
       "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive."},
      {"{" + arn + R"(,"maxReceiveCount":"x"})",
       "Invalid value for maxReceiveCount: x, valid values are from 1 to 1000 both inclusive."},
      {R"({"deadLetterTargetArn":"dlq","maxReceiveCount":3})",
       "Dead-letter target ARN should be fully qualified ARN."},
      {"{" + arn + R"(,"maxReceiveCount":3,"extra":1})",
       "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount]."},
  };
  for (const auto& [value, reason] : bad) {
    auto s = Apply({{"RedrivePolicy", value}});
    ASSERT_FALSE(s.ok()) << value;
    EXPECT_EQ(Code(s.status()), "InvalidParameterValue") << value;
    EXPECT_EQ(s.status().message(),
              "Value " + value + " for parameter RedrivePolicy is invalid. Reason: " + reason);
  }
}

TEST(AttributesTest, RedriveAllowPolicyRules) {
  EXPECT_TRUE(Apply({{"RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"}}).ok());
  EXPECT_TRUE(Apply({{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}}).ok());
  auto by_queue =
      Apply({{"RedriveAllowPolicy",
              R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:r:1:a"]})"}});
  ASSERT_TRUE(by_queue.ok());
  EXPECT_TRUE(by_queue->extra.contains("RedriveAllowPolicy"));
  std::string eleven = R"({"redrivePermission":"byQueue","sourceQueueArns":[)";
  for (int i = 0; i < 11; ++i) {
    eleven += std::string(i ? "," : "") + R"("arn:aws:sqs:r:1:q)" + std::to_string(i) + R"(")";
  }
  eleven += "]}";
  for (const auto& [value, reason] : std::vector<std::pair<std::string, std::string>>{
           {R"({"redrivePermission":"byQueue"})",
            "you must also specify one or more sourceQueueArns"},
           {R"({"redrivePermission":"byQueue","sourceQueueArns":[]})",
            "you must also specify one or more sourceQueueArns"},
           {R"({"redrivePermission":"allowAll","sourceQueueArns":["a"]})",
            "you must set redrivePermission to byQueue"},
           {eleven, "The maximum number of source queue ARNs you can specify is 10."}}) {
    auto s = Apply({{"RedriveAllowPolicy", value}});
    ASSERT_FALSE(s.ok()) << value;
    EXPECT_EQ(Code(s.status()), "InvalidParameterValue") << value;
    EXPECT_NE(s.status().message().find(reason), std::string::npos) << s.status().message();
  }
  auto removed = Apply({{"RedriveAllowPolicy", ""}}, *by_queue);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(removed->extra.contains("RedriveAllowPolicy"));
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
  const std::string allow = R"({"redrivePermission":"denyAll"})";
  auto s = Apply({{"Policy", policy}, {"RedriveAllowPolicy", allow}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extra.at("Policy"), policy);
  auto removed = Apply({{"Policy", ""}}, *s);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(removed->extra.contains("Policy"));
  EXPECT_EQ(removed->extra.at("RedriveAllowPolicy"), allow);
}

// Every queue attribute is echoed by GetQueueAttributes: what could not be
// sent back in XML or JSON is refused on the way in.
TEST(AttributesTest, ValuesWithCharactersSqsRefusesAreInvalidAttributeValue) {
  const std::pair<std::string, std::string> bad[] = {
      {"KmsMasterKeyId", "\x01"},
      {"KmsMasterKeyId", "alias/\xFF"},
      {"KmsMasterKeyId", "alias/with space"},
      {"KmsMasterKeyId", std::string(2049, 'k')},
      {"Policy", "{\"Id\":\"\xEF\xBF\xBF\"}"},  // U+FFFF in a JSON string
      {"RedriveAllowPolicy", "{\"redrivePermission\":\"allowAll\",\"x\":\"\xFF\"}"},
      {"DelaySeconds", "1\x01"},
  };
  for (const auto& [name, value] : bad) {
    auto s = Apply({{name, value}});
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(Code(s.status()), "InvalidAttributeValue") << name;
  }
  for (std::string key : {"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/aws/sqs",
                          "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias"}) {
    auto s = Apply({{"KmsMasterKeyId", key}});
    ASSERT_TRUE(s.ok()) << key;
    EXPECT_EQ(s->extra.at("KmsMasterKeyId"), key);
  }
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

TEST(AttributesTest, RemovingTheKmsKeyForgetsItsReusePeriod) {
  auto s = Apply({{"KmsMasterKeyId", "alias/aws/sqs"}, {"KmsDataKeyReusePeriodSeconds", "600"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extra.at("KmsDataKeyReusePeriodSeconds"), "600");
  auto removed = Apply({{"KmsMasterKeyId", ""}}, *s);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(removed->extra.contains("KmsMasterKeyId"));
  EXPECT_FALSE(removed->extra.contains("KmsDataKeyReusePeriodSeconds"));
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
  EXPECT_EQ(*CheckQueueKind("orders.fifo", {{"FifoQueue", "True"}}), true);
  EXPECT_EQ(*CheckQueueKind("orders.fifo", {{"FifoQueue", "TRUE"}}), true);
  // A standard queue has no FifoQueue attribute: naming it is an unknown name.
  EXPECT_EQ(Code(CheckQueueKind("orders", {{"FifoQueue", "false"}}).status()),
            "InvalidAttributeName");
  EXPECT_EQ(Code(CheckQueueKind("orders", {{"FifoQueue", "False"}}).status()),
            "InvalidAttributeName");
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

namespace ferry::sqs {
namespace {

constexpr char kPush[] =
    R"({"endpoint":"http://127.0.0.1:9/hook","signingSecret":"0123456789abcdef"})";

TEST(AttributesTest, FerryPushConsumerIsValidatedAndKeptVerbatim) {
  auto s = Apply({{"FerryPushConsumer", kPush}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->extra.at("FerryPushConsumer"), kPush);
  auto removed = Apply({{"FerryPushConsumer", ""}}, *s);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->extra.count("FerryPushConsumer"), 0u);

  auto bad = Apply({{"FerryPushConsumer", R"({"endpoint":"http://h/"})"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(Code(bad.status()), "InvalidAttributeValue");
  EXPECT_EQ(bad.status().message(),
            "Invalid value for the parameter FerryPushConsumer. Reason: signingSecret is "
            "required.");
}

TEST(AttributesTest, FerryPushConsumerDiffersOnlyWhenItsValueDoes) {
  auto existing = Apply({{"FerryPushConsumer", kPush}});
  ASSERT_TRUE(existing.ok());
  const AttributeMap same = {{"FerryPushConsumer", kPush}};
  EXPECT_EQ(FirstDifferingAttribute(same, *existing, *Apply(same, *existing)), std::nullopt);
  const AttributeMap none = {{"FerryPushConsumer", ""}};
  EXPECT_EQ(FirstDifferingAttribute(none, *existing, *Apply(none, *existing)), "FerryPushConsumer");
}

}  // namespace
}  // namespace ferry::sqs
