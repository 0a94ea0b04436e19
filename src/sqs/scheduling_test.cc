// Scheduled delivery through the SQS handlers (scheduling.h): the
// FerryScheduledDelivery attribute, DelaySeconds beyond 900, the
// Ferry.DelaySeconds and Ferry.DeliverAt message attributes, and refusals.
#include "sqs/scheduling.h"

#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

constexpr const char* kUrl = "http://localhost:9324/000000000000/q";

std::string With(std::string_view members) {
  return std::string(R"({"QueueUrl": ")") + kUrl + "\", " + std::string(members) + "}";
}

std::string Attribute(std::string_view name, std::string_view type, std::string_view value) {
  return R"("MessageAttributes": {")" + std::string(name) + R"(": {"DataType": ")" +
         std::string(type) + R"(", "StringValue": ")" + std::string(value) + R"("}})";
}

class Scheduled : public SqsTest {
 protected:
  void OptedIn() { CreateQueue("q", R"({"FerryScheduledDelivery": "true"})"); }
  size_t Visible() {
    auto out = Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10, "VisibilityTimeout": 0)"));
    return out.contains("Messages") ? out["Messages"].as_array().size() : 0;
  }
  std::string Delayed() {
    auto out = Ok("GetQueueAttributes",
                  With(R"("AttributeNames": ["ApproximateNumberOfMessagesDelayed"])"));
    return Str(out["Attributes"].as_object()["ApproximateNumberOfMessagesDelayed"]);
  }
};
FERRY_SQS_BOTH_WIRES(Scheduled);

TEST_P(Scheduled, TheAttributeIsReturnedByNameAndUnderAllOnlyWhenTrue) {
  CreateQueue("q");
  auto all = Ok("GetQueueAttributes", With(R"("AttributeNames": ["All"])"));
  EXPECT_FALSE(all["Attributes"].as_object().contains("FerryScheduledDelivery"));
  auto named = Ok("GetQueueAttributes", With(R"("AttributeNames": ["FerryScheduledDelivery"])"));
  EXPECT_EQ(Str(named["Attributes"].as_object()["FerryScheduledDelivery"]), "false");
  Ok("SetQueueAttributes", With(R"("Attributes": {"FerryScheduledDelivery": "true"})"));
  all = Ok("GetQueueAttributes", With(R"("AttributeNames": ["All"])"));
  EXPECT_EQ(Str(all["Attributes"].as_object()["FerryScheduledDelivery"]), "true");
  Ok("SetQueueAttributes", With(R"("Attributes": {"FerryScheduledDelivery": "false"})"));
  all = Ok("GetQueueAttributes", With(R"("AttributeNames": ["All"])"));
  EXPECT_FALSE(all["Attributes"].as_object().contains("FerryScheduledDelivery"));
}

TEST_P(Scheduled, AFifoQueueOrABadValueIsRefused) {
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "f.fifo", "Attributes": {"FifoQueue": "true",
                                     "FerryScheduledDelivery": "true"}})"),
            "InvalidAttributeValue");
  CreateQueue("q");
  EXPECT_EQ(Fails("SetQueueAttributes", With(R"("Attributes": {"FerryScheduledDelivery": "yes"})")),
            "InvalidAttributeValue");
}

TEST_P(Scheduled, CreateQueueAgainWithAnotherValueIsAConflict) {
  OptedIn();
  // As for AWS's attributes, only those named are compared.
  CreateQueue("q");
  EXPECT_EQ(Fails("CreateQueue",
                  R"({"QueueName": "q", "Attributes": {"FerryScheduledDelivery": "false"}})"),
            "QueueNameExists");
}

TEST_P(Scheduled, DelaySecondsBeyond900NeedsTheQueueToOptIn) {
  CreateQueue("q");
  std::string message;
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": 3600)"), &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("DelaySeconds must be >= 0 and <= 900."), std::string::npos) << message;
  Ok("SetQueueAttributes", With(R"("Attributes": {"FerryScheduledDelivery": "true"})"));
  Ok("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": 3600)"));
  EXPECT_EQ(Delayed(), "1");
  clock.Advance(3599'999);
  EXPECT_EQ(Visible(), 0u);
  clock.Advance(1);
  EXPECT_EQ(Visible(), 1u);
}

TEST_P(Scheduled, DelaysAreBoundedByTheRetentionPeriod) {
  CreateQueue("q", R"({"FerryScheduledDelivery": "true", "MessageRetentionPeriod": "86400"})");
  std::string message;
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": 86401)"), &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("MessageRetentionPeriod (86400)"), std::string::npos) << message;
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", )" +
                                      Attribute("Ferry.DelaySeconds", "Number", "86401"))),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", )" +
                                      Attribute("Ferry.DeliverAt", "Number",
                                                std::to_string(clock.NowMs() / 1000 + 86401)))),
            "InvalidParameterValue");
  Ok("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": 86400)"));
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": -1)")),
            "InvalidParameterValue");
}

TEST_P(Scheduled, FerryDelaySecondsDelaysTheMessageAndStaysOnIt) {
  OptedIn();
  auto sent = Ok("SendMessage", With(R"("MessageBody": "b", )" +
                                     Attribute("Ferry.DelaySeconds", "Number", "7200")));
  EXPECT_TRUE(sent.contains("MD5OfMessageAttributes"));
  clock.Advance(7199'000);
  EXPECT_EQ(Visible(), 0u);
  clock.Advance(1000);
  auto out = Ok("ReceiveMessage", With(R"("MessageAttributeNames": ["All"])"));
  auto& m = out["Messages"].as_array()[0].as_object();
  EXPECT_EQ(Str(m["MD5OfMessageAttributes"]), Str(sent["MD5OfMessageAttributes"]));
  EXPECT_EQ(
      Str(m["MessageAttributes"].as_object()["Ferry.DelaySeconds"].as_object()["StringValue"]),
      "7200");
}

TEST_P(Scheduled, FerryDeliverAtTakesAnRfc3339TimeOrEpochSecondsAndThePastMeansNow) {
  OptedIn();
  // The fixture's clock starts at 1'700'000'000'000 ms: 2023-11-14T22:13:20Z.
  Ok("SendMessage", With(R"("MessageBody": "a", )" +
                         Attribute("Ferry.DeliverAt", "String", "2023-11-15T22:13:20Z")));
  Ok("SendMessage", With(R"("MessageBody": "b", )" +
                         Attribute("Ferry.DeliverAt", "Number", "1700172800")));  // +2 days
  Ok("SendMessage", With(R"("MessageBody": "c", )" +
                         Attribute("Ferry.DeliverAt", "String", "2020-01-01T00:00:00Z")));
  EXPECT_EQ(Delayed(), "2");
  EXPECT_EQ(Visible(), 1u);  // the past one
  clock.Advance(86400'000 - 1);
  EXPECT_EQ(Visible(), 1u);
  clock.Advance(1);
  EXPECT_EQ(Visible(), 2u);
  clock.Advance(86400'000);
  EXPECT_EQ(Visible(), 3u);
}

TEST_P(Scheduled, AScheduledBatchEntryIsDelayedAndABadOneFailsAlone) {
  OptedIn();
  auto out = Ok("SendMessageBatch", With(R"("Entries": [
      {"Id": "1", "MessageBody": "a", "MessageAttributes": {"Ferry.DelaySeconds": {"DataType": "Number", "StringValue": "3600"}}},
      {"Id": "2", "MessageBody": "b", "MessageAttributes": {"Ferry.DelaySeconds": {"DataType": "String", "StringValue": "soon"}}},
      {"Id": "3", "MessageBody": "c", "DelaySeconds": 1000}])"));
  EXPECT_EQ(out["Successful"].as_array().size(), 2u);
  EXPECT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(Delayed(), "2");
}

TEST_P(Scheduled, RefusalsSayWhy) {
  CreateQueue("q");
  std::string message;
  EXPECT_EQ(Fails("SendMessage",
                  With(R"("MessageBody": "b", )" + Attribute("Ferry.DelaySeconds", "Number", "60")),
                  &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("FerryScheduledDelivery"), std::string::npos) << message;
  Ok("SetQueueAttributes", With(R"("Attributes": {"FerryScheduledDelivery": "true"})"));
  for (const std::string& bad : {Attribute("Ferry.DelaySeconds", "Number", "1.5"),
                                 Attribute("Ferry.DelaySeconds", "Number", "-1"),
                                 Attribute("Ferry.DeliverAt", "String", "tomorrow"),
                                 Attribute("Ferry.DeliverAt", "String", "2023-02-30T00:00:00Z"),
                                 std::string(R"("MessageAttributes": {
            "Ferry.DelaySeconds": {"DataType": "Number", "StringValue": "60"},
            "Ferry.DeliverAt": {"DataType": "Number", "StringValue": "1700000060"}})")}) {
    EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", )" + bad)), "InvalidParameterValue")
        << bad;
  }
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "b", "DelaySeconds": 5, )" +
                                      Attribute("Ferry.DelaySeconds", "Number", "60"))),
            "InvalidParameterValue");
}

TEST(ParseRfc3339, ReadsUtcOffsetsAndFractionsAndRefusesTheRest) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2026-12-08T09:30:00Z"), 1796722200000);
  EXPECT_EQ(ParseRfc3339("2026-12-08t10:30:00.25+01:00"), 1796722200250);
  EXPECT_EQ(ParseRfc3339("2026-12-08T04:00:00-05:30"), 1796722200000);
  EXPECT_EQ(ParseRfc3339("2024-02-29T00:00:00Z"), 1709164800000);
  for (std::string_view bad :
       {"", "2026-12-08", "2026-12-08T09:30:00", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2026-12-08T24:00:00Z", "2026-12-08T09:30:00.Z", "2026-12-08T09:30:00Zjunk",
        "2026-12-08 09:30:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ferry::sqs
