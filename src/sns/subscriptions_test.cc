// Subscribe, ConfirmSubscription, Unsubscribe, the list actions and
// Get/SetSubscriptionAttributes through SnsService::Invoke.
#include <gtest/gtest.h>

#include "sns/sns_test_util.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kTopic = "arn:aws:sns:us-east-1:000000000000:t";
constexpr std::string_view kFifoTopic = "arn:aws:sns:us-east-1:000000000000:f.fifo";
constexpr std::string_view kQueue = "arn:aws:sqs:us-east-1:000000000000:q";

class SnsSubscriptionsTest : public ::testing::TestWithParam<api::Wire>, public SnsFixture {
 public:
  SnsSubscriptionsTest() {
    wire = GetParam();
    CreateTopic("t");
    CreateTopic("f.fifo", R"({"FifoTopic": "true"})");
  }

  std::string SubscribeFails(std::string_view topic, std::string_view protocol,
                             std::string_view endpoint, std::string* message,
                             std::string_view attributes = "{}") {
    return Fails("Subscribe", Json({{"TopicArn", topic},
                                    {"Protocol", protocol},
                                    {"Endpoint", endpoint},
                                    {"Attributes", boost::json::parse(attributes)}}),
                 message);
  }
  std::string SetFails(std::string_view sub, std::string_view name, std::string_view value,
                       std::string* message) {
    return Fails("SetSubscriptionAttributes",
                 Json({{"SubscriptionArn", sub}, {"AttributeName", name}, {"AttributeValue", value}}),
                 message);
  }
  void Set(std::string_view sub, std::string_view name, std::string_view value) {
    Ok("SetSubscriptionAttributes",
       Json({{"SubscriptionArn", sub}, {"AttributeName", name}, {"AttributeValue", value}}));
  }
};
INSTANTIATE_TEST_SUITE_P(Wires, SnsSubscriptionsTest,
                         ::testing::Values(api::Wire::kJson, api::Wire::kQuery),
                         [](const auto& info) {
                           return info.param == api::Wire::kJson ? "Json" : "Query";
                         });

TEST_P(SnsSubscriptionsTest, AnSqsSubscriptionIsConfirmedAtOnce) {
  auto out = Ok("Subscribe", Json({{"TopicArn", kTopic}, {"Protocol", "sqs"}, {"Endpoint", kQueue}}));
  const std::string arn = Str(out, "SubscriptionArn");
  EXPECT_TRUE(arn.starts_with(std::string(kTopic) + ":")) << arn;
  auto a = SubscriptionAttributes(arn);
  EXPECT_EQ(Str(a, "SubscriptionArn"), arn);
  EXPECT_EQ(Str(a, "TopicArn"), kTopic);
  EXPECT_EQ(Str(a, "Owner"), "000000000000");
  EXPECT_EQ(Str(a, "Protocol"), "sqs");
  EXPECT_EQ(Str(a, "Endpoint"), kQueue);
  EXPECT_EQ(Str(a, "PendingConfirmation"), "false");
  EXPECT_EQ(Str(a, "ConfirmationWasAuthenticated"), "true");
  EXPECT_EQ(Str(a, "RawMessageDelivery"), "false");
  EXPECT_EQ(Str(a, "SubscriptionPrincipal"), "arn:aws:iam::000000000000:root");
  EXPECT_FALSE(a.contains("EffectiveDeliveryPolicy"));
  EXPECT_FALSE(a.contains("FilterPolicy"));
  EXPECT_EQ(registry.FindSubscription(arn)->queue_key, "q");
}

TEST_P(SnsSubscriptionsTest, AnHttpSubscriptionIsPendingUntilConfirmed) {
  auto out = Ok("Subscribe",
                Json({{"TopicArn", kTopic}, {"Protocol", "http"}, {"Endpoint", "http://h/x"}}));
  EXPECT_EQ(Str(out, "SubscriptionArn"), "pending confirmation");
  auto subs = Ok("ListSubscriptionsByTopic", Json({{"TopicArn", kTopic}}))["Subscriptions"].as_array();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].at("SubscriptionArn"), "PendingConfirmation");
  const std::string arn = Subscribe(kTopic, "http", "http://h/x");
  ASSERT_FALSE(arn.empty());
  auto sub = registry.FindSubscription(arn);
  // The first Subscribe and the one again each sent a confirmation.
  std::string types;
  std::vector<std::string> bodies = ReceiveItems(sub->queue_key, &types);
  EXPECT_EQ(types, "SubscriptionConfirmation;SubscriptionConfirmation;");
  auto a = SubscriptionAttributes(arn);
  EXPECT_EQ(Str(a, "PendingConfirmation"), "true");
  EXPECT_EQ(Str(a, "ConfirmationWasAuthenticated"), "false");
  EXPECT_FALSE(Str(a, "EffectiveDeliveryPolicy").empty());

  std::string message;
  EXPECT_EQ(Fails("ConfirmSubscription", Json({{"TopicArn", kTopic}, {"Token", "bad"}}), &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Token");
  auto confirmed =
      Ok("ConfirmSubscription", Json({{"TopicArn", kTopic}, {"Token", sub->token}}));
  EXPECT_EQ(Str(confirmed, "SubscriptionArn"), arn);
  a = SubscriptionAttributes(arn);
  EXPECT_EQ(Str(a, "PendingConfirmation"), "false");
  EXPECT_EQ(Str(a, "ConfirmationWasAuthenticated"), "true") << "a signed request";
  subs = Ok("ListSubscriptions", "{}")["Subscriptions"].as_array();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(S(subs[0].at("SubscriptionArn")), arn);
  EXPECT_EQ(Str(Ok("Subscribe", Json({{"TopicArn", kTopic}, {"Protocol", "http"}, {"Endpoint", "http://h/x"}})),
                "SubscriptionArn"),
            arn)
      << "confirmed: its ARN";
}

TEST_P(SnsSubscriptionsTest, ConfirmSubscriptionErrors) {
  std::string message;
  EXPECT_EQ(Fails("ConfirmSubscription", Json({{"TopicArn", "nope"}, {"Token", "x"}}), &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: TopicArn");
  EXPECT_EQ(Fails("ConfirmSubscription",
                  Json({{"TopicArn", "arn:aws:sns:us-east-1:000000000000:gone"}, {"Token", "x"}}),
                  &message),
            "NotFound");
  EXPECT_EQ(message, "Topic does not exist");
  EXPECT_EQ(Fails("ConfirmSubscription", Json({{"TopicArn", kTopic}})), "MissingParameter");
}

TEST_P(SnsSubscriptionsTest, ProtocolsAndEndpointsAreChecked) {
  std::string message;
  for (const char* protocol : {"email", "email-json", "sms", "lambda", "application", "firehose"}) {
    EXPECT_EQ(SubscribeFails(kTopic, protocol, "x", &message), "InvalidParameter");
    EXPECT_EQ(message, std::string("Invalid parameter: Protocol Reason: the ") + protocol +
                           " protocol is not supported by this server (Ferry delivers to sqs, "
                           "http and https endpoints)");
  }
  EXPECT_EQ(SubscribeFails(kTopic, "carrier-pigeon", "x", &message), "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  EXPECT_EQ(SubscribeFails(kTopic, "sqs", "https://sqs/q", &message), "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: SQS endpoint ARN");
  EXPECT_EQ(SubscribeFails(kTopic, "http", "https://h/x", &message), "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: Endpoint must match the specified protocol");
  EXPECT_EQ(SubscribeFails(kTopic, "https", "http://h/x", &message), "InvalidParameter");
  EXPECT_EQ(SubscribeFails(kTopic, "https", "https://", &message), "InvalidParameter");
  EXPECT_EQ(Fails("Subscribe", Json({{"TopicArn", kTopic}})), "MissingParameter");
  EXPECT_TRUE(registry.Subscriptions().empty());
}

TEST_P(SnsSubscriptionsTest, FifoRulesFollowAws) {
  std::string message;
  EXPECT_EQ(SubscribeFails(kTopic, "sqs", "arn:aws:sqs:us-east-1:000000000000:q.fifo", &message),
            "InvalidParameter");
  EXPECT_EQ(message,
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
            "subscribed to standard SNS topics");
  EXPECT_EQ(SubscribeFails(kFifoTopic, "https", "https://h/x", &message), "InvalidParameter");
  EXPECT_EQ(message,
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO topics deliver only to "
            "Amazon SQS queues");
  // Since September 2023 a FIFO topic delivers to standard queues too.
  EXPECT_FALSE(Subscribe(kFifoTopic, "sqs", kQueue).empty());
  EXPECT_FALSE(Subscribe(kFifoTopic, "sqs", "arn:aws:sqs:us-east-1:000000000000:q.fifo").empty());
}

TEST_P(SnsSubscriptionsTest, SubscribeValidatesAttributes) {
  std::string message;
  const std::pair<const char*, const char*> bad[] = {
      {R"({"RawMessageDelivery": "yes"})",
       "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be "
       "true or false."},
      {R"({"FilterPolicyScope": "Body"})",
       "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use "
       "either MessageBody or MessageAttributes"},
      {R"({"RedrivePolicy": "{}"})",
       "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is missing"},
      {R"({"RedrivePolicy": "{\"deadLetterTargetArn\": \"x\"}"})",
       "Invalid parameter: Attributes Reason: RedrivePolicy: Invalid deadLetterTargetArn"},
      {R"({"RedrivePolicy": "nope"})", "Invalid parameter: Attributes Reason: RedrivePolicy: Invalid json"},
      {R"({"DeliveryPolicy": "{}"})",
       "Invalid parameter: Attributes Reason: DeliveryPolicy: Delivery protocol [sqs] does not "
       "support delivery policies"},
      {R"({"Colour": "red"})", "Invalid parameter: Attributes Reason: Unknown attribute: Colour"},
  };
  for (const auto& [attributes, text] : bad) {
    EXPECT_EQ(SubscribeFails(kTopic, "sqs", kQueue, &message, attributes), "InvalidParameter")
        << attributes;
    EXPECT_EQ(message, text);
  }
  EXPECT_EQ(SubscribeFails(kTopic, "sqs", kQueue, &message, R"({"FilterPolicy": "[1]"})"),
            "InvalidParameter");
  EXPECT_TRUE(message.starts_with("Invalid parameter: Attributes Reason: FilterPolicy: ")) << message;
  EXPECT_TRUE(registry.Subscriptions().empty());

  const std::string arn = Subscribe(
      kTopic, "sqs", kQueue,
      R"({"RawMessageDelivery": "TRUE", "FilterPolicy": "{\"k\": [\"v\"]}", "FilterPolicyScope": "MessageBody",
          "RedrivePolicy": "{\"deadLetterTargetArn\": \"arn:aws:sqs:us-east-1:000000000000:dlq\"}"})");
  auto a = SubscriptionAttributes(arn);
  EXPECT_EQ(Str(a, "RawMessageDelivery"), "true");
  EXPECT_EQ(Str(a, "FilterPolicy"), R"({"k": ["v"]})");
  EXPECT_EQ(Str(a, "FilterPolicyScope"), "MessageBody");
  auto sub = registry.FindSubscription(arn);
  EXPECT_TRUE(sub->raw);
  EXPECT_TRUE(sub->filter);
  EXPECT_EQ(sub->dead_letter_key, "dlq");
}

TEST_P(SnsSubscriptionsTest, SubscribingAgainWithOtherAttributesIsRefused) {
  const std::string arn = Subscribe(kTopic, "sqs", kQueue, R"({"RawMessageDelivery": "true"})");
  EXPECT_EQ(Subscribe(kTopic, "sqs", kQueue, R"({"RawMessageDelivery": "true"})"), arn);
  EXPECT_EQ(Subscribe(kTopic, "sqs", kQueue), arn) << "no attributes asked: the existing one";
  std::string message;
  EXPECT_EQ(SubscribeFails(kTopic, "sqs", kQueue, &message, R"({"RawMessageDelivery": "false"})"),
            "InvalidParameter");
  EXPECT_EQ(message,
            "Invalid parameter: Attributes Reason: Subscription already exists with different "
            "attributes");
}

TEST_P(SnsSubscriptionsTest, UnsubscribeRemovesAndThenIsNotFound) {
  const std::string arn = Subscribe(kTopic, "https", "https://h/x");
  const std::string queue = registry.FindSubscription(arn)->queue_key;
  Ok("Unsubscribe", Json({{"SubscriptionArn", arn}}));
  // Its delivery queue stays until the worker has delivered the
  // UnsubscribeConfirmation left there (Registry::Forget).
  EXPECT_TRUE(engine.FindQueue(queue));
  EXPECT_FALSE(registry.FindSubscription(arn));
  ASSERT_TRUE(registry.Forget(arn).ok());
  EXPECT_FALSE(engine.FindQueue(queue));
  // Again, and for an ARN that never was: 200, as SNS answers.
  Ok("Unsubscribe", Json({{"SubscriptionArn", arn}}));
  Ok("Unsubscribe", Json({{"SubscriptionArn", std::string(kTopic) + ":nope"}}));
  std::string message;
  EXPECT_EQ(Fails("Unsubscribe", R"({"SubscriptionArn": "PendingConfirmation"})", &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: SubscriptionArn");
  EXPECT_EQ(Fails("Unsubscribe", "{}"), "MissingParameter");
  EXPECT_EQ(Str(TopicAttributes(kTopic), "SubscriptionsDeleted"), "1");
}

TEST_P(SnsSubscriptionsTest, GetSubscriptionAttributesErrors) {
  std::string message;
  EXPECT_EQ(Fails("GetSubscriptionAttributes",
                  Json({{"SubscriptionArn", std::string(kTopic) + ":nope"}}), &message),
            "NotFound");
  EXPECT_EQ(message, "Subscription does not exist");
  EXPECT_EQ(Fails("GetSubscriptionAttributes", Json({{"SubscriptionArn", kTopic}}), &message),
            "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: SubscriptionArn");
}

TEST_P(SnsSubscriptionsTest, SetSubscriptionAttributesValidatesAndApplies) {
  const std::string sqs = Subscribe(kTopic, "sqs", kQueue);
  const std::string http = Subscribe(kTopic, "http", "http://h/x");
  Set(sqs, "RawMessageDelivery", "True");
  EXPECT_EQ(Str(SubscriptionAttributes(sqs), "RawMessageDelivery"), "true");
  EXPECT_TRUE(registry.FindSubscription(sqs)->raw);
  Set(sqs, "FilterPolicy", R"({"k": ["v"]})");
  EXPECT_TRUE(registry.FindSubscription(sqs)->filter);
  EXPECT_EQ(Str(SubscriptionAttributes(sqs), "FilterPolicyScope"), "MessageAttributes");
  Set(sqs, "FilterPolicyScope", "MessageBody");
  EXPECT_EQ(Str(SubscriptionAttributes(sqs), "FilterPolicyScope"), "MessageBody");
  Set(sqs, "FilterPolicy", "");
  EXPECT_FALSE(registry.FindSubscription(sqs)->filter);
  EXPECT_FALSE(SubscriptionAttributes(sqs).contains("FilterPolicy"));
  Set(sqs, "RedrivePolicy", R"({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"})");
  EXPECT_EQ(registry.FindSubscription(sqs)->dead_letter_key, "dlq");
  const std::string policy =
      R"({"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 5, "numRetries": 5}})";
  Set(http, "DeliveryPolicy", policy);
  EXPECT_EQ(Str(SubscriptionAttributes(http), "DeliveryPolicy"), policy);

  std::string message;
  EXPECT_EQ(SetFails(sqs, "Colour", "red", &message), "InvalidParameter");
  EXPECT_EQ(message, "Invalid parameter: AttributeName");
  EXPECT_EQ(SetFails(sqs, "DeliveryPolicy", "{}", &message), "InvalidParameter");
  EXPECT_EQ(message,
            "Invalid parameter: DeliveryPolicy: Delivery protocol [sqs] does not support delivery "
            "policies");
  EXPECT_EQ(SetFails(sqs, "FilterPolicy", R"({"a": "b"})", &message), "InvalidParameter");
  EXPECT_TRUE(message.starts_with("Invalid parameter: FilterPolicy: ")) << message;
  EXPECT_FALSE(registry.FindSubscription(sqs)->filter) << "a refusal changes nothing";
  EXPECT_EQ(SetFails(sqs, "RawMessageDelivery", "1", &message), "InvalidParameter");
  EXPECT_EQ(SetFails(std::string(kTopic) + ":nope", "RawMessageDelivery", "true", &message),
            "NotFound");
  EXPECT_EQ(Fails("SetSubscriptionAttributes", Json({{"SubscriptionArn", sqs}})), "MissingParameter");
}

TEST_P(SnsSubscriptionsTest, ListsPageByAHundred) {
  for (int i = 0; i < 150; ++i) {
    Subscribe(kTopic, "sqs", "arn:aws:sqs:us-east-1:000000000000:q" + std::to_string(i));
  }
  Subscribe(kFifoTopic, "sqs", kQueue);
  for (const char* action : {"ListSubscriptions", "ListSubscriptionsByTopic"}) {
    std::set<std::string> seen;
    std::string token;
    int pages = 0;
    do {
      boost::json::object params{{"TopicArn", kTopic}};
      if (!token.empty()) params["NextToken"] = token;
      auto out = Ok(action, Json(params));
      for (const auto& s : out["Subscriptions"].as_array()) {
        seen.emplace(s.at("SubscriptionArn").as_string());
        EXPECT_EQ(s.at("Owner"), "000000000000");
        EXPECT_EQ(s.at("Protocol"), "sqs");
      }
      token = out.contains("NextToken") ? std::string(out["NextToken"].as_string()) : "";
      ++pages;
    } while (!token.empty());
    EXPECT_EQ(pages, 2) << action;
    EXPECT_EQ(seen.size(), std::string_view(action) == "ListSubscriptions" ? 151u : 150u) << action;
  }
}

TEST_P(SnsSubscriptionsTest, ListSubscriptionsShowsOnlyTheCallersAccount) {
  Subscribe(kTopic, "sqs", kQueue);
  account = "111111111111";
  EXPECT_TRUE(Ok("ListSubscriptions", "{}")["Subscriptions"].as_array().empty());
}

}  // namespace
}  // namespace ferry::sns
