#include "sns/service.h"

#include <gtest/gtest.h>

#include "common/temp_dir_test_util.h"
#include "protocol/gateway.h"
#include "sns/sns_test_util.h"
#include "sqs/service.h"

namespace ferry::sns {
namespace {

// Every operation of the SNS model (botocore sns/2010-03-31).
constexpr std::string_view kModelActions[] = {
    "AddPermission",
    "CheckIfPhoneNumberIsOptedOut",
    "ConfirmSubscription",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateSMSSandboxPhoneNumber",
    "CreateTopic",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteSMSSandboxPhoneNumber",
    "DeleteTopic",
    "GetDataProtectionPolicy",
    "GetEndpointAttributes",
    "GetPlatformApplicationAttributes",
    "GetSMSAttributes",
    "GetSMSSandboxAccountStatus",
    "GetSubscriptionAttributes",
    "GetTopicAttributes",
    "ListEndpointsByPlatformApplication",
    "ListOriginationNumbers",
    "ListPhoneNumbersOptedOut",
    "ListPlatformApplications",
    "ListSMSSandboxPhoneNumbers",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "ListTopics",
    "OptInPhoneNumber",
    "Publish",
    "PublishBatch",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetEndpointAttributes",
    "SetPlatformApplicationAttributes",
    "SetSMSAttributes",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "Unsubscribe",
    "UntagResource",
    "VerifySMSSandboxPhoneNumber",
};

// The families Ferry refuses.
constexpr std::string_view kRefused[] = {
    "CheckIfPhoneNumberIsOptedOut",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateSMSSandboxPhoneNumber",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteSMSSandboxPhoneNumber",
    "GetDataProtectionPolicy",
    "GetEndpointAttributes",
    "GetPlatformApplicationAttributes",
    "GetSMSAttributes",
    "GetSMSSandboxAccountStatus",
    "ListEndpointsByPlatformApplication",
    "ListOriginationNumbers",
    "ListPhoneNumbersOptedOut",
    "ListPlatformApplications",
    "ListSMSSandboxPhoneNumbers",
    "OptInPhoneNumber",
    "PutDataProtectionPolicy",
    "SetEndpointAttributes",
    "SetPlatformApplicationAttributes",
    "SetSMSAttributes",
    "VerifySMSSandboxPhoneNumber",
};

TEST(SnsServiceTest, KnowsEveryActionOfTheModelAndNothingElse) {
  SnsFixture f;
  EXPECT_EQ(f.service.name(), "sns");
  for (auto action : kModelActions) EXPECT_TRUE(f.service.Knows(action)) << action;
  EXPECT_FALSE(f.service.Knows("SendMessage"));
  EXPECT_FALSE(f.service.Knows("publish"));
  EXPECT_FALSE(f.service.Knows(""));
}

TEST(SnsServiceTest, UnknownActionIsInvalidAction) {
  SnsFixture f;
  EXPECT_EQ(f.Fails("SendMessage", "{}"), "InvalidAction");
}

TEST(SnsServiceTest, SmsPushAndDataProtectionAreRefusedClearly) {
  SnsFixture f;
  for (auto action : kRefused) {
    std::string message;
    EXPECT_EQ(f.Fails(action, "{}", &message), "InvalidAction") << action;
    EXPECT_NE(message.find("is not supported by this server"), std::string::npos) << message;
    EXPECT_NE(message.find(std::string(action)), std::string::npos) << message;
  }
}

TEST(SnsServiceTest, EveryActionAnswersGarbageParamsWithAnErrorNotACrash) {
  const char* inputs[] = {
      "{}",
      R"({"TopicArn": 5, "Name": [1], "Attributes": [1], "Tags": "x", "TagKeys": {"a": 1},
          "SubscriptionArn": {}, "Protocol": null, "Endpoint": 3, "Token": [],
          "AttributeName": 1, "AttributeValue": [], "NextToken": 7, "Label": {},
          "AWSAccountId": "x", "ActionName": 3, "ResourceArn": 1,
          "ReturnSubscriptionArn": "maybe"})",
      R"({"TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Tags": [1, "x", null],
          "Attributes": {"a": 1}, "AWSAccountId": [1], "ActionName": [null]})",
      R"({"TopicArn": "arn", "SubscriptionArn": "arn:aws:sns:us-east-1:000000000000:t:x",
          "ResourceArn": "arn:aws:sns:us-east-1:000000000000:t", "Tags": [{"Key": 1}]})",
  };
  for (api::Wire wire : {api::Wire::kJson, api::Wire::kQuery}) {
    SnsFixture f;
    f.wire = wire;
    f.CreateTopic("t");
    for (auto action : kModelActions) {
      if (action == "DeleteTopic" || action == "Unsubscribe") continue;
      for (const char* in : inputs) (void)f.Call(action, in);
    }
  }
}

TEST(SnsServiceTest, PublishGoesThroughThePublishContract) {
  SnsFixture f;
  const std::string topic = f.CreateTopic("t");
  // Whatever publish answers, it answers once, through the table.
  (void)f.Call("Publish", R"({"TopicArn": ")" + topic + R"(", "Message": "m"})");
  (void)f.Call("PublishBatch", R"({"TopicArn": ")" + topic + R"(", "PublishBatchRequestEntries": []})");
}

TEST(SnsServiceTest, WritesAreAnsweredOnlyOnceDurable) {
  ferry::testing::TempDir dir;
  SnsFixture f(sqs::DurableEngineIn(dir.path()));
  const std::string topic = f.CreateTopic("t");
  EXPECT_EQ(topic, "arn:aws:sns:us-east-1:000000000000:t");
  EXPECT_FALSE(f.Subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:000000000000:q").empty());
}

// The SubscribeURL a confirmation carries is an unsigned GET of
// ConfirmSubscription: the gateway must route it to SNS (not SQS) and SNS
// must confirm by the token alone.
TEST(SnsServiceTest, TheSubscribeUrlConfirmsAsAnUnsignedGet) {
  SnsFixture f;
  f.access_key.clear();
  const std::string topic = f.CreateTopic("t");
  const std::string sub = f.Subscribe(topic, "https", "https://example.com/hook");
  std::shared_ptr<const Subscription> pending = f.registry.FindSubscription(sub);
  ASSERT_TRUE(pending);
  std::vector<std::string> bodies = f.ReceiveItems(pending->queue_key);
  ASSERT_EQ(bodies.size(), 1u);
  const boost::json::object confirmation = boost::json::parse(bodies[0]).as_object();
  std::string url(confirmation.at("SubscribeURL").as_string());
  const std::string base = "http://localhost:9324";
  ASSERT_TRUE(url.starts_with(base)) << url;

  sqs::SqsService sqs(f.engine, f.io.get_executor(), sqs::SqsOptions{});
  protocol::Gateway gateway(protocol::GatewayOptions{}, {&sqs, &f.service});
  http::Request req;
  req.method = "GET";
  req.target = url.substr(base.size());
  req.headers = {{"host", "localhost:9324"}};
  std::optional<http::Response> res;
  gateway.Handle(req, [&](http::Response r) { res = std::move(r); });
  f.io.restart();
  f.io.poll();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find("<ConfirmSubscriptionResponse"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find(sub), std::string::npos) << res->body;
  auto confirmed = f.registry.FindSubscription(sub);
  EXPECT_TRUE(confirmed->confirmed);
  EXPECT_FALSE(confirmed->confirmation_authenticated) << "an unsigned GET";
  EXPECT_EQ(Str(f.SubscriptionAttributes(sub), "PendingConfirmation"), "false");
}

}  // namespace
}  // namespace ferry::sns
