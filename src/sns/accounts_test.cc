// Each account sees only its own topics and subscriptions: what account B
// can do with account A's topic, its subscriptions and A's queues.
#include <gtest/gtest.h>

#include "sns/sns_test_util.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kA = "111111111111";
constexpr std::string_view kB = "222222222222";
constexpr std::string_view kTopicA = "arn:aws:sns:us-east-1:111111111111:t";
constexpr std::string_view kQueueA = "arn:aws:sqs:us-east-1:111111111111:q";

class SnsAccountsTest : public ::testing::TestWithParam<api::Wire>, public SnsFixture {
 public:
  SnsAccountsTest() {
    wire = GetParam();
    account = std::string(kA);
    CreateTopic("t");
    sub_a = Subscribe(kTopicA, "sqs", kQueueA);
    account = std::string(kB);
  }
  std::string sub_a;
};
INSTANTIATE_TEST_SUITE_P(Wires, SnsAccountsTest,
                         ::testing::Values(api::Wire::kJson, api::Wire::kQuery),
                         [](const auto& info) {
                           return info.param == api::Wire::kJson ? "Json" : "Query";
                         });

TEST_P(SnsAccountsTest, ListsShowOnlyTheCallersOwn) {
  EXPECT_TRUE(Ok("ListTopics", "{}")["Topics"].as_array().empty());
  EXPECT_TRUE(Ok("ListSubscriptions", "{}")["Subscriptions"].as_array().empty());
  account = std::string(kA);
  EXPECT_EQ(Ok("ListTopics", "{}")["Topics"].as_array().size(), 1u);
  EXPECT_EQ(Ok("ListSubscriptions", "{}")["Subscriptions"].as_array().size(), 1u);
}

TEST_P(SnsAccountsTest, AnotherAccountsTopicCannotBeUsed) {
  std::string message;
  EXPECT_EQ(Fails("Publish", Json({{"TopicArn", kTopicA}, {"Message", "m"}}), &message),
            "AuthorizationError");
  EXPECT_EQ(message,
            "User: arn:aws:iam::222222222222:root is not authorized to perform: SNS:Publish on "
            "resource: arn:aws:sns:us-east-1:111111111111:t");
  EXPECT_EQ(Fails("ListSubscriptionsByTopic", Json({{"TopicArn", kTopicA}})), "AuthorizationError");
  EXPECT_EQ(Fails("Subscribe", Json({{"TopicArn", kTopicA},
                                     {"Protocol", "sqs"},
                                     {"Endpoint", "arn:aws:sqs:us-east-1:222222222222:mine"}})),
            "AuthorizationError");
}

TEST_P(SnsAccountsTest, AnotherAccountsSubscriptionCannotBeReadChangedOrRemoved) {
  std::string message;
  EXPECT_EQ(Fails("GetSubscriptionAttributes", Json({{"SubscriptionArn", sub_a}}), &message),
            "AuthorizationError");
  EXPECT_EQ(message,
            "User: arn:aws:iam::222222222222:root is not authorized to perform: "
            "SNS:GetSubscriptionAttributes on resource: arn:aws:sns:us-east-1:111111111111:t");
  EXPECT_EQ(Fails("SetSubscriptionAttributes", Json({{"SubscriptionArn", sub_a},
                                                     {"AttributeName", "RawMessageDelivery"},
                                                     {"AttributeValue", "true"}})),
            "AuthorizationError");
  EXPECT_EQ(Fails("Unsubscribe", Json({{"SubscriptionArn", sub_a}})), "AuthorizationError");
  account = std::string(kA);
  EXPECT_EQ(SubscriptionAttributes(sub_a)["RawMessageDelivery"], "false");
}

// Subscribing another account's queue is allowed: the queue's policy
// decides at each publish whether copies arrive (policy_enforcement_test.cc).
TEST_P(SnsAccountsTest, AnotherAccountsQueueCanBeSubscribedItsPolicyDecidesDelivery) {
  CreateTopic("mine");
  Subscribe("arn:aws:sns:us-east-1:222222222222:mine", "sqs", std::string(kQueueA));
}

}  // namespace
}  // namespace ferry::sns
