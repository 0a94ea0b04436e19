#include "push/config.h"

#include <gtest/gtest.h>

namespace ferry::push {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef";

std::string Doc(std::string_view fields) {
  return R"({"endpoint":"http://127.0.0.1:8080/hook","signingSecret":"0123456789abcdef")" +
         std::string(fields.empty() ? "" : ",") + std::string(fields) + "}";
}

std::string Refusal(std::string_view text) {
  Result<PushConsumerConfig> r = ParsePushConsumer(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  return r.status().message();
}

TEST(PushConsumerConfigTest, TheTwoRequiredFieldsAloneTakeTheDefaults) {
  Result<PushConsumerConfig> r = ParsePushConsumer(Doc(""));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->endpoint, "http://127.0.0.1:8080/hook");
  EXPECT_EQ(r->signing_secret, kSecret);
  EXPECT_EQ(r->batch_size, 10);
  EXPECT_EQ(r->maximum_batching_window_s, 0);
  EXPECT_EQ(r->maximum_concurrency, 2);
  EXPECT_EQ(r->timeout_s, 30);
}

TEST(PushConsumerConfigTest, EveryFieldIsRead) {
  Result<PushConsumerConfig> r = ParsePushConsumer(
      R"({"endpoint":"https://worker.example.com:8443/jobs?v=1","batchSize":10000,)"
      R"("maximumBatchingWindowSeconds":300,"maximumConcurrency":1000,"timeoutSeconds":900,)"
      R"("signingSecret":")" +
      std::string(256, 's') + "\"}");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->endpoint, "https://worker.example.com:8443/jobs?v=1");
  EXPECT_EQ(r->batch_size, 10000);
  EXPECT_EQ(r->maximum_batching_window_s, 300);
  EXPECT_EQ(r->maximum_concurrency, 1000);
  EXPECT_EQ(r->timeout_s, 900);
  EXPECT_EQ(r->signing_secret.size(), 256u);
}

TEST(PushConsumerConfigTest, EachRefusalNamesItsField) {
  EXPECT_EQ(Refusal("not json"), "the value must be a JSON object");
  EXPECT_EQ(Refusal("[1]"), "the value must be a JSON object");
  EXPECT_EQ(Refusal(R"({"signingSecret":"0123456789abcdef"})"), "endpoint is required");
  EXPECT_EQ(Refusal(R"({"endpoint":"http://h/"})"), "signingSecret is required");
  EXPECT_EQ(Refusal(R"({"endpoint":"ftp://h/","signingSecret":"0123456789abcdef"})"),
            "endpoint must be an http:// or https:// URL with a host");
  EXPECT_EQ(Refusal(R"({"endpoint":42,"signingSecret":"0123456789abcdef"})"),
            "endpoint must be an http:// or https:// URL with a host");
  EXPECT_EQ(Refusal(R"({"endpoint":"http://h/","signingSecret":"short"})"),
            "signingSecret must be a string of 16 to 256 characters");
  EXPECT_EQ(Refusal(Doc(R"("signingSecret":")" + std::string(257, 's') + "\"")),
            "signingSecret must be a string of 16 to 256 characters");
  EXPECT_EQ(Refusal(Doc(R"("batchSize":0)")), "batchSize must be an integer from 1 to 10000");
  EXPECT_EQ(Refusal(Doc(R"("batchSize":10001)")), "batchSize must be an integer from 1 to 10000");
  EXPECT_EQ(Refusal(Doc(R"("batchSize":"10")")), "batchSize must be an integer from 1 to 10000");
  EXPECT_EQ(Refusal(Doc(R"("batchSize":2.5)")), "batchSize must be an integer from 1 to 10000");
  EXPECT_EQ(Refusal(Doc(R"("maximumBatchingWindowSeconds":301)")),
            "maximumBatchingWindowSeconds must be an integer from 0 to 300");
  EXPECT_EQ(Refusal(Doc(R"("maximumConcurrency":0)")),
            "maximumConcurrency must be an integer from 1 to 1000");
  EXPECT_EQ(Refusal(Doc(R"("timeoutSeconds":901)")),
            "timeoutSeconds must be an integer from 1 to 900");
  EXPECT_EQ(Refusal(Doc(R"("batchsize":5)")), "unknown field batchsize");
}

}  // namespace
}  // namespace ferry::push
