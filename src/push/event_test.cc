#include "push/event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "message/digest.h"
#include "message/payload.h"

namespace ferry::push {
namespace {

namespace json = boost::json;

const EventSource kSource{"arn:aws:sqs:eu-west-1:123456789012:jobs", "eu-west-1"};

engine::ReceivedMessage Message(std::string_view body,
                                std::vector<message::MessageAttribute> attributes = {},
                                std::vector<message::MessageAttribute> system = {}) {
  message::OutgoingMessage out;
  out.body = body;
  out.body_md5 = Md5(body);
  out.sender_id = "AIDAEXAMPLE";
  out.attributes = attributes;
  out.system_attributes = system;
  engine::ReceivedMessage m;
  m.message_id = "059f36b4-87a3-44ab-83d2-661975830a7d";
  m.receipt_handle = "handle-1";
  m.payload = message::EncodePayload(out);
  m.sequence = 7;
  m.sent_ms = 1545082649183;
  m.first_receive_ms = 1545082649185;
  m.receive_count = 1;
  return m;
}

json::object Render(const engine::ReceivedMessage& m, bool fifo = false,
                    std::string_view dlq_source = "") {
  Result<std::string> r = RenderRecord(m, fifo, kSource, dlq_source);
  EXPECT_TRUE(r.ok());
  return r.ok() ? json::parse(*r).as_object() : json::object();
}

TEST(PushEventTest, ARecordHasLambdasFieldsInLambdasOrder) {
  Result<std::string> r = RenderRecord(Message("hello"), false, kSource, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      *r, R"({"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"handle-1",)"
          R"("body":"hello","attributes":{"ApproximateReceiveCount":"1",)"
          R"("SentTimestamp":"1545082649183","SenderId":"AIDAEXAMPLE",)"
          R"("ApproximateFirstReceiveTimestamp":"1545082649185"},"messageAttributes":{},)"
          R"("md5OfBody":"5d41402abc4b2a76b9719d911017c592","eventSource":"aws:sqs",)"
          R"("eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:jobs","awsRegion":"eu-west-1"})");
}

TEST(PushEventTest, MessageAttributesOfEveryTypeAndTheirDigest) {
  std::vector<message::MessageAttribute> attrs = {
      {"bin", "Binary.png", true, std::string("\x00\x01\xff", 3)},
      {"num", "Number.float", false, "1.5"},
      {"str", "String", false, "v"},
  };
  json::object rec = Render(Message("b", attrs));
  const json::object& ma = rec.at("messageAttributes").as_object();
  EXPECT_EQ(ma.at("bin"), json::parse(R"({"binaryValue":"AAH/","stringListValues":[],)"
                                      R"("binaryListValues":[],"dataType":"Binary.png"})"));
  EXPECT_EQ(ma.at("num"), json::parse(R"({"stringValue":"1.5","stringListValues":[],)"
                                      R"("binaryListValues":[],"dataType":"Number.float"})"));
  EXPECT_EQ(ma.at("str"), json::parse(R"({"stringValue":"v","stringListValues":[],)"
                                      R"("binaryListValues":[],"dataType":"String"})"));
  EXPECT_EQ(rec.at("md5OfMessageAttributes").as_string(), message::AttributesMd5Hex(attrs));
}

TEST(PushEventTest, FifoRecordsCarrySequenceGroupAndDeduplicationIds) {
  engine::ReceivedMessage m =
      Message("b", {}, {{"MessageDeduplicationId", "String", false, "dedup-1"}});
  m.group_id = "g1";
  json::object rec = Render(m, /*fifo=*/true);
  const json::object& a = rec.at("attributes").as_object();
  EXPECT_EQ(a.at("SequenceNumber").as_string(), "10000000000000000007");
  EXPECT_EQ(a.at("MessageGroupId").as_string(), "g1");
  EXPECT_EQ(a.at("MessageDeduplicationId").as_string(), "dedup-1");
  EXPECT_FALSE(rec.contains("md5OfMessageAttributes"));
  // A standard queue's record has none of them.
  EXPECT_FALSE(Render(m).at("attributes").as_object().contains("SequenceNumber"));
}

TEST(PushEventTest, TraceHeaderAndDeadLetterSourceWhenTheMessageHasThem) {
  json::object rec = Render(Message("b", {}, {{"AWSTraceHeader", "String", false, "Root=1"}}),
                            false, "arn:aws:sqs:eu-west-1:123456789012:src");
  const json::object& a = rec.at("attributes").as_object();
  EXPECT_EQ(a.at("AWSTraceHeader").as_string(), "Root=1");
  EXPECT_EQ(a.at("DeadLetterQueueSourceArn").as_string(), "arn:aws:sqs:eu-west-1:123456789012:src");
}

TEST(PushEventTest, AnUndecodablePayloadIsAnError) {
  engine::ReceivedMessage m = Message("b");
  m.payload = "garbage";
  EXPECT_EQ(RenderRecord(m, false, kSource, "").status().code(), Code::kInternal);
}

TEST(PushEventTest, TheBodyListsTheRecords) {
  EXPECT_EQ(EventBody({}), R"({"Records":[]})");
  EXPECT_EQ(EventBody({"{}", "{\"a\":1}"}), R"({"Records":[{},{"a":1}]})");
  EXPECT_EQ(EventBodySize(9, 2), EventBody({"{}", "{\"a\":1}"}).size());
  EXPECT_EQ(EventBodySize(0, 0), EventBody({}).size());
}

TEST(PushEventTest, TheSignatureIsHexHmacOfTimestampDotBody) {
  EXPECT_EQ(Signature("0123456789abcdef", "1700000000", R"({"Records":[]})"),
            "v1=204f070c6bad706196a0102701b0e787933412404f9ddce2030c284cea6ee84c");
}

Result<http::InboundResponse> Answer(unsigned status, std::string body = "") {
  http::InboundResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

const std::set<std::string> kIds = {"m1", "m2", "m3"};

TEST(PushEventTest, A2xxWithoutFailuresDeliversTheWholeBatch) {
  for (const auto& answer :
       {Answer(200), Answer(204), Answer(200, "not json"), Answer(200, "[1]"),
        Answer(202, R"({"other":1})"), Answer(200, R"({"batchItemFailures":null})"),
        Answer(200, R"({"batchItemFailures":[]})")}) {
    Verdict v = Classify(answer, kIds);
    EXPECT_EQ(v.outcome, Outcome::kDelivered) << answer->body;
    EXPECT_TRUE(v.failed.empty());
  }
}

TEST(PushEventTest, BatchItemFailuresNameTheMessagesThatFailed) {
  Verdict v = Classify(
      Answer(200, R"({"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m3"}]})"),
      kIds);
  EXPECT_EQ(v.outcome, Outcome::kDelivered);
  EXPECT_EQ(v.failed, (std::set<std::string>{"m1", "m3"}));
}

TEST(PushEventTest, AnInvalidItemIdentifierFailsTheWholeBatch) {
  for (std::string_view body :
       {R"({"batchItemFailures":[{"itemIdentifier":""}]})",
        R"({"batchItemFailures":[{"itemIdentifier":"m9"}]})",
        R"({"batchItemFailures":[{"itemIdentifier":null}]})",
        R"({"batchItemFailures":[{"id":"m1"}]})", R"({"batchItemFailures":["m1"]})",
        R"({"batchItemFailures":{"itemIdentifier":"m1"}})"}) {
    Verdict v = Classify(Answer(200, std::string(body)), kIds);
    EXPECT_EQ(v.outcome, Outcome::kRetry) << body;
    EXPECT_TRUE(v.failed.empty());
  }
}

TEST(PushEventTest, ServerErrorsThrottlingAndFailedRequestsRetry) {
  for (unsigned status : {500u, 502u, 503u, 429u, 301u, 100u}) {
    EXPECT_EQ(Classify(Answer(status), kIds).outcome, Outcome::kRetry) << status;
  }
  EXPECT_EQ(Classify(Status::Unavailable("timed out"), kIds).outcome, Outcome::kRetry);
  EXPECT_EQ(Classify(Status::Unavailable("connection refused"), kIds).reason, "connection refused");
}

TEST(PushEventTest, OtherClientErrorsDeadLetter) {
  for (unsigned status : {400u, 401u, 403u, 404u, 410u, 413u, 499u}) {
    EXPECT_EQ(Classify(Answer(status), kIds).outcome, Outcome::kDeadLetter) << status;
  }
}

}  // namespace
}  // namespace ferry::push
