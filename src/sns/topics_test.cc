// CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, tags and
// permissions through SnsService::Invoke.
#include <gtest/gtest.h>

#include "sns/sns_test_util.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kArn = "arn:aws:sns:us-east-1:000000000000:t";

class SnsTopicsTest : public ::testing::TestWithParam<api::Wire>, public SnsFixture {
 public:
  SnsTopicsTest() { wire = GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Wires, SnsTopicsTest, ::testing::Values(api::Wire::kJson, api::Wire::kQuery),
                         [](const auto& info) {
                           return info.param == api::Wire::kJson ? "Json" : "Query";
                         });

TEST_P(SnsTopicsTest, CreateTopicAnswersItsArnAndIsIdempotent) {
  EXPECT_EQ(CreateTopic("t"), kArn);
  EXPECT_EQ(CreateTopic("t"), kArn);
  EXPECT_EQ(CreateTopic("t", R"({"DisplayName": ""})"), kArn);
  EXPECT_EQ(CreateTopic("t", R"({"SignatureVersion": "1"})"), kArn) << "the default";
  EXPECT_EQ(CreateTopic(std::string(256, 'a')), "arn:aws:sns:us-east-1:000000000000:" + std::string(256, 'a'));
}

TEST_P(SnsTopicsTest, CreateTopicWithOtherAttributesOrTagsIsRefused) {
  CreateTopic("t", R"({"DisplayName": "one"})");
  std::string message;
  EXPECT_EQ(Fails("CreateTopic", R"({"Name": "t", "Attributes": {"DisplayName": "two"}})", &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Attributes Reason: Topic already exists with different attributes");
  Ok("CreateTopic", R"({"Name": "u", "Tags": [{"Key": "a", "Value": "1"}]})");
  EXPECT_EQ(Fails("CreateTopic", R"({"Name": "u", "Tags": [{"Key": "a", "Value": "2"}]})", &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Tags Reason: Topic already exists with different tags");
}

TEST_P(SnsTopicsTest, TopicNamesFollowAwsRules) {
  std::string message;
  for (const char* name : {"", "a.b", "a b", "t.fifo", "é"}) {
    EXPECT_EQ(Fails("CreateTopic", Json({{"Name", name}}), &message), "InvalidParameter") << name;
    EXPECT_EQ(message, "Invalid parameter: Topic Name");
  }
  EXPECT_EQ(Fails("CreateTopic", Json({{"Name", std::string(257, 'a')}})), "InvalidParameter");
  EXPECT_EQ(Fails("CreateTopic", R"({"Name": "f", "Attributes": {"FifoTopic": "true"}})", &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Topic Name") << "a FIFO topic's name ends in .fifo";
  EXPECT_EQ(Fails("CreateTopic", "{}"), "MissingParameter");
}

TEST_P(SnsTopicsTest, FifoTopicsHaveTheirOwnAttributes) {
  const std::string arn = CreateTopic(
      "f.fifo", R"({"FifoTopic": "true", "ContentBasedDeduplication": "true"})");
  auto a = TopicAttributes(arn);
  EXPECT_EQ(Str(a, "FifoTopic"), "true");
  EXPECT_EQ(Str(a, "ContentBasedDeduplication"), "true");
  EXPECT_TRUE(registry.FindTopic(arn)->content_based_dedup);
  EXPECT_FALSE(registry.FindTopic(arn)->dedup_queue_key.empty());
  std::string message;
  EXPECT_EQ(Fails("CreateTopic", R"({"Name": "s", "Attributes": {"ContentBasedDeduplication": "true"}})",
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message,
            "Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can "
            "only be set for FIFO topics");
  EXPECT_EQ(Fails("SetTopicAttributes",
                  Json({{"TopicArn", arn}, {"AttributeName", "FifoTopic"}, {"AttributeValue", "false"}}),
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: AttributeName");
  Ok("SetTopicAttributes",
     Json({{"TopicArn", arn}, {"AttributeName", "ContentBasedDeduplication"}, {"AttributeValue", "false"}}));
  EXPECT_EQ(Str(TopicAttributes(arn), "ContentBasedDeduplication"), "false");
  EXPECT_FALSE(registry.FindTopic(arn)->content_based_dedup);
}

TEST_P(SnsTopicsTest, CreateTopicValidatesItsAttributes) {
  std::string message;
  const std::pair<const char*, const char*> bad[] = {
      {R"({"SignatureVersion": "3"})", "Invalid parameter: SignatureVersion"},
      {R"({"TracingConfig": "On"})", "Invalid parameter: TracingConfig"},
      {R"({"FifoTopic": "yes"})", "Invalid parameter: FifoTopic"},
      {R"({"Policy": "[1]"})", "Invalid parameter: Policy Error: The policy must be a JSON object"},
      {R"({"DeliveryPolicy": "nope"})", "Invalid parameter: DeliveryPolicy: Invalid JSON"},
      {R"({"Colour": "red"})", "Invalid parameter: AttributeName"},
      {R"({"FifoThroughputScope": "Topic"})", "Invalid parameter: FifoThroughputScope"},
  };
  for (const auto& [attributes, text] : bad) {
    EXPECT_EQ(Fails("CreateTopic", std::string(R"({"Name": "t", "Attributes": )") + attributes + "}",
                    &message),
              "InvalidParameter")
        << attributes;
    EXPECT_EQ(message, text);
  }
  EXPECT_TRUE(registry.Topics().empty());
  CreateTopic("t", R"({"SignatureVersion": "2", "TracingConfig": "Active", "KmsMasterKeyId": "alias/aws/sns",
                       "HTTPSuccessFeedbackRoleArn": "arn:aws:iam::000000000000:role/r",
                       "DeliveryPolicy": "{\"http\": {}}"})");
  auto a = TopicAttributes(kArn);
  EXPECT_EQ(Str(a, "SignatureVersion"), "2");
  EXPECT_EQ(Str(a, "TracingConfig"), "Active");
  EXPECT_EQ(Str(a, "KmsMasterKeyId"), "alias/aws/sns");
  EXPECT_EQ(Str(a, "HTTPSuccessFeedbackRoleArn"), "arn:aws:iam::000000000000:role/r");
  EXPECT_EQ(Str(a, "DeliveryPolicy"), R"({"http": {}})");
  EXPECT_EQ(registry.FindTopic(kArn)->signature_version, 2);
}

TEST_P(SnsTopicsTest, GetTopicAttributesShowsWhatAwsShows) {
  CreateTopic("t");
  Subscribe(kArn, "sqs", "arn:aws:sqs:us-east-1:000000000000:q");
  Subscribe(kArn, "http", "http://example.com/a");
  auto a = TopicAttributes(kArn);
  EXPECT_EQ(Str(a, "TopicArn"), kArn);
  EXPECT_EQ(Str(a, "Owner"), "000000000000");
  EXPECT_EQ(Str(a, "DisplayName"), "");
  EXPECT_EQ(Str(a, "SubscriptionsConfirmed"), "1");
  EXPECT_EQ(Str(a, "SubscriptionsPending"), "1");
  EXPECT_EQ(Str(a, "SubscriptionsDeleted"), "0");
  EXPECT_EQ(Str(a, "SignatureVersion"), "1");
  EXPECT_EQ(Str(a, "TracingConfig"), "PassThrough");
  EXPECT_FALSE(Str(a, "EffectiveDeliveryPolicy").empty());
  EXPECT_FALSE(a.contains("DeliveryPolicy"));
  EXPECT_FALSE(a.contains("FifoTopic"));
  EXPECT_FALSE(a.contains("KmsMasterKeyId"));
  const boost::json::value policy = boost::json::parse(Str(a, "Policy"));
  const auto& statement = policy.at("Statement").as_array().at(0).as_object();
  EXPECT_EQ(statement.at("Sid"), "__default_statement_ID");
  EXPECT_EQ(S(statement.at("Resource")), kArn);
  EXPECT_EQ(statement.at("Action").as_array().size(), 8u);
  EXPECT_EQ(policy.at("Id"), "__default_policy_ID");
}

TEST_P(SnsTopicsTest, MissingAndMalformedTopicsAreRefusedAsAwsDoes) {
  std::string message;
  for (const char* action : {"GetTopicAttributes", "SetTopicAttributes", "ListSubscriptionsByTopic",
                             "AddPermission", "RemovePermission", "Subscribe"}) {
    EXPECT_EQ(Fails(action, Json({{"TopicArn", kArn}, {"AttributeName", "DisplayName"},
                                  {"Label", "l"}, {"AWSAccountId", boost::json::array{"1"}},
                                  {"ActionName", boost::json::array{"Publish"}},
                                  {"Protocol", "sqs"}}),
                    &message),
              "NotFound")
        << action;
    EXPECT_EQ(message, "Topic does not exist");
    EXPECT_EQ(Fails(action, R"({"TopicArn": "arn:aws:sqs:us-east-1:000000000000:q"})", &message),
              "InvalidParameter")
        << action;
    EXPECT_EQ(message, "Invalid parameter: TopicArn");
    EXPECT_EQ(Fails(action, "{}"), "MissingParameter") << action;
  }
}

TEST_P(SnsTopicsTest, AnotherAccountsTopicIsNotAuthorized) {
  CreateTopic("t");
  account = "111111111111";
  std::string message;
  EXPECT_EQ(Fails("GetTopicAttributes", Json({{"TopicArn", kArn}}), &message), "AuthorizationError");
  EXPECT_EQ(message,
            "User: arn:aws:iam::111111111111:root is not authorized to perform: "
            "SNS:GetTopicAttributes on resource: arn:aws:sns:us-east-1:000000000000:t");
  EXPECT_EQ(Fails("DeleteTopic", Json({{"TopicArn", kArn}})), "AuthorizationError");
  EXPECT_EQ(Ok("ListTopics", "{}")["Topics"].as_array().size(), 0u) << "each account its own";
  EXPECT_EQ(CreateTopic("t"), "arn:aws:sns:us-east-1:111111111111:t");
}

TEST_P(SnsTopicsTest, DeleteTopicIsIdempotentAndTakesItsSubscriptions) {
  CreateTopic("t");
  const std::string sub = Subscribe(kArn, "sqs", "arn:aws:sqs:us-east-1:000000000000:q");
  Ok("DeleteTopic", Json({{"TopicArn", kArn}}));
  Ok("DeleteTopic", Json({{"TopicArn", kArn}}));
  EXPECT_FALSE(registry.FindTopic(kArn));
  EXPECT_FALSE(registry.FindSubscription(sub));
  EXPECT_EQ(Fails("GetTopicAttributes", Json({{"TopicArn", kArn}})), "NotFound");
  EXPECT_EQ(Fails("DeleteTopic", R"({"TopicArn": "x"})"), "InvalidParameter");
}

TEST_P(SnsTopicsTest, ListTopicsPagesByAHundred) {
  for (int i = 0; i < 205; ++i) CreateTopic("t" + std::to_string(1000 + i));
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto out = Ok("ListTopics", token.empty() ? "{}" : Json({{"NextToken", token}}));
    for (const auto& t : out["Topics"].as_array()) seen.emplace_back(t.at("TopicArn").as_string());
    token = out.contains("NextToken") ? std::string(out["NextToken"].as_string()) : "";
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 205u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 205u);
}

TEST_P(SnsTopicsTest, ListTopicsListsOnlyTheRequestsRegion) {
  CreateTopic("t");
  auto call = MakeCall("ListTopics", "{}");
  call.ctx.region = "eu-west-1";
  std::optional<Answer> out;
  service.Invoke(call, [&](Answer a) { out = std::move(a); });
  ASSERT_TRUE(out && out->ok());
  EXPECT_TRUE((*out)->at("Topics").as_array().empty());
}

TEST_P(SnsTopicsTest, SetTopicAttributesChangesAndClears) {
  CreateTopic("t");
  Ok("SetTopicAttributes",
     Json({{"TopicArn", kArn}, {"AttributeName", "DisplayName"}, {"AttributeValue", "Shop"}}));
  EXPECT_EQ(Str(TopicAttributes(kArn), "DisplayName"), "Shop");
  Ok("SetTopicAttributes", Json({{"TopicArn", kArn}, {"AttributeName", "DisplayName"}}));
  EXPECT_EQ(Str(TopicAttributes(kArn), "DisplayName"), "");
  Ok("SetTopicAttributes",
     Json({{"TopicArn", kArn}, {"AttributeName", "Policy"}, {"AttributeValue", R"({"Statement": []})"}}));
  EXPECT_EQ(Str(TopicAttributes(kArn), "Policy"), R"({"Statement": []})");
  std::string message;
  EXPECT_EQ(Fails("SetTopicAttributes",
                  Json({{"TopicArn", kArn}, {"AttributeName", "Colour"}, {"AttributeValue", "x"}}),
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: AttributeName");
  EXPECT_EQ(Fails("SetTopicAttributes",
                  Json({{"TopicArn", kArn}, {"AttributeName", "SignatureVersion"}, {"AttributeValue", "0"}}),
                  &message),
            "InvalidParameter");
  EXPECT_EQ(Fails("SetTopicAttributes", Json({{"TopicArn", kArn}})), "MissingParameter");
  EXPECT_EQ(registry.FindTopic(kArn)->signature_version, 1);
}

TEST_P(SnsTopicsTest, TagsFollowAwsLimits) {
  CreateTopic("t");
  Ok("TagResource", Json({{"ResourceArn", kArn},
                          {"Tags", boost::json::array{boost::json::object{{"Key", "a"}, {"Value", "1"}},
                                                      boost::json::object{{"Key", "b"}, {"Value", ""}}}}}));
  auto tags = Ok("ListTagsForResource", Json({{"ResourceArn", kArn}}))["Tags"].as_array();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].at("Key"), "a");
  EXPECT_EQ(tags[0].at("Value"), "1");
  Ok("UntagResource", Json({{"ResourceArn", kArn}, {"TagKeys", boost::json::array{"a", "zz"}}}));
  EXPECT_EQ(Ok("ListTagsForResource", Json({{"ResourceArn", kArn}}))["Tags"].as_array().size(), 1u);

  auto tag = [&](std::string key, std::string value, std::string* message) {
    return Fails("TagResource",
                 Json({{"ResourceArn", kArn},
                       {"Tags", boost::json::array{boost::json::object{{"Key", key}, {"Value", value}}}}}),
                 message);
  };
  std::string message;
  EXPECT_EQ(tag("", "v", &message), "InvalidParameter");
  EXPECT_EQ(tag(std::string(129, 'k'), "v", &message), "InvalidParameter");
  EXPECT_EQ(tag("k", std::string(257, 'v'), &message), "InvalidParameter");
  EXPECT_EQ(tag("aws:x", "v", &message), "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Tags Reason: Tag keys must not start with 'aws:'");
  boost::json::array many;
  for (int i = 0; i < 50; ++i) many.push_back(boost::json::object{{"Key", "k" + std::to_string(i)}, {"Value", ""}});
  EXPECT_EQ(Fails("TagResource", Json({{"ResourceArn", kArn}, {"Tags", many}}), &message),
            "TagLimitExceeded");
  EXPECT_EQ(message, "Could not complete request: tag quota of per resource exceeded");
  EXPECT_EQ(registry.FindTopic(kArn)->tags.size(), 1u) << "a refusal changes nothing";
  EXPECT_EQ(Fails("TagResource", Json({{"ResourceArn", kArn}})), "MissingParameter");
  EXPECT_EQ(Fails("UntagResource", Json({{"ResourceArn", kArn}})), "MissingParameter");

  const std::string gone = "arn:aws:sns:us-east-1:000000000000:gone";
  EXPECT_EQ(Fails("ListTagsForResource", Json({{"ResourceArn", gone}}), &message), "ResourceNotFound");
  EXPECT_EQ(message, "Resource does not exist");
  EXPECT_EQ(Fails("UntagResource", Json({{"ResourceArn", gone}, {"TagKeys", boost::json::array{"a"}}})),
            "ResourceNotFound");
  EXPECT_EQ(Fails("TagResource", Json({{"ResourceArn", "x"}, {"Tags", boost::json::array{}}}), &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: ResourceArn");
}

TEST_P(SnsTopicsTest, CreateTopicRefusesBadTags) {
  EXPECT_EQ(Fails("CreateTopic", R"({"Name": "t", "Tags": [{"Key": "aws:k", "Value": "v"}]})"),
            "InvalidParameter");
  EXPECT_TRUE(registry.Topics().empty());
}

TEST_P(SnsTopicsTest, AddAndRemovePermissionEditThePolicyByLabel) {
  CreateTopic("t");
  Ok("AddPermission", Json({{"TopicArn", kArn},
                            {"Label", "pub"},
                            {"AWSAccountId", boost::json::array{"111111111111"}},
                            {"ActionName", boost::json::array{"Publish", "Subscribe"}}}));
  boost::json::value policy = boost::json::parse(Str(TopicAttributes(kArn), "Policy"));
  auto& statements = policy.at("Statement").as_array();
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].at("Sid"), "pub");
  EXPECT_EQ(statements[1].at("Principal").at("AWS"), "arn:aws:iam::111111111111:root");
  EXPECT_EQ(statements[1].at("Action").as_array().size(), 2u);
  EXPECT_EQ(S(statements[1].at("Resource")), kArn);

  std::string message;
  EXPECT_EQ(Fails("AddPermission", Json({{"TopicArn", kArn},
                                         {"Label", "pub"},
                                         {"AWSAccountId", boost::json::array{"1"}},
                                         {"ActionName", boost::json::array{"Publish"}}}),
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Statement already exists");
  EXPECT_EQ(Fails("AddPermission", Json({{"TopicArn", kArn},
                                         {"Label", "x"},
                                         {"AWSAccountId", boost::json::array{"1"}},
                                         {"ActionName", boost::json::array{"SendMessage"}}}),
                  &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Policy statement action out of service scope!");
  EXPECT_EQ(Fails("AddPermission", Json({{"TopicArn", kArn}, {"Label", "x"}})), "MissingParameter");

  Ok("RemovePermission", Json({{"TopicArn", kArn}, {"Label", "pub"}}));
  Ok("RemovePermission", Json({{"TopicArn", kArn}, {"Label", "never-added"}}));
  policy = boost::json::parse(Str(TopicAttributes(kArn), "Policy"));
  EXPECT_EQ(policy.at("Statement").as_array().size(), 1u);
  EXPECT_EQ(Fails("RemovePermission", Json({{"TopicArn", kArn}})), "MissingParameter");
}

}  // namespace
}  // namespace ferry::sns
