// Regions: queues are kept apart per region, the region of a request being
// its credential scope's (ctx.region) and the region of a queue URL its path.
#include <gtest/gtest.h>

#include "engine/durable_test_util.h"
#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

class RegionsTest : public SqsTest {
 protected:
  api::Call In(std::string_view region, std::string_view action, std::string_view json) const {
    api::Call call = MakeCall(action, json);
    call.ctx.region = std::string(region);
    return call;
  }
  boost::json::object OkIn(std::string_view region, std::string_view action,
                           std::string_view json) {
    Answer a = Call(In(region, action, json));
    EXPECT_TRUE(a.ok()) << region << " " << action << ": " << a.status().message();
    return a.ok() ? std::move(a).value() : boost::json::object();
  }
  std::string Arn(std::string_view url) {
    auto out =
        OkIn("us-east-1", "GetQueueAttributes",
             R"({"QueueUrl": ")" + std::string(url) + R"(", "AttributeNames": ["QueueArn"]})");
    return Str(out["Attributes"].as_object()["QueueArn"]);
  }
  std::vector<std::string> Listed(std::string_view region) {
    auto out = OkIn(region, "ListQueues", "{}");
    std::vector<std::string> urls;
    if (auto* v = out.if_contains("QueueUrls")) {
      for (const auto& u : v->as_array()) urls.emplace_back(u.as_string());
    }
    return urls;
  }
};

TEST_P(RegionsTest, EqualNamesInTwoRegionsAreTwoQueuesWithTheirOwnUrlsAndArns) {
  auto home = OkIn("us-east-1", "CreateQueue", R"({"QueueName": "jobs"})");
  auto eu = OkIn("eu-central-1", "CreateQueue",
                 R"({"QueueName": "jobs", "Attributes": {"VisibilityTimeout": "77"}})");
  const std::string home_url = Str(home["QueueUrl"]);
  const std::string eu_url = Str(eu["QueueUrl"]);
  EXPECT_EQ(home_url, "http://localhost:9324/000000000000/jobs");
  EXPECT_EQ(eu_url, "http://localhost:9324/queue/eu-central-1/000000000000/jobs");
  EXPECT_EQ(Arn(home_url), "arn:aws:sqs:us-east-1:000000000000:jobs");
  EXPECT_EQ(Arn(eu_url), "arn:aws:sqs:eu-central-1:000000000000:jobs");

  EXPECT_EQ(Listed("us-east-1"), std::vector<std::string>{home_url});
  EXPECT_EQ(Listed("eu-central-1"), std::vector<std::string>{eu_url});
  EXPECT_TRUE(Listed("ap-south-1").empty());
  EXPECT_EQ(Str(OkIn("eu-central-1", "GetQueueUrl", R"({"QueueName": "jobs"})")["QueueUrl"]),
            eu_url);
  EXPECT_EQ(Call(In("ap-south-1", "GetQueueUrl", R"({"QueueName": "jobs"})")).status().detail(),
            static_cast<int>(api::ErrorId::kQueueDoesNotExist));

  // A URL names its queue whatever region the request was signed for.
  OkIn("us-east-1", "SendMessage", R"({"QueueUrl": ")" + eu_url + R"(", "MessageBody": "to eu"})");
  auto got = OkIn("us-east-1", "ReceiveMessage", R"({"QueueUrl": ")" + eu_url + R"("})");
  ASSERT_EQ(got["Messages"].as_array().size(), 1u);
  EXPECT_EQ(Str(got["Messages"].as_array()[0].as_object()["Body"]), "to eu");
  auto none = OkIn("eu-central-1", "ReceiveMessage", R"({"QueueUrl": ")" + home_url + R"("})");
  EXPECT_FALSE(none.contains("Messages") && !none["Messages"].as_array().empty());

  OkIn("eu-central-1", "DeleteQueue", R"({"QueueUrl": ")" + eu_url + R"("})");
  EXPECT_EQ(Listed("us-east-1"), std::vector<std::string>{home_url});
  EXPECT_TRUE(Listed("eu-central-1").empty());
}

TEST_P(RegionsTest, AQueryRequestPostedToAQueueUrlActsOnThatRegionsQueue) {
  OkIn("us-east-1", "CreateQueue", R"({"QueueName": "jobs"})");
  OkIn("eu-central-1", "CreateQueue", R"({"QueueName": "jobs"})");
  api::Call send = In("us-east-1", "SendMessage", R"({"MessageBody": "by path"})");
  send.ctx.path = "/queue/eu-central-1/000000000000/jobs";
  ASSERT_TRUE(Call(std::move(send)).ok());
  auto attrs = OkIn("us-east-1", "GetQueueAttributes",
                    R"({"QueueUrl": "http://h/queue/eu-central-1/000000000000/jobs",
                        "AttributeNames": ["ApproximateNumberOfMessages"]})");
  EXPECT_EQ(Str(attrs["Attributes"].as_object()["ApproximateNumberOfMessages"]), "1");
}

TEST_P(RegionsTest, ADeadLetterQueueMustBeInItsSourcesRegion) {
  OkIn("us-east-1", "CreateQueue", R"({"QueueName": "dlq"})");
  std::string message;
  Answer a = Call(In("eu-central-1", "CreateQueue", R"({"QueueName": "src", "Attributes":
      {"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":2}"}})"));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("Dead letter target does not exist."), std::string::npos);

  OkIn("eu-central-1", "CreateQueue", R"({"QueueName": "dlq"})");
  auto src = OkIn("eu-central-1", "CreateQueue", R"({"QueueName": "src", "Attributes":
      {"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-central-1:000000000000:dlq\",\"maxReceiveCount\":1}"}})");
  const std::string src_url = Str(src["QueueUrl"]);
  auto attrs = OkIn("eu-central-1", "GetQueueAttributes",
                    R"({"QueueUrl": ")" + src_url + R"(", "AttributeNames": ["RedrivePolicy"]})");
  EXPECT_EQ(
      Str(attrs["Attributes"].as_object()["RedrivePolicy"]),
      R"({"deadLetterTargetArn":"arn:aws:sqs:eu-central-1:000000000000:dlq","maxReceiveCount":1})");
  EXPECT_EQ(engine.FindQueue("eu-central-1/src")->settings().dead_letter_queue, "eu-central-1/dlq");

  // The eu DLQ lists its eu source, and the home DLQ none.
  auto sources =
      OkIn("eu-central-1", "ListDeadLetterSourceQueues",
           R"({"QueueUrl": "http://localhost:9324/queue/eu-central-1/000000000000/dlq"})");
  ASSERT_EQ(sources["queueUrls"].as_array().size(), 1u);
  EXPECT_EQ(Str(sources["queueUrls"].as_array()[0]), src_url);
  auto home_sources = OkIn("us-east-1", "ListDeadLetterSourceQueues",
                           R"({"QueueUrl": "http://localhost:9324/000000000000/dlq"})");
  EXPECT_TRUE(home_sources["queueUrls"].as_array().empty());
}

TEST_P(RegionsTest, ARegionThatCannotBeOneActsInTheServersRegion) {
  auto out = OkIn("Bad/Region\x01", "CreateQueue", R"({"QueueName": "jobs"})");
  EXPECT_EQ(Str(out["QueueUrl"]), "http://localhost:9324/000000000000/jobs");
}

FERRY_SQS_BOTH_WIRES(RegionsTest);

// Both regions' queues, and which region each is in, survive a restart.
TEST(RegionsDurableTest, EachRegionsQueuesSurviveARestart) {
  engine::testing::TempDir dir;
  auto durable = DurableEngineIn(dir.path());
  auto list = [](SqsFixture& f, std::string_view region) {
    api::Call call = f.MakeCall("ListQueues", "{}");
    call.ctx.region = std::string(region);
    auto out = f.Call(std::move(call));
    EXPECT_TRUE(out.ok());
    return out.ok() && out->contains("QueueUrls") ? boost::json::serialize(out->at("QueueUrls"))
                                                  : std::string();
  };
  {
    SqsFixture f(durable);
    for (std::string_view region : {"us-east-1", "eu-central-1"}) {
      api::Call call = f.MakeCall("CreateQueue", R"({"QueueName": "jobs"})");
      call.ctx.region = std::string(region);
      ASSERT_TRUE(f.Call(std::move(call)).ok());
    }
  }
  SqsFixture f(durable);
  EXPECT_EQ(list(f, "us-east-1"), R"(["http://localhost:9324/000000000000/jobs"])");
  EXPECT_EQ(list(f, "eu-central-1"),
            R"(["http://localhost:9324/queue/eu-central-1/000000000000/jobs"])");
}

}  // namespace
}  // namespace ferry::sqs
