#include <gtest/gtest.h>

#include <map>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using MessagesTest = SqsTest;
FERRY_SQS_BOTH_WIRES(MessagesTest);

constexpr const char* kUrl = "http://localhost:9324/000000000000/q";

std::string With(std::string_view members) {
  return std::string(R"({"QueueUrl": ")") + kUrl + "\"" + (members.empty() ? "" : ", ") +
         std::string(members) + "}";
}

boost::json::array Messages(boost::json::object& out) {
  if (!out.contains("Messages")) return {};
  return out["Messages"].as_array();
}

TEST_P(MessagesTest, SendReceiveDelete) {
  CreateQueue("q");
  auto sent = Ok("SendMessage", With(R"("MessageBody": "hello")"));
  EXPECT_EQ(Str(sent["MD5OfMessageBody"]), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Str(sent["MessageId"]).size(), 36u);
  EXPECT_FALSE(sent.contains("MD5OfMessageAttributes"));
  EXPECT_FALSE(sent.contains("MD5OfMessageSystemAttributes"));
  EXPECT_FALSE(sent.contains("SequenceNumber"));

  auto out = Ok("ReceiveMessage", With(""));
  auto msgs = Messages(out);
  ASSERT_EQ(msgs.size(), 1u);
  auto& m = msgs[0].as_object();
  EXPECT_EQ(Str(m["MessageId"]), Str(sent["MessageId"]));
  EXPECT_EQ(Str(m["Body"]), "hello");
  EXPECT_EQ(Str(m["MD5OfBody"]), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_FALSE(m.contains("Attributes"));
  EXPECT_FALSE(m.contains("MessageAttributes"));
  const std::string handle = Str(m["ReceiptHandle"]);

  auto empty = Ok("ReceiveMessage", With(""));
  EXPECT_FALSE(empty.contains("Messages"));

  boost::json::object del{{"QueueUrl", kUrl}, {"ReceiptHandle", handle}};
  Ok("DeleteMessage", boost::json::serialize(del));
  Ok("DeleteMessage", boost::json::serialize(del));  // idempotent
  clock.Advance(31'000);
  EXPECT_FALSE(Ok("ReceiveMessage", With("")).contains("Messages"));
}

TEST_P(MessagesTest, ReceiveUpToMaxNumberOfMessages) {
  CreateQueue("q");
  for (int i = 0; i < 12; ++i) Ok("SendMessage", With(R"("MessageBody": "m")"));
  auto out = Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10)"));
  EXPECT_EQ(Messages(out).size(), 10u);
  out = Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10)"));
  EXPECT_EQ(Messages(out).size(), 2u);
  EXPECT_EQ(Fails("ReceiveMessage", With(R"("MaxNumberOfMessages": 0)")), "InvalidParameterValue");
  std::string message;
  EXPECT_EQ(Fails("ReceiveMessage", With(R"("MaxNumberOfMessages": 11)"), &message),
            "InvalidParameterValue");
  EXPECT_EQ(message,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
            "and 10, if provided.");
  EXPECT_EQ(Fails("ReceiveMessage", With(R"("VisibilityTimeout": 43201)")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("ReceiveMessage", With(R"("WaitTimeSeconds": 21)")), "InvalidParameterValue");
}

TEST_P(MessagesTest, MessageReappearsAfterVisibilityTimeout) {
  CreateQueue("q", R"({"VisibilityTimeout": "10"})");
  Ok("SendMessage", With(R"("MessageBody": "m")"));
  auto first = Ok("ReceiveMessage", With(R"("AttributeNames": ["ApproximateReceiveCount"])"));
  ASSERT_EQ(Messages(first).size(), 1u);
  clock.Advance(9'999);
  EXPECT_FALSE(Ok("ReceiveMessage", With("")).contains("Messages"));
  clock.Advance(1);
  auto again = Ok("ReceiveMessage", With(R"("AttributeNames": ["ApproximateReceiveCount"])"));
  auto msgs = Messages(again);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(Str(msgs[0].as_object()["Attributes"].as_object()["ApproximateReceiveCount"]), "2");
  // A receive's own VisibilityTimeout overrides the queue's.
  clock.Advance(10'000);
  Ok("ReceiveMessage", With(R"("VisibilityTimeout": 100)"));
  clock.Advance(50'000);
  EXPECT_FALSE(Ok("ReceiveMessage", With("")).contains("Messages"));
}

TEST_P(MessagesTest, DelayedMessageBecomesVisibleLater) {
  CreateQueue("q");
  Ok("SendMessage", With(R"("MessageBody": "m", "DelaySeconds": 5)"));
  EXPECT_FALSE(Ok("ReceiveMessage", With("")).contains("Messages"));
  clock.Advance(5'000);
  auto out = Ok("ReceiveMessage", With(""));
  EXPECT_EQ(Messages(out).size(), 1u);
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "m", "DelaySeconds": 901)")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "m", "DelaySeconds": -1)")),
            "InvalidParameterValue");
}

TEST_P(MessagesTest, QueueDelayAppliesWhenMessageHasNone) {
  CreateQueue("q", R"({"DelaySeconds": "3"})");
  Ok("SendMessage", With(R"("MessageBody": "m")"));
  Ok("SendMessage", With(R"("MessageBody": "now", "DelaySeconds": 0)"));
  auto out = Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10)"));
  auto msgs = Messages(out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(Str(msgs[0].as_object()["Body"]), "now");
}

TEST_P(MessagesTest, MessageAttributesRoundTripWithDigests) {
  CreateQueue("q");
  auto sent = Ok("SendMessage", With(R"("MessageBody": "b", "MessageAttributes": {
      "b": {"DataType": "Number", "StringValue": "42"},
      "a": {"DataType": "String.custom", "StringValue": "h\u00e9llo"},
      "c": {"DataType": "Binary", "BinaryValue": "AAH/"}})"));
  EXPECT_EQ(Str(sent["MD5OfMessageAttributes"]), "5ee48b1e7702580b14ee61a6a0709d3d");

  auto out = Ok("ReceiveMessage", With(R"("MessageAttributeNames": ["All"])"));
  auto msgs = Messages(out);
  ASSERT_EQ(msgs.size(), 1u);
  auto& m = msgs[0].as_object();
  EXPECT_EQ(Str(m["MD5OfMessageAttributes"]), "5ee48b1e7702580b14ee61a6a0709d3d");
  auto& attrs = m["MessageAttributes"].as_object();
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(Str(attrs["a"].as_object()["DataType"]), "String.custom");
  EXPECT_EQ(Str(attrs["a"].as_object()["StringValue"]), "h\xc3\xa9llo");
  EXPECT_EQ(Str(attrs["b"].as_object()["StringValue"]), "42");
  EXPECT_EQ(Str(attrs["c"].as_object()["BinaryValue"]), "AAH/");
  EXPECT_FALSE(attrs["c"].as_object().contains("StringValue"));
}

TEST_P(MessagesTest, ReceiveReturnsOnlyRequestedAttributesAndTheirDigest) {
  CreateQueue("q");
  Ok("SendMessage", With(R"("MessageBody": "b", "MessageAttributes": {
      "attr1": {"DataType": "String", "StringValue": "value1"},
      "foo.x": {"DataType": "String", "StringValue": "1"},
      "foo.y": {"DataType": "String", "StringValue": "2"},
      "foox": {"DataType": "String", "StringValue": "3"}})"));
  auto receive = [&](std::string_view names) {
    clock.Advance(31'000);
    auto out = Ok("ReceiveMessage",
                  With(std::string(R"("MessageAttributeNames": )") + std::string(names)));
    auto msgs = Messages(out);
    EXPECT_EQ(msgs.size(), 1u);
    return msgs.empty() ? boost::json::object() : msgs[0].as_object();
  };
  auto m = receive(R"(["attr1"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 1u);
  EXPECT_EQ(Str(m["MD5OfMessageAttributes"]), "3bc3f392bdd1097ba0b434f65d468d2e");
  m = receive(R"(["foo.*"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 3u) << "foo.x, foo.y and foox";
  m = receive(R"(["foo.x.*"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 1u);
  m = receive(R"(["att.*"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 1u);
  EXPECT_TRUE(m["MessageAttributes"].as_object().contains("attr1"));
  m = receive(R"([".*"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 4u);
  m = receive(R"(["*"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 4u);
  m = receive(R"(["All"])");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 4u);
  m = receive(R"(["nothing"])");
  EXPECT_FALSE(m.contains("MessageAttributes"));
  EXPECT_FALSE(m.contains("MD5OfMessageAttributes"));
  m = receive("[]");
  EXPECT_FALSE(m.contains("MessageAttributes"));
}

TEST_P(MessagesTest, SystemAttributesOnSendAndReceive) {
  clock.Set(1'700'000'000'500);
  CreateQueue("q");
  api::Call send = MakeCall("SendMessage", With(R"("MessageBody": "b", "MessageSystemAttributes": {
      "AWSTraceHeader": {"DataType": "String",
                         "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}})"));
  send.ctx.access_key = "AKIAIOSFODNN7EXAMPLE";
  send.ctx.principal_id = "AIDAJQABLZS4A3QDU576Q";
  auto sent = Call(std::move(send));
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(Str(sent->at("MD5OfMessageSystemAttributes")), "62a56dd927315f2b2e12832b84617ea5");
  EXPECT_FALSE(sent->contains("MD5OfMessageAttributes"));

  clock.Advance(1000);
  auto out = Ok("ReceiveMessage", With(R"("MessageSystemAttributeNames": ["All"])"));
  auto msgs = Messages(out);
  ASSERT_EQ(msgs.size(), 1u);
  auto& a = msgs[0].as_object()["Attributes"].as_object();
  // The caller's principal id (GetCallerIdentity's UserId), not its access key.
  EXPECT_EQ(Str(a["SenderId"]), "AIDAJQABLZS4A3QDU576Q");
  EXPECT_EQ(Str(a["SentTimestamp"]), "1700000000500");
  EXPECT_EQ(Str(a["ApproximateFirstReceiveTimestamp"]), "1700000001500");
  EXPECT_EQ(Str(a["ApproximateReceiveCount"]), "1");
  EXPECT_EQ(Str(a["AWSTraceHeader"]), "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_FALSE(msgs[0].as_object().contains("MessageAttributes"));
}

TEST_P(MessagesTest, TraceHeaderOfTheRequestBecomesAwsTraceHeader) {
  CreateQueue("q");
  const std::string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  api::Call send = MakeCall("SendMessage", With(R"("MessageBody": "b")"));
  send.ctx.trace_header = trace;
  auto sent = Call(std::move(send));
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(sent->contains("MD5OfMessageSystemAttributes"));
  // An explicit AWSTraceHeader wins over the header.
  api::Call own = MakeCall("SendMessage", With(R"("MessageBody": "c", "MessageSystemAttributes": {
      "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=own"}})"));
  own.ctx.trace_header = trace;
  ASSERT_TRUE(Call(std::move(own)).ok());
  // Each batch entry gets it; a header that is not valid text is not stored.
  api::Call batch =
      MakeCall("SendMessageBatch", With(R"("Entries": [{"Id": "e", "MessageBody": "d"}])"));
  batch.ctx.trace_header = trace;
  ASSERT_TRUE(Call(std::move(batch)).ok());
  api::Call bad = MakeCall("SendMessage", With(R"("MessageBody": "e")"));
  bad.ctx.trace_header = "Root=\x01";
  bad.ctx.trace_header[5] = '\x01';
  ASSERT_TRUE(Call(std::move(bad)).ok());

  auto out =
      Ok("ReceiveMessage",
         With(R"("MaxNumberOfMessages": 10, "MessageSystemAttributeNames": ["AWSTraceHeader"])"));
  std::map<std::string, std::string> traces;
  for (const auto& m : Messages(out)) {
    const auto& o = m.as_object();
    const auto* attrs = o.if_contains("Attributes");
    traces[Str(o.at("Body"))] =
        attrs ? Str(attrs->as_object().at("AWSTraceHeader")) : std::string("(none)");
  }
  EXPECT_EQ(traces, (std::map<std::string, std::string>{
                        {"b", trace}, {"c", "Root=own"}, {"d", trace}, {"e", "(none)"}}));
}

TEST_P(MessagesTest, AnonymousSenderIdAndSelectedSystemAttributes) {
  CreateQueue("q");
  Ok("SendMessage", With(R"("MessageBody": "b", "MessageGroupId": "tenant-1")"));
  auto out = Ok("ReceiveMessage",
                With(R"("AttributeNames": ["SenderId", "MessageGroupId", "NotAThing"])"));
  auto msgs = Messages(out);
  ASSERT_EQ(msgs.size(), 1u);
  auto& a = msgs[0].as_object()["Attributes"].as_object();
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(Str(a["SenderId"]), "AIDAIT2UOQQY3AUEKVGXU");
  EXPECT_EQ(Str(a["MessageGroupId"]), "tenant-1");
}

TEST_P(MessagesTest, SendValidatesTheBody) {
  CreateQueue("q");
  EXPECT_EQ(Fails("SendMessage", With("")), "MissingParameter");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "")")), "MissingParameter");
  std::string message;
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "bad \u0000 char")"), &message),
            "InvalidMessageContents");
  EXPECT_NE(message.find("Invalid characters found"), std::string::npos);
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "\uffff")")), "InvalidMessageContents");
  Ok("SendMessage", With(R"("MessageBody": "tab\tnl\ncr\r \ud83d\ude00 \ue000")"));
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "m", "MessageDeduplicationId": "d")")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "m", "MessageGroupId": "a b")")),
            "InvalidParameterValue");
}

TEST_P(MessagesTest, SendEnforcesMaximumMessageSize) {
  CreateQueue("q", R"({"MaximumMessageSize": "1024"})");
  boost::json::object p{{"QueueUrl", kUrl}, {"MessageBody", std::string(1024, 'x')}};
  Ok("SendMessage", boost::json::serialize(p));
  p["MessageBody"] = std::string(1025, 'x');
  std::string message;
  EXPECT_EQ(Fails("SendMessage", boost::json::serialize(p), &message), "InvalidParameterValue");
  EXPECT_EQ(message,
            "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
            "bytes.");
  // Attribute names, types and values count too.
  p["MessageBody"] = std::string(1000, 'x');
  p["MessageAttributes"] = boost::json::parse(
      R"({"name": {"DataType": "String", "StringValue": ")" + std::string(20, 'v') + "\"}}");
  EXPECT_EQ(Fails("SendMessage", boost::json::serialize(p)), "InvalidParameterValue");
}

TEST_P(MessagesTest, OneMebibyteMessageIsAccepted) {
  CreateQueue("q");
  boost::json::object p{{"QueueUrl", kUrl}, {"MessageBody", std::string(1048576, 'x')}};
  Ok("SendMessage", boost::json::serialize(p));
  p["MessageBody"] = std::string(1048577, 'x');
  EXPECT_EQ(Fails("SendMessage", boost::json::serialize(p)), "InvalidParameterValue");
  auto out = Ok("ReceiveMessage", With(""));
  EXPECT_EQ(Messages(out)[0].as_object()["Body"].as_string().size(), 1048576u);
}

TEST_P(MessagesTest, UnknownQueue) {
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "m")")), "QueueDoesNotExist");
  EXPECT_EQ(Fails("ReceiveMessage", With("")), "QueueDoesNotExist");
  EXPECT_EQ(Fails("DeleteMessage", With(R"("ReceiptHandle": "x")")), "QueueDoesNotExist");
}

TEST_P(MessagesTest, DeleteMessageErrors) {
  CreateQueue("q");
  EXPECT_EQ(Fails("DeleteMessage", With("")), "MissingParameter");
  std::string message;
  EXPECT_EQ(Fails("DeleteMessage", With(R"("ReceiptHandle": "garbage")"), &message),
            "ReceiptHandleIsInvalid");
  EXPECT_EQ(message, R"(The input receipt handle "garbage" is not a valid receipt handle.)");
  // A handle of another queue is not valid here.
  CreateQueue("other");
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/other", "MessageBody": "m"})");
  auto out = Ok("ReceiveMessage", R"({"QueueUrl": "/000000000000/other"})");
  std::string handle = Str(Messages(out)[0].as_object()["ReceiptHandle"]);
  boost::json::object p{{"QueueUrl", kUrl}, {"ReceiptHandle", handle}};
  EXPECT_EQ(Fails("DeleteMessage", boost::json::serialize(p)), "ReceiptHandleIsInvalid");
}

TEST_P(MessagesTest, ChangeMessageVisibility) {
  CreateQueue("q");
  Ok("SendMessage", With(R"("MessageBody": "m")"));
  auto out = Ok("ReceiveMessage", With(""));
  const std::string handle = Str(Messages(out)[0].as_object()["ReceiptHandle"]);
  boost::json::object p{{"QueueUrl", kUrl}, {"ReceiptHandle", handle}, {"VisibilityTimeout", 0}};
  Ok("ChangeMessageVisibility", boost::json::serialize(p));
  auto again = Ok("ReceiveMessage", With(""));
  ASSERT_EQ(Messages(again).size(), 1u);
  const std::string handle2 = Str(Messages(again)[0].as_object()["ReceiptHandle"]);

  p["ReceiptHandle"] = handle2;
  p["VisibilityTimeout"] = 100;
  Ok("ChangeMessageVisibility", boost::json::serialize(p));
  clock.Advance(99'000);
  EXPECT_FALSE(Ok("ReceiveMessage", With("")).contains("Messages"));
  clock.Advance(1'000);
  auto third = Ok("ReceiveMessage", With(""));
  EXPECT_EQ(Messages(third).size(), 1u);

  // An earlier receive's handle acts on the current receive, as on AWS:
  // VisibilityTimeout 0 makes the message visible again.
  p["ReceiptHandle"] = handle;
  p["VisibilityTimeout"] = 0;
  Ok("ChangeMessageVisibility", boost::json::serialize(p));
  auto fourth = Ok("ReceiveMessage", With(R"("VisibilityTimeout": 5)"));
  ASSERT_EQ(Messages(fourth).size(), 1u);
  const std::string handle4 = Str(Messages(fourth)[0].as_object()["ReceiptHandle"]);
  // A handle whose visibility expired (nobody received the message since)
  // answers 200 and leaves the message visible.
  clock.Advance(5'000);
  p["ReceiptHandle"] = handle4;
  p["VisibilityTimeout"] = 100;
  Ok("ChangeMessageVisibility", boost::json::serialize(p));
  auto fifth_out = Ok("ReceiveMessage", With(""));
  auto fifth = Messages(fifth_out);
  ASSERT_EQ(fifth.size(), 1u) << "still visible after the change with the expired handle";
  const std::string handle5 = Str(fifth[0].as_object().at("ReceiptHandle"));

  // A deleted message's handle names nothing.
  boost::json::object d{{"QueueUrl", kUrl}, {"ReceiptHandle", handle5}};
  Ok("DeleteMessage", boost::json::serialize(d));
  std::string message;
  p["ReceiptHandle"] = handle5;
  EXPECT_EQ(Fails("ChangeMessageVisibility", boost::json::serialize(p), &message),
            "InvalidParameterValue");
  EXPECT_EQ(message, "Value " + handle5 +
                         " for parameter ReceiptHandle is invalid. Reason: Message does not "
                         "exist or is not available for visibility timeout change.");
  p["ReceiptHandle"] = "garbage";
  EXPECT_EQ(Fails("ChangeMessageVisibility", boost::json::serialize(p)), "ReceiptHandleIsInvalid");
  p["VisibilityTimeout"] = 43201;
  EXPECT_EQ(Fails("ChangeMessageVisibility", boost::json::serialize(p)), "InvalidParameterValue");
  p.erase("VisibilityTimeout");
  EXPECT_EQ(Fails("ChangeMessageVisibility", boost::json::serialize(p)), "MissingParameter");
}

TEST(MessagesWireTest, JsonWireRejectsWrongTypes) {
  SqsFixture f;
  f.CreateQueue("q");
  EXPECT_EQ(f.Fails("SendMessage", R"({"QueueUrl": "/0/q", "MessageBody": 5})"),
            "InvalidParameterValue");
  EXPECT_EQ(
      f.Fails("SendMessage", R"({"QueueUrl": "/0/q", "MessageBody": "m", "DelaySeconds": "5"})"),
      "InvalidParameterValue");
  EXPECT_EQ(f.Fails("ReceiveMessage", R"({"QueueUrl": "/0/q", "MessageAttributeNames": "All"})"),
            "InvalidParameterValue");
  EXPECT_EQ(f.Fails("SendMessage", R"({"QueueUrl": 7, "MessageBody": "m"})"), "QueueDoesNotExist");
}

TEST(MessagesWireTest, QueryWireParsesTextNumbers) {
  SqsFixture f;
  f.wire = api::Wire::kQuery;
  f.CreateQueue("q");
  f.Ok("SendMessage", R"({"QueueUrl": "/0/q", "MessageBody": "m", "DelaySeconds": "0"})");
  EXPECT_EQ(
      f.Fails("SendMessage", R"({"QueueUrl": "/0/q", "MessageBody": "m", "DelaySeconds": "x"})"),
      "InvalidParameterValue");
  auto out = f.Ok("ReceiveMessage", R"({"QueueUrl": "/0/q", "MaxNumberOfMessages": "10"})");
  EXPECT_EQ(out["Messages"].as_array().size(), 1u);
}

}  // namespace
}  // namespace ferry::sqs
