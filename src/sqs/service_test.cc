#include "sqs/service.h"

#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

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

}  // namespace
}  // namespace ferry::sqs
