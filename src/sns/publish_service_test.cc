// Publish and PublishBatch through SnsService::Invoke, over topics and
// subscriptions the service made: the registry's snapshot, its internal
// queues and the queue keys it derives, on both wires.
#include <gtest/gtest.h>

#include "message/payload.h"
#include "sns/sns_test_util.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:000000000000:q";
constexpr std::string_view kFifoQueueArn = "arn:aws:sqs:us-east-1:000000000000:q.fifo";

class SnsPublishServiceTest : public ::testing::TestWithParam<api::Wire>, public SnsFixture {
 public:
  SnsPublishServiceTest() { wire = GetParam(); }

  // A queue of this server, made in the engine under the key the registry
  // derives from its ARN.
  std::string MakeQueue(std::string_view arn, bool fifo) {
    const std::string key = registry.QueueKeyOf(arn);
    engine::QueueSettings s;
    s.fifo = fifo;
    EXPECT_TRUE(engine.CreateQueue(key, s, {}).ok());
    return key;
  }

  // The bodies waiting in a queue, received.
  std::vector<std::string> Bodies(const std::string& key) {
    std::vector<std::string> out;
    auto q = engine.FindQueue(key);
    engine::ReceiveRequest req;
    req.max_messages = 10;
    auto got = q->Receive(req);
    EXPECT_TRUE(got.ok());
    for (const auto& m : *got) out.emplace_back(message::DecodePayload(m.payload)->body);
    return out;
  }
};

TEST_P(SnsPublishServiceTest, PublishReachesAQueueSubscribedThroughTheService) {
  const std::string topic = CreateTopic("t");
  const std::string key = MakeQueue(kQueueArn, false);
  Subscribe(topic, "sqs", kQueueArn, R"({"RawMessageDelivery": "true"})");
  auto out = Ok("Publish", Json({{"TopicArn", topic}, {"Message", "hello"}}));
  EXPECT_EQ(Str(out, "MessageId").size(), 36u);
  EXPECT_EQ(Bodies(key), std::vector<std::string>{"hello"});
}

TEST_P(SnsPublishServiceTest, FilterPolicySetThroughTheServiceApplies) {
  const std::string topic = CreateTopic("t");
  const std::string key = MakeQueue(kQueueArn, false);
  Subscribe(topic, "sqs", kQueueArn,
            R"({"RawMessageDelivery": "true", "FilterPolicy": "{\"colour\": [\"red\"]}"})");
  for (std::string_view colour : {"blue", "red"}) {
    Ok("Publish", Json({{"TopicArn", topic},
                        {"Message", colour},
                        {"MessageAttributes",
                         {{"colour", {{"DataType", "String"}, {"StringValue", colour}}}}}}));
  }
  EXPECT_EQ(Bodies(key), std::vector<std::string>{"red"});
}

TEST_P(SnsPublishServiceTest, FifoTopicMadeByTheServiceDeduplicates) {
  const std::string topic =
      CreateTopic("f.fifo", R"({"FifoTopic": "true", "ContentBasedDeduplication": "true"})");
  const std::string key = MakeQueue(kFifoQueueArn, true);
  Subscribe(topic, "sqs", kFifoQueueArn, R"({"RawMessageDelivery": "true"})");
  const std::string request =
      Json({{"TopicArn", topic}, {"Message", "once"}, {"MessageGroupId", "g"}});
  auto first = Ok("Publish", request);
  auto second = Ok("Publish", request);
  EXPECT_EQ(Str(first, "MessageId"), Str(second, "MessageId"));
  EXPECT_EQ(Str(first, "SequenceNumber").size(), 20u);
  EXPECT_EQ(Str(first, "SequenceNumber"), Str(second, "SequenceNumber"));
  EXPECT_EQ(Bodies(key), std::vector<std::string>{"once"});
}

TEST_P(SnsPublishServiceTest, PublishToAnHttpSubscriptionWaitsForConfirmation) {
  const std::string topic = CreateTopic("t");
  Subscribe(topic, "https", "https://example.com/hook");
  auto subs = registry.HttpSubscriptions();
  ASSERT_EQ(subs.size(), 1u);
  const std::string delivery = subs[0]->queue_key;
  std::string types;
  ReceiveItems(delivery, &types);
  EXPECT_EQ(types, "SubscriptionConfirmation;");
  Ok("Publish", Json({{"TopicArn", topic}, {"Message", "m"}}));
  // Pending: nothing but the confirmation was ever queued.
  clock.Advance(60'000);
  engine.Tick();
  types.clear();
  ReceiveItems(delivery, &types);
  EXPECT_EQ(types, "SubscriptionConfirmation;");
}

TEST_P(SnsPublishServiceTest, PublishBatchAnswersPerEntry) {
  const std::string topic = CreateTopic("t");
  const std::string key = MakeQueue(kQueueArn, false);
  Subscribe(topic, "sqs", kQueueArn, R"({"RawMessageDelivery": "true"})");
  auto out = Ok("PublishBatch",
                Json({{"TopicArn", topic},
                      {"PublishBatchRequestEntries",
                       {{{"Id", "a"}, {"Message", "1"}}, {{"Id", "b"}, {"Message", ""}}}}}));
  ASSERT_TRUE(out.contains("Successful"));
  ASSERT_EQ(out["Successful"].as_array().size(), 1u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(S(out["Failed"].as_array()[0].at("Id")), "b");
  EXPECT_EQ(Bodies(key), std::vector<std::string>{"1"});
}

TEST_P(SnsPublishServiceTest, PublishToAMissingTopicIsNotFound) {
  std::string message;
  EXPECT_EQ(Fails("Publish", Json({{"TopicArn", "arn:aws:sns:us-east-1:000000000000:none"},
                                   {"Message", "m"}}),
                  &message),
            "NotFound");
  EXPECT_EQ(message, "Topic does not exist");
}

TEST_P(SnsPublishServiceTest, AnotherAccountsTopicIsAnAuthorizationError) {
  const std::string topic = CreateTopic("t");
  account = "111111111111";
  std::string message;
  EXPECT_EQ(Fails("Publish", Json({{"TopicArn", topic}, {"Message", "m"}}), &message),
            "AuthorizationError");
  EXPECT_EQ(message, "User: arn:aws:iam::111111111111:root is not authorized to perform: "
                     "SNS:Publish on resource: " + topic);
  EXPECT_EQ(Fails("PublishBatch", Json({{"TopicArn", topic},
                                        {"PublishBatchRequestEntries",
                                         {{{"Id", "a"}, {"Message", "m"}}}}})),
            "AuthorizationError");
}

INSTANTIATE_TEST_SUITE_P(BothWires, SnsPublishServiceTest,
                         ::testing::Values(api::Wire::kJson, api::Wire::kQuery));

}  // namespace
}  // namespace ferry::sns
