#include "sqs/message_attributes.h"

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

TEST(MessageAttributesTest, ListValuesAreUnsupported) {
  auto r = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                  "StringListValues": ["x"]}}})");
  EXPECT_EQ(Code(r.status()), "UnsupportedOperation");
  auto empty = Parse(R"({"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v",
                                                      "StringListValues": []}}})");
  EXPECT_TRUE(empty.ok());
}

TEST(MessageAttributesTest, SystemAttributesAcceptOnlyAwsTraceHeaderAsString) {
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
