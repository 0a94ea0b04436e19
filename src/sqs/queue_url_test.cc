#include "sqs/queue_url.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::sqs {
namespace {

TEST(QueueUrlTest, BuildsUrlFromSchemeHostAccountAndName) {
  api::CallContext ctx;
  ctx.scheme = "https";
  ctx.host = "sqs.local:4566";
  EXPECT_EQ(MakeQueueUrl(ctx, "000000000000", "orders"),
            "https://sqs.local:4566/000000000000/orders");
}

TEST(QueueUrlTest, MissingHostFallsBackToLocalhost) {
  api::CallContext ctx;
  ctx.scheme = "";
  EXPECT_EQ(MakeQueueUrl(ctx, "1", "q"), "http://localhost/1/q");
}

TEST(QueueUrlTest, BuildsArn) {
  EXPECT_EQ(MakeQueueArn("eu-west-1", "123456789012", "q"), "arn:aws:sqs:eu-west-1:123456789012:q");
}

TEST(QueueUrlTest, NameIsTheLastPathSegmentOfAnyHost) {
  EXPECT_EQ(QueueNameFromUrl("http://localhost:9324/000000000000/orders"), "orders");
  EXPECT_EQ(QueueNameFromUrl("https://sqs.us-east-1.amazonaws.com/123456789012/my-q_1"), "my-q_1");
  EXPECT_EQ(QueueNameFromUrl("http://h/000000000000/orders/"), "orders");
  EXPECT_EQ(QueueNameFromUrl("http://h/000000000000/orders?Action=SendMessage"), "orders");
  EXPECT_EQ(QueueNameFromUrl("/000000000000/orders"), "orders");
  EXPECT_EQ(QueueNameFromUrl("orders"), "orders");
}

TEST(QueueUrlTest, AnotherRegionsQueueUrlCarriesTheRegionInItsPath) {
  api::CallContext ctx;
  ctx.host = "h:9324";
  const std::string url = MakeQueueUrl(ctx, "000000000000", "jobs", "eu-central-1");
  EXPECT_EQ(url, "http://h:9324/queue/eu-central-1/000000000000/jobs");
  EXPECT_EQ(QueueRegionFromUrl(url), "eu-central-1");
  EXPECT_EQ(QueueNameFromUrl(url), "jobs");
  EXPECT_EQ(QueueRegionFromUrl("/queue/eu-central-1/000000000000/jobs/"), "eu-central-1");
  EXPECT_EQ(QueueRegionFromUrl("http://h:9324/000000000000/jobs"), std::nullopt);
  EXPECT_EQ(QueueRegionFromUrl("http://h/queue/x/y/000000000000/jobs"), std::nullopt);
  EXPECT_EQ(QueueRegionFromUrl("http://h/queue/BAD%01/000000000000/jobs"), std::nullopt);
  EXPECT_EQ(QueueRegionFromUrl("queue/eu-central-1/000000000000/jobs"), std::nullopt);
}

TEST(QueueUrlTest, TheSegmentBeforeTheNameNamesTheAccountWhenItIsAnAccountId) {
  EXPECT_EQ(QueueAccountFromUrl("http://h:9324/111111111111/jobs"), "111111111111");
  EXPECT_EQ(QueueAccountFromUrl("/queue/eu-central-1/222222222222/jobs/?x=1"), "222222222222");
  EXPECT_EQ(QueueAccountFromUrl("111111111111/jobs"), "111111111111");
  EXPECT_EQ(QueueAccountFromUrl("/0/q"), std::nullopt);
  EXPECT_EQ(QueueAccountFromUrl("http://h/acme/q"), std::nullopt);
  EXPECT_EQ(QueueAccountFromUrl("http://h/q"), std::nullopt);
  EXPECT_EQ(QueueAccountFromUrl("q"), std::nullopt);
  EXPECT_EQ(QueueAccountFromUrl("http://111111111111/q"), std::nullopt);
}

TEST(QueueUrlTest, UrlWithoutPathSegmentNamesNoQueue) {
  EXPECT_EQ(QueueNameFromUrl(""), std::nullopt);
  EXPECT_EQ(QueueNameFromUrl("/"), std::nullopt);
  EXPECT_EQ(QueueNameFromUrl("http://localhost:9324"), std::nullopt);
  EXPECT_EQ(QueueNameFromUrl("http://localhost:9324/"), std::nullopt);
  EXPECT_EQ(QueueNameFromUrl("?x=1"), std::nullopt);
}

TEST(QueueUrlTest, QueueNamesAreOneToEightyWordCharacters) {
  EXPECT_TRUE(ValidateQueueName("a").ok());
  EXPECT_TRUE(ValidateQueueName("Orders_2024-x").ok());
  EXPECT_TRUE(ValidateQueueName(std::string(80, 'q')).ok());
  for (std::string bad : {std::string(), std::string(81, 'q'), std::string("a.b"),
                          std::string("a b"), std::string("ä"), std::string("a/b")}) {
    Status s = ValidateQueueName(bad);
    EXPECT_EQ(api::ErrorFor(s).code, "InvalidParameterValue") << bad;
  }
}

}  // namespace
}  // namespace ferry::sqs
