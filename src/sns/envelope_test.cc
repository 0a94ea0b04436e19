#include "sns/envelope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::sns {
namespace {

constexpr std::string_view kTopic = "arn:aws:sns:us-west-2:123456789012:MyTopic";
constexpr std::string_view kCertUrl =
    "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-"
    "f3ecfb7224c7233fe7bb5f59f96de52f.pem";

TEST(FormatTimestamp, WritesUtcWithMillisecondsAndZ) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1335920046655), "2012-05-02T00:54:06.655Z");
  EXPECT_EQ(FormatTimestamp(1709251199007), "2024-02-29T23:59:59.007Z");
}

TEST(ConfirmationMessages, AreSnsTexts) {
  EXPECT_EQ(SubscriptionConfirmationMessage(kTopic),
            "You have chosen to subscribe to the topic "
            "arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit "
            "the SubscribeURL included in this message.");
  EXPECT_EQ(UnsubscribeConfirmationMessage("arn:aws:sns:us-west-2:123456789012:MyTopic:2bcf"),
            "You have chosen to deactivate subscription "
            "arn:aws:sns:us-west-2:123456789012:MyTopic:2bcf.\nTo cancel this operation and "
            "restore the subscription, visit the SubscribeURL included in this message.");
}

// AWS's documented Notification to an HTTP endpoint ("HTTP/HTTPS
// notification JSON format"), rebuilt from its values.
TEST(NotificationJson, MatchesTheDocumentedExampleByteForByte) {
  Notification n;
  n.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  n.topic_arn = kTopic;
  n.subject = "My First Message";
  n.message = "Hello world!";
  n.timestamp_ms = 1335920046655;
  n.unsubscribe_url =
      "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
      "arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96";
  const std::string sig =
      "EXAMPLEw6JRNwm1LFQL4ICB0bnXrdB8ClRMTQFGBqwLpGbM78tJ4etTwC5zU7O3tS6tGpey3ejedNdOJ+"
      "1fkIp9F2/LmNVKb5aFlYq+9rk9ZiPph5YlLmWsDcyC5T+Sy9/umic5S0UQc2PEtgdpVBahwNOdMW4JPwk0kAJJztnc=";
  SignatureFields s{"1", sig, kCertUrl};
  EXPECT_EQ(NotificationJson(n, &s),
            "{\n"
            "  \"Type\" : \"Notification\",\n"
            "  \"MessageId\" : \"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\",\n"
            "  \"TopicArn\" : \"arn:aws:sns:us-west-2:123456789012:MyTopic\",\n"
            "  \"Subject\" : \"My First Message\",\n"
            "  \"Message\" : \"Hello world!\",\n"
            "  \"Timestamp\" : \"2012-05-02T00:54:06.655Z\",\n"
            "  \"SignatureVersion\" : \"1\",\n"
            "  \"Signature\" : \"" +
                sig +
                "\",\n"
                "  \"SigningCertURL\" : \"https://sns.us-west-2.amazonaws.com/"
                "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem\",\n"
                "  \"UnsubscribeURL\" : \"https://sns.us-west-2.amazonaws.com/"
                "?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:"
                "MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96\"\n"
                "}");
}

TEST(NotificationJson, LeavesOutAnAbsentSubject) {
  Notification n;
  n.message_id = "m";
  n.topic_arn = "t";
  n.message = "x";
  n.unsubscribe_url = "u";
  SignatureFields s{"2", "sig", "c"};
  EXPECT_EQ(NotificationJson(n, &s),
            "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"m\",\n"
            "  \"TopicArn\" : \"t\",\n  \"Message\" : \"x\",\n"
            "  \"Timestamp\" : \"1970-01-01T00:00:00.000Z\",\n  \"SignatureVersion\" : \"2\",\n"
            "  \"Signature\" : \"sig\",\n  \"SigningCertURL\" : \"c\",\n"
            "  \"UnsubscribeURL\" : \"u\"\n}");
}

// The layout of a FIFO topic's notification as SNS delivers it to SQS:
// SequenceNumber after MessageId, no signature fields, attributes last with
// one compact object per line.
TEST(NotificationJson, FifoNotificationHasSequenceNumberAttributesAndNoSignature) {
  const std::vector<message::AttributeView> attributes = {
      {"coin_id", "String", false, "bitcoin"},
      {"blob", "Binary", true, std::string_view("\x00\xff", 2)},
      {"n", "Number", false, "42"},
  };
  Notification n;
  n.message_id = "15e69bf2-9993-52d4-9090-c1f2dfd8e0fe";
  n.sequence_number = "10000000000000007000";
  n.topic_arn = "arn:aws:sns:us-east-1:405595038722:w.fifo";
  n.subject = "s";
  n.message = "blah";
  n.timestamp_ms = 1709251199007;
  n.unsubscribe_url = "https://h/?Action=Unsubscribe";
  n.attributes = attributes;
  EXPECT_EQ(NotificationJson(n, nullptr),
            "{\n"
            "  \"Type\" : \"Notification\",\n"
            "  \"MessageId\" : \"15e69bf2-9993-52d4-9090-c1f2dfd8e0fe\",\n"
            "  \"SequenceNumber\" : \"10000000000000007000\",\n"
            "  \"TopicArn\" : \"arn:aws:sns:us-east-1:405595038722:w.fifo\",\n"
            "  \"Subject\" : \"s\",\n"
            "  \"Message\" : \"blah\",\n"
            "  \"Timestamp\" : \"2024-02-29T23:59:59.007Z\",\n"
            "  \"UnsubscribeURL\" : \"https://h/?Action=Unsubscribe\",\n"
            "  \"MessageAttributes\" : {\n"
            "    \"coin_id\" : {\"Type\":\"String\",\"Value\":\"bitcoin\"},\n"
            "    \"blob\" : {\"Type\":\"Binary\",\"Value\":\"AP8=\"},\n"
            "    \"n\" : {\"Type\":\"Number\",\"Value\":\"42\"}\n"
            "  }\n"
            "}");
}

// '"', '\\' and control characters are escaped; '/' and non-ASCII text are
// written as they are, as in SNS's deliveries.
TEST(NotificationJson, EscapesQuotesBackslashesAndControlsButNotSlashes) {
  Notification n;
  n.message_id = "m";
  n.topic_arn = "t";
  n.subject = "a/b";
  n.message = "{\"k\":\"v\\n\"}\n\t\x01</x> caf\xc3\xa9";
  n.unsubscribe_url = "https://h/u";
  const std::string json = NotificationJson(n, nullptr);
  EXPECT_NE(json.find("  \"Subject\" : \"a/b\",\n"), std::string::npos) << json;
  EXPECT_NE(
      json.find("  \"Message\" : \"{\\\"k\\\":\\\"v\\\\n\\\"}\\n\\t\\u0001</x> caf\xc3\xa9\",\n"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"UnsubscribeURL\" : \"https://h/u\""), std::string::npos) << json;
}

// AWS's documented SubscriptionConfirmation, rebuilt from its values. The
// documentation closes it with "  }"; SNS's real deliveries, like its
// notifications, close with "\n}".
TEST(ConfirmationJson, MatchesTheDocumentedSubscriptionConfirmation) {
  const std::string token =
      "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e"
      "285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b78"
      "49e05798d2d2785c03b0879594eeac82c01f235d0e717736";
  const std::string url =
      "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-"
      "west-2:123456789012:MyTopic&Token=" +
      token;
  const std::string message = SubscriptionConfirmationMessage(kTopic);
  Confirmation c;
  c.type = ConfirmationType::kSubscription;
  c.message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
  c.token = token;
  c.topic_arn = kTopic;
  c.message = message;
  c.subscribe_url = url;
  c.timestamp_ms = 1335473104751;
  const std::string sig =
      "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6b"
      "kkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=";
  EXPECT_EQ(ConfirmationJson(c, SignatureFields{"1", sig, kCertUrl}),
            "{\n"
            "  \"Type\" : \"SubscriptionConfirmation\",\n"
            "  \"MessageId\" : \"165545c9-2a5c-472c-8df2-7ff2be2b3b1b\",\n"
            "  \"Token\" : \"" +
                token +
                "\",\n"
                "  \"TopicArn\" : \"arn:aws:sns:us-west-2:123456789012:MyTopic\",\n"
                "  \"Message\" : \"You have chosen to subscribe to the topic "
                "arn:aws:sns:us-west-2:123456789012:MyTopic.\\nTo confirm the subscription, "
                "visit the SubscribeURL included in this message.\",\n"
                "  \"SubscribeURL\" : \"" +
                url +
                "\",\n"
                "  \"Timestamp\" : \"2012-04-26T20:45:04.751Z\",\n"
                "  \"SignatureVersion\" : \"1\",\n"
                "  \"Signature\" : \"" +
                sig +
                "\",\n"
                "  \"SigningCertURL\" : \"https://sns.us-west-2.amazonaws.com/"
                "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem\"\n"
                "}");
}

TEST(ConfirmationJson, UnsubscribeConfirmationHasItsType) {
  Confirmation c;
  c.type = ConfirmationType::kUnsubscribe;
  c.message_id = "m";
  c.token = "k";
  c.topic_arn = "t";
  c.message = "x";
  c.subscribe_url = "u";
  EXPECT_EQ(ConfirmationJson(c, SignatureFields{"2", "s", "c"}),
            "{\n  \"Type\" : \"UnsubscribeConfirmation\",\n  \"MessageId\" : \"m\",\n"
            "  \"Token\" : \"k\",\n  \"TopicArn\" : \"t\",\n  \"Message\" : \"x\",\n"
            "  \"SubscribeURL\" : \"u\",\n  \"Timestamp\" : \"1970-01-01T00:00:00.000Z\",\n"
            "  \"SignatureVersion\" : \"2\",\n  \"Signature\" : \"s\",\n"
            "  \"SigningCertURL\" : \"c\"\n}");
}

}  // namespace
}  // namespace ferry::sns
