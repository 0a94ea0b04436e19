#include "sns/filter_condition.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ferry::sns {
namespace {

FilterCondition Parse(std::string_view json) {
  Result<FilterCondition> c = ParseCondition(boost::json::parse(json));
  EXPECT_TRUE(c.ok()) << json << ": " << c.status().message();
  return c.ok() ? *c : FilterCondition();
}

FilterValue String(std::string_view s) { return {FilterValue::Kind::kString, s, std::nullopt}; }
FilterValue Number(double d) { return {FilterValue::Kind::kNumber, {}, ComparableNumber(d)}; }

TEST(ComparableNumber, KeepsFiveDecimalPlaces) {
  EXPECT_EQ(ComparableNumber(301.5), ComparableNumber(3.015e2));
  EXPECT_EQ(ComparableNumber(1.000001), ComparableNumber(1));
  EXPECT_NE(ComparableNumber(1.00001), ComparableNumber(1));
}

TEST(ComparableNumber, HasNoFormOutsideMinusToPlusOneBillion) {
  EXPECT_TRUE(ComparableNumber(1e9).has_value());
  EXPECT_TRUE(ComparableNumber(-1e9).has_value());
  EXPECT_FALSE(ComparableNumber(1e9 + 1).has_value());
  EXPECT_FALSE(ComparableNumber(-1e10).has_value());
}

TEST(FilterCondition, NumericOperatorsHonourTheirBounds) {
  const FilterCondition lt = Parse(R"({"numeric": ["<", 10]})");
  const FilterCondition le = Parse(R"({"numeric": ["<=", 10]})");
  const FilterCondition gt = Parse(R"({"numeric": [">", 10]})");
  const FilterCondition ge = Parse(R"({"numeric": [">=", 10]})");
  EXPECT_TRUE(lt.Test(Number(9.99999)));
  EXPECT_FALSE(lt.Test(Number(10)));
  EXPECT_TRUE(le.Test(Number(10)));
  EXPECT_FALSE(le.Test(Number(10.00001)));
  EXPECT_TRUE(gt.Test(Number(10.00001)));
  EXPECT_FALSE(gt.Test(Number(10)));
  EXPECT_TRUE(ge.Test(Number(10)));
  EXPECT_FALSE(ge.Test(Number(9.99999)));
}

TEST(FilterCondition, NumericIgnoresStringsThatLookLikeNumbers) {
  EXPECT_FALSE(Parse(R"({"numeric": ["=", 5]})").Test(String("5")));
  EXPECT_FALSE(Parse("5").Test(String("5")));
}

TEST(FilterCondition, NumbersOutOfRangeMatchNoNumericCondition) {
  EXPECT_FALSE(Parse(R"({"numeric": [">", 0]})").Test(Number(2e9)));
}

TEST(FilterCondition, WildcardStarMatchesAnyRun) {
  const FilterCondition c = Parse(R"({"wildcard": "*.png"})");
  EXPECT_TRUE(c.Test(String("a.png")));
  EXPECT_TRUE(c.Test(String(".png")));
  EXPECT_FALSE(c.Test(String("a.png.jpg")));
  const FilterCondition mid = Parse(R"({"wildcard": "dir/*/file*.txt"})");
  EXPECT_TRUE(mid.Test(String("dir/a/b/file1.txt")));
  EXPECT_TRUE(mid.Test(String("dir//file.txt")));
  EXPECT_FALSE(mid.Test(String("dir/file.txt")));
}

TEST(FilterCondition, WildcardWithoutStarIsExact) {
  const FilterCondition c = Parse(R"({"wildcard": "abc"})");
  EXPECT_TRUE(c.Test(String("abc")));
  EXPECT_FALSE(c.Test(String("abcd")));
}

TEST(FilterCondition, WildcardEscapesStandForTheCharacter) {
  const FilterCondition c = Parse(R"({"wildcard": "a\\*b*"})");
  EXPECT_TRUE(c.Test(String("a*bcd")));
  EXPECT_FALSE(c.Test(String("axbcd")));
}

TEST(FilterCondition, WildcardPartsDoNotOverlap) {
  const FilterCondition c = Parse(R"({"wildcard": "ab*ba"})");
  EXPECT_FALSE(c.Test(String("aba")));
  EXPECT_TRUE(c.Test(String("abba")));
}

TEST(FilterCondition, CidrMatchesIpv4AndIpv6Networks) {
  const FilterCondition v4 = Parse(R"({"cidr": "10.0.0.0/24"})");
  EXPECT_TRUE(v4.Test(String("10.0.0.7")));
  EXPECT_FALSE(v4.Test(String("10.0.1.7")));
  EXPECT_FALSE(v4.Test(String("::ffff:10.0.0.7")));
  EXPECT_FALSE(v4.Test(String("not an address")));
  const FilterCondition v6 = Parse(R"({"cidr": "2001:db8::/32"})");
  EXPECT_TRUE(v6.Test(String("2001:db8:85a3::8a2e:370:7334")));
  EXPECT_FALSE(v6.Test(String("2001:db9::1")));
  EXPECT_FALSE(v6.Test(String("10.0.0.7")));
}

TEST(FilterCondition, CidrWithHostBitsSetNamesItsNetwork) {
  const FilterCondition c = Parse(R"({"cidr": "192.168.1.77/28"})");
  EXPECT_TRUE(c.Test(String("192.168.1.64")));
  EXPECT_TRUE(c.Test(String("192.168.1.79")));
  EXPECT_FALSE(c.Test(String("192.168.1.80")));
}

TEST(FilterCondition, CidrWithZeroBitsMatchesEveryAddressOfItsFamily) {
  const FilterCondition c = Parse(R"({"cidr": "0.0.0.0/0"})");
  EXPECT_TRUE(c.Test(String("255.1.2.3")));
  EXPECT_FALSE(c.Test(String("::1")));
}

TEST(FilterCondition, EqualsIgnoreCaseFoldsAsciiLetters) {
  const FilterCondition c = Parse(R"({"equals-ignore-case": "TeNnIs"})");
  EXPECT_TRUE(c.Test(String("tennis")));
  EXPECT_TRUE(c.Test(String("TENNIS")));
  EXPECT_FALSE(c.Test(String("tennis ")));
}

TEST(FilterCondition, AnythingButTellsStringsFromNumbers) {
  const FilterCondition c = Parse(R"({"anything-but": ["100", 200]})");
  EXPECT_FALSE(c.Test(String("100")));
  EXPECT_TRUE(c.Test(Number(100)));
  EXPECT_FALSE(c.Test(Number(200)));
  EXPECT_TRUE(c.Test(String("200")));
}

TEST(FilterCondition, AnythingButMatchesNoBooleanOrNull) {
  const FilterCondition c = Parse(R"({"anything-but": "x"})");
  EXPECT_FALSE(c.Test({FilterValue::Kind::kTrue, {}, std::nullopt}));
  EXPECT_FALSE(c.Test({FilterValue::Kind::kNull, {}, std::nullopt}));
}

}  // namespace
}  // namespace ferry::sns
