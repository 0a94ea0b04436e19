#include "auth/policy.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "auth/policy_cache.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kQueue = "arn:aws:sqs:us-east-2:123456789012:queue1";
constexpr std::string_view kTopic = "arn:aws:sns:us-east-2:123456789012:MyTopic";
constexpr std::string_view kOwner = "123456789012";

Policy Parsed(std::string_view json, std::string_view service = {}) {
  Result<Policy> p = ParsePolicy(json, service);
  EXPECT_TRUE(p.ok()) << json << ": " << p.status().message();
  return p.ok() ? std::move(*p) : Policy();
}

PolicyCaller Root(std::string_view account) {
  // Views into a deque stay valid as it grows.
  static std::deque<std::string>* arns = new std::deque<std::string>();
  arns->push_back("arn:aws:iam::" + std::string(account) + ":root");
  return PolicyCaller{.account = account, .arn = arns->back()};
}

PolicyCaller User(std::string_view account, std::string_view arn) {
  return PolicyCaller{.account = account, .arn = arn};
}

PolicyCaller Sns() { return PolicyCaller{.service = "sns.amazonaws.com"}; }

// One row: who asks what, and whether the policy (with the owner rule)
// allows it.
struct Case {
  std::string name;
  PolicyCaller caller;
  std::string_view action;
  PolicyContext context;
  bool allowed;
  std::string_view resource = kQueue;
};

void Check(const Policy& policy, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    PolicyRequest r{.caller = c.caller, .action = c.action, .resource = c.resource,
                    .context = c.context};
    EXPECT_EQ(IsAllowed(&policy, r, kOwner), c.allowed) << c.name;
  }
}

// AWS's SQS examples: one account, all actions of a role and a user.
TEST(Policy, SqsExampleAllActionsToARoleAndAUserOfAnotherAccount) {
  Policy p = Parsed(R"({
    "Version": "2012-10-17", "Id": "Queue1_Policy_UUID",
    "Statement": [{
      "Sid": "Queue1_AllActions", "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:role/role1",
                            "arn:aws:iam::111122223333:user/username1"]},
      "Action": "sqs:*",
      "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1"}]})");
  Check(p, {
      {"the user", User("111122223333", "arn:aws:iam::111122223333:user/username1"),
       "sqs:ReceiveMessage", {}, true},
      {"a session of the role",
       User("111122223333", "arn:aws:sts::111122223333:assumed-role/role1/my-session"),
       "sqs:DeleteMessage", {}, true},
      {"a session of another role",
       User("111122223333", "arn:aws:sts::111122223333:assumed-role/role10/s"), "sqs:SendMessage",
       {}, false},
      {"another user of the account",
       User("111122223333", "arn:aws:iam::111122223333:user/username2"), "sqs:SendMessage", {},
       false},
      {"the account's root is not the user", Root("111122223333"), "sqs:SendMessage", {}, false},
      {"another queue", User("111122223333", "arn:aws:iam::111122223333:user/username1"),
       "sqs:SendMessage", {}, false, "arn:aws:sqs:us-east-2:123456789012:queue2"},
      {"the owner", Root(kOwner), "sqs:PurgeQueue", {}, true},
  });
}

TEST(Policy, SqsExampleSendMessageToOneAccount) {
  Policy p = Parsed(R"({
    "Version": "2012-10-17", "Id": "Queue1_Policy_UUID",
    "Statement": [{"Sid": "Queue1_SendMessage", "Effect": "Allow",
      "Principal": {"AWS": ["111122223333"]}, "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1"}]})");
  Check(p, {
      {"send", Root("111122223333"), "sqs:SendMessage", {}, true},
      {"a user of the account", User("111122223333", "arn:aws:iam::111122223333:user/u"),
       "sqs:SendMessage", {}, true},
      {"action names fold case", Root("111122223333"), "SQS:sendmessage", {}, true},
      {"receive", Root("111122223333"), "sqs:ReceiveMessage", {}, false},
      {"another account", Root("444455556666"), "sqs:SendMessage", {}, false},
      {"a service", Sns(), "sqs:SendMessage", {}, false},
  });
}

TEST(Policy, SqsExampleTwoAccountsTwoActions) {
  Policy p = Parsed(R"({
    "Version": "2012-10-17", "Id": "Queue1_Policy_UUID",
    "Statement": {"Sid": "Queue1_Send_Receive", "Effect": "Allow",
      "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]},
      "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
      "Resource": "arn:aws:sqs:*:123456789012:queue1"}})");
  Check(p, {
      {"first sends", Root("111122223333"), "sqs:SendMessage", {}, true},
      {"second receives", Root("444455556666"), "sqs:ReceiveMessage", {}, true},
      {"neither deletes", Root("444455556666"), "sqs:DeleteMessage", {}, false},
  });
}

TEST(Policy, SqsExampleAnyoneMaySendFromARangeButOneAddress) {
  Policy p = Parsed(R"({
    "Version": "2012-10-17", "Id": "Queue1_Policy_UUID",
    "Statement": [{"Sid": "Queue1_AnonymousAccess_AllActions_AllowlistIP", "Effect": "Allow",
      "Principal": "*", "Action": "sqs:*",
      "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1",
      "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
                    "NotIpAddress": {"aws:SourceIp": "192.0.2.188/32"}}}]})");
  Check(p, {
      {"in the range", Root("111122223333"), "sqs:SendMessage", {.source_ip = "192.0.2.17"}, true},
      {"mapped IPv4", Root("111122223333"), "sqs:SendMessage", {.source_ip = "::ffff:192.0.2.17"},
       true},
      {"the excluded address", Root("111122223333"), "sqs:SendMessage",
       {.source_ip = "192.0.2.188"}, false},
      {"outside", Root("111122223333"), "sqs:SendMessage", {.source_ip = "198.51.100.1"}, false},
      {"no address", Root("111122223333"), "sqs:SendMessage", {}, false},
  });
}

TEST(Policy, SqsExampleDenyOutsideARangeBeatsTheOwner) {
  Policy p = Parsed(R"({
    "Version": "2012-10-17", "Id": "Queue1_Policy_UUID",
    "Statement": [{"Sid": "Queue1_AnonymousAccess_ReceiveMessage_TimeLimit", "Effect": "Allow",
      "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": "*"},
     {"Sid": "Queue1_Deny", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
      "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1",
      "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}}]})");
  Check(p, {
      {"v4 inside", Root("111122223333"), "sqs:ReceiveMessage", {.source_ip = "192.0.2.5"}, true},
      {"v6 inside", Root("111122223333"), "sqs:ReceiveMessage", {.source_ip = "2001:db8::7"},
       true},
      {"v6 outside", Root("111122223333"), "sqs:ReceiveMessage", {.source_ip = "2001:db9::7"},
       false},
      {"the owner outside", Root(kOwner), "sqs:SendMessage", {.source_ip = "10.0.0.1"}, false},
      {"the owner inside", Root(kOwner), "sqs:SendMessage", {.source_ip = "192.0.2.1"}, true},
  });
}

TEST(Policy, SecureTransportDenyRefusesPlainHttp) {
  Policy p = Parsed(R"({"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"},
      "Action": "sqs:*", "Resource": "*",
      "Condition": {"Bool": {"AWS:SecureTransport": "false"}}}]})");
  Check(p, {
      {"http", Root(kOwner), "sqs:SendMessage", {.secure_transport = false}, false},
      {"https", Root(kOwner), "sqs:SendMessage", {.secure_transport = true}, true},
      {"unknown transport", Root(kOwner), "sqs:SendMessage", {}, true},
  });
}

TEST(Policy, SqsExampleSnsTopicMaySendToTheQueue) {
  Policy p = Parsed(R"({
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
      "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1",
      "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:111122223333:MyTopic"}}}]})");
  const PolicyContext from_topic{.source_arn = "arn:aws:sns:us-east-2:111122223333:MyTopic",
                                 .source_account = "111122223333",
                                 .source_owner = "111122223333"};
  PolicyContext other_topic = from_topic;
  other_topic.source_arn = "arn:aws:sns:us-east-2:111122223333:Other";
  Check(p, {
      {"the topic", Sns(), "sqs:SendMessage", from_topic, true},
      {"another topic", Sns(), "sqs:SendMessage", other_topic, false},
      {"the topic's account itself", Root("111122223333"), "sqs:SendMessage", {}, false},
      {"only send", Sns(), "sqs:ReceiveMessage", from_topic, false},
  });
}

TEST(Policy, OlderSnsExampleAnyPrincipalWithTheTopicAsSource) {
  Policy p = Parsed(R"({"Version": "2008-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "*"}, "Action": "SQS:SendMessage", "Resource": "*",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}}]})");
  Check(p, {
      {"a topic of the account", Sns(), "sqs:SendMessage",
       {.source_arn = "arn:aws:sns:us-east-2:111122223333:T", .source_account = "111122223333"},
       true},
      {"a topic of another", Sns(), "sqs:SendMessage",
       {.source_arn = "arn:aws:sns:us-east-2:999999999999:T", .source_account = "999999999999"},
       false},
  });
}

TEST(Policy, SnsExampleCrossAccountPublish) {
  Policy p = Parsed(R"({"Version": "2012-10-17", "Id": "__default_policy_ID",
    "Statement": [{"Sid": "grant-1234-publish", "Effect": "Allow",
      "Principal": {"AWS": "111122223333"}, "Action": ["sns:Publish"],
      "Resource": "arn:aws:sns:us-east-2:123456789012:MyTopic"}]})", "sns");
  Check(p, {
      {"publish", Root("111122223333"), "sns:Publish", {}, true, kTopic},
      {"subscribe", Root("111122223333"), "sns:Subscribe", {}, false, kTopic},
      {"owner", Root(kOwner), "sns:DeleteTopic", {}, true, kTopic},
  });
}

TEST(Policy, SnsExampleS3EventsByBucketAndAccount) {
  Policy p = Parsed(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "s3.amazonaws.com"}, "Action": "SNS:Publish",
      "Resource": "arn:aws:sns:us-east-2:123456789012:MyTopic",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:*:*:amzn-s3-demo-bucket"},
                    "StringEquals": {"aws:SourceAccount": "444455556666"}}}]})", "sns");
  const PolicyCaller s3{.service = "s3.amazonaws.com"};
  Check(p, {
      {"bucket and account", s3, "sns:Publish",
       {.source_arn = "arn:aws:s3:::amzn-s3-demo-bucket", .source_account = "444455556666"}, true,
       kTopic},
      {"wrong account", s3, "sns:Publish",
       {.source_arn = "arn:aws:s3:::amzn-s3-demo-bucket", .source_account = "111122223333"}, false,
       kTopic},
      {"no account", s3, "sns:Publish", {.source_arn = "arn:aws:s3:::amzn-s3-demo-bucket"}, false,
       kTopic},
  });
}

// The policy SNS writes for a new topic (src/sns/permissions.cc): every
// principal, on condition that the request's source owner is the topic's
// account. It grants nobody else, and the owner keeps working.
TEST(Policy, TheDefaultTopicPolicyKeepsTheOwnerAndGrantsNoOneElse) {
  Policy p = Parsed(R"({"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{
      "Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},
      "Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",
                "SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic","SNS:Publish"],
      "Resource":"arn:aws:sns:us-east-2:123456789012:MyTopic",
      "Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]})", "sns");
  Check(p, {
      {"owner publishes", Root(kOwner), "sns:Publish", {}, true, kTopic},
      {"owner deletes", Root(kOwner), "sns:DeleteTopic", {}, true, kTopic},
      {"another account", Root("111122223333"), "sns:Publish", {}, false, kTopic},
      {"a service for the owner", PolicyCaller{.service = "s3.amazonaws.com"}, "sns:Publish",
       {.source_account = "123456789012", .source_owner = "123456789012"}, true, kTopic},
  });
}

TEST(Policy, ExplicitDenyBeatsAllow) {
  Policy p = Parsed(R"({"Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": "sqs:*"},
      {"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "sqs:Send*"}]})");
  EXPECT_EQ(p.Evaluate({.caller = Root("111122223333"), .action = "sqs:SendMessageBatch",
                        .resource = kQueue}),
            Decision::kDeny);
  EXPECT_EQ(p.Evaluate({.caller = Root("111122223333"), .action = "sqs:ReceiveMessage",
                        .resource = kQueue}),
            Decision::kAllow);
  EXPECT_EQ(p.Evaluate({.caller = Root("444455556666"), .action = "sqs:SendMessage",
                        .resource = kQueue}),
            Decision::kAllow);
}

TEST(Policy, NotPrincipalNotActionAndNotResourceInvertTheirMatch) {
  Policy p = Parsed(R"({"Statement": [
      {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "NotAction": "sqs:Delete*",
       "NotResource": "arn:aws:sqs:*:*:secret*"}]})");
  Check(p, {
      {"another account sends", Root("444455556666"), "sqs:SendMessage", {}, true},
      {"the excluded account", Root("111122223333"), "sqs:SendMessage", {}, false},
      {"an excluded action", Root("444455556666"), "sqs:DeleteMessage", {}, false},
      {"an excluded resource", Root("444455556666"), "sqs:SendMessage", {}, false,
       "arn:aws:sqs:us-east-2:123456789012:secret-queue"},
  });
}

TEST(Policy, ConditionsOrTheirValuesAndAndTheirKeys) {
  Policy p = Parsed(R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
      "Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333", "444455556666"],
                                     "AWS:SOURCEOWNER": "111122223333"},
                    "StringLike": {"aws:SourceArn": "arn:aws:sns:*:*:orders-?"}}}]})");
  auto request = [](std::string_view account, std::string_view owner, std::string_view arn) {
    return PolicyRequest{
        .caller = Sns(), .action = "sqs:SendMessage", .resource = kQueue,
        .context = {.source_arn = arn, .source_account = account, .source_owner = owner}};
  };
  EXPECT_TRUE(IsAllowed(&p, request("444455556666", "111122223333", "arn:aws:sns:x:1:orders-1"), ""));
  EXPECT_FALSE(IsAllowed(&p, request("444455556666", "444455556666", "arn:aws:sns:x:1:orders-1"), ""));
  EXPECT_FALSE(IsAllowed(&p, request("999999999999", "111122223333", "arn:aws:sns:x:1:orders-1"), ""));
  EXPECT_FALSE(IsAllowed(&p, request("111122223333", "111122223333", "arn:aws:sns:x:1:orders-12"), ""));
}

TEST(Policy, NegatedAndIfExistsOperatorsHoldForAnAbsentKey) {
  Policy p = Parsed(R"({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*",
      "Condition": {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:1:T"}}}]})");
  EXPECT_EQ(p.Evaluate({.caller = Root(kOwner), .action = "sqs:SendMessage", .resource = kQueue}),
            Decision::kDeny);
  EXPECT_EQ(p.Evaluate({.caller = Sns(), .action = "sqs:SendMessage", .resource = kQueue,
                        .context = {.source_arn = "arn:aws:sns:us-east-2:1:T"}}),
            Decision::kNotAllowed);
  Policy q = Parsed(R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
      "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "1"}}}]})");
  EXPECT_EQ(q.Evaluate({.caller = Root("2"), .action = "sqs:SendMessage", .resource = kQueue}),
            Decision::kAllow);
  EXPECT_EQ(q.Evaluate({.caller = Sns(), .action = "sqs:SendMessage", .resource = kQueue,
                        .context = {.source_account = "2"}}),
            Decision::kNotAllowed);
}

TEST(Policy, WithoutAPolicyOnlyTheOwnerIsAllowed) {
  PolicyRequest r{.caller = Root(kOwner), .action = "sqs:SendMessage", .resource = kQueue};
  EXPECT_TRUE(IsAllowed(nullptr, r, kOwner));
  r.caller = Root("111122223333");
  EXPECT_FALSE(IsAllowed(nullptr, r, kOwner));
  r.caller = Sns();
  r.context.source_account = kOwner;
  EXPECT_TRUE(IsAllowed(nullptr, r, kOwner));
  r.context.source_account = "111122223333";
  EXPECT_FALSE(IsAllowed(nullptr, r, kOwner));
}

TEST(Policy, WildcardMatching) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_FALSE(WildcardMatch("a*d", "abc"));
  EXPECT_TRUE(WildcardMatch("sqs:send*", "SQS:SendMessage", true));
  EXPECT_FALSE(WildcardMatch("sqs:send*", "SQS:SendMessage", false));
}

// Each document that must be refused, with the reason.
TEST(Policy, InvalidDocumentsAreRefusedWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "The policy is not valid JSON"},
      {"[]", "The policy must be a JSON object"},
      {R"({"Version": "2012-10-17"})", "Missing required field Statement"},
      {R"({"Version": "2020-01-01", "Statement": []})", "Invalid policy version"},
      {R"({"Statement": [{"Principal": "*", "Action": "*"}]})", "Missing required field Effect"},
      {R"({"Statement": [{"Effect": "Permit", "Principal": "*", "Action": "*"}]})",
       "Invalid effect: Permit"},
      {R"({"Statement": [{"Effect": "Allow", "Action": "*"}]})",
       "Missing required field Principal"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*"}]})",
       "Missing required field Action"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "*"}]})",
       "Invalid principal in policy: \"AWS\":\"bob\""},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "me", "Action": "*"}]})",
       "Invalid principal in policy"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "SendMessage"}]})",
       "Invalid action: SendMessage"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": [],
           "Resource": "*"}]})",
       "Action must not be an empty list"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
           "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]})",
       "Unsupported condition operator: DateLessThan"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
           "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}}}]})",
       "Invalid IP address in condition: 300.1.1.1/8"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
           "Condition": {"Bool": {"aws:SecureTransport": "maybe"}}}]})",
       "Invalid boolean value in condition: maybe"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
           "NotResource": "*"}]})",
       "Statement must not have both Resource and NotResource"},
      {R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Extra": 1}]})",
       "Unknown field Extra"},
  };
  for (const auto& [json, reason] : cases) {
    Result<Policy> p = ParsePolicy(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(p.status().message(), reason) << json;
  }
}

TEST(Policy, AServiceScopeRefusesOtherServicesActions) {
  const std::string doc =
      R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage"}]})";
  EXPECT_TRUE(ParsePolicy(doc, "sqs").ok());
  Result<Policy> p = ParsePolicy(doc, "sns");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "Policy statement action out of service scope!");
}

TEST(PolicyCache, ParsesOnceAndForgetsAResourceMadeAgain) {
  PolicyCache cache;
  auto queue = std::make_shared<int>(1);
  int loads = 0;
  const std::string text =
      R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]})";
  auto loader = [&]() -> std::optional<std::string> {
    ++loads;
    return text;
  };
  auto first = cache.Find("q", queue, loader);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(cache.Find("q", queue, loader), first);
  EXPECT_EQ(loads, 1);
  cache.Store("q", queue, nullptr);
  EXPECT_EQ(cache.Find("q", queue, loader), nullptr);
  EXPECT_EQ(loads, 1);
  // The same key, another object: loaded afresh.
  auto again = std::make_shared<int>(2);
  EXPECT_NE(cache.Find("q", again, loader), nullptr);
  EXPECT_EQ(loads, 2);
  cache.Erase("q");
  EXPECT_EQ(cache.Find("q", again, [] { return std::optional<std::string>(); }), nullptr);
  // A stored text that does not parse grants nothing.
  auto broken = std::make_shared<int>(3);
  EXPECT_EQ(cache.Find("b", broken, [] { return std::optional<std::string>("{"); }), nullptr);
}

}  // namespace
}  // namespace ferry::auth
