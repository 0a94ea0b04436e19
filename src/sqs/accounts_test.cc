// Accounts: queues are kept apart per account, the account of a request
// being its caller's (ctx.account_id, which the gateway reads from the access
// key), and the server's default account keeping its plain registry names.
#include <gtest/gtest.h>

#include "engine/durable_test_util.h"
#include "sqs/accounts_test_util.h"

namespace ferry::sqs {
namespace {

constexpr std::string_view kFirst = "111111111111";
constexpr std::string_view kSecond = "222222222222";

class AccountsTest : public AccountsTestBase {
 protected:
  std::vector<std::string> Listed(std::string_view account) {
    auto out = OkAs(account, "ListQueues", "{}");
    std::vector<std::string> urls;
    if (auto* v = out.if_contains("QueueUrls")) {
      for (const auto& u : v->as_array()) urls.emplace_back(u.as_string());
    }
    return urls;
  }
  std::string Attribute(std::string_view account, std::string_view url, std::string_view name) {
    auto out = OkAs(account, "GetQueueAttributes",
                    R"({"QueueUrl": ")" + std::string(url) + R"(", "AttributeNames": [")" +
                        std::string(name) + R"("]})");
    return Str(out["Attributes"].as_object()[name]);
  }
  std::vector<std::string> Bodies(std::string_view account, std::string_view url) {
    auto out = OkAs(account, "ReceiveMessage",
                    R"({"QueueUrl": ")" + std::string(url) +
                        R"(", "MaxNumberOfMessages": 10, "AttributeNames": ["SenderId"]})");
    std::vector<std::string> bodies;
    if (auto* v = out.if_contains("Messages")) {
      for (const auto& m : v->as_array()) {
        const auto& message = m.as_object();
        bodies.push_back(Str(message.at("Body")));
        EXPECT_EQ(Str(message.at("Attributes").as_object().at("SenderId")), account);
      }
    }
    return bodies;
  }
};

TEST_P(AccountsTest, TwoAccountsEachOwnTheirQueueCalledJobs) {
  const std::string first =
      Str(OkAs(kFirst, "CreateQueue", R"({"QueueName": "jobs"})")["QueueUrl"]);
  const std::string second =
      Str(OkAs(kSecond, "CreateQueue",
               R"({"QueueName": "jobs", "Attributes": {"VisibilityTimeout": "77"}})")["QueueUrl"]);
  EXPECT_EQ(first, "http://localhost:9324/111111111111/jobs");
  EXPECT_EQ(second, "http://localhost:9324/222222222222/jobs");
  EXPECT_EQ(Attribute(kFirst, first, "QueueArn"), "arn:aws:sqs:us-east-1:111111111111:jobs");
  EXPECT_EQ(Attribute(kSecond, second, "QueueArn"), "arn:aws:sqs:us-east-1:222222222222:jobs");
  EXPECT_EQ(Attribute(kSecond, second, "VisibilityTimeout"), "77");
  EXPECT_EQ(Attribute(kFirst, first, "VisibilityTimeout"), "30");

  EXPECT_EQ(Listed(kFirst), std::vector<std::string>{first});
  EXPECT_EQ(Listed(kSecond), std::vector<std::string>{second});
  EXPECT_TRUE(Listed("000000000000").empty());
  EXPECT_EQ(Str(OkAs(kFirst, "GetQueueUrl", R"({"QueueName": "jobs"})")["QueueUrl"]), first);
  EXPECT_EQ(Str(OkAs(kSecond, "GetQueueUrl", R"({"QueueName": "jobs"})")["QueueUrl"]), second);
  EXPECT_EQ(FailsAs("000000000000", "GetQueueUrl", R"({"QueueName": "jobs"})"),
            "QueueDoesNotExist");

  OkAs(kFirst, "SendMessage", R"({"QueueUrl": ")" + first + R"(", "MessageBody": "one"})");
  OkAs(kSecond, "SendMessage", R"({"QueueUrl": ")" + second + R"(", "MessageBody": "two"})");
  EXPECT_EQ(Bodies(kFirst, first), std::vector<std::string>{"one"});
  EXPECT_EQ(Bodies(kSecond, second), std::vector<std::string>{"two"});

  OkAs(kFirst, "DeleteQueue", R"({"QueueUrl": ")" + first + R"("})");
  EXPECT_TRUE(Listed(kFirst).empty());
  EXPECT_EQ(Listed(kSecond), std::vector<std::string>{second});
}

TEST_P(AccountsTest, TheDefaultAccountKeepsPlainRegistryNames) {
  OkAs("000000000000", "CreateQueue", R"({"QueueName": "jobs"})");
  OkAs(kFirst, "CreateQueue", R"({"QueueName": "jobs"})");
  api::Call eu = As(kFirst, "CreateQueue", R"({"QueueName": "jobs"})");
  eu.ctx.region = "eu-central-1";
  ASSERT_TRUE(Call(std::move(eu)).ok());
  EXPECT_EQ(
      engine.ListQueues(""),
      (std::vector<std::string>{"111111111111//jobs", "111111111111/eu-central-1/jobs", "jobs"}));
  // A request without an account (ctx.account_id empty) is the default's.
  api::Call unsigned_call = MakeCall("ListQueues", "{}");
  unsigned_call.ctx.account_id.clear();
  auto out = Call(std::move(unsigned_call));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(boost::json::serialize(out->at("QueueUrls")),
            R"(["http://localhost:9324/000000000000/jobs"])");
}

// AWS answers NonExistentQueue for another account's queue that no policy
// opens to the caller (policy_enforcement_test.cc opens some).
TEST_P(AccountsTest, AnotherAccountsQueueDoesNotExistForTheCaller) {
  const std::string first =
      Str(OkAs(kFirst, "CreateQueue", R"({"QueueName": "jobs"})")["QueueUrl"]);
  EXPECT_EQ(
      FailsAs(kSecond, "SendMessage", R"({"QueueUrl": ")" + first + R"(", "MessageBody": "x"})"),
      "QueueDoesNotExist");
  EXPECT_EQ(FailsAs(kSecond, "GetQueueAttributes", R"({"QueueUrl": ")" + first + R"("})"),
            "QueueDoesNotExist");
  EXPECT_EQ(FailsAs(kSecond, "GetQueueUrl",
                    R"({"QueueName": "jobs", "QueueOwnerAWSAccountId": "111111111111"})"),
            "QueueDoesNotExist");
  EXPECT_EQ(
      Str(OkAs(kFirst, "GetQueueUrl",
               R"({"QueueName": "jobs", "QueueOwnerAWSAccountId": "111111111111"})")["QueueUrl"]),
      first);
  // A Query client posting to another account's queue URL.
  api::Call by_path = As(kSecond, "SendMessage", R"({"MessageBody": "x"})");
  by_path.ctx.path = "/111111111111/jobs";
  EXPECT_EQ(api::ErrorFor(Call(std::move(by_path)).status()).code, "QueueDoesNotExist");
  // A path segment that is no account id names no account: the caller's.
  OkAs(kFirst, "SendMessage", R"({"QueueUrl": "/0/jobs", "MessageBody": "x"})");
  EXPECT_EQ(Attribute(kFirst, first, "ApproximateNumberOfMessages"), "1");
}

TEST_P(AccountsTest, DeadLetterQueuesAndMoveTasksStayInTheirAccount) {
  OkAs(kFirst, "CreateQueue", R"({"QueueName": "dlq"})");
  const std::string redrive_to_first = R"({"QueueName": "src", "Attributes": {"RedrivePolicy":
      "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:111111111111:dlq\",\"maxReceiveCount\":1}"}})";
  EXPECT_EQ(FailsAs(kSecond, "CreateQueue", redrive_to_first), "InvalidParameterValue");
  const std::string src = Str(OkAs(kFirst, "CreateQueue", redrive_to_first)["QueueUrl"]);
  EXPECT_EQ(engine.FindQueue("111111111111//src")->settings().dead_letter_queue,
            "111111111111//dlq");
  EXPECT_EQ(
      Attribute(kFirst, src, "RedrivePolicy"),
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:dlq","maxReceiveCount":1})");
  auto sources = OkAs(kFirst, "ListDeadLetterSourceQueues",
                      R"({"QueueUrl": "http://localhost:9324/111111111111/dlq"})");
  ASSERT_EQ(sources["queueUrls"].as_array().size(), 1u);
  EXPECT_EQ(Str(sources["queueUrls"].as_array()[0]), src);

  // A message received once more than maxReceiveCount moves to the DLQ; its
  // source ARN names the account.
  OkAs(kFirst, "SendMessage", R"({"QueueUrl": ")" + src + R"(", "MessageBody": "m"})");
  OkAs(kFirst, "ReceiveMessage", R"({"QueueUrl": ")" + src + R"(", "VisibilityTimeout": 0})");
  OkAs(kFirst, "ReceiveMessage", R"({"QueueUrl": ")" + src + R"("})");
  auto dead = OkAs(kFirst, "ReceiveMessage",
                   R"({"QueueUrl": "/111111111111/dlq", "VisibilityTimeout": 0,
                       "MessageSystemAttributeNames": ["DeadLetterQueueSourceArn"]})");
  ASSERT_EQ(dead["Messages"].as_array().size(), 1u);
  EXPECT_EQ(Str(dead["Messages"]
                    .as_array()[0]
                    .as_object()["Attributes"]
                    .as_object()["DeadLetterQueueSourceArn"]),
            "arn:aws:sqs:us-east-1:111111111111:src");

  const std::string dlq_arn = R"({"SourceArn": "arn:aws:sqs:us-east-1:111111111111:dlq"})";
  EXPECT_EQ(FailsAs(kSecond, "StartMessageMoveTask", dlq_arn), "ResourceNotFoundException");
  EXPECT_EQ(FailsAs(kSecond, "ListMessageMoveTasks", dlq_arn), "ResourceNotFoundException");
  auto started = OkAs(kFirst, "StartMessageMoveTask", dlq_arn);
  const std::string handle = Str(started["TaskHandle"]);
  auto tasks = OkAs(kFirst, "ListMessageMoveTasks", dlq_arn);
  ASSERT_EQ(tasks["Results"].as_array().size(), 1u);
  EXPECT_EQ(Str(tasks["Results"].as_array()[0].as_object()["SourceArn"]),
            "arn:aws:sqs:us-east-1:111111111111:dlq");
  const std::string cancel = R"({"TaskHandle": ")" + handle + R"("})";
  EXPECT_EQ(FailsAs(kSecond, "CancelMessageMoveTask", cancel), "ResourceNotFoundException");
}

FERRY_SQS_BOTH_WIRES(AccountsTest);

// Each account's queues, and whose each is, survive a restart.
TEST(AccountsDurableTest, EachAccountsQueuesSurviveARestart) {
  engine::testing::TempDir dir;
  auto durable = DurableEngineIn(dir.path());
  auto as = [](SqsFixture& f, std::string_view account, std::string_view action,
               std::string_view json) {
    auto out = CallAsAccount(f, account, action, json);
    EXPECT_TRUE(out.ok()) << account << " " << action;
    return out.ok() ? std::move(*out) : boost::json::object();
  };
  {
    SqsFixture f(durable);
    for (std::string_view account : {kFirst, kSecond}) {
      as(f, account, "CreateQueue", R"({"QueueName": "jobs"})");
      as(f, account, "SendMessage",
         R"({"QueueUrl": "/)" + std::string(account) + R"(/jobs", "MessageBody": ")" +
             std::string(account) + R"("})");
    }
  }
  SqsFixture f(durable);
  for (std::string_view account : {kFirst, kSecond}) {
    const std::string url = "http://localhost:9324/" + std::string(account) + "/jobs";
    EXPECT_EQ(boost::json::serialize(as(f, account, "ListQueues", "{}").at("QueueUrls")),
              "[\"" + url + "\"]");
    auto got = as(f, account, "ReceiveMessage", R"({"QueueUrl": ")" + url + R"("})");
    ASSERT_EQ(got["Messages"].as_array().size(), 1u);
    EXPECT_EQ(Str(got["Messages"].as_array()[0].as_object()["Body"]), account);
  }
}

}  // namespace
}  // namespace ferry::sqs
