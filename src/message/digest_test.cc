#include "message/digest.h"

#include <gtest/gtest.h>

#include "message/attributes.h"

namespace ferry::message {
namespace {

Result<std::vector<MessageAttribute>> Parse(std::string_view json) {
  static boost::json::object holder;  // Params reads it by reference
  holder = boost::json::parse(json).as_object();
  return ReadAttributes(api::Params(holder, api::Wire::kJson), "MessageAttributes",
                        AttributeRules{}, "SendMessage");
}

std::vector<AttributeView> Views(const std::vector<MessageAttribute>& attrs) {
  std::vector<AttributeView> out;
  for (const auto& a : attrs) out.push_back(View(a));
  return out;
}

// Expected digests computed independently (Python, from AWS's description of
// the layout).
TEST(DigestTest, AttributesMd5MatchesAwsLayout) {
  std::vector<MessageAttribute> one = {{"attr1", "String", false, "value1"}};
  EXPECT_EQ(AttributesMd5Hex(Views(one)), "3bc3f392bdd1097ba0b434f65d468d2e");

  auto parsed = Parse(R"({"MessageAttributes": {
      "b": {"DataType": "Number", "StringValue": "42"},
      "a": {"DataType": "String.custom", "StringValue": "h\u00e9llo"},
      "c": {"DataType": "Binary", "BinaryValue": "AAH/"}}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].name, "a");                              // sorted by name
  EXPECT_EQ((*parsed)[2].value, std::string("\x00\x01\xff", 3));  // decoded
  EXPECT_EQ(AttributesMd5Hex(Views(*parsed)), "5ee48b1e7702580b14ee61a6a0709d3d");
}

TEST(DigestTest, SystemAttributeMd5) {
  std::vector<MessageAttribute> sys = {
      {"AWSTraceHeader", "String", false, "Root=1-5759e988-bd862e3fe1be46a994272793"}};
  EXPECT_EQ(AttributesMd5Hex(Views(sys)), "62a56dd927315f2b2e12832b84617ea5");
}

TEST(DigestTest, OwnedAttributesAndViewsDigestAlike) {
  std::vector<MessageAttribute> attrs = {{"a", "String", false, "x"},
                                         {"b", "Binary", true, std::string("\0\1", 2)}};
  EXPECT_EQ(AttributesMd5Hex(attrs), AttributesMd5Hex(Views(attrs)));
}

TEST(DigestTest, DigestSendLeavesOutTheDigestsOfNoAttributes) {
  std::vector<MessageAttribute> sys = {
      {"AWSTraceHeader", "String", false, "Root=1-5759e988-bd862e3fe1be46a994272793"}};
  SendDigests d = DigestSend("hello", {}, sys);
  EXPECT_EQ(d.body_hex, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(d.body, Md5("hello"));
  EXPECT_EQ(d.attributes_hex, "");
  EXPECT_EQ(d.system_attributes_hex, "62a56dd927315f2b2e12832b84617ea5");
  EXPECT_EQ(BodyMd5Hex(std::string_view(reinterpret_cast<const char*>(d.body.data()), 16)),
            d.body_hex);
}

}  // namespace
}  // namespace ferry::message
