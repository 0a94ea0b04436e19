// Queue policies, enforced: another account's queue is reached only as its
// Policy allows, the owner is refused only by an explicit Deny, and a
// Policy that is no valid policy document is refused.
#include <gtest/gtest.h>

#include "engine/durable_test_util.h"
#include "sqs/accounts_test_util.h"

namespace ferry::sqs {
namespace {

constexpr std::string_view kOwner = "111111111111";
constexpr std::string_view kOther = "222222222222";
constexpr std::string_view kQueueUrl = "http://localhost:9324/111111111111/jobs";
constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:111111111111:jobs";

// The JSON text of a Policy attribute value holding `policy`.
std::string PolicyParams(std::string_view policy) {
  boost::json::object params{{"QueueUrl", kQueueUrl},
                             {"Attributes", boost::json::object{{"Policy", policy}}}};
  return boost::json::serialize(params);
}

std::string AllowOther(std::string_view actions) {
  return R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "222222222222"}, "Action": )" +
         std::string(actions) + R"(, "Resource": ")" + std::string(kQueueArn) + R"("}]})";
}

class PolicyEnforcementTest : public AccountsTestBase {
 protected:
  PolicyEnforcementTest() { source_ip = "198.51.100.7"; }
  std::string Queue() const { return R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"("})"; }
  std::string Send(std::string_view body) const {
    return R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"(", "MessageBody": ")" +
           std::string(body) + R"("})";
  }
  void SetUp() override { OkAs(kOwner, "CreateQueue", R"({"QueueName": "jobs"})"); }
  void SetPolicy(std::string_view policy) {
    OkAs(kOwner, "SetQueueAttributes", PolicyParams(policy));
  }
  size_t Waiting() {
    auto out = OkAs(kOwner, "GetQueueAttributes",
                    R"({"QueueUrl": ")" + std::string(kQueueUrl) +
                        R"(", "AttributeNames": ["ApproximateNumberOfMessages"]})");
    return std::stoul(Str(out["Attributes"].as_object()["ApproximateNumberOfMessages"]));
  }
};

TEST_P(PolicyEnforcementTest, WithoutAPolicyAnotherAccountCannotSeeOrUseTheQueue) {
  for (std::string_view action : {"GetQueueAttributes", "ReceiveMessage", "PurgeQueue",
                                  "DeleteQueue", "ListQueueTags", "ListDeadLetterSourceQueues"}) {
    EXPECT_EQ(FailsAs(kOther, action, Queue()), "QueueDoesNotExist") << action;
  }
  EXPECT_EQ(FailsAs(kOther, "SendMessage", Send("x")), "QueueDoesNotExist");
  EXPECT_EQ(FailsAs(kOther, "GetQueueUrl",
                    R"({"QueueName": "jobs", "QueueOwnerAWSAccountId": "111111111111"})"),
            "QueueDoesNotExist");
  EXPECT_FALSE(OkAs(kOther, "ListQueues", "{}").contains("QueueUrls"));
  EXPECT_EQ(Waiting(), 0u);
}

TEST_P(PolicyEnforcementTest, AnAllowedSendIsTheOnlyThingTheOtherAccountMayDo) {
  SetPolicy(AllowOther(R"("sqs:SendMessage")"));
  OkAs(kOther, "SendMessage", Send("from-b"));
  OkAs(kOther, "SendMessageBatch",
       R"({"QueueUrl": ")" + std::string(kQueueUrl) +
           R"(", "Entries": [{"Id": "1", "MessageBody": "batched"}]})");
  EXPECT_EQ(Waiting(), 2u);
  EXPECT_EQ(FailsAs(kOther, "ReceiveMessage", Queue()), "QueueDoesNotExist");
  EXPECT_EQ(FailsAs(kOther, "GetQueueAttributes", Queue()), "QueueDoesNotExist");
  EXPECT_EQ(FailsAs(kOther, "GetQueueUrl",
                    R"({"QueueName": "jobs", "QueueOwnerAWSAccountId": "111111111111"})"),
            "QueueDoesNotExist");
  // The owner receives what the other account sent, with its sender id.
  auto got = OkAs(kOwner, "ReceiveMessage",
                  R"({"QueueUrl": ")" + std::string(kQueueUrl) +
                      R"(", "MaxNumberOfMessages": 10, "AttributeNames": ["SenderId"]})");
  ASSERT_EQ(got["Messages"].as_array().size(), 2u);
  EXPECT_EQ(Str(got["Messages"].as_array()[0].as_object()["Attributes"].as_object()["SenderId"]),
            kOther);
}

TEST_P(PolicyEnforcementTest, WildcardActionsGrantTheirFamily) {
  SetPolicy(AllowOther(R"(["SQS:Receive*", "sqs:GetQueue*", "sqs:DeleteMessage*"])"));
  OkAs(kOwner, "SendMessage", Send("m"));
  auto got = OkAs(kOther, "ReceiveMessage", Queue());
  ASSERT_EQ(got["Messages"].as_array().size(), 1u);
  OkAs(kOther, "DeleteMessage",
       R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"(", "ReceiptHandle": ")" +
           Str(got["Messages"].as_array()[0].as_object()["ReceiptHandle"]) + R"("})");
  EXPECT_EQ(Str(OkAs(kOther, "GetQueueUrl",
                     R"({"QueueName": "jobs", "QueueOwnerAWSAccountId": "111111111111"})")
                    ["QueueUrl"]),
            kQueueUrl);
  EXPECT_EQ(FailsAs(kOther, "SendMessage", Send("x")), "QueueDoesNotExist");
}

TEST_P(PolicyEnforcementTest, AnExplicitDenyBeatsAnAllowAndRefusesTheOwner) {
  SetPolicy(R"({"Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "sqs:*"},
      {"Effect": "Deny", "Principal": {"AWS": ["222222222222", "111111111111"]},
       "Action": "sqs:SendMessage"}]})");
  EXPECT_EQ(FailsAs(kOther, "SendMessage", Send("x")), "QueueDoesNotExist");
  OkAs(kOther, "GetQueueAttributes", Queue());
  std::string message;
  EXPECT_EQ(FailsAs(kOwner, "SendMessage", Send("x"), &message), "AccessDenied");
  EXPECT_EQ(message, "Access to the resource " + std::string(kQueueUrl) + " is denied.");
  // The owner can still read the policy and take the Deny away.
  OkAs(kOwner, "GetQueueAttributes", Queue());
  SetPolicy(AllowOther(R"("sqs:SendMessage")"));
  OkAs(kOwner, "SendMessage", Send("x"));
  OkAs(kOther, "SendMessage", Send("y"));
}

TEST_P(PolicyEnforcementTest, ConditionsReadTheCallersAddressAndTransport) {
  SetPolicy(R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
      "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"},
                    "Bool": {"aws:SecureTransport": "true"}}}]})");
  api::Call plain = As(kOther, "SendMessage", Send("x"));
  EXPECT_EQ(api::ErrorFor(Call(std::move(plain)).status()).code, "QueueDoesNotExist");
  api::Call tls = As(kOther, "SendMessage", Send("x"));
  tls.ctx.secure_transport = true;
  EXPECT_TRUE(Call(std::move(tls)).ok());
  api::Call elsewhere = As(kOther, "SendMessage", Send("x"));
  elsewhere.ctx.secure_transport = true;
  elsewhere.ctx.source_ip = "203.0.113.9";
  EXPECT_EQ(api::ErrorFor(Call(std::move(elsewhere)).status()).code, "QueueDoesNotExist");
}

TEST_P(PolicyEnforcementTest, AddPermissionGrantsAndRemovePermissionTakesBack) {
  OkAs(kOwner, "AddPermission",
       R"({"QueueUrl": ")" + std::string(kQueueUrl) +
           R"(", "Label": "b-sends", "AWSAccountIds": ["222222222222"], "Actions": ["SendMessage"]})");
  OkAs(kOther, "SendMessage", Send("granted"));
  EXPECT_EQ(Waiting(), 1u);
  // Only the owner edits permissions, whatever the policy grants.
  EXPECT_EQ(FailsAs(kOther, "AddPermission",
                    R"({"QueueUrl": ")" + std::string(kQueueUrl) +
                        R"(", "Label": "mine", "AWSAccountIds": ["222222222222"], "Actions": ["*"]})"),
            "QueueDoesNotExist");
  OkAs(kOwner, "RemovePermission",
       R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"(", "Label": "b-sends"})");
  EXPECT_EQ(FailsAs(kOther, "SendMessage", Send("revoked")), "QueueDoesNotExist");
}

TEST_P(PolicyEnforcementTest, AnInvalidPolicyIsRefusedWithAwsError) {
  for (std::string_view bad :
       {"not json", "{}", R"({"Statement": [{"Effect": "Allow", "Action": "sqs:*"}]})",
        R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish"}})"}) {
    std::string message;
    Answer a = CallAs(kOwner, "SetQueueAttributes", PolicyParams(bad));
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(api::ErrorFor(a.status()).code, "InvalidAttributeValue") << bad;
    EXPECT_EQ(a.status().message(), "Invalid value for the parameter Policy.");
  }
  boost::json::object create{{"QueueName", "other"},
                             {"Attributes", boost::json::object{{"Policy", "{}"}}}};
  EXPECT_EQ(FailsAs(kOwner, "CreateQueue", boost::json::serialize(create)),
            "InvalidAttributeValue");
}

TEST_P(PolicyEnforcementTest, APolicyGivenAtCreationApplies) {
  boost::json::object create{{"QueueName", "open"},
                             {"Attributes", boost::json::object{{"Policy", R"({"Statement":
      {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
       "Action": "sqs:SendMessage"}})"}}}};
  OkAs(kOwner, "CreateQueue", boost::json::serialize(create));
  OkAs(kOther, "SendMessage",
       R"({"QueueUrl": "http://localhost:9324/111111111111/open", "MessageBody": "x"})");
}

TEST_P(PolicyEnforcementTest, AQueueMadeAgainDoesNotInheritThePolicyOfItsPredecessor) {
  SetPolicy(AllowOther(R"("sqs:*")"));
  OkAs(kOther, "GetQueueAttributes", Queue());
  engine.set_queue_reuse_delay(std::chrono::milliseconds(0));
  OkAs(kOwner, "DeleteQueue", Queue());
  OkAs(kOwner, "CreateQueue", R"({"QueueName": "jobs"})");
  EXPECT_EQ(FailsAs(kOther, "GetQueueAttributes", Queue()), "QueueDoesNotExist");
}

FERRY_SQS_BOTH_WIRES(PolicyEnforcementTest);

// A policy set before a restart is enforced after it: the service parses
// the stored text the first time the queue is used.
TEST(PolicyEnforcementDurableTest, APolicySurvivesARestart) {
  engine::testing::TempDir dir;
  auto durable = DurableEngineIn(dir.path());
  auto as = CallAsAccount;
  {
    SqsFixture f(durable);
    ASSERT_TRUE(as(f, kOwner, "CreateQueue", R"({"QueueName": "jobs"})").ok());
    ASSERT_TRUE(as(f, kOwner, "SetQueueAttributes", PolicyParams(AllowOther(R"("sqs:SendMessage")")))
                    .ok());
  }
  SqsFixture f(durable);
  const std::string send =
      R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"(", "MessageBody": "after"})";
  EXPECT_TRUE(as(f, kOther, "SendMessage", send).ok());
  EXPECT_FALSE(as(f, "333333333333", "SendMessage", send).ok());
  EXPECT_FALSE(as(f, kOther, "ReceiveMessage", R"({"QueueUrl": ")" + std::string(kQueueUrl) + R"("})").ok());
}

}  // namespace
}  // namespace ferry::sqs
