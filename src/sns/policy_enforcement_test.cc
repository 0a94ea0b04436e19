// Policies, enforced on the SNS side: a topic's Policy opens it to other
// accounts, and a copy fanned out to an SQS queue is stored only when the
// queue's Policy lets the topic send (queue_access.h), with the SQS and SNS
// services sharing one cache of parsed queue policies, as `ferry serve`
// wires them.
#include <gtest/gtest.h>

#include "engine/body_store.h"
#include "engine/local_engine.h"
#include "sns/service.h"
#include "sns/sns_test_util.h"
#include "sqs/accounts_test_util.h"
#include "sqs/service.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kA = "111111111111";
constexpr std::string_view kB = "222222222222";
constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:111111111111:inbox";
constexpr std::string_view kQueueUrl = "http://localhost:9324/111111111111/inbox";
constexpr std::string_view kTopicOfA = "arn:aws:sns:us-east-1:111111111111:news";
constexpr std::string_view kTopicOfB = "arn:aws:sns:us-east-1:222222222222:events";

using Answer = Result<boost::json::object>;

class SnsPolicyTest : public ::testing::Test {
 protected:
  SnsPolicyTest()
      : engine(clock, engine::NewMemoryBodyStore()),
        registry(engine, RegistryOptions{}),
        sqs(engine, io.get_executor(), sqs::SqsOptions{.queue_policies = policies}),
        sns(engine, registry, nullptr, io.get_executor(),
            SnsOptions{.queue_policies = policies}) {
    EXPECT_TRUE(registry.Load().ok());
  }

  Answer Invoke(api::Service& service, std::string_view account, std::string_view action,
                const boost::json::object& params) {
    api::Call call;
    call.service = std::string(service.name());
    call.action = std::string(action);
    call.params = params;
    call.ctx.request_id = "test";
    call.ctx.host = "localhost:9324";
    call.ctx.path = "/";
    call.ctx.region = "us-east-1";
    sqs::ByRootUserOf(account, call);
    std::optional<Answer> slot;
    service.Invoke(std::move(call), [&](Answer a) { slot = std::move(a); });
    for (int i = 0; i < 1000 && !slot; ++i) {
      io.restart();
      io.run_one_for(std::chrono::milliseconds(10));
    }
    if (!slot) return Status::Internal("no reply");
    return std::move(*slot);
  }
  boost::json::object Ok(api::Service& service, std::string_view account, std::string_view action,
                         const boost::json::object& params) {
    Answer a = Invoke(service, account, action, params);
    EXPECT_TRUE(a.ok()) << account << " " << action << ": " << a.status().message();
    return a.ok() ? std::move(*a) : boost::json::object();
  }
  std::string Fails(api::Service& service, std::string_view account, std::string_view action,
                    const boost::json::object& params, std::string* message = nullptr) {
    Answer a = Invoke(service, account, action, params);
    EXPECT_FALSE(a.ok()) << account << " " << action << " succeeded";
    if (a.ok()) return "";
    if (message) *message = a.status().message();
    return std::string(api::ErrorFor(a.status()).code);
  }

  void SetQueuePolicy(std::string_view policy) {
    Ok(sqs, kA, "SetQueueAttributes",
       {{"QueueUrl", kQueueUrl}, {"Attributes", boost::json::object{{"Policy", policy}}}});
  }
  void Publish(std::string_view account, std::string_view topic, std::string_view message) {
    Ok(sns, account, "Publish", {{"TopicArn", topic}, {"Message", message}});
  }
  // The raw bodies waiting in A's queue, received by A.
  std::vector<std::string> Inbox() {
    auto out = Ok(sqs, kA, "ReceiveMessage", {{"QueueUrl", kQueueUrl}, {"MaxNumberOfMessages", 10}});
    std::vector<std::string> bodies;
    if (auto* m = out.if_contains("Messages")) {
      for (const auto& v : m->as_array()) bodies.emplace_back(v.as_object().at("Body").as_string());
    }
    return bodies;
  }
  // A's queue, and a raw subscription of `topic` (made by its owner) to it.
  void Subscribe(std::string_view owner, std::string_view topic) {
    Ok(sns, owner, "Subscribe",
       {{"TopicArn", topic},
        {"Protocol", "sqs"},
        {"Endpoint", kQueueArn},
        {"Attributes", boost::json::object{{"RawMessageDelivery", "true"}}}});
  }
  std::string SnsMaySendFrom(std::string_view topic, std::string_view effect = "Allow") {
    return Json({{"Version", "2012-10-17"},
                 {"Statement",
                  boost::json::array{boost::json::object{
                      {"Effect", effect},
                      {"Principal", boost::json::object{{"Service", "sns.amazonaws.com"}}},
                      {"Action", "sqs:SendMessage"},
                      {"Resource", kQueueArn},
                      {"Condition", boost::json::object{{"ArnEquals",
                                                         boost::json::object{
                                                             {"aws:SourceArn", topic}}}}}}}}});
  }

  FakeClock clock;
  engine::LocalEngine engine;
  boost::asio::io_context io;
  std::shared_ptr<auth::PolicyCache> policies = std::make_shared<auth::PolicyCache>();
  Registry registry;
  sqs::SqsService sqs;
  SnsService sns;

  void SetUp() override {
    Ok(sqs, kA, "CreateQueue", {{"QueueName", "inbox"}});
    Ok(sns, kA, "CreateTopic", {{"Name", "news"}});
    Ok(sns, kB, "CreateTopic", {{"Name", "events"}});
  }
};

TEST_F(SnsPolicyTest, AQueueWithoutAPolicyTakesItsOwnAccountsTopics) {
  Subscribe(kA, kTopicOfA);
  Publish(kA, kTopicOfA, "mine");
  EXPECT_EQ(Inbox(), std::vector<std::string>{"mine"});
  EXPECT_EQ(sns.counters().copies.load(), 1u);
  EXPECT_EQ(sns.counters().refused.load(), 0u);
}

TEST_F(SnsPolicyTest, AnotherAccountsTopicDeliversOnlyOnceTheQueuePolicyAllowsIt) {
  Subscribe(kB, kTopicOfB);
  Publish(kB, kTopicOfB, "before");
  EXPECT_TRUE(Inbox().empty());
  EXPECT_EQ(sns.counters().refused.load(), 1u);

  // A policy for another topic does not open the queue to this one.
  SetQueuePolicy(SnsMaySendFrom(kTopicOfA));
  Publish(kB, kTopicOfB, "other topic allowed");
  EXPECT_TRUE(Inbox().empty());
  EXPECT_EQ(sns.counters().refused.load(), 2u);

  SetQueuePolicy(SnsMaySendFrom(kTopicOfB));
  Publish(kB, kTopicOfB, "after");
  EXPECT_EQ(Inbox(), std::vector<std::string>{"after"});
  EXPECT_EQ(sns.counters().refused.load(), 2u);
  EXPECT_EQ(sns.counters().copies.load(), 1u);

  // Taking the policy away closes the queue again.
  SetQueuePolicy("");
  Publish(kB, kTopicOfB, "closed");
  EXPECT_TRUE(Inbox().empty());
  EXPECT_EQ(sns.counters().refused.load(), 3u);
}

TEST_F(SnsPolicyTest, AnExplicitDenyRefusesEvenTheQueueOwnersTopic) {
  Subscribe(kA, kTopicOfA);
  SetQueuePolicy(SnsMaySendFrom(kTopicOfA, "Deny"));
  Publish(kA, kTopicOfA, "denied");
  EXPECT_TRUE(Inbox().empty());
  EXPECT_EQ(sns.counters().refused.load(), 1u);
}

TEST_F(SnsPolicyTest, AnotherAccountsTopicIsOpenedByItsPolicy) {
  std::string message;
  EXPECT_EQ(Fails(sns, kB, "Publish", {{"TopicArn", kTopicOfA}, {"Message", "m"}}, &message),
            "AuthorizationError");
  EXPECT_EQ(message, "User: arn:aws:iam::222222222222:root is not authorized to perform: "
                     "SNS:Publish on resource: " + std::string(kTopicOfA));
  // A topic of A that does not exist answers the same: nothing is learnt.
  EXPECT_EQ(Fails(sns, kB, "Publish",
                  {{"TopicArn", "arn:aws:sns:us-east-1:111111111111:none"}, {"Message", "m"}}),
            "AuthorizationError");

  const std::string policy = Json(
      {{"Version", "2012-10-17"},
       {"Statement", boost::json::object{{"Effect", "Allow"},
                                         {"Principal", boost::json::object{{"AWS", kB}}},
                                         {"Action", boost::json::array{"sns:Publish",
                                                                       "sns:GetTopicAttributes"}},
                                         {"Resource", kTopicOfA}}}});
  Ok(sns, kA, "SetTopicAttributes",
     {{"TopicArn", kTopicOfA}, {"AttributeName", "Policy"}, {"AttributeValue", policy}});
  Subscribe(kA, kTopicOfA);
  Ok(sns, kB, "Publish", {{"TopicArn", kTopicOfA}, {"Message", "from b"}});
  Ok(sns, kB, "PublishBatch",
     {{"TopicArn", kTopicOfA},
      {"PublishBatchRequestEntries",
       boost::json::array{boost::json::object{{"Id", "1"}, {"Message", "batched"}}}}});
  EXPECT_EQ(Inbox(), (std::vector<std::string>{"from b", "batched"}));
  Ok(sns, kB, "GetTopicAttributes", {{"TopicArn", kTopicOfA}});
  EXPECT_EQ(Fails(sns, kB, "DeleteTopic", {{"TopicArn", kTopicOfA}}), "AuthorizationError");
  EXPECT_EQ(Fails(sns, kB, "Subscribe",
                  {{"TopicArn", kTopicOfA}, {"Protocol", "sqs"}, {"Endpoint", kQueueArn}}),
            "AuthorizationError");
}

TEST_F(SnsPolicyTest, AddPermissionGrantsAnotherAccount) {
  Ok(sns, kA, "AddPermission",
     {{"TopicArn", kTopicOfA},
      {"Label", "b-subscribes"},
      {"AWSAccountId", boost::json::array{kB}},
      {"ActionName", boost::json::array{"Subscribe"}}});
  Ok(sns, kB, "Subscribe",
     {{"TopicArn", kTopicOfA},
      {"Protocol", "sqs"},
      {"Endpoint", "arn:aws:sqs:us-east-1:222222222222:mine"}});
  EXPECT_EQ(Fails(sns, kB, "Publish", {{"TopicArn", kTopicOfA}, {"Message", "m"}}),
            "AuthorizationError");
  Ok(sns, kA, "RemovePermission", {{"TopicArn", kTopicOfA}, {"Label", "b-subscribes"}});
  EXPECT_EQ(Fails(sns, kB, "Subscribe",
                  {{"TopicArn", kTopicOfA}, {"Protocol", "sqs"},
                   {"Endpoint", "arn:aws:sqs:us-east-1:222222222222:mine"}}),
            "AuthorizationError");
}

// The default policy SNS shows for a topic (AWS:SourceOwner = the owner),
// set back as it is, keeps the owner working and opens nothing.
TEST_F(SnsPolicyTest, TheDefaultPolicySetExplicitlyKeepsTheOwnerWorking) {
  auto attributes = Ok(sns, kA, "GetTopicAttributes", {{"TopicArn", kTopicOfA}});
  const std::string policy(attributes["Attributes"].as_object()["Policy"].as_string());
  EXPECT_NE(policy.find("AWS:SourceOwner"), std::string::npos);
  Ok(sns, kA, "SetTopicAttributes",
     {{"TopicArn", kTopicOfA}, {"AttributeName", "Policy"}, {"AttributeValue", policy}});
  Subscribe(kA, kTopicOfA);
  Publish(kA, kTopicOfA, "still mine");
  EXPECT_EQ(Inbox(), std::vector<std::string>{"still mine"});
  Ok(sns, kA, "GetTopicAttributes", {{"TopicArn", kTopicOfA}});
  EXPECT_EQ(Fails(sns, kB, "Publish", {{"TopicArn", kTopicOfA}, {"Message", "m"}}),
            "AuthorizationError");
}

TEST_F(SnsPolicyTest, TheOwnerDeniedByItsPolicyIsNotAuthorized) {
  const std::string policy =
      R"({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish"}]})";
  Ok(sns, kA, "SetTopicAttributes",
     {{"TopicArn", kTopicOfA}, {"AttributeName", "Policy"}, {"AttributeValue", policy}});
  EXPECT_EQ(Fails(sns, kA, "Publish", {{"TopicArn", kTopicOfA}, {"Message", "m"}}),
            "AuthorizationError");
  Ok(sns, kA, "GetTopicAttributes", {{"TopicArn", kTopicOfA}});
}

TEST_F(SnsPolicyTest, AnInvalidTopicPolicyIsRefusedAsSnsRefusesIt) {
  std::string message;
  EXPECT_EQ(Fails(sns, kA, "SetTopicAttributes",
                  {{"TopicArn", kTopicOfA},
                   {"AttributeName", "Policy"},
                   {"AttributeValue", R"({"Statement": [{"Effect": "Allow", "Action": "sns:*"}]})"}},
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Policy Error: Missing required field Principal");
  EXPECT_EQ(Fails(sns, kA, "SetTopicAttributes",
                  {{"TopicArn", kTopicOfA},
                   {"AttributeName", "Policy"},
                   {"AttributeValue",
                    R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}})"}},
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Policy Error: Policy statement action out of service scope!");
  EXPECT_EQ(Fails(sns, kA, "CreateTopic",
                  {{"Name", "bad"}, {"Attributes", boost::json::object{{"Policy", "{"}}}}, &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Policy Error: The policy is not valid JSON");
}

}  // namespace
}  // namespace ferry::sns
