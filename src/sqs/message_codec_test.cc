#include "sqs/message_codec.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::sqs {
namespace {

std::string Code(const Status& s) { return std::string(api::ErrorFor(s).code); }

Result<std::vector<MessageAttribute>> Parse(std::string_view json,
                                            api::Wire wire = api::Wire::kJson) {
  static boost::json::object holder;  // Params reads it by reference
  holder = boost::json::parse(json).as_object();
  return ParseMessageAttributes(api::Params(holder, wire), "SendMessage");
}

std::vector<AttributeView> Views(const std::vector<MessageAttribute>& attrs) {
  std::vector<AttributeView> out;
  for (const auto& a : attrs) out.push_back(View(a));
  return out;
}

// Expected digests computed independently (Python, from AWS's description of
// the layout).
TEST(MessageCodecTest, AttributesMd5MatchesAwsLayout) {
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

TEST(MessageCodecTest, SystemAttributeMd5) {
  std::vector<MessageAttribute> sys = {
      {"AWSTraceHeader", "String", false, "Root=1-5759e988-bd862e3fe1be46a994272793"}};
  EXPECT_EQ(AttributesMd5Hex(Views(sys)), "62a56dd927315f2b2e12832b84617ea5");
}

TEST(MessageCodecTest, PayloadRoundTrips) {
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

TEST(MessageCodecTest, LargeBodyRoundTrips) {
  const std::string body(1 << 20, 'x');
  OutgoingMessage m;
  m.body = body;
  auto d = DecodePayload(EncodePayload(m));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body.size(), body.size());
}

TEST(MessageCodecTest, TruncatedOrCorruptPayloadsAreRejected) {
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

TEST(MessageCodecTest, ValidAttributeNamesAndTypes) {
  auto ok = Parse(R"({"MessageAttributes": {
      "a.b-c_d": {"DataType": "Number.int", "StringValue": "-1.5e10"},
      "x": {"DataType": "Binary.png", "BinaryValue": "AAH/"}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(AttributesSize(*ok), std::string("a.b-c_dNumber.int-1.5e10xBinary.png").size() + 3);
}

TEST(MessageCodecTest, InvalidAttributesAreInvalidParameterValue) {
  const char* bad[] = {
      R"({"": {"DataType": "String", "StringValue": "v"}})",
      R"({".a": {"DataType": "String", "StringValue": "v"}})",
      R"({"a.": {"DataType": "String", "StringValue": "v"}})",
      R"({"a..b": {"DataType": "String", "StringValue": "v"}})",
      R"({"a b": {"DataType": "String", "StringValue": "v"}})",
      R"({"AWS.x": {"DataType": "String", "StringValue": "v"}})",
      R"({"amazon.x": {"DataType": "String", "StringValue": "v"}})",
      R"({"a": {"StringValue": "v"}})",
      R"({"a": {"DataType": "", "StringValue": "v"}})",
      R"({"a": {"DataType": "string", "StringValue": "v"}})",
      R"({"a": {"DataType": "Text", "StringValue": "v"}})",
      R"({"a": {"DataType": "String"}})",
      R"({"a": {"DataType": "String", "BinaryValue": "AAH/"}})",
      R"({"a": {"DataType": "String", "StringValue": ""}})",
      R"({"a": {"DataType": "String", "StringValue": "\u0001"}})",
      R"({"a": {"DataType": "Number", "StringValue": "12a"}})",
      R"({"a": {"DataType": "Number", "StringValue": "."}})",
      R"({"a": {"DataType": "Number", "StringValue": "1e"}})",
      R"({"a": {"DataType": "Binary", "StringValue": "v"}})",
      R"({"a": {"DataType": "Binary", "BinaryValue": "not base64!"}})",
      R"({"a": {"DataType": "Binary", "BinaryValue": ""}})",
  };
  for (const char* attrs : bad) {
    auto r = Parse(std::string(R"({"MessageAttributes": )") + attrs + "}");
    ASSERT_FALSE(r.ok()) << attrs;
    EXPECT_EQ(Code(r.status()), "InvalidParameterValue") << attrs;
  }
  std::string long_name(257, 'n');
  auto r = Parse(R"({"MessageAttributes": {")" + long_name +
                 R"(": {"DataType": "String", "StringValue": "v"}}})");
  EXPECT_EQ(Code(r.status()), "InvalidParameterValue");
}

// Names are letters and digits of any script, '_', '-' and '.' (AWS
// accepts "attr.1øßä"); the period and prefix rules stay.
TEST(MessageCodecTest, AttributeNamesMayHoldLettersOfAnyScript) {
  for (std::string name : {R"(attr.1\u00f8\u00df\u00e4)", R"(\u0436\u0443\u043a)",
                           R"(\u4e2d\u6587.x)", R"(\u0645\u0631\u062d\u0628\u0627)"}) {
    auto r = Parse(R"({"MessageAttributes": {")" + name +
                   R"(": {"DataType": "String", "StringValue": "v"}}})");
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().message();
  }
  EXPECT_EQ((*Parse(R"({"MessageAttributes": {"attr.1\u00f8\u00df\u00e4":
                 {"DataType": "String", "StringValue": "v"}}})"))[0]
                .name,
            "attr.1\xC3\xB8\xC3\x9F\xC3\xA4");
  // Not letters: a control character, an emoji, a combining mark on its own,
  // a non-breaking space; a period rule and a reserved prefix with a letter
  // of another script after it still apply.
  for (std::string name : {R"(a\u0001)", R"(\ud83d\ude00)", R"(a\u0301)", R"(a\u00a0b)",
                           R"(\u00f8..x)", R"(\u00f8.)", R"(AWS.\u00f8)"}) {
    auto r = Parse(R"({"MessageAttributes": {")" + name +
                   R"(": {"DataType": "String", "StringValue": "v"}}})");
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(Code(r.status()), "InvalidParameterValue") << name;
  }
  // 256 characters, not bytes.
  std::string name;
  for (int i = 0; i < 256; ++i) name += R"(\u00e9)";
  EXPECT_TRUE(Parse(R"({"MessageAttributes": {")" + name +
                    R"(": {"DataType": "String", "StringValue": "v"}}})")
                  .ok());
  EXPECT_FALSE(Parse(R"({"MessageAttributes": {")" + name +
                     R"(e": {"DataType": "String", "StringValue": "v"}}})")
                   .ok());
}

// A custom type label is echoed on every receive: it follows the body's
// character rules ("String.\\u0001" sent over JSON broke every Query receive).
TEST(MessageCodecTest, DataTypeLabelsFollowTheBodyCharacterRules) {
  for (std::string type :
       {R"(String.\u0001)", R"(Number.\u0000)", R"(Binary.\ufffe)", R"(String.a\u001bb)"}) {
    auto r = Parse(R"({"MessageAttributes": {"a": {"DataType": ")" + type +
                   R"(", "StringValue": "1", "BinaryValue": "AA=="}}})");
    ASSERT_FALSE(r.ok()) << type;
    EXPECT_EQ(Code(r.status()), "InvalidParameterValue") << type;
  }
  auto ok = Parse(R"({"MessageAttributes": {"a": {"DataType": "String.caf\u00e9 <&> \t",
                  "StringValue": "v"}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)[0].data_type, "String.caf\xC3\xA9 <&> \t");
}

TEST(MessageCodecTest, AtMostTenAttributes) {
  std::string json = R"({"MessageAttributes": {)";
  for (int i = 0; i < 11; ++i) {
    if (i) json += ",";
    json += "\"a" + std::to_string(i) + R"(": {"DataType": "String", "StringValue": "v"})";
  }
  json += "}}";
  auto r = Parse(json);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Number of message attributes [11] exceeds the allowed maximum [10].");
}

TEST(MessageCodecTest, ListValuesAreUnsupported) {
  auto r = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                  "StringListValues": ["x"]}}})");
  EXPECT_EQ(Code(r.status()), "UnsupportedOperation");
  auto empty = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                      "StringListValues": []}}})");
  EXPECT_TRUE(empty.ok());
}

TEST(MessageCodecTest, SystemAttributesAcceptOnlyAwsTraceHeaderAsString) {
  boost::json::object ok =
      boost::json::parse(
          R"({"MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}}})")
          .as_object();
  auto r = ParseMessageSystemAttributes(api::Params(ok, api::Wire::kJson), "SendMessage");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
  for (
      const char* bad :
      {R"({"MessageSystemAttributes": {"Other": {"DataType": "String", "StringValue": "x"}}})",
       R"({"MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "Number", "StringValue": "1"}}})"}) {
    boost::json::object o = boost::json::parse(bad).as_object();
    auto e = ParseMessageSystemAttributes(api::Params(o, api::Wire::kJson), "SendMessage");
    EXPECT_EQ(Code(e.status()), "InvalidParameterValue") << bad;
  }
}

}  // namespace
}  // namespace ferry::sqs
