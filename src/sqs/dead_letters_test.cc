// RedrivePolicy, RedriveAllowPolicy, ListDeadLetterSourceQueues and the
// message move tasks, through SqsService on both wires.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

constexpr const char* kArn = "arn:aws:sqs:us-east-1:000000000000:";

std::string Url(const std::string& name) { return "http://localhost:9324/000000000000/" + name; }

std::string Redrive(const std::string& dlq, int max) {
  boost::json::object p;
  p["deadLetterTargetArn"] = kArn + dlq;
  p["maxReceiveCount"] = std::to_string(max);
  return boost::json::serialize(p);
}

class DeadLettersTest : public SqsTest {
 protected:
  // Creates `name` with a RedrivePolicy naming `dlq`.
  void CreateSource(const std::string& name, const std::string& dlq, int max) {
    boost::json::object attrs;
    attrs["RedrivePolicy"] = Redrive(dlq, max);
    attrs["VisibilityTimeout"] = "30";
    CreateQueue(name, boost::json::serialize(attrs));
  }

  std::string SetAttributes(const std::string& queue, const std::string& name,
                            const std::string& value) {
    boost::json::object params;
    params["QueueUrl"] = Url(queue);
    params["Attributes"] = boost::json::object{{name, value}};
    auto a = Call("SetQueueAttributes", boost::json::serialize(params));
    if (a.ok()) return "";
    return std::string(api::ErrorFor(a.status()).code) + ": " + a.status().message();
  }

  void Send(const std::string& queue, const std::string& body) {
    boost::json::object params;
    params["QueueUrl"] = Url(queue);
    params["MessageBody"] = body;
    params["MessageAttributes"] = boost::json::object{
        {"k", boost::json::object{{"DataType", "String"}, {"StringValue", "v"}}}};
    Ok("SendMessage", boost::json::serialize(params));
  }

  boost::json::array Receive(const std::string& queue) {
    boost::json::object params;
    params["QueueUrl"] = Url(queue);
    params["MaxNumberOfMessages"] = 10;
    params["AttributeNames"] = boost::json::array{"All"};
    params["MessageAttributeNames"] = boost::json::array{"All"};
    auto out = Ok("ReceiveMessage", boost::json::serialize(params));
    return out.contains("Messages") ? out["Messages"].as_array() : boost::json::array();
  }

  // Receives the one message of `queue` `n` times, letting it time out.
  void ReceiveAndAbandon(const std::string& queue, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(Receive(queue).size(), 1u) << "receive " << i + 1;
      clock.Advance(30'000);
    }
  }

  void RunTicks(int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      clock.Advance(100);
      engine.Tick();
    }
  }

  boost::json::array Tasks(const std::string& source, int max = 10) {
    boost::json::object params;
    params["SourceArn"] = kArn + source;
    params["MaxResults"] = max;
    auto out = Ok("ListMessageMoveTasks", boost::json::serialize(params));
    return out["Results"].as_array();
  }

  // A JSON number on the JSON wire, text in Query params.
  static int64_t Int(const boost::json::value& v) {
    return v.is_string() ? std::stoll(std::string(v.get_string())) : v.to_number<int64_t>();
  }
};
FERRY_SQS_BOTH_WIRES(DeadLettersTest);

TEST_P(DeadLettersTest, RedrivePolicyIsReturnedInCanonicalForm) {
  CreateQueue("dlq");
  CreateSource("src", "dlq", 3);
  auto out = Ok("GetQueueAttributes",
                R"({"QueueUrl": ")" + Url("src") + R"(", "AttributeNames": ["RedrivePolicy"]})");
  EXPECT_EQ(
      Str(out["Attributes"].as_object()["RedrivePolicy"]),
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3})");
  // Removing it with an empty value.
  EXPECT_EQ(SetAttributes("src", "RedrivePolicy", ""), "");
  auto all = Ok("GetQueueAttributes",
                R"({"QueueUrl": ")" + Url("src") + R"(", "AttributeNames": ["All"]})");
  EXPECT_FALSE(all["Attributes"].as_object().contains("RedrivePolicy"));
  EXPECT_EQ(engine.FindQueue("src")->settings().dead_letter_queue, "");
}

TEST_P(DeadLettersTest, CreateQueueWithTheSameRedrivePolicyIsIdempotent) {
  CreateQueue("dlq");
  CreateSource("src", "dlq", 3);
  CreateSource("src", "dlq", 3);
  boost::json::object params;
  params["QueueName"] = "src";
  params["Attributes"] = boost::json::object{{"RedrivePolicy", Redrive("dlq", 4)}};
  EXPECT_EQ(Fails("CreateQueue", boost::json::serialize(params)), "QueueNameExists");
}

TEST_P(DeadLettersTest, RedrivePolicyTargetMustExistHereAndAllowTheSource) {
  CreateQueue("src");
  std::string err = SetAttributes("src", "RedrivePolicy", Redrive("missing", 3));
  EXPECT_TRUE(err.starts_with("InvalidParameterValue")) << err;
  EXPECT_NE(err.find("Reason: Dead letter target does not exist."), std::string::npos) << err;
  CreateQueue("dlq");
  err = SetAttributes(
      "src", "RedrivePolicy",
      R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq","maxReceiveCount":3})");
  EXPECT_NE(err.find("Dead letter target does not exist."), std::string::npos) << err;

  EXPECT_EQ(SetAttributes("dlq", "RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"), "");
  err = SetAttributes("src", "RedrivePolicy", Redrive("dlq", 3));
  EXPECT_TRUE(err.starts_with("InvalidParameterValue")) << err;
  EXPECT_NE(err.find("does not allow this queue"), std::string::npos) << err;

  EXPECT_EQ(SetAttributes("dlq", "RedriveAllowPolicy",
                          R"({"redrivePermission":"byQueue","sourceQueueArns":[")" +
                              std::string(kArn) + R"(other"]})"),
            "");
  EXPECT_NE(SetAttributes("src", "RedrivePolicy", Redrive("dlq", 3)), "");
  EXPECT_EQ(SetAttributes("dlq", "RedriveAllowPolicy",
                          R"({"redrivePermission":"byQueue","sourceQueueArns":[")" +
                              std::string(kArn) + R"(src"]})"),
            "");
  EXPECT_EQ(SetAttributes("src", "RedrivePolicy", Redrive("dlq", 3)), "");
  EXPECT_EQ(SetAttributes("dlq", "RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"), "");
  auto out = Ok("GetQueueAttributes", R"({"QueueUrl": ")" + Url("dlq") +
                                          R"(", "AttributeNames": ["RedriveAllowPolicy"]})");
  EXPECT_EQ(Str(out["Attributes"].as_object()["RedriveAllowPolicy"]),
            R"({"redrivePermission":"allowAll"})");
}

// The kind of a queue is its FifoQueue setting: a FIFO source needs a FIFO
// DLQ, and a move task connects queues of one kind.
TEST_P(DeadLettersTest, DeadLetterQueuesAndMoveTasksConnectQueuesOfOneKind) {
  const std::string fifo = R"({"FifoQueue": "true"})";
  CreateQueue("dlq");
  CreateQueue("dlq.fifo", fifo);
  CreateQueue("src.fifo", fifo);
  CreateQueue("plain");
  std::string err = SetAttributes("src.fifo", "RedrivePolicy", Redrive("dlq", 3));
  EXPECT_TRUE(err.starts_with("InvalidParameterValue")) << err;
  EXPECT_NE(err.find("Dead-letter queue must be same type of queue as the source."),
            std::string::npos)
      << err;
  EXPECT_NE(SetAttributes("plain", "RedrivePolicy", Redrive("dlq.fifo", 3)), "");
  EXPECT_EQ(SetAttributes("src.fifo", "RedrivePolicy", Redrive("dlq.fifo", 3)), "");
  EXPECT_EQ(engine.FindQueue("src.fifo")->settings().dead_letter_queue, "dlq.fifo");

  std::string message;
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                              R"(dlq.fifo", "DestinationArn": ")" + kArn +
                                              R"(plain"})",
                  &message),
            "InvalidParameterValue");
  EXPECT_EQ(message, "The destination queue must be of the same type as the source queue.");
  Ok("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(dlq.fifo"})");
}

TEST_P(DeadLettersTest, MessageMovesToTheDlqWithItsIdentity) {
  CreateQueue("dlq");
  CreateSource("src", "dlq", 2);
  Send("src", "hello");
  const std::string id = Str(Receive("src")[0].as_object()["MessageId"]);
  clock.Advance(30'000);
  auto second = Receive("src");
  ASSERT_EQ(second.size(), 1u);
  const std::string sent = Str(second[0].as_object()["Attributes"].as_object()["SentTimestamp"]);
  clock.Advance(30'000);
  EXPECT_TRUE(Receive("src").empty());
  auto moved = Receive("dlq");
  ASSERT_EQ(moved.size(), 1u);
  auto& m = moved[0].as_object();
  EXPECT_EQ(Str(m["MessageId"]), id);
  EXPECT_EQ(Str(m["Body"]), "hello");
  EXPECT_EQ(Str(m["MessageAttributes"].as_object()["k"].as_object()["StringValue"]), "v");
  auto& attrs = m["Attributes"].as_object();
  EXPECT_EQ(Str(attrs["SentTimestamp"]), sent);
  // AWS counts receives across queues: maxReceiveCount (2) + 1.
  EXPECT_EQ(Str(attrs["ApproximateReceiveCount"]), "3");
  EXPECT_EQ(Str(attrs["DeadLetterQueueSourceArn"]), std::string(kArn) + "src");
}

TEST_P(DeadLettersTest, ListDeadLetterSourceQueuesPages) {
  CreateQueue("dlq");
  CreateQueue("other");
  for (const char* n : {"c", "a", "b"}) CreateSource(n, "dlq", 5);
  auto all = Ok("ListDeadLetterSourceQueues", R"({"QueueUrl": ")" + Url("dlq") + R"("})");
  ASSERT_EQ(all["queueUrls"].as_array().size(), 3u);
  EXPECT_EQ(Str(all["queueUrls"].as_array()[0]), Url("a"));
  EXPECT_FALSE(all.contains("NextToken"));
  auto page =
      Ok("ListDeadLetterSourceQueues", R"({"QueueUrl": ")" + Url("dlq") + R"(", "MaxResults": 2})");
  ASSERT_EQ(page["queueUrls"].as_array().size(), 2u);
  const std::string token = Str(page["NextToken"]);
  auto rest = Ok(
      "ListDeadLetterSourceQueues",
      R"({"QueueUrl": ")" + Url("dlq") + R"(", "MaxResults": 2, "NextToken": ")" + token + R"("})");
  ASSERT_EQ(rest["queueUrls"].as_array().size(), 1u);
  EXPECT_EQ(Str(rest["queueUrls"].as_array()[0]), Url("c"));
  auto none = Ok("ListDeadLetterSourceQueues", R"({"QueueUrl": ")" + Url("other") + R"("})");
  EXPECT_TRUE(none["queueUrls"].as_array().empty());
  EXPECT_EQ(Fails("ListDeadLetterSourceQueues", R"({"QueueUrl": ")" + Url("nope") + R"("})"),
            "QueueDoesNotExist");
  EXPECT_EQ(Fails("ListDeadLetterSourceQueues",
                  R"({"QueueUrl": ")" + Url("dlq") + R"(", "MaxResults": 0})"),
            "InvalidParameterValue");
}

TEST_P(DeadLettersTest, StartMessageMoveTaskValidatesLikeAws) {
  CreateQueue("dlq");
  CreateQueue("plain");
  CreateSource("src", "dlq", 1);
  std::string message;
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({})"), "MissingParameter");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": "dlq"})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(nope"})",
                  &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The resource that you specified for the SourceArn parameter doesn't exist.");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(plain"})",
                  &message),
            "InvalidParameterValue");
  EXPECT_EQ(message, "Source queue must be configured as a Dead Letter Queue.");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                              R"(dlq", "DestinationArn": ")" + kArn + R"(nope"})"),
            "ResourceNotFoundException");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                              R"(dlq", "DestinationArn": ")" + kArn + R"(dlq"})"),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                              R"(dlq", "MaxNumberOfMessagesPerSecond": 501})"),
            "InvalidParameterValue");
  Ok("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(dlq"})");
  EXPECT_EQ(Fails("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(dlq"})",
                  &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("Only one active task is allowed"), std::string::npos) << message;
}

TEST_P(DeadLettersTest, MoveTaskMovesAtItsRateAndIsListed) {
  CreateQueue("dlq");
  CreateQueue("dest");
  CreateSource("src", "dlq", 1);
  for (int i = 0; i < 4; ++i) Send("dlq", "m" + std::to_string(i));
  auto started = Ok("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                                R"(dlq", "DestinationArn": ")" + kArn +
                                                R"(dest", "MaxNumberOfMessagesPerSecond": 2})");
  const std::string handle = Str(started["TaskHandle"]);
  auto decoded = Base64Decode(handle);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_NE(decoded->find("\"sourceArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\""),
            std::string::npos);

  RunTicks(1);
  auto tasks = Tasks("dlq");
  ASSERT_EQ(tasks.size(), 1u);
  auto& t = tasks[0].as_object();
  EXPECT_EQ(Str(t["Status"]), "RUNNING");
  EXPECT_EQ(Str(t["TaskHandle"]), handle);
  EXPECT_EQ(Str(t["SourceArn"]), std::string(kArn) + "dlq");
  EXPECT_EQ(Str(t["DestinationArn"]), std::string(kArn) + "dest");
  EXPECT_EQ(Int(t["MaxNumberOfMessagesPerSecond"]), 2);
  EXPECT_EQ(Int(t["ApproximateNumberOfMessagesMoved"]), 2);
  EXPECT_EQ(Int(t["ApproximateNumberOfMessagesToMove"]), 4);
  EXPECT_GT(Int(t["StartedTimestamp"]), 1'600'000'000'000);

  RunTicks(1);
  auto done = Tasks("dlq")[0].as_object();
  EXPECT_EQ(Str(done["Status"]), "COMPLETED");
  EXPECT_FALSE(done.contains("TaskHandle"));
  EXPECT_EQ(Receive("dest").size(), 4u);
  EXPECT_EQ(Fails("CancelMessageMoveTask", R"({"TaskHandle": ")" + handle + R"("})"),
            "ResourceNotFoundException");
}

TEST_P(DeadLettersTest, MoveTaskWithoutDestinationRedrivesToTheSource) {
  CreateQueue("dlq");
  CreateSource("src", "dlq", 1);
  Send("src", "back home");
  ReceiveAndAbandon("src", 1);
  EXPECT_TRUE(Receive("src").empty());
  Ok("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) + R"(dlq"})");
  RunTicks(1);
  auto t = Tasks("dlq")[0].as_object();
  EXPECT_EQ(Str(t["Status"]), "COMPLETED");
  EXPECT_FALSE(t.contains("DestinationArn"));
  EXPECT_FALSE(t.contains("MaxNumberOfMessagesPerSecond"));
  auto got = Receive("src");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].as_object()["Body"]), "back home");
}

TEST_P(DeadLettersTest, CancelMessageMoveTask) {
  CreateQueue("dlq");
  CreateQueue("dest");
  CreateSource("src", "dlq", 1);
  for (int i = 0; i < 3; ++i) Send("dlq", "m");
  auto started = Ok("StartMessageMoveTask", R"({"SourceArn": ")" + std::string(kArn) +
                                                R"(dlq", "DestinationArn": ")" + kArn +
                                                R"(dest", "MaxNumberOfMessagesPerSecond": 1})");
  RunTicks(1);
  const std::string handle = Str(started["TaskHandle"]);
  auto out = Ok("CancelMessageMoveTask", R"({"TaskHandle": ")" + handle + R"("})");
  EXPECT_EQ(Int(out["ApproximateNumberOfMessagesMoved"]), 1);
  RunTicks(2);
  EXPECT_EQ(Str(Tasks("dlq")[0].as_object()["Status"]), "CANCELLED");
  EXPECT_EQ(Receive("dest").size(), 1u);
  EXPECT_EQ(Fails("CancelMessageMoveTask", R"({"TaskHandle": ")" + handle + R"("})"),
            "ResourceNotFoundException");
  EXPECT_EQ(Fails("CancelMessageMoveTask", R"({"TaskHandle": "not a handle"})"),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("CancelMessageMoveTask", R"({})"), "MissingParameter");
}

TEST_P(DeadLettersTest, ListMessageMoveTasksValidates) {
  CreateQueue("dlq");
  EXPECT_EQ(Fails("ListMessageMoveTasks", R"({})"), "MissingParameter");
  EXPECT_EQ(Fails("ListMessageMoveTasks", R"({"SourceArn": ")" + std::string(kArn) + R"(nope"})"),
            "ResourceNotFoundException");
  EXPECT_EQ(Fails("ListMessageMoveTasks",
                  R"({"SourceArn": ")" + std::string(kArn) + R"(dlq", "MaxResults": 11})"),
            "InvalidParameterValue");
  EXPECT_TRUE(Tasks("dlq").empty());
}

}  // namespace
}  // namespace ferry::sqs
