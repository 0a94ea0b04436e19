#include "message/payload.h"

#include <gtest/gtest.h>

namespace ferry::message {
namespace {

TEST(PayloadTest, PayloadRoundTrips) {
  std::vector<MessageAttribute> attrs = {{"a", "String", false, "x"},
                                         {"b", "Binary", true, std::string("\0\1", 2)}};
  std::vector<MessageAttribute> sys = {{"AWSTraceHeader", "String", false, "Root=1"}};
  OutgoingMessage m;
  m.body = std::string_view("hello\0world", 11);
  m.body_md5 = Md5(m.body);
  m.sender_id = "AKIDEXAMPLE";
  m.attributes = attrs;
  m.system_attributes = sys;
  const std::string payload = EncodePayload(m);
  auto d = DecodePayload(payload);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, m.body);
  EXPECT_EQ(d->body_md5, std::string_view(reinterpret_cast<const char*>(m.body_md5.data()), 16));
  EXPECT_EQ(d->sender_id, "AKIDEXAMPLE");
  ASSERT_EQ(d->attributes.size(), 2u);
  EXPECT_EQ(d->attributes[1].name, "b");
  EXPECT_TRUE(d->attributes[1].binary);
  EXPECT_EQ(d->attributes[1].value, std::string("\0\1", 2));
  ASSERT_EQ(d->system_attributes.size(), 1u);
  EXPECT_EQ(d->system_attributes[0].value, "Root=1");
}

TEST(PayloadTest, LargeBodyRoundTrips) {
  const std::string body(1 << 20, 'x');
  OutgoingMessage m;
  m.body = body;
  auto d = DecodePayload(EncodePayload(m));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body.size(), body.size());
}

TEST(PayloadTest, TruncatedOrCorruptPayloadsAreRejected) {
  std::vector<MessageAttribute> attrs = {{"a", "String", false, "x"}};
  OutgoingMessage m;
  m.body = "body";
  m.attributes = attrs;
  const std::string payload = EncodePayload(m);
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodePayload(payload.substr(0, n)).has_value()) << n;
  }
  EXPECT_FALSE(DecodePayload(payload + "x").has_value());
  std::string wrong_version = payload;
  wrong_version[0] = 9;
  EXPECT_FALSE(DecodePayload(wrong_version).has_value());
  // Flipping any byte never crashes.
  for (size_t i = 0; i < payload.size(); ++i) {
    std::string p = payload;
    p[i] = static_cast<char>(p[i] ^ 0xff);
    (void)DecodePayload(p);
  }
}

// The bytes of version 1, written out: the log holds them, so they may not
// change.
TEST(PayloadTest, VersionOneLayoutIsFixed) {
  std::vector<MessageAttribute> attrs = {{"a", "Binary", true, "\x01"}};
  std::vector<MessageAttribute> sys = {{"T", "String", false, "x"}};
  OutgoingMessage m;
  m.body = "hi";
  m.sender_id = "S";
  m.attributes = attrs;
  m.system_attributes = sys;
  const std::string expected = std::string("\x01", 1) + std::string(16, '\0') +
                               std::string("\x01S\x02hi", 5) +
                               std::string(
                                   "\x01\x01"
                                   "a"
                                   "\x06"
                                   "Binary"
                                   "\x02\x01\x01",
                                   13) +
                               std::string("\x01\x01T\x06String\x01\x01x", 13);
  EXPECT_EQ(EncodePayload(m), expected);
}

TEST(PayloadTest, MoreAttributesThanAnyServiceAllowsAreRejected) {
  std::vector<MessageAttribute> attrs(kMaxMessageAttributes + 1, {"a", "String", false, "x"});
  OutgoingMessage m;
  m.body = "b";
  m.attributes = attrs;
  EXPECT_FALSE(DecodePayload(EncodePayload(m)).has_value());
  m.attributes = std::span(attrs).first(kMaxMessageAttributes);
  EXPECT_TRUE(DecodePayload(EncodePayload(m)).has_value());
}

}  // namespace
}  // namespace ferry::message
