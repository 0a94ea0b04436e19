#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using TagsTest = SqsTest;
FERRY_SQS_BOTH_WIRES(TagsTest);

constexpr const char* kUrl = "http://localhost:9324/000000000000/q";

std::string With(std::string_view members) {
  return std::string(R"({"QueueUrl": ")") + kUrl + "\"" + (members.empty() ? "" : ", ") +
         std::string(members) + "}";
}

TEST_P(TagsTest, TagListAndUntag) {
  CreateQueue("q");
  EXPECT_FALSE(Ok("ListQueueTags", With("")).contains("Tags"));
  Ok("TagQueue", With(R"("Tags": {"a": "1", "b": "2"})"));
  Ok("TagQueue", With(R"("Tags": {"a": "3"})"));
  auto tags = Ok("ListQueueTags", With(""))["Tags"].as_object();
  EXPECT_EQ(tags.size(), 2u);
  EXPECT_EQ(Str(tags["a"]), "3");
  Ok("UntagQueue", With(R"("TagKeys": ["a", "missing"])"));
  tags = Ok("ListQueueTags", With(""))["Tags"].as_object();
  EXPECT_EQ(tags.size(), 1u);
  EXPECT_TRUE(tags.contains("b"));
}

TEST_P(TagsTest, TagLimits) {
  CreateQueue("q");
  EXPECT_EQ(Fails("TagQueue", With(R"("Tags": {"": "v"})")), "InvalidParameterValue");
  EXPECT_EQ(Fails("TagQueue", With(R"("Tags": {")" + std::string(129, 'k') + R"(": "v"})")),
            "InvalidParameterValue");
  Ok("TagQueue", With(R"("Tags": {")" + std::string(128, 'k') + R"(": ""})"));
  EXPECT_EQ(Fails("TagQueue", With(R"("Tags": {"k": ")" + std::string(257, 'v') + R"("})")),
            "InvalidParameterValue");
  boost::json::object many;
  for (int i = 0; i < 49; ++i) many["t" + std::to_string(i)] = "v";
  Ok("TagQueue", With("\"Tags\": " + boost::json::serialize(many)));  // 50 with the one above
  EXPECT_EQ(Fails("TagQueue", With(R"("Tags": {"one-more": "v"})")), "InvalidParameterValue");
  Ok("TagQueue", With(R"("Tags": {"t0": "replaced"})"));  // replacing does not add
}

TEST_P(TagsTest, MissingParametersAndQueue) {
  CreateQueue("q");
  EXPECT_EQ(Fails("TagQueue", With("")), "MissingParameter");
  EXPECT_EQ(Fails("UntagQueue", With("")), "MissingParameter");
  EXPECT_EQ(Fails("ListQueueTags", R"({"QueueUrl": "http://h/000000000000/none"})"),
            "QueueDoesNotExist");
}

}  // namespace
}  // namespace ferry::sqs
