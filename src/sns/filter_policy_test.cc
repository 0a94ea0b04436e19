#include "sns/filter_policy.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace ferry::sns {
namespace {

namespace json = boost::json;

constexpr FilterScope kAttributes = FilterScope::kMessageAttributes;
constexpr FilterScope kBody = FilterScope::kMessageBody;

// A message's attributes written as AWS's documentation writes them:
// {"name": {"Type": "String", "Value": "..."}, ...}.
class Attributes {
 public:
  explicit Attributes(std::string_view doc_json) {
    const json::object o = json::parse(doc_json).as_object();
    for (const auto& m : o) {
      const json::object& a = m.value().as_object();
      const json::value& v = a.at("Value");
      owned_.push_back({std::string(m.key()), std::string(a.at("Type").as_string()),
                        v.is_string() ? std::string(v.as_string()) : json::serialize(v)});
    }
    for (const Owned& a : owned_) views_.push_back({a.name, a.type, a.value});
  }
  MessageAttributesView view() const { return {views_}; }

 private:
  struct Owned {
    std::string name, type, value;
  };
  std::vector<Owned> owned_;
  std::vector<FilterAttribute> views_;
};

bool MessageMatches(const FilterPolicy& p, std::string_view message) {
  if (p.scope() == kAttributes) return Matches(p, Attributes(message).view());
  return MatchesBodyText(p, message);
}

// One behaviour: a policy with messages it must accept and messages it must
// refuse. The examples of AWS's filter-policy pages are here, each under the
// section that gives it.
struct MatchCase {
  const char* name;
  FilterScope scope;
  const char* policy;
  std::vector<const char*> matching;
  std::vector<const char*> not_matching;
};

void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

class FilterPolicyMatching : public testing::TestWithParam<MatchCase> {};

TEST_P(FilterPolicyMatching, AcceptsAndRefusesTheExampleMessages) {
  const MatchCase& c = GetParam();
  Result<FilterPolicy> p = CompileFilterPolicy(c.policy, c.scope);
  ASSERT_TRUE(p.ok()) << p.status().message();
  for (const char* m : c.matching) EXPECT_TRUE(MessageMatches(*p, m)) << "should match: " << m;
  for (const char* m : c.not_matching) {
    EXPECT_FALSE(MessageMatches(*p, m)) << "should not match: " << m;
  }
}

// The example message of "Example filter policies" (its attributes, and the
// same facts as a body).
constexpr const char* kExampleAttributes = R"({
  "customer_interests": {"Type": "String.Array", "Value": "[\"soccer\", \"rugby\", \"hockey\"]"},
  "store": {"Type": "String", "Value": "example_corp"},
  "event": {"Type": "String", "Value": "order_placed"},
  "price_usd": {"Type": "Number", "Value": "210.75"}})";
constexpr const char* kExampleBody = R"({
  "customer_interests": ["soccer", "rugby", "hockey"],
  "store": "example_corp", "event": "order_placed", "price_usd": 210.75})";

const MatchCase kMatchCases[] = {
    // string-value-matching: exact matching.
    {"StringExactAttributes",
     kAttributes,
     R"({"customer_interests": ["rugby", "tennis"]})",
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"}})",
      R"({"customer_interests": {"Type": "String", "Value": "tennis"}})",
      R"({"customer_interests": {"Type": "String.Array", "Value": "[\"rugby\", \"tennis\"]"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})",
      R"({"customer_interests": {"Type": "String.Array", "Value": "[\"baseball\"]"}})",
      R"({"customer_interests": {"Type": "String", "Value": "Rugby"}})"}},
    {"StringExactBody",
     kBody,
     R"({"customer_interests": ["rugby", "tennis"]})",
     {R"({"customer_interests": "rugby"})", R"({"customer_interests": "tennis"})"},
     {R"({"customer_interests": "baseball"})", R"({"other": "rugby"})"}},
    // string-value-matching: anything-but.
    {"AnythingButListAttributes",
     kAttributes,
     R"({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})",
      R"({"customer_interests": {"Type": "String", "Value": "football"}})",
      R"({"customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"football\"]"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"}})",
      R"({"customer_interests": {"Type": "String.Array", "Value": "[\"rugby\", \"baseball\"]"}})",
      R"({"store": {"Type": "String", "Value": "rugby"}})"}},
    {"AnythingButListBody",
     kBody,
     R"({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]})",
     {R"({"customer_interests": "baseball"})", R"({"customer_interests": "football"})",
      R"({"customer_interests": ["rugby", "baseball"]})"},
     {R"({"customer_interests": "rugby"})", R"({"customer_interests": ["rugby", "tennis"]})",
      R"({"other": "baseball"})"}},
    {"AnythingButSingleValue",
     kAttributes,
     R"({"event": [{"anything-but": "order_cancelled"}]})",
     {R"({"event": {"Type": "String", "Value": "order_placed"}})"},
     {R"({"event": {"Type": "String", "Value": "order_cancelled"}})"}},
    {"AnythingButPrefix",
     kAttributes,
     R"({"event": [{"anything-but": {"prefix": "order-"}}]})",
     {R"({"event": {"Type": "String", "Value": "data-entry"}})",
      R"({"event": {"Type": "String", "Value": "order_number"}})"},
     {R"({"event": {"Type": "String", "Value": "order-cancelled"}})"}},
    {"AnythingButSuffix",
     kAttributes,
     R"({"customer_interests": [{"anything-but": {"suffix": "ball"}}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"}})",
      R"({"customer_interests": {"Type": "String", "Value": "tennis"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})",
      R"({"customer_interests": {"Type": "String.Array", "Value": "[\"rugby\", \"football\"]"}})"}},
    {"AnythingButCombinedWithExistsFalse",
     kAttributes,
     R"({"store": [{"anything-but": "example_corp"}, {"exists": false}]})",
     {R"({"store": {"Type": "String", "Value": "other_corp"}})",
      R"({"event": {"Type": "String", "Value": "order_placed"}})"},
     {R"({"store": {"Type": "String", "Value": "example_corp"}})"}},
    // string-value-matching: prefix, suffix, equals-ignore-case, wildcard.
    {"Prefix",
     kAttributes,
     R"({"customer_interests": [{"prefix": "bas"}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})",
      R"({"customer_interests": {"Type": "String", "Value": "basketball"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"}})"}},
    {"PrefixBody",
     kBody,
     R"({"customer_interests": [{"prefix": "bas"}]})",
     {R"({"customer_interests": "baseball"})",
      R"({"customer_interests": ["rugby", "basketball"]})"},
     {R"({"customer_interests": "rugby"})"}},
    {"Suffix",
     kAttributes,
     R"({"customer_interests": [{"suffix": "ball"}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})",
      R"({"customer_interests": {"Type": "String", "Value": "basketball"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"}})"}},
    {"EqualsIgnoreCase",
     kAttributes,
     R"({"customer_interests": [{"equals-ignore-case": "tennis"}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "TENNIS"}})",
      R"({"customer_interests": {"Type": "String", "Value": "Tennis"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "baseball"}})"}},
    {"Wildcard",
     kBody,
     R"({"filename": [{"wildcard": "*/reports/*.csv"}]})",
     {R"({"filename": "bucket/reports/2024.csv"})"},
     {R"({"filename": "bucket/reports/2024.json"})", R"({"filename": "reports/2024.csv"})"}},
    // string-value-matching: IP address matching.
    {"CidrIpv4",
     kAttributes,
     R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})",
     {R"({"source_ip": {"Type": "String", "Value": "10.0.0.0"}})",
      R"({"source_ip": {"Type": "String", "Value": "10.0.0.255"}})"},
     {R"({"source_ip": {"Type": "String", "Value": "10.1.1.0"}})"}},
    {"CidrIpv6",
     kBody,
     R"({"source_ip": [{"cidr": "2001:db8:1234::/48"}]})",
     {R"({"source_ip": "2001:db8:1234:ffff::1"})"},
     {R"({"source_ip": "2001:db8:1235::1"})", R"({"source_ip": "10.0.0.1"})"}},
    // numeric-value-matching.
    {"NumericExactAttributes",
     kAttributes,
     R"({"price_usd": [{"numeric": ["=", 301.5]}]})",
     {R"({"price_usd": {"Type": "Number", "Value": "301.5"}})",
      R"({"price_usd": {"Type": "Number", "Value": "3.015e2"}})"},
     {R"({"price_usd": {"Type": "Number", "Value": "301.6"}})",
      R"({"price_usd": {"Type": "String", "Value": "301.5"}})"}},
    {"NumericExactBody",
     kBody,
     R"({"price_usd": [{"numeric": ["=", 301.5]}]})",
     {R"({"price_usd": 301.5})", R"({"price_usd": 3.015e2})"},
     {R"({"price_usd": "301.5"})", R"({"price_usd": 301})"}},
    {"NumberValueMatchesNumerically",
     kAttributes,
     R"({"price": [100]})",
     {R"({"price": {"Type": "Number", "Value": "100.0"}})",
      R"({"price": {"Type": "Number.int", "Value": "1e2"}})"},
     {R"({"price": {"Type": "String", "Value": "100"}})"}},
    {"NumericAnythingButAttributes",
     kAttributes,
     R"({"price": [{"anything-but": [100, 500]}]})",
     {R"({"price": {"Type": "Number", "Value": "101"}})",
      R"({"price": {"Type": "Number", "Value": "100.1"}})"},
     {R"({"price": {"Type": "Number", "Value": "100"}})"}},
    {"NumericAnythingButBody",
     kBody,
     R"({"price": [{"anything-but": [100, 500]}]})",
     {R"({"price": 101})", R"({"price": 100.1})", R"({"price": [100, 50]})"},
     {R"({"price": 100})", R"({"price": [100, 500]})"}},
    {"NumericLessThanZero",
     kAttributes,
     R"({"price_usd": [{"numeric": ["<", 0]}]})",
     {R"({"price_usd": {"Type": "Number", "Value": "-0.5"}})"},
     {R"({"price_usd": {"Type": "Number", "Value": "0"}})"}},
    {"NumericRange",
     kBody,
     R"({"price_usd": [{"numeric": [">", 0, "<=", 150]}]})",
     {R"({"price_usd": 0.00001})", R"({"price_usd": 150})"},
     {R"({"price_usd": 0})", R"({"price_usd": 150.00001})", R"({"price_usd": -3})"}},
    // attribute-key-matching.
    {"ExistsTrueAttributes",
     kAttributes,
     R"({"store": [{"exists": true}]})",
     {R"({"store": {"Type": "String", "Value": "fans"},
          "customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}})"},
     {R"({"customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}})",
      R"({"store": {"Type": "Binary", "Value": "AAEC"}})"}},
    {"ExistsTrueBody",
     kBody,
     R"({"store": [{"exists": true}]})",
     {R"({"store": "fans", "customer_interests": ["baseball", "basketball"]})"},
     {R"({"customer_interests": ["baseball", "basketball"]})", R"({"store": null})",
      R"({"store": {"name": "fans"}})"}},
    {"ExistsFalseAttributes",
     kAttributes,
     R"({"store": [{"exists": false}]})",
     {R"({"customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}})"},
     {R"({"store": {"Type": "String", "Value": "fans"},
          "customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}})",
      "{}"}},
    {"ExistsFalseBody",
     kBody,
     R"({"store": [{"exists": false}]})",
     {R"({"customer_interests": ["baseball", "basketball"]})"},
     {R"({"store": "fans", "customer_interests": ["baseball", "basketball"]})"}},
    // and-or-logic.
    {"AndAcrossKeys",
     kAttributes,
     R"({"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]})",
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"},
          "price_usd": {"Type": "Number", "Value": "100.5"}})"},
     {R"({"customer_interests": {"Type": "String", "Value": "rugby"},
          "price_usd": {"Type": "Number", "Value": "100"}})",
      R"({"customer_interests": {"Type": "String", "Value": "rugby"}})"}},
    {"OrWithinAKey",
     kBody,
     R"({"customer_interests": ["rugby", "football", "baseball"]})",
     {R"({"customer_interests": "rugby"})", R"({"customer_interests": "football"})",
      R"({"customer_interests": "baseball"})"},
     {R"({"customer_interests": "tennis"})"}},
    {"OrOperatorStandard",
     kAttributes,
     R"({"source": ["aws.cloudwatch"],
         "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]})",
     {R"({"source": {"Type": "String", "Value": "aws.cloudwatch"},
          "metricName": {"Type": "String", "Value": "CPUUtilization"}})",
      R"({"source": {"Type": "String", "Value": "aws.cloudwatch"},
          "namespace": {"Type": "String", "Value": "AWS/EC2"}})"},
     {R"({"source": {"Type": "String", "Value": "aws.cloudwatch"}})",
      R"({"metricName": {"Type": "String", "Value": "CPUUtilization"},
          "namespace": {"Type": "String", "Value": "AWS/EC2"}})"}},
    {"OrOperatorNestedAnd",
     kBody,
     R"({"source": ["aws.cloudwatch"],
         "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
                 {"metricType": ["MetricType"],
                  "$or": [{"metricId": [1234, 4321]}, {"spaceId": [1000, 2000, 3000]}]}]})",
     {R"({"source": "aws.cloudwatch", "metricName": "ReadLatency"})",
      R"({"source": "aws.cloudwatch", "metricType": "MetricType", "metricId": 4321})",
      R"({"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 3000})"},
     {R"({"source": "aws.cloudwatch", "metricType": "MetricType"})",
      R"({"source": "aws.cloudwatch", "metricId": 1234})", R"({"metricName": "CPUUtilization"})"}},
    {"OrOperatorInsideANestedKey",
     kBody,
     R"({"detail": {"$or": [{"state": ["running"]}, {"code": [{"numeric": [">=", 500]}]}]}})",
     {R"({"detail": {"state": "running"}})", R"({"detail": {"code": 503}})"},
     {R"({"detail": {"state": "stopped", "code": 200}})", R"({"state": "running"})"}},
    {"OrWithOneBranchIsAnOrdinaryKey",
     kAttributes,
     R"({"$or": [{"prefix": "a"}]})",
     {R"({"$or": {"Type": "String", "Value": "abc"}})"},
     {R"({"x": {"Type": "String", "Value": "abc"}})"}},
    // example-filter-policies.
    {"ExamplePolicyAcceptsTheMessage",
     kAttributes,
     R"({"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}],
         "customer_interests": ["rugby", "football", "baseball"],
         "price_usd": [{"numeric": [">=", 100]}]})",
     {kExampleAttributes},
     {}},
    {"ExamplePolicyRejectsTheMessage",
     kAttributes,
     R"({"store": ["example_corp"], "event": ["order_cancelled"], "encrypted": [false],
         "customer_interests": ["basketball", "baseball"]})",
     {},
     {kExampleAttributes}},
    {"ExamplePolicyAcceptsTheBody",
     kBody,
     R"({"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}],
         "customer_interests": ["rugby", "football", "baseball"],
         "price_usd": [{"numeric": [">=", 100]}]})",
     {kExampleBody},
     {}},
    {"ExamplePolicyRejectsTheBody",
     kBody,
     R"({"store": ["example_corp"], "event": ["order_cancelled"], "encrypted": [false],
         "customer_interests": ["basketball", "baseball"]})",
     {},
     {kExampleBody}},
    // Message body scope: nesting, arrays, types.
    {"NestedKeys",
     kBody,
     R"({"object": {"key": [{"prefix": "auto-"}]}})",
     {R"({"object": {"key": "auto-test"}})", R"({"object": {"key": "auto-", "other": 1}})"},
     {R"({"object": {"key": "home-test"}})", R"({"key": "auto-test"})",
      R"({"object": "auto-test"})"}},
    {"DottedBodyKeysMatchNestedPolicyKeys",
     kBody,
     R"({"object": {"nested": ["string.value"]}})",
     {R"({"object": {"nested": "string.value"}})", R"({"object.nested": "string.value"})"},
     {R"({"object": {"nested.other": "string.value"}})"}},
    {"DottedPolicyKeysMatchNestedBodyKeys",
     kBody,
     R"({"object.nested.test": ["v"]})",
     {R"({"object": {"nested": {"test": "v"}}})", R"({"object.nested": {"test": "v"}})",
      R"({"object": {"nested.test": "v"}})", R"({"object.nested.test": "v"})"},
     {R"({"object": {"nested": {"test": "w"}}})"}},
    {"BodyArraysOfObjectsMatchByAnyElement",
     kBody,
     R"({"Records": {"s3": {"object": {"key": [{"prefix": "auto-"}]}}}})",
     {R"({"Records": [{"s3": {"object": {"key": "home-1.xml"}}},
                      {"s3": {"object": [[{"key": "auto-2.xml"}]]}}]})"},
     {R"({"Records": [{"s3": {"object": {"key": "home-1.xml"}}}]})", R"({"Records": []})"}},
    {"BodyBooleansAndNull",
     kBody,
     R"({"encrypted": [false], "owner": [null]})",
     {R"({"encrypted": false, "owner": null})"},
     {R"({"encrypted": "false", "owner": null})", R"({"encrypted": false})",
      R"({"encrypted": true, "owner": null})"}},
    {"BodyThatIsNotAnObjectMatchesNoKey",
     kBody,
     R"({"a": [{"exists": false}]})",
     {R"({"b": 1})"},
     {"not json", "[1, 2]", R"("a")"}},
    {"EmptyPolicyMatchesEverything", kBody, "{}", {"not json", R"({"a": 1})"}, {}},
    // Attribute types.
    {"BinaryAttributesAreIgnored",
     kAttributes,
     R"({"store": ["AAEC"]})",
     {},
     {R"({"store": {"Type": "Binary", "Value": "AAEC"}})",
      R"({"store": {"Type": "Binary.png", "Value": "AAEC"}})"}},
    {"CustomStringLabelsAreStrings",
     kAttributes,
     R"({"store": [{"prefix": "ex"}]})",
     {R"({"store": {"Type": "String.name", "Value": "example_corp"}})"},
     {}},
    {"StringArrayElementsKeepTheirJsonTypes",
     kAttributes,
     R"({"tags": [7, true]})",
     {R"({"tags": {"Type": "String.Array", "Value": "[\"x\", 7]"}})",
      R"({"tags": {"Type": "String.Array", "Value": "[true]"}})"},
     {R"({"tags": {"Type": "String.Array", "Value": "[\"7\", \"true\"]"}})",
      R"({"tags": {"Type": "String.Array", "Value": "not an array"}})",
      R"({"tags": {"Type": "String.Array", "Value": "[]"}})"}},
    {"NullMatchesAnAbsentAttribute",
     kAttributes,
     R"({"attr1": [null, {"anything-but": "whatever"}]})",
     {"{}", R"({"attr1": {"Type": "String", "Value": "other"}})"},
     {R"({"attr1": {"Type": "String", "Value": "whatever"}})"}},
};

INSTANTIATE_TEST_SUITE_P(AwsExamples, FilterPolicyMatching, testing::ValuesIn(kMatchCases),
                         [](const testing::TestParamInfo<MatchCase>& info) {
                           return std::string(info.param.name);
                         });

// One refusal: a policy and AWS's text (after "Invalid parameter: ").
struct ErrorCase {
  const char* name;
  FilterScope scope;
  std::string policy;
  const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class FilterPolicyValidation : public testing::TestWithParam<ErrorCase> {};

TEST_P(FilterPolicyValidation, RefusesWithAwsText) {
  const ErrorCase& c = GetParam();
  Result<FilterPolicy> p = CompileFilterPolicy(c.policy, c.scope);
  ASSERT_FALSE(p.ok()) << c.policy;
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(p.status().message(), c.message);
}

// Six keys of two values each: too many keys before too complex.
std::string SixKeys() { return R"({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1], "f": [1]})"; }

// `n` values under one key.
std::string ManyValues(int n) {
  std::string s = R"({"key": [)";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(i);
  return s + "]}";
}

const ErrorCase kErrorCases[] = {
    // subscription-filter-policy-constraints.
    {"TooManyKeys", kAttributes, SixKeys(),
     "FilterPolicy: Filter policy can not have more than 5 keys"},
    {"TooManyKeysCountsNestedKeysThatHoldValues", kBody,
     R"({"state": ["SUCCESS"], "severity": [{"exists": true}], "message": [{"exists": true}],
         "finding": {"standard_control": [{"exists": true}], "region": [{"exists": true}],
                     "account": [{"exists": true}]}})",
     "FilterPolicy: Filter policy can not have more than 5 keys"},
    {"TooManyKeysInAnOrAlternative", kAttributes,
     R"({"a": [1], "b": [1], "c": [1], "d": [1], "$or": [{"e": [1], "f": [1]}, {"g": [1]}]})",
     "FilterPolicy: Filter policy can not have more than 5 keys"},
    {"TooComplexInOneKey", kAttributes, ManyValues(151),
     "FilterPolicy: Filter policy is too complex"},
    {"TooComplexAcrossKeys", kAttributes,
     R"({"a": [1,2,3,4,5,6], "b": [1,2,3,4,5], "c": [1,2,3,4,5,6]})",
     "FilterPolicy: Filter policy is too complex"},
    {"TooComplexCountsNestingDepth", kBody,
     R"({"key_a": {"key_b": {"key_c": [1, 2, 3, 4, 5, 6, 7]}}, "key_d": {"key_e": [1, 2, 3, 4]}})",
     "FilterPolicy: Filter policy is too complex"},
    {"TooComplexSumsOrAlternatives", kAttributes,
     R"({"a": [1,2,3,4,5], "$or": [{"b": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
                                    {"c": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]})",
     "FilterPolicy: Filter policy is too complex"},
    {"TooLarge", kAttributes, R"({"key": [")" + std::string(256 * 1024, 'x') + R"("]})",
     "FilterPolicy: Filter policy must not be larger than 256 KB"},
    {"NestedInAttributesScope", kAttributes, R"({"object": {"key": ["v"]}})",
     "Filter policy scope MessageAttributes does not support nested filter policy"},
    // Structure.
    {"NotJson", kAttributes, R"({"key": ["v")", "FilterPolicy: Filter policy is not valid JSON"},
    {"NotAnObject", kAttributes, R"(["v"])", "FilterPolicy: Filter policy must be a JSON object"},
    {"KeyWithAScalar", kBody, R"({"key_a": "value_one"})",
     "FilterPolicy: \"key_a\" must be an object or an array"},
    {"OperatorOutsideAnArray", kAttributes, R"({"key": {"suffix": "value"}})",
     "FilterPolicy: \"suffix\" must be an object or an array"},
    {"EmptyArray", kAttributes, R"({"key": []})", "FilterPolicy: Empty arrays are not allowed"},
    {"ArrayInAnArray", kAttributes, R"({"key": [["value"]]})",
     "FilterPolicy: Match value must be String, number, true, false, or null"},
    {"EmptyMatchExpression", kAttributes, R"({"key": [{}]})",
     "FilterPolicy: Empty objects are not allowed"},
    {"TwoOperatorsInOneExpression", kAttributes, R"({"key": [{"suffix": "value", "prefix": "v"}]})",
     "FilterPolicy: Only one key allowed in match expression"},
    {"UnknownOperator", kAttributes, R"({"key": [{"wrong-operator": true}]})",
     "FilterPolicy: Unrecognized match type wrong-operator"},
    {"OrOverOperatorsIsAnOrdinaryKey", kAttributes,
     R"({"$or": [{"numeric": 123}, {"prefix": "abc"}]})",
     "FilterPolicy: Value of numeric must be an array."},
    // String operators.
    {"SuffixNotAString", kAttributes, R"({"key": [{"suffix": 100}]})",
     "FilterPolicy: suffix match pattern must be a string"},
    {"SuffixNull", kAttributes, R"({"key": [{"suffix": null}]})",
     "FilterPolicy: suffix match pattern must be a string"},
    {"PrefixList", kAttributes, R"({"key": [{"prefix": ["a", "b"]}]})",
     "FilterPolicy: prefix match pattern must be a string"},
    {"EqualsIgnoreCaseNotAString", kAttributes, R"({"key": [{"equals-ignore-case": 1}]})",
     "FilterPolicy: equals-ignore-case match pattern must be a string"},
    {"WildcardNotAString", kAttributes, R"({"key": [{"wildcard": true}]})",
     "FilterPolicy: wildcard match pattern must be a string"},
    {"WildcardConsecutiveStars", kAttributes, R"({"key": [{"wildcard": "a**b"}]})",
     "FilterPolicy: Consecutive wildcard characters at pos 2"},
    {"WildcardBadEscape", kAttributes, R"({"key": [{"wildcard": "a\\b"}]})",
     "FilterPolicy: Invalid escape character at pos 1"},
    {"ExistsNull", kAttributes, R"({"key": [{"exists": null}]})",
     "FilterPolicy: exists match pattern must be either true or false."},
    {"ExistsString", kAttributes, R"({"key": [{"exists": "no"}]})",
     "FilterPolicy: exists match pattern must be either true or false."},
    // anything-but.
    {"AnythingButUnknownPattern", kAttributes,
     R"({"key": [{"anything-but": {"wrong-operator": null}}]})",
     "FilterPolicy: Unsupported anything-but pattern: wrong-operator"},
    {"AnythingButExists", kAttributes, R"({"key": [{"anything-but": {"exists": false}}]})",
     "FilterPolicy: Unsupported anything-but pattern: exists"},
    {"AnythingButPrefixNotAString", kAttributes,
     R"({"key": [{"anything-but": {"prefix": false}}]})",
     "FilterPolicy: prefix match pattern must be a string"},
    {"AnythingButListWithNull", kAttributes, R"({"key": [{"anything-but": ["a", null]}]})",
     "FilterPolicy: Inside anything but list, start|null|boolean is not supported."},
    {"AnythingButBoolean", kAttributes, R"({"key": [{"anything-but": true}]})",
     "FilterPolicy: Value of anything-but must be an array or single string/number value."},
    {"AnythingButEmptyList", kAttributes, R"({"key": [{"anything-but": []}]})",
     "FilterPolicy: Empty arrays are not allowed"},
    // numeric.
    {"NumericEmpty", kAttributes, R"({"key": [{"numeric": []}]})",
     "FilterPolicy: Invalid member in numeric match: ]"},
    {"NumericNotAList", kAttributes, R"({"key": [{"numeric": 5}]})",
     "FilterPolicy: Value of numeric must be an array."},
    {"NumericUnknownOperator", kAttributes, R"({"key": [{"numeric": ["operator"]}]})",
     "FilterPolicy: Unrecognized numeric range operator: operator"},
    {"NumericValueFirst", kAttributes, R"({"key": [{"numeric": [1, "<="]}]})",
     "FilterPolicy: Invalid member in numeric match: 1"},
    {"NumericEqualsString", kAttributes, R"({"key": [{"numeric": ["=", "000"]}]})",
     "FilterPolicy: Value of equals must be numeric"},
    {"NumericMissingValue", kAttributes, R"({"key": [{"numeric": [">="]}]})",
     "FilterPolicy: Value of >= must be numeric"},
    {"NumericUpperBoundFirst", kAttributes, R"({"key": [{"numeric": ["<", 100, ">", 10]}]})",
     "FilterPolicy: Too many elements in numeric expression"},
    {"NumericTwoLowerBounds", kAttributes, R"({"key": [{"numeric": [">=", 1, ">", 2]}]})",
     "FilterPolicy: Bad numeric range operator: >"},
    {"NumericBottomAboveTop", kAttributes, R"({"key": [{"numeric": [">", 3, "<", 1]}]})",
     "FilterPolicy: Bottom must be less than top"},
    {"NumericMissingUpperValue", kAttributes, R"({"key": [{"numeric": [">", 20, "<="]}]})",
     "FilterPolicy: Value of <= must be numeric"},
    {"NumericMissingUpperOperator", kAttributes, R"({"key": [{"numeric": [">", 20, 30]}]})",
     "FilterPolicy: Bad value in numeric range: 30"},
    {"NumericUnknownUpperOperator", kAttributes, R"({"key": [{"numeric": [">", 20, "test"]}]})",
     "FilterPolicy: Bad numeric range operator: test"},
    {"NumericLowerValueString", kAttributes, R"({"key": [{"numeric": [">", "20", "<", "30"]}]})",
     "FilterPolicy: Value of > must be numeric"},
    {"NumericUpperValueString", kAttributes, R"({"key": [{"numeric": [">", 20, "<", "30"]}]})",
     "FilterPolicy: Value of < must be numeric"},
    {"NumericTooManyTerms", kAttributes, R"({"key": [{"numeric": [">", 20, "<", 30, "<", 50]}]})",
     "FilterPolicy: Too many terms in numeric range expression"},
    {"NumericOutOfRange", kAttributes, R"({"key": [{"numeric": [">", 1000000001]}]})",
     "FilterPolicy: Numeric values must be between -1.0E9 and 1.0E9"},
    {"ExactNumberOutOfRange", kAttributes, R"({"key": [-2e9]})",
     "FilterPolicy: Numeric values must be between -1.0E9 and 1.0E9"},
    // cidr.
    {"CidrNotAString", kAttributes, R"({"key": [{"cidr": 10}]})",
     "FilterPolicy: prefix match pattern must be a string"},
    {"CidrWithoutSlash", kAttributes, R"({"key": [{"cidr": "10.0.0.0"}]})",
     "FilterPolicy: Malformed CIDR, one '/' required"},
    {"CidrMaskNotAnInteger", kAttributes, R"({"key": [{"cidr": "10.0.0.0/x"}]})",
     "FilterPolicy: Malformed CIDR, mask bits must be an integer"},
    {"CidrBadAddress", kAttributes, R"({"key": [{"cidr": "10.0.0.256/24"}]})",
     "FilterPolicy: Nonstandard IP address: 10.0.0.256"},
    {"CidrMaskTooLong", kAttributes, R"({"key": [{"cidr": "::/129"}]})",
     "FilterPolicy: Malformed CIDR, mask bits must be between 0 and 128"},
};

INSTANTIATE_TEST_SUITE_P(AwsRules, FilterPolicyValidation, testing::ValuesIn(kErrorCases),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(FilterPolicyLimits, FiveKeysAndOneHundredFiftyCombinationsAreAllowed) {
  EXPECT_TRUE(
      CompileFilterPolicy(R"({"a": [1], "b": [1], "c": [1], "d": [1], "e": [1]})", kAttributes)
          .ok());
  EXPECT_TRUE(CompileFilterPolicy(ManyValues(150), kAttributes).ok());
  EXPECT_TRUE(CompileFilterPolicy(R"({"a": [1,2,3,4,5], "b": [1,2,3,4,5,6], "c": [1,2,3,4,5]})",
                                  kAttributes)
                  .ok());
}

TEST(FilterPolicyLimits, OrAlternativesAddTheirCombinations) {
  // 4 x 2 + 4 x 2 x 2 + 4 x 2 x 3 = 48 (and-or-logic's OR example, with
  // four sources and two metric types).
  EXPECT_TRUE(CompileFilterPolicy(R"({"source": ["aws.cloudwatch", "aws.events", "aws.test",
      "aws.test2"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]},
      {"metricType": ["MetricType", "MetricType2"], "$or": [{"metricId": [1234, 4321]},
      {"spaceId": [1000, 2000, 3000]}]}]})",
                                  kAttributes)
                  .ok());
  // 5 x 15 + 5 x 15 = 150 is the most allowed.
  EXPECT_TRUE(CompileFilterPolicy(R"({"a": [1,2,3,4,5], "$or": [
      {"b": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
      {"c": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}]})",
                                  kAttributes)
                  .ok());
}

TEST(FilterPolicyLimits, KeysThatHoldObjectsAreNotCounted) {
  // subscription-filter-policy-constraints: only key_d and key_f count.
  EXPECT_TRUE(CompileFilterPolicy(R"({"key_a": {"key_b": {"key_c": {"key_d": ["value_one",
      "value_two", "value_three", "value_four"]}}, "key_e": {"key_f": ["value_one", "value_two",
      "value_three"]}}, "g": [1], "h": [1], "i": [1]})",
                                  kBody)
                  .ok());
}

TEST(FilterPolicyLimits, NestedCombinationsFollowAwsExample) {
  // subscription-filter-policy-constraints: four values three levels down and
  // three values two levels down make 3 x 4 x 2 x 3 = 72 combinations.
  EXPECT_TRUE(CompileFilterPolicy(R"({"key_a": {"key_b": {"key_c": ["value_one", "value_two",
      "value_three", "value_four"]}}, "key_d": {"key_e": ["value_one", "value_two", "value_three"]}})",
                                  kBody)
                  .ok());
}

TEST(FilterPolicyLimits, OrExpansionIsBoundedBeforeItGrows) {
  // Twelve "$or"s of two branches would be 4096 alternatives.
  std::string policy = "{";
  for (int i = 0; i < 12; ++i) {
    policy += (i ? "," : "") + std::string(R"("k)") + std::to_string(i) +
              R"(": {"$or": [{"a": [1]}, {"b": [1]}]})";
  }
  policy += "}";
  Result<FilterPolicy> p = CompileFilterPolicy(policy, kBody);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicyScope, AttributesAndBodyPoliciesMatchOnlyTheirOwnInput) {
  Result<FilterPolicy> body = CompileFilterPolicy(R"({"a": ["x"]})", kBody);
  Result<FilterPolicy> attributes = CompileFilterPolicy(R"({"a": ["x"]})", kAttributes);
  ASSERT_TRUE(body.ok() && attributes.ok());
  EXPECT_FALSE(Matches(*body, Attributes(R"({"a": {"Type": "String", "Value": "x"}})").view()));
  EXPECT_FALSE(MatchesBody(*attributes, json::parse(R"({"a": "x"})")));
}

TEST(FilterPolicyMatchingBody, TakesAParsedBody) {
  Result<FilterPolicy> p = CompileFilterPolicy(R"({"a": {"b": [{"numeric": [">", 1]}]}})", kBody);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(MatchesBody(*p, json::parse(R"({"a": {"b": [0, 2]}})")));
  EXPECT_FALSE(MatchesBody(*p, json::parse(R"({"a": {"b": [0, 1]}})")));
}

}  // namespace
}  // namespace ferry::sns
