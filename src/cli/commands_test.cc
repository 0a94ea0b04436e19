#include "cli/commands.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <sstream>

#include "common/crypto.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

// Answers each action from a queue of canned results (the last one repeats)
// and records every call.
class FakeInvoker : public api::ActionInvoker {
 public:
  struct CallRecord {
    std::string service, action;
    json::object params;
  };
  void Answer(const std::string& action, Result<json::object> result) {
    answers_[action].push_back(std::move(result));
  }
  Result<json::object> Invoke(std::string_view service, std::string_view action,
                              json::object params) override {
    calls.push_back({std::string(service), std::string(action), params});
    auto it = answers_.find(std::string(action));
    if (it == answers_.end() || it->second.empty()) {
      return Status::InvalidArgument("InvalidAction: no answer for " + std::string(action));
    }
    Result<json::object> r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return r;
  }
  std::vector<CallRecord> calls;

 private:
  std::map<std::string, std::deque<Result<json::object>>> answers_;
};

class CommandsTest : public ::testing::Test {
 protected:
  Context ctx() {
    return Context{.api = api_,
                   .out = out_,
                   .err = err_,
                   .in = in_,
                   .json = json_,
                   .stdin_is_tty = stdin_tty_,
                   .stdout_is_tty = false,
                   .sleep =
                       [this](std::chrono::milliseconds d) {
                         now_ += d;
                         ++sleeps_;
                       },
                   .now = [this] { return now_; },
                   .get = [](std::string_view path) -> Result<std::pair<unsigned, std::string>> {
                     if (path == "/health") return std::pair{200u, std::string("{}")};
                     return std::pair{404u, std::string()};
                   }};
  }
  json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
  void AnswerQueueUrl() {
    api_.Answer("GetQueueUrl", Obj(R"({"QueueUrl":"http://h/000000000000/q"})"));
  }

  FakeInvoker api_;
  std::ostringstream out_, err_;
  std::istringstream in_;
  bool json_ = false;
  bool stdin_tty_ = false;
  std::chrono::steady_clock::time_point now_{};
  int sleeps_ = 0;
};

constexpr std::string_view kStats = R"({"Queues":[
  {"QueueName":"orders","QueueArn":"arn:aws:sqs:us-east-1:000000000000:orders","Visible":12,
   "InFlight":3,"Delayed":0,"OldestMessageAgeSeconds":192,
   "DeadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","MaxReceiveCount":5},
  {"QueueName":"orders-dlq","QueueArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq",
   "Visible":2,"InFlight":0,"Delayed":0,"OldestMessageAgeSeconds":41}]})";

TEST_F(CommandsTest, QueuesPrintsATableWithTheDeadLetterQueuesDepth) {
  api_.Answer("ListQueueStats", Obj(kStats));
  auto c = ctx();
  ASSERT_TRUE(RunQueues(c, {.prefix = "ord"}).ok());
  EXPECT_EQ(out_.str(),
            "NAME        VISIBLE  IN FLIGHT  DELAYED  OLDEST  DLQ\n"
            "orders           12          3        0   3m12s  orders-dlq (2)\n"
            "orders-dlq        2          0        0     41s  -\n");
  EXPECT_EQ(api_.calls[0].service, "ferry");
  EXPECT_EQ(api_.calls[0].params.at("QueueNamePrefix").as_string(), "ord");
}

TEST_F(CommandsTest, QueuesWithJsonPrintsTheServersDocumentOnOneLine) {
  api_.Answer("ListQueueStats", Obj(kStats));
  json_ = true;
  auto c = ctx();
  ASSERT_TRUE(RunQueues(c, {}).ok());
  const std::string out = out_.str();
  EXPECT_EQ(json::parse(out), json::parse(kStats));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
}

TEST_F(CommandsTest, QueuesOnAServerWithoutTheAdminServiceUsesSqsAttributes) {
  api_.Answer("ListQueueStats",
              Status::InvalidArgument("UnknownOperationException: The operation is not known."));
  api_.Answer("ListQueues", Obj(R"({"QueueUrls":["http://h/000000000000/jobs"]})"));
  api_.Answer("GetQueueAttributes",
              Obj(R"({"Attributes":{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:jobs",
    "ApproximateNumberOfMessages":"7","ApproximateNumberOfMessagesNotVisible":"1",
    "ApproximateNumberOfMessagesDelayed":"0",
    "RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:jobs-dlq\",\"maxReceiveCount\":3}"}})"));
  auto c = ctx();
  ASSERT_TRUE(RunQueues(c, {}).ok());
  EXPECT_EQ(out_.str(),
            "NAME  VISIBLE  IN FLIGHT  DELAYED  OLDEST  DLQ\n"
            "jobs        7          1        0       -  jobs-dlq\n");
}

TEST_F(CommandsTest, SendResolvesTheQueueNameAndSendsBodyAttributesAndFifoFields) {
  AnswerQueueUrl();
  api_.Answer("SendMessage",
              Obj(R"({"MessageId":"m1","MD5OfMessageBody":")" + Md5Hex("hello") + R"("})"));
  auto c = ctx();
  ASSERT_TRUE(RunSend(c, {.queue = "q",
                          .body = "hello",
                          .attributes = {"color=red", "n:Number=42"},
                          .delay_seconds = 5,
                          .group_id = "g",
                          .dedup_id = "d"})
                  .ok());
  EXPECT_EQ(out_.str(), "sent m1 to q\n");
  ASSERT_EQ(api_.calls.size(), 2u);
  EXPECT_EQ(api_.calls[0].params.at("QueueName").as_string(), "q");
  const json::object& p = api_.calls[1].params;
  EXPECT_EQ(p.at("QueueUrl").as_string(), "http://h/000000000000/q");
  EXPECT_EQ(p.at("MessageBody").as_string(), "hello");
  EXPECT_EQ(p.at("DelaySeconds").as_int64(), 5);
  EXPECT_EQ(p.at("MessageGroupId").as_string(), "g");
  EXPECT_EQ(p.at("MessageDeduplicationId").as_string(), "d");
  EXPECT_EQ(
      json::serialize(p.at("MessageAttributes")),
      R"({"color":{"DataType":"String","StringValue":"red"},"n":{"DataType":"Number","StringValue":"42"}})");
}

TEST_F(CommandsTest, SendReadsTheBodyFromStdinAndRefusesAWrongDigest) {
  in_.str("from stdin\n");
  api_.Answer("SendMessage", Obj(R"({"MessageId":"m1","MD5OfMessageBody":"00"})"));
  auto c = ctx();
  Status st = RunSend(c, {.queue = "http://h/000000000000/q"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("MD5OfMessageBody"), std::string::npos);
  EXPECT_EQ(api_.calls.at(0).params.at("MessageBody").as_string(), "from stdin\n");
}

TEST_F(CommandsTest, SendWithoutABodyOnATerminalIsAUsageError) {
  stdin_tty_ = true;
  auto c = ctx();
  Status st = RunSend(c, {.queue = "q"});
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(api_.calls.empty());
}

TEST_F(CommandsTest, AnApiErrorIsReturnedAsIs) {
  api_.Answer("GetQueueUrl",
              Status::NotFound("QueueDoesNotExist: The specified queue does not exist."));
  auto c = ctx();
  Status st = RunPeek(c, {.queue = "missing"});
  EXPECT_EQ(st.message(), "QueueDoesNotExist: The specified queue does not exist.");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandsTest, ReceiveWithDeletePrintsJsonLinesThenDeletesAndChecksDigests) {
  AnswerQueueUrl();
  api_.Answer("ReceiveMessage",
              Obj(R"({"Messages":[{"MessageId":"a","ReceiptHandle":"ra","Body":"x","MD5OfBody":")" +
                  Md5Hex("x") + R"("},{"MessageId":"b","ReceiptHandle":"rb","Body":"y"}]})"));
  api_.Answer("ReceiveMessage", Obj("{}"));
  api_.Answer("DeleteMessageBatch", Obj(R"({"Successful":[{"Id":"0"},{"Id":"1"}]})"));
  json_ = true;
  auto c = ctx();
  ASSERT_TRUE(
      RunReceive(c, {.queue = "q", .max = 5, .wait_seconds = 2, .delete_after = true}).ok());
  std::istringstream lines(out_.str());
  std::string line;
  std::vector<std::string> ids;
  while (std::getline(lines, line))
    ids.push_back(std::string(json::parse(line).at("MessageId").as_string()));
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  // ReceiveMessage (5), DeleteMessageBatch, ReceiveMessage (3): empty, done.
  ASSERT_EQ(api_.calls.size(), 4u);
  EXPECT_EQ(api_.calls[1].params.at("MaxNumberOfMessages").as_int64(), 5);
  EXPECT_EQ(api_.calls[1].params.at("WaitTimeSeconds").as_int64(), 2);
  EXPECT_EQ(api_.calls[2].action, "DeleteMessageBatch");
  EXPECT_EQ(
      api_.calls[2].params.at("Entries").as_array()[1].as_object().at("ReceiptHandle").as_string(),
      "rb");
  EXPECT_EQ(api_.calls[3].params.at("MaxNumberOfMessages").as_int64(), 3);
}

TEST_F(CommandsTest, ReceiveRefusesABodyThatDoesNotMatchItsDigest) {
  AnswerQueueUrl();
  api_.Answer("ReceiveMessage",
              Obj(R"({"Messages":[{"MessageId":"a","Body":"x","MD5OfBody":"bad"}]})"));
  auto c = ctx();
  EXPECT_FALSE(RunReceive(c, {.queue = "q"}).ok());
}

TEST_F(CommandsTest, PeekPagesWithNextSequenceAndShowsStates) {
  AnswerQueueUrl();
  api_.Answer("PeekMessages", Obj(R"({"Messages":[{"MessageId":"a","SequenceNumber":"1",
    "Body":"line1\nline2","State":"visible","ApproximateReceiveCount":0}],"NextSequence":"1"})"));
  api_.Answer("PeekMessages", Obj(R"({"Messages":[{"MessageId":"b","SequenceNumber":"2",
    "Body":"y","State":"inflight","ApproximateReceiveCount":1,"MessageGroupId":"g"}]})"));
  auto c = ctx();
  ASSERT_TRUE(RunPeek(c, {.queue = "q", .max = 3}).ok());
  EXPECT_EQ(out_.str(),
            "SEQ  MESSAGE ID  STATE     SENT  RECEIVES  VISIBLE AT  GROUP  SIZE  BODY\n"
            "  1  a           visible   -            0  -           -      11 B  line1\\nline2\n"
            "  2  b           inflight  -            1  -           g       1 B  y\n");
  EXPECT_EQ(api_.calls[1].params.at("MaxNumberOfMessages").as_int64(), 3);
  EXPECT_EQ(api_.calls[2].params.at("StartAfterSequence").as_string(), "1");
  EXPECT_EQ(api_.calls[2].params.at("MaxNumberOfMessages").as_int64(), 2);
}

TEST_F(CommandsTest, PeekGoesOnPastEmptyFilteredPagesAndSaysWhereMoreStarts) {
  AnswerQueueUrl();
  api_.Answer("PeekMessages", Obj(R"({"Messages":[],"NextSequence":"1000"})"));
  api_.Answer("PeekMessages", Obj(R"({"Messages":[{"MessageId":"a","SequenceNumber":"1007",
    "Body":"x","State":"visible"}],"NextSequence":"1007"})"));
  auto c = ctx();
  ASSERT_TRUE(RunPeek(c, {.queue = "q", .max = 1, .after = "5", .filters = {"color=red"}}).ok());
  ASSERT_EQ(api_.calls.size(), 3u);
  EXPECT_EQ(api_.calls[1].params.at("StartAfterSequence").as_string(), "5");
  EXPECT_EQ(api_.calls[1].params.at("MessageAttributeFilter").at("color").as_string(), "red");
  EXPECT_EQ(api_.calls[2].params.at("StartAfterSequence").as_string(), "1000");
  EXPECT_NE(out_.str().find("more after sequence 1007: --after 1007\n"), std::string::npos)
      << out_.str();
}

TEST_F(CommandsTest, PeekAllPagesToTheEndAndNamesTheDeadLetterQueueItRead) {
  AnswerQueueUrl();
  api_.Answer("PeekMessages", Obj(R"({"QueueUrl":"http://h/000000000000/q-dlq","Messages":[
    {"MessageId":"a","SequenceNumber":"1","Body":"x"}],"NextSequence":"1"})"));
  api_.Answer("PeekMessages", Obj(R"({"QueueUrl":"http://h/000000000000/q-dlq","Messages":[
    {"MessageId":"b","SequenceNumber":"2","Body":"y"}]})"));
  auto c = ctx();
  ASSERT_TRUE(RunPeek(c, {.queue = "q", .max = 1, .all = true, .dead_letter_queue = true}).ok());
  ASSERT_EQ(api_.calls.size(), 3u);
  EXPECT_TRUE(api_.calls[1].params.at("DeadLetterQueue").as_bool());
  EXPECT_EQ(api_.calls[1].params.at("MaxNumberOfMessages").as_int64(), 100);
  EXPECT_EQ(out_.str().rfind("dead-letter queue http://h/000000000000/q-dlq\n", 0), 0u);
  EXPECT_NE(out_.str().find("  2  b "), std::string::npos);
  EXPECT_EQ(out_.str().find("more after"), std::string::npos);
}

TEST_F(CommandsTest, PeekRefusesAnUnknownStateBeforeCallingTheServer) {
  auto c = ctx();
  Status st = RunPeek(c, {.queue = "q", .states = {"visible,gone"}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'gone'"), std::string::npos);
  EXPECT_TRUE(api_.calls.empty());
}

TEST_F(CommandsTest, TailFollowsByPeekingFromTheLastSequenceSeen) {
  AnswerQueueUrl();
  api_.Answer("PeekMessages",
              Obj(R"({"Messages":[{"MessageId":"a","SequenceNumber":"4","Body":"1"}]})"));
  api_.Answer("PeekMessages", Obj(R"({"Messages":[]})"));
  api_.Answer(
      "PeekMessages",
      Obj(R"({"Messages":[{"MessageId":"b","SequenceNumber":"9","Body":"2","State":"visible"}]})"));
  auto c = ctx();
  ASSERT_TRUE(RunTail(c, {.queue = "q", .count = 2}).ok());
  EXPECT_EQ(out_.str(), "a  1\nb  visible  2\n");
  EXPECT_EQ(api_.calls[2].params.at("StartAfterSequence").as_string(), "4");
  EXPECT_EQ(api_.calls[3].params.at("StartAfterSequence").as_string(), "4");
  EXPECT_GE(sleeps_, 1);
  for (const auto& call : api_.calls) EXPECT_NE(call.action, "ReceiveMessage");
}

TEST_F(CommandsTest, TailNewSkipsTheMessagesAlreadyThere) {
  AnswerQueueUrl();
  api_.Answer("PeekMessages",
              Obj(R"({"Messages":[{"MessageId":"old","SequenceNumber":"4","Body":"1"}]})"));
  api_.Answer("PeekMessages",
              Obj(R"({"Messages":[{"MessageId":"new","SequenceNumber":"5","Body":"2"}]})"));
  auto c = ctx();
  ASSERT_TRUE(RunTail(c, {.queue = "q", .only_new = true, .count = 1}).ok());
  EXPECT_EQ(out_.str(), "new  2\n");
}

TEST_F(CommandsTest, RedriveStartsATaskAndFollowsItToCompletion) {
  AnswerQueueUrl();
  api_.Answer("GetQueueAttributes",
              Obj(R"({"Attributes":{"QueueArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}})"));
  api_.Answer("StartMessageMoveTask", Obj(R"({"TaskHandle":"h1"})"));
  api_.Answer("ListMessageMoveTasks", Obj(R"({"Results":[{"Status":"RUNNING",
    "ApproximateNumberOfMessagesMoved":0,"ApproximateNumberOfMessagesToMove":10}]})"));
  api_.Answer("ListMessageMoveTasks", Obj(R"({"Results":[{"Status":"RUNNING",
    "ApproximateNumberOfMessagesMoved":5,"ApproximateNumberOfMessagesToMove":10}]})"));
  api_.Answer("ListMessageMoveTasks", Obj(R"({"Results":[{"Status":"COMPLETED",
    "ApproximateNumberOfMessagesMoved":10,"ApproximateNumberOfMessagesToMove":10}]})"));
  auto c = ctx();
  ASSERT_TRUE(RunRedrive(c, {.source = "dlq", .max_per_second = 50}).ok());
  EXPECT_EQ(api_.calls[2].params.at("SourceArn").as_string(),
            "arn:aws:sqs:us-east-1:000000000000:dlq");
  EXPECT_EQ(api_.calls[2].params.at("MaxNumberOfMessagesPerSecond").as_int64(), 50);
  EXPECT_EQ(out_.str(),
            "[....................] 0/10 0%\n"
            "[##########..........] 5/10 50% 10 msg/s ETA 1s\n"
            "[####################] 10/10 100% 10 msg/s\n"
            "moved 10 messages from dlq in 1s\n");
}

TEST_F(CommandsTest, ARedriveThatFailsIsAnErrorWithItsReason) {
  api_.Answer("StartMessageMoveTask", Obj(R"({"TaskHandle":"h1"})"));
  api_.Answer("ListMessageMoveTasks", Obj(R"({"Results":[{"Status":"FAILED",
    "FailureReason":"AWS.SimpleQueueService.NonExistentQueue"}]})"));
  auto c = ctx();
  Status st = RunRedrive(c, {.source = "arn:aws:sqs:us-east-1:000000000000:dlq"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "move task h1 FAILED: AWS.SimpleQueueService.NonExistentQueue");
}

TEST_F(CommandsTest, PurgeOnATerminalAsksAndDoesNothingWithoutYes) {
  AnswerQueueUrl();
  api_.Answer("PurgeQueue", Obj("{}"));
  stdin_tty_ = true;
  in_.str("n\n");
  auto c = ctx();
  EXPECT_FALSE(RunPurge(c, {.queue = "q"}).ok());
  EXPECT_NE(err_.str().find("Delete every message of queue q? [y/N]"), std::string::npos);
  for (const auto& call : api_.calls) EXPECT_NE(call.action, "PurgeQueue");
  auto c2 = ctx();
  ASSERT_TRUE(RunPurge(c2, {.queue = "q", .yes = true}).ok());
  EXPECT_EQ(api_.calls.back().action, "PurgeQueue");
  EXPECT_EQ(out_.str(), "purged q\n");
}

TEST_F(CommandsTest, CancelPrintsWhatHappenedAndExitsThreeWhenNotCancelled) {
  AnswerQueueUrl();
  api_.Answer("CancelMessage", Obj(R"({"Cancelled":true})"));
  api_.Answer("CancelMessage", Obj(R"({"Cancelled":false,"Reason":"AlreadyVisible"})"));
  auto c = ctx();
  ASSERT_TRUE(RunCancel(c, {.queue = "q", .message_id = "m-1"}).ok());
  EXPECT_EQ(c.exit_status, 0);
  EXPECT_EQ(out_.str(), "cancelled m-1 in q\n");
  EXPECT_EQ(api_.calls.back().service, "ferry");
  EXPECT_EQ(api_.calls.back().params.at("QueueUrl").as_string(), "http://h/000000000000/q");
  EXPECT_EQ(api_.calls.back().params.at("MessageId").as_string(), "m-1");
  auto c2 = ctx();
  ASSERT_TRUE(RunCancel(c2, {.queue = "q", .message_id = "m-1"}).ok());
  EXPECT_EQ(c2.exit_status, kNotCancelledExit);
  EXPECT_EQ(err_.str(), "not cancelled: AlreadyVisible\n");
}

TEST_F(CommandsTest, CancelWithJsonPrintsTheAnswer) {
  AnswerQueueUrl();
  api_.Answer("CancelMessage", Obj(R"({"Cancelled":false,"Reason":"NotFound"})"));
  json_ = true;
  auto c = ctx();
  ASSERT_TRUE(RunCancel(c, {.queue = "q", .message_id = "m-1"}).ok());
  EXPECT_EQ(json::parse(out_.str()), json::parse(R"({"Cancelled":false,"Reason":"NotFound"})"));
  EXPECT_EQ(c.exit_status, kNotCancelledExit);
}

TEST_F(CommandsTest, TopicsListsEveryPageWithSubscriptionCounts) {
  api_.Answer("ListTopics",
              Obj(R"({"Topics":[{"TopicArn":"arn:aws:sns:us-east-1:0:orders"}],"NextToken":"t"})"));
  api_.Answer("ListTopics", Obj(R"({"Topics":[{"TopicArn":"arn:aws:sns:us-east-1:0:b"}]})"));
  api_.Answer("GetTopicAttributes",
              Obj(R"({"Attributes":{"SubscriptionsConfirmed":"2","SubscriptionsPending":"0"}})"));
  auto c = ctx();
  ASSERT_TRUE(RunTopics(c).ok());
  EXPECT_EQ(out_.str(),
            "NAME    SUBSCRIPTIONS  PENDING  ARN\n"
            "orders              2        0  arn:aws:sns:us-east-1:0:orders\n"
            "b                   2        0  arn:aws:sns:us-east-1:0:b\n");
}

TEST_F(CommandsTest, PublishResolvesATopicNameAndSendsSubjectAndAttributes) {
  api_.Answer(
      "ListTopics",
      Obj(R"({"Topics":[{"TopicArn":"arn:aws:sns:us-east-1:0:other"},{"TopicArn":"arn:aws:sns:us-east-1:0:orders"}]})"));
  api_.Answer("Publish", Obj(R"({"MessageId":"p1"})"));
  auto c = ctx();
  ASSERT_TRUE(
      RunPublish(c, {.topic = "orders", .message = "hi", .subject = "s", .attributes = {"k=v"}})
          .ok());
  EXPECT_EQ(out_.str(), "published p1 to orders\n");
  const json::object& p = api_.calls.back().params;
  EXPECT_EQ(p.at("TopicArn").as_string(), "arn:aws:sns:us-east-1:0:orders");
  EXPECT_EQ(p.at("Subject").as_string(), "s");
  EXPECT_EQ(p.at("MessageAttributes").at("k").at("StringValue").as_string(), "v");
}

TEST_F(CommandsTest, AnUnknownTopicNameIsNotFound) {
  api_.Answer("ListTopics", Obj(R"({"Topics":[]})"));
  auto c = ctx();
  Status st = RunSubscriptions(c, {.topic = "nope"});
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "NotFound: Topic does not exist: nope");
}

TEST_F(CommandsTest, StatusAddsTheProbesToTheServersFigures) {
  api_.Answer(
      "GetServerStatus",
      Obj(R"({"Version":"0.1.0","Ready":true,"Mode":"open","UptimeSeconds":3700,"Queues":4})"));
  json_ = true;
  auto c = ctx();
  ASSERT_TRUE(RunStatus(c).ok());
  json::value doc = json::parse(out_.str());
  EXPECT_EQ(doc.at("Health").as_string(), "ok");
  EXPECT_EQ(doc.at("ReadyProbe").as_string(), "not served");
  EXPECT_EQ(doc.at("Queues").as_int64(), 4);
}

TEST(ParseAttributeTest, ReadsStringNumberAndBinaryAndRefusesTheRest) {
  auto s = ParseAttribute("k=a=b");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->first, "k");
  EXPECT_EQ(json::serialize(s->second), R"({"DataType":"String","StringValue":"a=b"})");
  auto b = ParseAttribute("bin:Binary=aGk=");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(json::serialize(b->second), R"({"DataType":"Binary","BinaryValue":"aGk="})");
  EXPECT_TRUE(ParseAttribute("n:Number.int=1").ok());
  EXPECT_FALSE(ParseAttribute("novalue").ok());
  EXPECT_FALSE(ParseAttribute("=x").ok());
  EXPECT_FALSE(ParseAttribute("k:Date=x").ok());
}

}  // namespace
}  // namespace ferry::cli
