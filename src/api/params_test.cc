#include "api/params.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::api {
namespace {

TEST(Params, QueryIntegersAreParsedFromText) {
  auto obj = boost::json::parse(R"({"DelaySeconds":"15","Bad":"1x"})").as_object();
  Params p(obj, Wire::kQuery);
  EXPECT_EQ(p.OptionalInt("DelaySeconds")->value(), 15);
  EXPECT_EQ(ErrorFor(p.OptionalInt("Bad").status()).code, "InvalidParameterValue");
}

TEST(Params, JsonIntegersMustBeNumbers) {
  auto obj = boost::json::parse(R"({"DelaySeconds":"15","N":7})").as_object();
  Params p(obj, Wire::kJson);
  EXPECT_FALSE(p.OptionalInt("DelaySeconds").ok());
  EXPECT_EQ(p.OptionalInt("N")->value(), 7);
  EXPECT_FALSE(p.OptionalInt("Absent")->has_value());
}

TEST(Params, MissingRequiredStringIsMissingParameter) {
  boost::json::object obj;
  Params p(obj, Wire::kJson);
  EXPECT_EQ(ErrorFor(p.RequiredString("QueueUrl").status()).code, "MissingParameter");
}

TEST(Params, ListsAndMapsAreTypeChecked) {
  auto obj = boost::json::parse(R"({"L":["a","b"],"M":{"k":"v"},"Bad":[1]})").as_object();
  Params p(obj, Wire::kJson);
  EXPECT_EQ(p.StringList("L")->size(), 2u);
  EXPECT_EQ(p.StringMap("M")->at("k"), "v");
  EXPECT_FALSE(p.StringList("Bad").ok());
  EXPECT_FALSE(p.StringMap("L").ok());
}

}  // namespace
}  // namespace ferry::api
