#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using QueuesTest = SqsTest;
FERRY_SQS_BOTH_WIRES(QueuesTest);

TEST_P(QueuesTest, CreateQueueReturnsUrlOnTheClientsHost) {
  auto out = Ok("CreateQueue", R"({"QueueName": "orders"})");
  EXPECT_EQ(Str(out["QueueUrl"]), "http://localhost:9324/000000000000/orders");
  ASSERT_NE(engine.FindQueue("orders"), nullptr);
}

TEST_P(QueuesTest, CreateQueueAppliesAttributesAndTags) {
  Ok("CreateQueue", R"({"QueueName": "q", "Attributes": {"VisibilityTimeout": "60",
                        "DelaySeconds": "5"}, "tags": {"team": "a"}})");
  auto q = engine.FindQueue("q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->settings().visibility_timeout_s, 60);
  EXPECT_EQ(q->settings().delay_s, 5);
  EXPECT_EQ(q->tags().at("team"), "a");
}

TEST_P(QueuesTest, CreateQueueIsIdempotentForEqualAttributes) {
  CreateQueue("q", R"({"VisibilityTimeout": "60"})");
  EXPECT_EQ(CreateQueue("q", R"({"VisibilityTimeout": "60"})"),
            "http://localhost:9324/000000000000/q");
  // Attributes the request leaves out are not compared.
  EXPECT_EQ(CreateQueue("q"), "http://localhost:9324/000000000000/q");
  EXPECT_EQ(CreateQueue("q", R"({"SqsManagedSseEnabled": "true"})"),
            "http://localhost:9324/000000000000/q");
}

TEST_P(QueuesTest, CreateQueueWithDifferentAttributeIsQueueNameExists) {
  CreateQueue("q", R"({"VisibilityTimeout": "60"})");
  std::string message;
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "Attributes": {"VisibilityTimeout": "30"}})",
                  &message),
            "QueueNameExists");
  EXPECT_NE(message.find("VisibilityTimeout"), std::string::npos) << message;
  auto a = Call("CreateQueue", R"({"QueueName": "q", "Attributes": {"DelaySeconds": "1"}})");
  EXPECT_EQ(api::ErrorFor(a.status()).query_code, "QueueAlreadyExists");
}

TEST_P(QueuesTest, CreateQueueValidatesNameAttributesAndTags) {
  EXPECT_EQ(Fails("CreateQueue", R"({})"), "MissingParameter");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "bad name"})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": ""})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q.fifo"})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "Attributes": {"FifoQueue": "true"}})"),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "Attributes": {"Nope": "1"}})"),
            "InvalidAttributeName");
  std::string message;
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "Attributes": {"DelaySeconds": "901"}})",
                  &message),
            "InvalidAttributeValue");
  EXPECT_EQ(message, "Invalid value for the parameter DelaySeconds.");
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q", "tags": {"": "v"}})"),
            "InvalidParameterValue");
  EXPECT_EQ(engine.FindQueue("q"), nullptr);
}

TEST_P(QueuesTest, RecentlyDeletedQueueCannotBeCreatedForSixtySeconds) {
  CreateQueue("q");
  Ok("DeleteQueue", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  std::string message;
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q"})", &message), "QueueDeletedRecently");
  EXPECT_EQ(message,
            "You must wait 60 seconds after deleting a queue before you can create another with "
            "the same name.");
  clock.Advance(59'999);
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q"})"), "QueueDeletedRecently");
  clock.Advance(1);
  CreateQueue("q");
}

TEST_P(QueuesTest, QueueReuseDelayIsTheOperatorsChoice) {
  engine.set_queue_reuse_delay(std::chrono::seconds(5));
  CreateQueue("q");
  Ok("DeleteQueue", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  std::string message;
  EXPECT_EQ(Fails("CreateQueue", R"({"QueueName": "q"})", &message), "QueueDeletedRecently");
  EXPECT_EQ(message,
            "You must wait 5 seconds after deleting a queue before you can create another with "
            "the same name.");
  clock.Advance(5'000);
  CreateQueue("q");

  engine.set_queue_reuse_delay(std::chrono::seconds(0));
  Ok("DeleteQueue", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  EXPECT_EQ(CreateQueue("q"), "http://localhost:9324/000000000000/q");
}

TEST_P(QueuesTest, GetQueueUrl) {
  CreateQueue("q");
  auto out = Ok("GetQueueUrl", R"({"QueueName": "q"})");
  EXPECT_EQ(Str(out["QueueUrl"]), "http://localhost:9324/000000000000/q");
  std::string message;
  EXPECT_EQ(Fails("GetQueueUrl", R"({"QueueName": "nope"})", &message), "QueueDoesNotExist");
  // AWS's texts differ by wire.
  EXPECT_EQ(message, wire == api::Wire::kQuery
                         ? "The specified queue does not exist for this wsdl version."
                         : "The specified queue does not exist.");
  EXPECT_EQ(Fails("GetQueueUrl", R"({})"), "MissingParameter");
}

TEST_P(QueuesTest, AccountActionsSentToAQueueUrlAreInvalidActions) {
  CreateQueue("q");
  for (std::string_view action : {"CreateQueue", "ListQueues"}) {
    api::Call call = MakeCall(action, R"({"QueueName": "q2"})");
    call.ctx.path = "/000000000000/q";
    Answer a = Call(std::move(call));
    ASSERT_FALSE(a.ok()) << action;
    EXPECT_EQ(api::ErrorFor(a.status()).code, "InvalidAction");
    EXPECT_EQ(a.status().message(),
              "The action " + std::string(action) + " is not valid for this endpoint.");
  }
  EXPECT_EQ(engine.FindQueue("q2"), nullptr);
}

TEST_P(QueuesTest, QueueIsNamedByUrlOfAnyHostOrByRequestPath) {
  CreateQueue("q");
  Ok("GetQueueAttributes", R"({"QueueUrl": "https://elsewhere.example/123/q"})");
  api::Call call = MakeCall("GetQueueAttributes", "{}");
  call.ctx.path = "/000000000000/q";
  EXPECT_TRUE(Call(std::move(call)).ok());
  EXPECT_EQ(Fails("GetQueueAttributes", "{}"), "QueueDoesNotExist");
  EXPECT_EQ(Fails("GetQueueAttributes", R"({"QueueUrl": "http://localhost/000000000000/x"})"),
            "QueueDoesNotExist");
}

TEST_P(QueuesTest, ListQueuesFiltersByPrefix) {
  for (auto n : {"b1", "a1", "a2", "c"}) CreateQueue(n);
  auto all = Ok("ListQueues", "{}");
  ASSERT_EQ(all["QueueUrls"].as_array().size(), 4u);
  EXPECT_EQ(Str(all["QueueUrls"].as_array()[0]), "http://localhost:9324/000000000000/a1");
  EXPECT_FALSE(all.contains("NextToken"));
  auto a = Ok("ListQueues", R"({"QueueNamePrefix": "a"})");
  EXPECT_EQ(a["QueueUrls"].as_array().size(), 2u);
  auto none = Ok("ListQueues", R"({"QueueNamePrefix": "zzz"})");
  EXPECT_FALSE(none.contains("QueueUrls"));
}

TEST_P(QueuesTest, ListQueuesPagesWithMaxResultsAndNextToken) {
  for (auto n : {"q1", "q2", "q3", "q4", "q5"}) CreateQueue(n);
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    boost::json::object params{{"MaxResults", 2}};
    if (!token.empty()) params["NextToken"] = token;
    auto out = Ok("ListQueues", boost::json::serialize(params));
    for (auto& u : out["QueueUrls"].as_array()) seen.push_back(Str(u));
    if (!out.contains("NextToken")) break;
    token = Str(out["NextToken"]);
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.back(), "http://localhost:9324/000000000000/q5");
  EXPECT_EQ(Fails("ListQueues", R"({"MaxResults": 0})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("ListQueues", R"({"MaxResults": 1001})"), "InvalidParameterValue");
  EXPECT_EQ(Fails("ListQueues", R"({"MaxResults": 1, "NextToken": "%%%"})"),
            "InvalidParameterValue");
}

TEST_P(QueuesTest, DeleteQueue) {
  CreateQueue("q");
  Ok("DeleteQueue", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  EXPECT_EQ(engine.FindQueue("q"), nullptr);
  EXPECT_EQ(Fails("DeleteQueue", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})"),
            "QueueDoesNotExist");
}

TEST_P(QueuesTest, GetQueueAttributesAll) {
  clock.Set(1'700'000'123'456);
  CreateQueue("q", R"({"VisibilityTimeout": "45", "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"})");
  auto out =
      Ok("GetQueueAttributes",
         R"({"QueueUrl": "http://localhost:9324/000000000000/q", "AttributeNames": ["All"]})");
  auto& a = out["Attributes"].as_object();
  EXPECT_EQ(Str(a["VisibilityTimeout"]), "45");
  EXPECT_EQ(Str(a["DelaySeconds"]), "0");
  EXPECT_EQ(Str(a["MaximumMessageSize"]), "1048576");
  EXPECT_EQ(Str(a["MessageRetentionPeriod"]), "345600");
  EXPECT_EQ(Str(a["ReceiveMessageWaitTimeSeconds"]), "0");
  EXPECT_EQ(Str(a["ApproximateNumberOfMessages"]), "0");
  EXPECT_EQ(Str(a["ApproximateNumberOfMessagesNotVisible"]), "0");
  EXPECT_EQ(Str(a["ApproximateNumberOfMessagesDelayed"]), "0");
  EXPECT_EQ(Str(a["CreatedTimestamp"]), "1700000123");
  EXPECT_EQ(Str(a["LastModifiedTimestamp"]), "1700000123");
  EXPECT_EQ(Str(a["QueueArn"]), "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(Str(a["SqsManagedSseEnabled"]), "true");
  EXPECT_EQ(Str(a["Policy"]), R"({"Version":"2012-10-17","Statement":[]})");
  EXPECT_FALSE(a.contains("RedrivePolicy"));
  EXPECT_FALSE(a.contains("KmsMasterKeyId"));
}

TEST_P(QueuesTest, GetQueueAttributesNamedOnesAndCounts) {
  CreateQueue("q");
  Ok("SendMessage", R"({"QueueUrl": "http://localhost:9324/000000000000/q", "MessageBody": "a"})");
  Ok("SendMessage", R"({"QueueUrl": "http://localhost:9324/000000000000/q", "MessageBody": "b",
                        "DelaySeconds": 10})");
  Ok("SendMessage", R"({"QueueUrl": "http://localhost:9324/000000000000/q", "MessageBody": "c"})");
  Ok("ReceiveMessage", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  auto out = Ok("GetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q",
      "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                         "ApproximateNumberOfMessagesDelayed", "QueueArn"]})");
  auto& a = out["Attributes"].as_object();
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(Str(a["ApproximateNumberOfMessages"]), "1");
  EXPECT_EQ(Str(a["ApproximateNumberOfMessagesNotVisible"]), "1");
  EXPECT_EQ(Str(a["ApproximateNumberOfMessagesDelayed"]), "1");
}

TEST_P(QueuesTest, GetQueueAttributesWithoutNamesHasNoAttributes) {
  CreateQueue("q");
  auto out = Ok("GetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})");
  EXPECT_FALSE(out.contains("Attributes"));
  EXPECT_EQ(Fails("GetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q",
                                          "AttributeNames": ["Bogus"]})"),
            "InvalidAttributeName");
}

TEST_P(QueuesTest, SetQueueAttributes) {
  CreateQueue("q");
  clock.Advance(5000);
  Ok("SetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q",
      "Attributes": {"VisibilityTimeout": "5", "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}})");
  auto q = engine.FindQueue("q");
  EXPECT_EQ(q->settings().visibility_timeout_s, 5);
  EXPECT_EQ(q->settings().extra.at("Policy"), R"({"Version":"2012-10-17","Statement":[]})");
  EXPECT_EQ(Fails("SetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q",
                                          "Attributes": {"VisibilityTimeout": "-1"}})"),
            "InvalidAttributeValue");
  EXPECT_EQ(Fails("SetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q",
                                          "Attributes": {"QueueArn": "x"}})"),
            "InvalidAttributeName");
  EXPECT_EQ(Fails("SetQueueAttributes", R"({"QueueUrl": "http://localhost:9324/000000000000/q"})"),
            "MissingParameter");
  EXPECT_EQ(q->settings().visibility_timeout_s, 5);
}

TEST_P(QueuesTest, PurgeQueueOncePerMinute) {
  CreateQueue("q");
  const char* url = R"({"QueueUrl": "http://localhost:9324/000000000000/q"})";
  Ok("SendMessage", R"({"QueueUrl": "http://localhost:9324/000000000000/q", "MessageBody": "a"})");
  Ok("PurgeQueue", url);
  EXPECT_EQ(engine.FindQueue("q")->Stats().visible, 0);
  auto again = Call("PurgeQueue", url);
  EXPECT_EQ(api::ErrorFor(again.status()).code, "PurgeQueueInProgress");
  EXPECT_EQ(api::ErrorFor(again.status()).http_status, 403);
  clock.Advance(60'000);
  Ok("PurgeQueue", url);
}

}  // namespace
}  // namespace ferry::sqs
