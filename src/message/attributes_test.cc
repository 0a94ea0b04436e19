#include "message/attributes.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::message {
namespace {

// The AWS error a refusal names when the service maps it as SQS does:
// kInvalidArgument is InvalidParameterValue (api::ErrorFor's default).
std::string Code(const Status& s) { return std::string(api::ErrorFor(s).code); }

// SQS's rules today; the rules that differ are tested on their own below.
constexpr AttributeRules kRules;

Result<std::vector<MessageAttribute>> Parse(std::string_view json,
                                            api::Wire wire = api::Wire::kJson,
                                            const AttributeRules& rules = kRules) {
  static boost::json::object holder;  // Params reads it by reference
  holder = boost::json::parse(json).as_object();
  return ReadAttributes(api::Params(holder, wire), "MessageAttributes", rules, "SendMessage");
}

TEST(AttributesTest, ValidAttributeNamesAndTypes) {
  auto ok = Parse(R"({"MessageAttributes": {
      "a.b-c_d": {"DataType": "Number.int", "StringValue": "-1.5e10"},
      "x": {"DataType": "Binary.png", "BinaryValue": "AAH/"}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(AttributesSize(*ok), std::string("a.b-c_dNumber.int-1.5e10xBinary.png").size() + 3);
}

TEST(AttributesTest, InvalidAttributesAreInvalidParameterValue) {
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
TEST(AttributesTest, AttributeNamesMayHoldLettersOfAnyScript) {
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
TEST(AttributesTest, DataTypeLabelsFollowTheBodyCharacterRules) {
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

TEST(AttributesTest, AtMostTenAttributes) {
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

// List values are refused as unimplemented; SQS answers UnsupportedOperation
// (sqs/message_attributes_test.cc).
TEST(AttributesTest, ListValuesAreUnsupported) {
  auto r = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                  "StringListValues": ["x"]}}})");
  EXPECT_EQ(r.status().code(), ferry::Code::kUnimplemented);
  EXPECT_EQ(r.status().message(),
            "Message attribute list values in SendMessage operation are not supported.");
  auto empty = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                      "StringListValues": []}}})");
  EXPECT_TRUE(empty.ok());
}

TEST(AttributesTest, TheCountLimitIsARule) {
  const std::string two = R"({"MessageAttributes": {
      "a": {"DataType": "String", "StringValue": "v"},
      "b": {"DataType": "String", "StringValue": "v"}}})";
  AttributeRules one;
  one.max_attributes = 1;
  auto r = Parse(two, api::Wire::kJson, one);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Number of message attributes [2] exceeds the allowed maximum [1].");
  EXPECT_TRUE(Parse(two).ok());
}

// Without the rule, String.Array is a String with the custom label "Array",
// whatever its value; with it, the value must be a flat JSON array.
TEST(AttributesTest, StringArrayIsCheckedOnlyWhenTheRulesAllowIt) {
  AttributeRules arrays;
  arrays.string_array = true;
  auto attrs = [](std::string_view value) {
    boost::json::object a{{"DataType", "String.Array"}, {"StringValue", value}};
    return boost::json::serialize(boost::json::object{{"MessageAttributes", {{"a", a}}}});
  };
  for (std::string_view good : {R"(["a", 1, 2.5, true, false, null])", "[]", R"( ["x"] )"}) {
    auto r = Parse(attrs(good), api::Wire::kJson, arrays);
    ASSERT_TRUE(r.ok()) << good << ": " << r.status().message();
    EXPECT_EQ((*r)[0].data_type, "String.Array");
    EXPECT_EQ((*r)[0].value, good);
  }
  for (std::string_view bad :
       {"not json", R"({"a": 1})", R"("a")", "[[1]]", R"([{"a": 1}])", "[1,", "1"}) {
    auto r = Parse(attrs(bad), api::Wire::kJson, arrays);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(Code(r.status()), "InvalidParameterValue") << bad;
    EXPECT_EQ(r.status().message(),
              "The value of message (user) attribute 'a' of type 'String.Array' must be a JSON "
              "array of strings, numbers, booleans and nulls.");
    EXPECT_TRUE(Parse(attrs(bad)).ok()) << bad;
  }
  // A custom label on another base type is not an array.
  boost::json::object number{{"DataType", "Number.Array"}, {"StringValue", "1"}};
  EXPECT_TRUE(
      Parse(boost::json::serialize(boost::json::object{{"MessageAttributes", {{"a", number}}}}),
            api::Wire::kJson, arrays)
          .ok());
}

TEST(AttributesTest, ReadAttributeValueLeavesTheNameToTheCaller) {
  const boost::json::object v{{"DataType", "Binary"}, {"BinaryValue", "AAH/"}};
  auto a = ReadAttributeValue(api::Params(v, api::Wire::kJson), "n", kRules, "SendMessage");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(a->name.empty());
  EXPECT_TRUE(a->binary);
  EXPECT_EQ(a->value, std::string("\x00\x01\xff", 3));
}

}  // namespace
}  // namespace ferry::message
