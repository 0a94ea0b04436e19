#include "admin/peek_filter.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::admin {
namespace {

Result<PeekFilter> ParseJson(std::string_view json) {
  static boost::json::object request;  // Params keeps a reference to it
  request = boost::json::parse(json).as_object();
  return PeekFilter::Parse(request, api::Params(request, api::Wire::kJson));
}

PeekFilter Filter(std::string_view json) {
  Result<PeekFilter> f = ParseJson(json);
  EXPECT_TRUE(f.ok()) << json << ": " << f.status().message();
  return f.ok() ? std::move(f).value() : PeekFilter();
}

message::DecodedPayload Payload(std::string_view body,
                                std::vector<message::AttributeView> attributes) {
  message::DecodedPayload p;
  p.body = body;
  p.attributes = std::move(attributes);
  return p;
}

const message::AttributeView kColor{"color", "String", false, "red"};
const message::AttributeView kCount{"count", "Number.int", false, "42"};
const message::AttributeView kBlob{"blob", "Binary", true, std::string_view("\x00\x01", 2)};

TEST(PeekFilterTest, NoConditionsMatchesEverything) {
  PeekFilter f = Filter("{}");
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.Matches(Payload("x", {})));
}

TEST(PeekFilterTest, AStringEqualsTheStringValueExactly) {
  PeekFilter f = Filter(R"({"MessageAttributeFilter": {"color": "red"}})");
  EXPECT_TRUE(f.Matches(Payload("", {kColor})));
  EXPECT_FALSE(f.Matches(Payload("", {{"color", "String", false, "Red"}})));
  EXPECT_FALSE(f.Matches(Payload("", {kCount})));
}

TEST(PeekFilterTest, ANumberAttributeMatchesTheSameNumberInAnyForm) {
  for (std::string_view same : {"42", "42.0", "+42", "4.2e1", "042", "420e-1"}) {
    std::string json = R"({"MessageAttributeFilter": {"count": ")" + std::string(same) + "\"}}";
    EXPECT_TRUE(Filter(json).Matches(Payload("", {kCount}))) << same;
  }
  for (std::string_view other : {"43", "-42", "4.2", "forty-two", ""}) {
    std::string json = R"({"MessageAttributeFilter": {"count": ")" + std::string(other) + "\"}}";
    EXPECT_FALSE(Filter(json).Matches(Payload("", {kCount}))) << other;
  }
}

TEST(PeekFilterTest, ExistsAndAbsent) {
  PeekFilter has = Filter(R"({"MessageAttributeFilter": {"blob": {"Exists": true}}})");
  PeekFilter lacks = Filter(R"({"MessageAttributeFilter": {"blob": {"Exists": false}}})");
  EXPECT_TRUE(has.Matches(Payload("", {kBlob, kColor})));
  EXPECT_FALSE(has.Matches(Payload("", {kColor})));
  EXPECT_FALSE(lacks.Matches(Payload("", {kBlob})));
  EXPECT_TRUE(lacks.Matches(Payload("", {kColor})));
}

TEST(PeekFilterTest, PrefixMatchesStringAndNumberTextButNeverBinary) {
  EXPECT_TRUE(Filter(R"({"MessageAttributeFilter": {"color": {"Prefix": "re"}}})")
                  .Matches(Payload("", {kColor})));
  EXPECT_TRUE(Filter(R"({"MessageAttributeFilter": {"count": {"Prefix": "4"}}})")
                  .Matches(Payload("", {kCount})));
  EXPECT_FALSE(Filter(R"({"MessageAttributeFilter": {"color": {"Prefix": "reds"}}})")
                   .Matches(Payload("", {kColor})));
  EXPECT_FALSE(Filter(R"({"MessageAttributeFilter": {"blob": {"Prefix": "\u0000"}}})")
                   .Matches(Payload("", {kBlob})));
}

TEST(PeekFilterTest, ABinaryAttributeNeverEqualsAString) {
  EXPECT_FALSE(
      Filter(R"({"MessageAttributeFilter": {"blob": "AAE="}})").Matches(Payload("", {kBlob})));
}

TEST(PeekFilterTest, EveryConditionMustHold) {
  PeekFilter f = Filter(
      R"({"MessageAttributeFilter": {"color": "red", "count": "42"}, "BodyContains": "lo w"})");
  EXPECT_TRUE(f.Matches(Payload("hello world", {kColor, kCount})));
  EXPECT_FALSE(f.Matches(Payload("hello world", {kColor})));
  EXPECT_FALSE(f.Matches(Payload("hello", {kColor, kCount})));
}

TEST(PeekFilterTest, MalformedFiltersAreInvalidParameterValueNamingTheKey) {
  struct Case {
    std::string json;
    std::string_view names;
  };
  const std::string too_long(kMaxFilterValueBytes + 1, 'x');
  for (const Case& c : std::vector<Case>{
           {R"({"MessageAttributeFilter": []})", "MessageAttributeFilter"},
           {R"({"MessageAttributeFilter": {"a": 1}})", "MessageAttributeFilter.a"},
           {R"({"MessageAttributeFilter": {"a": {}}})", "MessageAttributeFilter.a"},
           {R"({"MessageAttributeFilter": {"a": {"Exists": 1}}})", "MessageAttributeFilter.a"},
           {R"({"MessageAttributeFilter": {"a": {"Prefix": ""}}})",
            "MessageAttributeFilter.a.Prefix"},
           {R"({"MessageAttributeFilter": {"a": ")" + too_long + "\"}}",
            "MessageAttributeFilter.a"},
           {R"({"MessageAttributeFilter": {")" + std::string(257, 'n') + "\": \"v\"}}",
            "MessageAttributeFilter"},
           {R"({"BodyContains": 5})", "BodyContains"},
           {R"({"BodyContains": ")" + too_long + "\"}", "BodyContains"},
       }) {
    Result<PeekFilter> f = ParseJson(c.json);
    ASSERT_FALSE(f.ok()) << c.json;
    EXPECT_EQ(api::ErrorFor(f.status()).code, "InvalidParameterValue") << c.json;
    EXPECT_NE(f.status().message().find(c.names), std::string::npos) << f.status().message();
  }
}

TEST(PeekFilterTest, AtMostTenAttributeNames) {
  boost::json::object map;
  for (int i = 0; i < 10; ++i) map["a" + std::to_string(i)] = "v";
  boost::json::object request{{"MessageAttributeFilter", map}};
  EXPECT_TRUE(PeekFilter::Parse(request, api::Params(request, api::Wire::kJson)).ok());
  request["MessageAttributeFilter"].as_object()["a10"] = "v";
  Result<PeekFilter> f = PeekFilter::Parse(request, api::Params(request, api::Wire::kJson));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("At most 10"), std::string::npos);
}

TEST(CanonicalNumberTest, OneFormPerValue) {
  EXPECT_EQ(CanonicalNumber("7"), CanonicalNumber("7.000"));
  EXPECT_EQ(CanonicalNumber("7"), CanonicalNumber("0.7E1"));
  EXPECT_EQ(CanonicalNumber("-0.5"), CanonicalNumber("-5e-1"));
  EXPECT_EQ(CanonicalNumber("0"), CanonicalNumber("-0.0e9"));
  EXPECT_EQ(CanonicalNumber(".5"), CanonicalNumber("0.50"));
  EXPECT_EQ(CanonicalNumber("5."), CanonicalNumber("5"));
  EXPECT_NE(CanonicalNumber("5"), CanonicalNumber("50"));
  EXPECT_NE(CanonicalNumber("5"), CanonicalNumber("-5"));
  for (std::string_view bad : {"", "-", ".", "1e", "1e+", "1x", "e5", "1.2.3"}) {
    EXPECT_EQ(CanonicalNumber(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ferry::admin
