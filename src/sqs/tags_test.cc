#include <gtest/gtest.h>

#include "api/errors.h"
#include "sqs/handlers.h"
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

// Letters, digits and spaces of any script and _ . : / = + - @ only: a tag
// with a control character or a byte that is not UTF-8 was echoed by every
// ListQueueTags, breaking it for the queue's owner.
TEST(TagRulesTest, TagsHoldOnlyTheCharactersAwsAllows) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"k\x01", "v"},
                                                        {"k", "v\x01"},
                                                        {"k\xFF", "v"},
                                                        {"k", "\xFF\xFE"},
                                                        {"k", "a\tb"},
                                                        {"k<", "v"},
                                                        {"k", "v&"},
                                                        {"k", "\xF0\x9F\x98\x80"}}) {
    Status s = ValidateTags({{key, value}}, {});
    ASSERT_FALSE(s.ok()) << key << "=" << value;
    EXPECT_EQ(api::ErrorFor(s).code, "InvalidParameterValue");
  }
  EXPECT_TRUE(
      ValidateTags({{"team:owner/x=y+z-1@a_b.c", "caf\xC3\xA9 \xE4\xB8\xAD\xE3\x80\x80"}}, {})
          .ok());
  // The length counts characters: 128 two-byte letters make a valid key.
  std::string key;
  for (int i = 0; i < 128; ++i) key += "\xC3\xA9";
  EXPECT_TRUE(ValidateTags({{key, ""}}, {}).ok());
  EXPECT_FALSE(ValidateTags({{key + "e", ""}}, {}).ok());
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
