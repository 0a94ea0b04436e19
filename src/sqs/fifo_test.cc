// FIFO queues through the SQS handlers, on both wires: CreateQueue and its
// attributes, the send rules, SequenceNumber, deduplication, group order and
// locks, ReceiveRequestAttemptId, and fair standard queues.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using FifoTest = SqsTest;
FERRY_SQS_BOTH_WIRES(FifoTest);

constexpr const char* kUrl = "http://localhost:9324/000000000000/q.fifo";

std::string With(std::string_view members, const char* url = kUrl) {
  return std::string(R"({"QueueUrl": ")") + url + "\"" + (members.empty() ? "" : ", ") +
         std::string(members) + "}";
}

boost::json::array Messages(boost::json::object out) {
  if (!out.contains("Messages")) return {};
  return out["Messages"].as_array();
}

std::vector<std::string> Bodies(const boost::json::array& msgs) {
  std::vector<std::string> out;
  for (const auto& m : msgs) out.push_back(Str(m.as_object().at("Body")));
  return out;
}

using Strings = std::vector<std::string>;

class FifoQueue : public FifoTest {
 protected:
  void SetUp() override { CreateQueue("q.fifo", R"({"FifoQueue": "true"})"); }

  boost::json::object Send(std::string_view body, std::string_view group, std::string_view dedup) {
    boost::json::object p{{"QueueUrl", kUrl},
                          {"MessageBody", body},
                          {"MessageGroupId", group},
                          {"MessageDeduplicationId", dedup}};
    return Ok("SendMessage", boost::json::serialize(p));
  }
  boost::json::array Receive(std::string_view extra = R"("MaxNumberOfMessages": 10)") {
    return Messages(Ok("ReceiveMessage", With(extra)));
  }
};
FERRY_SQS_BOTH_WIRES(FifoQueue);

TEST_P(FifoTest, CreateQueueNeedsFifoQueueAndAFifoName) {
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q.fifo"})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "Attributes": {"FifoQueue": "true"}})"),
            "InvalidParameterValue");
  EXPECT_EQ(
      Fails("CreateQueue", R"({"QueueName": "q.fifo", "Attributes": {"FifoQueue": "false"}})"),
      "InvalidAttributeName");
  EXPECT_EQ(Fails("CreateQueue",
                  R"({"QueueName": "q", "Attributes": {"ContentBasedDeduplication": "true"}})"),
            "InvalidAttributeName");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "bad.name.fifo",
                                     "Attributes": {"FifoQueue": "true"}})"),
            "InvalidParameterValue");
  const std::string long_name(76, 'x');
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": ")" + long_name +
                                     R"(.fifo", "Attributes": {"FifoQueue": "true"}})"),
            "InvalidParameterValue");
  EXPECT_FALSE(CreateQueue(std::string(75, 'x') + ".fifo", R"({"FifoQueue": "true"})").empty());
  EXPECT_EQ(CreateQueue("q.fifo", R"({"FifoQueue": "true"})"), kUrl);
  // Idempotent for the same attributes; FIFO attributes are compared too.
  EXPECT_EQ(CreateQueue("q.fifo", R"({"FifoQueue": "true", "DeduplicationScope": "queue"})"), kUrl);
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q.fifo", "Attributes": {
                                     "FifoQueue": "true", "ContentBasedDeduplication": "true"}})"),
            "QueueNameExists");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "h.fifo", "Attributes": {
                                     "FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"}})"),
            "InvalidAttributeValue");
}

TEST_P(FifoTest, GetQueueAttributesListsTheFifoAttributes) {
  CreateQueue("q.fifo", R"({"FifoQueue": "true", "ContentBasedDeduplication": "true",
                            "DeduplicationScope": "messageGroup",
                            "FifoThroughputLimit": "perMessageGroupId"})");
  auto out = Ok("GetQueueAttributes", With(R"("AttributeNames": ["All"])"));
  auto& a = out["Attributes"].as_object();
  EXPECT_EQ(Str(a["FifoQueue"]), "true");
  EXPECT_EQ(Str(a["ContentBasedDeduplication"]), "true");
  EXPECT_EQ(Str(a["DeduplicationScope"]), "messageGroup");
  EXPECT_EQ(Str(a["FifoThroughputLimit"]), "perMessageGroupId");
  EXPECT_EQ(Str(a["QueueArn"]), "arn:aws:sqs:us-east-1:000000000000:q.fifo");

  // Settable afterwards, except FifoQueue itself.
  Ok("SetQueueAttributes", With(R"("Attributes": {"FifoThroughputLimit": "perQueue",
                                                   "DeduplicationScope": "queue",
                                                   "ContentBasedDeduplication": "false"})"));
  out = Ok("GetQueueAttributes", With(R"("AttributeNames": ["DeduplicationScope",
                                                             "FifoThroughputLimit"])"));
  EXPECT_EQ(Str(out["Attributes"].as_object()["DeduplicationScope"]), "queue");
  EXPECT_EQ(Str(out["Attributes"].as_object()["FifoThroughputLimit"]), "perQueue");
  EXPECT_EQ(out["Attributes"].as_object().size(), 2u);
  // Restating the kind is a 200, in any letter case; "false" names an
  // attribute a FIFO queue cannot have.
  Ok("SetQueueAttributes", With(R"("Attributes": {"FifoQueue": "true"})"));
  Ok("SetQueueAttributes", With(R"("Attributes": {"FifoQueue": "TRUE"})"));
  EXPECT_EQ(Fails("SetQueueAttributes", With(R"("Attributes": {"FifoQueue": "false"})")),
            "InvalidAttributeName");
  EXPECT_EQ(Fails("SetQueueAttributes", With(R"("Attributes": {"FifoQueue": "yes"})")),
            "InvalidAttributeValue");

  // A standard queue has none of them.
  const char* std_url = "http://localhost:9324/000000000000/plain";
  CreateQueue("plain");
  out = Ok("GetQueueAttributes", With(R"("AttributeNames": ["All"])", std_url));
  EXPECT_FALSE(out["Attributes"].as_object().contains("FifoQueue"));
  EXPECT_EQ(Fails("SetQueueAttributes",
                  With(R"("Attributes": {"ContentBasedDeduplication": "true"})", std_url)),
            "InvalidAttributeName");
  std::string message;
  EXPECT_EQ(Fails("SetQueueAttributes",
                  With(R"("Attributes": {"DeduplicationScope": "queue"})", std_url), &message),
            "InvalidAttributeName");
  EXPECT_EQ(message, "You can specify the DeduplicationScope only when FifoQueue is set to true.");
  EXPECT_EQ(Fails("SetQueueAttributes", With(R"("Attributes": {"FifoQueue": "true"})", std_url),
                  &message),
            "InvalidAttributeName");
  EXPECT_EQ(message, "Unknown Attribute FifoQueue.");
}

TEST_P(FifoTest, FifoQueueAttributeOnCreateQueue) {
  // Any letter case of "true" makes a FIFO queue.
  EXPECT_EQ(CreateQueue("q.fifo", R"({"FifoQueue": "True"})"), kUrl);
  EXPECT_TRUE(engine.FindQueue("q.fifo")->fifo());
  // A standard queue has no FifoQueue attribute, so "false" is unknown.
  std::string message;
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "plain", "Attributes": {"FifoQueue": "false"}})",
                  &message),
            "InvalidAttributeName");
  EXPECT_EQ(message, "Unknown Attribute FifoQueue.");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "plain",
                                     "Attributes": {"DeduplicationScope": "queue"}})",
                  &message),
            "InvalidAttributeName");
  EXPECT_EQ(message, "You can specify the DeduplicationScope only when FifoQueue is set to true.");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "plain",
                                     "Attributes": {"FifoThroughputLimit": "perQueue"}})",
                  &message),
            "InvalidAttributeName");
  EXPECT_EQ(message, "You can specify the FifoThroughputLimit only when FifoQueue is set to true.");
  EXPECT_EQ(engine.FindQueue("plain"), nullptr);
}

TEST_P(FifoQueue, SendRulesFollowAws) {
  std::string message;
  EXPECT_EQ(
      Fails("SendMessage", With(R"("MessageBody": "x", "MessageDeduplicationId": "d")"), &message),
      "MissingParameter");
  EXPECT_NE(message.find("MessageGroupId"), std::string::npos);
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g")"), &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("ContentBasedDeduplication"), std::string::npos) << message;
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g",
                                          "MessageDeduplicationId": "d", "DelaySeconds": 5)")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g",
                                          "MessageDeduplicationId": "has space")"),
                  &message),
            "InvalidParameterValue");
  EXPECT_EQ(message,
            "Value has space for parameter MessageDeduplicationId is invalid. Reason: "
            "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 "
            "to 128 in length.");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g h",
                                          "MessageDeduplicationId": "d")"),
                  &message),
            "InvalidParameterValue");
  EXPECT_EQ(message,
            "Value g h for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
            "include alphanumeric and punctuation characters. 1 to 128 in length.");
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g",
                                          "MessageDeduplicationId": ")" +
                                      std::string(129, 'd') + "\"")),
            "InvalidParameterValue");
  // DelaySeconds 0 is no delay: accepted.
  Ok("SendMessage", With(R"("MessageBody": "x", "MessageGroupId": "g",
                            "MessageDeduplicationId": "d", "DelaySeconds": 0)"));
}

TEST_P(FifoQueue, SequenceNumbersAndSystemAttributes) {
  auto a = Send("first", "g1", "d1");
  auto b = Send("second", "g1", "d2");
  const std::string sa = Str(a["SequenceNumber"]), sb = Str(b["SequenceNumber"]);
  EXPECT_EQ(sa.size(), 20u);
  EXPECT_EQ(sb.size(), 20u);
  EXPECT_LT(sa, sb);
  auto msgs = Receive(R"("MaxNumberOfMessages": 10, "AttributeNames": ["All"])");
  ASSERT_EQ(msgs.size(), 2u);
  auto& attrs = msgs[0].as_object()["Attributes"].as_object();
  EXPECT_EQ(Str(attrs["SequenceNumber"]), sa);
  EXPECT_EQ(Str(attrs["MessageGroupId"]), "g1");
  EXPECT_EQ(Str(attrs["MessageDeduplicationId"]), "d1");
  EXPECT_EQ(Str(attrs["ApproximateReceiveCount"]), "1");
}

TEST_P(FifoQueue, DuplicateReturnsTheOriginalAndIsDeliveredOnce) {
  auto a = Send("first", "g", "same");
  clock.Advance(10'000);
  auto dup = Send("second", "g", "same");
  EXPECT_EQ(Str(dup["MessageId"]), Str(a["MessageId"]));
  EXPECT_EQ(Str(dup["SequenceNumber"]), Str(a["SequenceNumber"]));
  // The digest is of what this request sent.
  EXPECT_EQ(Str(dup["MD5OfMessageBody"]), ToHex(Md5("second").data(), 16));
  auto msgs = Receive();
  EXPECT_EQ(Bodies(msgs), (Strings{"first"}));
  boost::json::object del{{"QueueUrl", kUrl},
                          {"ReceiptHandle", msgs[0].as_object().at("ReceiptHandle")}};
  Ok("DeleteMessage", boost::json::serialize(del));
  Send("third", "g", "same");
  EXPECT_TRUE(Receive().empty()) << "the window holds after the delete";
  clock.Advance(290'000);  // 5 minutes after the original
  Send("fourth", "g", "same");
  EXPECT_EQ(Bodies(Receive()), (Strings{"fourth"}));
}

TEST_P(FifoTest, ContentBasedDeduplicationUsesTheBodysSha256) {
  CreateQueue("q.fifo", R"({"FifoQueue": "true", "ContentBasedDeduplication": "true"})");
  auto a = Ok("SendMessage", With(R"("MessageBody": "same body", "MessageGroupId": "g")"));
  auto b = Ok("SendMessage", With(R"("MessageBody": "same body", "MessageGroupId": "g")"));
  EXPECT_EQ(Str(a["MessageId"]), Str(b["MessageId"]));
  Ok("SendMessage", With(R"("MessageBody": "other body", "MessageGroupId": "g")"));
  auto msgs = Messages(Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10,
      "MessageSystemAttributeNames": ["MessageDeduplicationId"])")));
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(Str(msgs[0].as_object()["Attributes"].as_object()["MessageDeduplicationId"]),
            Sha256Hex("same body"));
  // An explicit id wins over the body's digest.
  auto c = Ok("SendMessage", With(R"("MessageBody": "same body", "MessageGroupId": "g",
                                      "MessageDeduplicationId": "explicit")"));
  EXPECT_NE(Str(c["MessageId"]), Str(a["MessageId"]));
}

TEST_P(FifoTest, MessageGroupScopeDeduplicatesPerGroup) {
  CreateQueue("q.fifo", R"({"FifoQueue": "true", "DeduplicationScope": "messageGroup",
                            "FifoThroughputLimit": "perMessageGroupId"})");
  auto send = [&](const char* body, const char* group) {
    boost::json::object p{{"QueueUrl", kUrl},
                          {"MessageBody", body},
                          {"MessageGroupId", group},
                          {"MessageDeduplicationId", "id"}};
    return Str(Ok("SendMessage", boost::json::serialize(p))["MessageId"]);
  };
  const std::string a = send("a", "g1");
  EXPECT_NE(send("b", "g2"), a);
  EXPECT_EQ(send("c", "g1"), a);
}

TEST_P(FifoQueue, GroupsStayInOrderAndLockedWhileInFlight) {
  Send("a1", "a", "1");
  Send("a2", "a", "2");
  Send("b1", "b", "3");
  auto first = Receive(R"("MaxNumberOfMessages": 1)");
  EXPECT_EQ(Bodies(first), (Strings{"a1"}));
  EXPECT_EQ(Bodies(Receive()), (Strings{"b1"}));
  EXPECT_TRUE(Receive().empty());
  boost::json::object del{{"QueueUrl", kUrl},
                          {"ReceiptHandle", first[0].as_object().at("ReceiptHandle")}};
  Ok("DeleteMessage", boost::json::serialize(del));
  EXPECT_EQ(Bodies(Receive()), (Strings{"a2"}));
}

TEST_P(FifoQueue, LongPollOnALockedGroupIsAnsweredWhenItsMessageIsDeleted) {
  Send("a1", "a", "1");
  Send("a2", "a", "2");
  auto first = Receive(R"("MaxNumberOfMessages": 1)");
  ASSERT_EQ(first.size(), 1u);
  auto slot = Start("ReceiveMessage", With(R"("WaitTimeSeconds": 20)"));
  RunUntil(slot, std::chrono::milliseconds(50));
  EXPECT_FALSE(slot->has_value()) << "a2 is visible, but a1 holds the group";
  boost::json::object del{{"QueueUrl", kUrl},
                          {"ReceiptHandle", first[0].as_object().at("ReceiptHandle")}};
  Ok("DeleteMessage", boost::json::serialize(del));
  RunUntil(slot);
  ASSERT_TRUE(slot->has_value());
  ASSERT_TRUE(slot->value().ok());
  EXPECT_EQ(Bodies(Messages(slot->value().value())), (Strings{"a2"}));
}

TEST_P(FifoQueue, ReceiveRequestAttemptIdReturnsTheSameHandles) {
  Send("a1", "a", "1");
  Send("a2", "a", "2");
  auto first = Receive(R"("MaxNumberOfMessages": 10, "ReceiveRequestAttemptId": "try-1")");
  auto retry = Receive(R"("MaxNumberOfMessages": 10, "ReceiveRequestAttemptId": "try-1")");
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(retry.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(Str(first[i].as_object()["ReceiptHandle"]),
              Str(retry[i].as_object()["ReceiptHandle"]));
  }
  EXPECT_EQ(Fails("ReceiveMessage", With(R"("ReceiveRequestAttemptId": "has space")")),
            "InvalidParameterValue");
}

TEST_P(FifoQueue, BatchSendAppliesTheRulesPerEntry) {
  auto out = Ok("SendMessageBatch", With(R"("Entries": [
      {"Id": "a", "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
      {"Id": "b", "MessageBody": "dup", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
      {"Id": "c", "MessageBody": "two", "MessageGroupId": "g", "MessageDeduplicationId": "bad id"},
      {"Id": "d", "MessageBody": "three", "MessageGroupId": "g", "MessageDeduplicationId": "3",
       "DelaySeconds": 3}])"));
  auto& ok = out["Successful"].as_array();
  auto& failed = out["Failed"].as_array();
  ASSERT_EQ(ok.size(), 2u);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(Str(ok[0].as_object()["MessageId"]), Str(ok[1].as_object()["MessageId"]));
  EXPECT_EQ(Str(ok[0].as_object()["SequenceNumber"]).size(), 20u);
  EXPECT_EQ(Str(failed[0].as_object()["Id"]), "c");
  EXPECT_EQ(Bodies(Receive()), (Strings{"one"}));
}

TEST_P(FifoQueue, BatchEntryWithoutAGroupOrADeduplicationIdFailsTheWholeRequest) {
  std::string message;
  EXPECT_EQ(Fails("SendMessageBatch", With(R"("Entries": [
      {"Id": "a", "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
      {"Id": "b", "MessageBody": "two", "MessageDeduplicationId": "2"}])"),
                  &message),
            "MissingParameter");
  EXPECT_EQ(message, "The request must contain the parameter MessageGroupId.");
  EXPECT_EQ(Fails("SendMessageBatch", With(R"("Entries": [
      {"Id": "a", "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
      {"Id": "b", "MessageBody": "two", "MessageGroupId": "g"}])"),
                  &message),
            "InvalidParameterValue");
  EXPECT_EQ(message,
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
  EXPECT_TRUE(Receive().empty()) << "nothing of a refused batch is stored";
}

TEST_P(FifoQueue, PurgeEmptiesTheDeduplicationWindow) {
  Send("first", "g", "token");
  Ok("PurgeQueue", With(""));
  Send("again", "g", "token");
  EXPECT_EQ(Bodies(Receive()), (Strings{"again"}));
}

TEST_P(FifoQueue, ChangeVisibilityZeroOffersTheGroupAgainBesideOthers) {
  Send("g1-m1", "g1", "1");
  auto held = Receive(R"("MaxNumberOfMessages": 1, "VisibilityTimeout": 5)");
  ASSERT_EQ(Bodies(held), (Strings{"g1-m1"}));
  clock.Advance(5'000);
  auto again = Receive(R"("MaxNumberOfMessages": 1)");
  ASSERT_EQ(Bodies(again), (Strings{"g1-m1"}));
  Send("g2-m1", "g2", "2");
  // The first receive's handle, after the second receive (as a consumer
  // that gives up late would send it).
  boost::json::object p{{"QueueUrl", kUrl},
                        {"ReceiptHandle", held[0].as_object().at("ReceiptHandle")},
                        {"VisibilityTimeout", 0}};
  Ok("ChangeMessageVisibility", boost::json::serialize(p));
  EXPECT_EQ(Bodies(Receive()), (Strings{"g2-m1", "g1-m1"}));
}

TEST_P(FifoTest, StandardQueueServesGroupsFairly) {
  const char* url = "http://localhost:9324/000000000000/fair";
  CreateQueue("fair");
  auto send = [&](const std::string& body, const std::string& group) {
    boost::json::object p{{"QueueUrl", url}, {"MessageBody", body}, {"MessageGroupId", group}};
    Ok("SendMessage", boost::json::serialize(p));
  };
  for (int i = 0; i < 30; ++i) send("noisy", "noisy");
  send("quiet", "quiet");
  auto msgs = Messages(Ok("ReceiveMessage", With(R"("MaxNumberOfMessages": 10)", url)));
  auto bodies = Bodies(msgs);
  ASSERT_EQ(bodies.size(), 10u);
  EXPECT_EQ(bodies[1], "quiet") << "the quiet group gets the second turn";
  // Standard queues have no SequenceNumber and refuse deduplication ids.
  EXPECT_EQ(Fails("SendMessage", With(R"("MessageBody": "x", "MessageDeduplicationId": "d")", url)),
            "InvalidParameterValue");
}

}  // namespace
}  // namespace ferry::sqs
