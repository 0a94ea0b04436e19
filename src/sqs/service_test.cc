#include "sqs/service.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "engine/durable_test_util.h"
#include "sqs/sqs_test_util.h"
#include "storage/faulty_file_ops.h"

namespace ferry::sqs {
namespace {

// Every operation of the SQS model (botocore sqs/2012-11-05).
constexpr std::string_view kModelActions[] = {
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
};

TEST(SqsServiceTest, KnowsEveryActionOfTheModelAndNothingElse) {
  SqsFixture f;
  EXPECT_EQ(f.service.name(), "sqs");
  for (auto action : kModelActions) EXPECT_TRUE(f.service.Knows(action)) << action;
  EXPECT_FALSE(f.service.Knows("Publish"));
  EXPECT_FALSE(f.service.Knows("sendmessage"));
  EXPECT_FALSE(f.service.Knows(""));
}

TEST(SqsServiceTest, UnknownActionIsInvalidAction) {
  SqsFixture f;
  EXPECT_EQ(f.Fails("Publish", "{}"), "InvalidAction");
}

TEST(SqsServiceTest, EveryActionAnswersGarbageParamsWithAnErrorNotACrash) {
  const char* inputs[] = {
      "{}",
      R"({"QueueUrl": "/0/q", "QueueName": 5, "Attributes": [1], "tags": "x", "Tags": 3,
          "TagKeys": {"a": 1}, "AttributeNames": [null, 1], "Entries": {"x": 1},
          "MessageBody": {"a": 1}, "ReceiptHandle": [], "MaxResults": "x",
          "MessageAttributes": [1], "MessageSystemAttributes": "x",
          "MessageAttributeNames": [[]], "VisibilityTimeout": 1e300,
          "WaitTimeSeconds": -5, "MaxNumberOfMessages": 18446744073709551615})",
      R"({"QueueUrl": "/0/q", "Entries": [1, "x", null], "MessageAttributes": {"a": 1}})",
      R"({"QueueUrl": "/0/q", "Entries": [{"Id": 1}], "MessageAttributes": {"a": {"DataType": 1}}})",
      R"({"QueueUrl": "/0/q", "Entries": [{"Id": "a", "MessageBody": "m", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": 1}}}]})",
  };
  for (api::Wire wire : {api::Wire::kJson, api::Wire::kQuery}) {
    SqsFixture f;
    f.wire = wire;
    f.CreateQueue("q");
    for (auto action : kModelActions) {
      if (action == "DeleteQueue" || action == "PurgeQueue") continue;
      for (const char* in : inputs) {
        auto a = f.Call(action, in);
        (void)a;  // any answer will do; the fixture checks there is exactly one
      }
    }
  }
}

// A full or failing disk is the server's fault and temporary: a 503
// ServiceUnavailable (Receiver), on both wires, until the disk recovers.
TEST(SqsServiceTest, ADiskFaultIsServiceUnavailableUntilItClears) {
  engine::testing::TempDir dir;
  storage::testing::FaultyFileOps ops;
  SqsFixture f(DurableEngineIn(dir.path(), &ops, std::chrono::milliseconds(1)));
  const std::string url = f.CreateQueue("q");
  const std::string send = R"({"QueueUrl":")" + url + R"(","MessageBody":"m"})";
  const std::string receive = R"({"QueueUrl":")" + url + R"(","VisibilityTimeout":0})";
  f.Ok("SendMessage", send);

  ops.FailWrites(ENOSPC);
  for (api::Wire wire : {api::Wire::kJson, api::Wire::kQuery}) {
    f.wire = wire;
    // The first send is caught by the fault, the rest refused while it lasts.
    for (const auto& [action, params] :
         {std::pair{"SendMessage", send}, std::pair{"SendMessage", send},
          std::pair{"ReceiveMessage", receive}}) {
      std::string message;
      EXPECT_EQ(f.Fails(action, params, &message), "ServiceUnavailable") << action;
      EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
      auto answer = f.Call(action, params);
      ASSERT_FALSE(answer.ok());
      const api::ErrorDef& def = api::ErrorFor(answer.status());
      EXPECT_EQ(def.http_status, 503);
      EXPECT_FALSE(def.sender_fault);
    }
  }

  ops.Heal();
  f.wire = api::Wire::kJson;
  EXPECT_TRUE(engine::testing::WaitUntil([&] { return f.Call("SendMessage", send).ok(); }));
  f.Ok("ReceiveMessage", receive);
}

// A full disk refuses only what adds data: a send is a 503 while receives,
// deletes, visibility changes and purges answer 200, on both wires, and a
// refused send sharing the moment with deletes does not fail them.
TEST(SqsServiceTest, AFullDiskRefusesSendsWhileConsumersDrainIt) {
  engine::testing::TempDir dir;
  storage::testing::FaultyFileOps ops;
  ops.LimitSpace(dir.path(), 6u << 20);
  SqsFixture f(DurableEngineIn(dir.path(), &ops, std::chrono::milliseconds(10)));
  const std::string url = f.CreateQueue("q");
  const std::string other = f.CreateQueue("other");
  ASSERT_TRUE(
      engine::testing::WaitUntil([&] { return std::filesystem::exists(dir.path() + "/RESERVE"); }));
  f.Ok("SendMessage", R"({"QueueUrl":")" + other + R"(","MessageBody":"m"})");
  const std::string send =
      R"({"QueueUrl":")" + url + R"(","MessageBody":")" + std::string(100000, 'x') + R"("})";
  int sent = 0;
  while (f.Call("SendMessage", send).ok()) ASSERT_LT(++sent, 100);
  ASSERT_GT(sent, 10);

  for (api::Wire wire : {api::Wire::kJson, api::Wire::kQuery}) {
    f.wire = wire;
    std::string message;
    EXPECT_EQ(f.Fails("SendMessage", send, &message), "ServiceUnavailable");
    EXPECT_NE(message.find("disk is full"), std::string::npos) << message;
    auto batch = f.Ok("SendMessageBatch",
                      R"({"QueueUrl":")" + url + R"(","Entries":[{"Id":"a","MessageBody":"m"}]})");
    ASSERT_EQ(batch["Failed"].as_array().size(), 1u) << boost::json::serialize(batch);
    EXPECT_EQ(Str(batch["Failed"].as_array()[0].as_object()["Code"]), "ServiceUnavailable");
  }
  f.wire = api::Wire::kJson;
  int drained = 0;
  while (true) {
    auto got = f.Ok("ReceiveMessage", R"({"QueueUrl":")" + url +
                                          R"(","MaxNumberOfMessages":10,"VisibilityTimeout":60})");
    if (!got.contains("Messages") || got["Messages"].as_array().empty()) break;
    for (const auto& m : got["Messages"].as_array()) {
      const std::string handle = Str(m.as_object().at("ReceiptHandle"));
      // A send refused in between does not touch the deletes around it.
      auto started = f.Start("SendMessage", send);
      f.Ok("ChangeMessageVisibility", R"({"QueueUrl":")" + url + R"(","ReceiptHandle":")" + handle +
                                          R"(","VisibilityTimeout":120})");
      f.Ok("DeleteMessage", R"({"QueueUrl":")" + url + R"(","ReceiptHandle":")" + handle + R"("})");
      f.RunUntil(started);
      ASSERT_TRUE(started->has_value());
      EXPECT_FALSE(started->value().ok());
      ++drained;
    }
  }
  EXPECT_EQ(drained, sent);
  f.Ok("PurgeQueue", R"({"QueueUrl":")" + other + R"("})");
  EXPECT_LE(ops.SpaceUsed(), 6u << 20);
}

}  // namespace
}  // namespace ferry::sqs
