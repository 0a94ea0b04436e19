#include "delivery/delivery_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::delivery {
namespace {

constexpr std::string_view kDefaultRetryJson =
    R"({"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,)"
    R"("numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"})";

std::string SubscriptionError(std::string_view json) {
  Status st = ValidateSubscriptionDeliveryPolicy(json);
  EXPECT_TRUE(st.ok() || st.code() == Code::kInvalidArgument);
  return st.ok() ? "ok" : st.message();
}

std::string TopicError(std::string_view json) {
  Status st = ValidateTopicDeliveryPolicy(json);
  EXPECT_TRUE(st.ok() || st.code() == Code::kInvalidArgument);
  return st.ok() ? "ok" : st.message();
}

// A subscription policy whose healthyRetryPolicy has `fields` after the three
// required ones.
std::string Retry(std::string_view fields, int min = 1, int max = 10, int retries = 5) {
  std::string s = R"({"healthyRetryPolicy":{"minDelayTarget":)" + std::to_string(min) +
                  R"(,"maxDelayTarget":)" + std::to_string(max) + R"(,"numRetries":)" +
                  std::to_string(retries);
  if (!fields.empty()) s += "," + std::string(fields);
  return s + "}}";
}

TEST(ValidateDeliveryPolicy, AcceptsAwsExamples) {
  EXPECT_EQ(SubscriptionError(""), "ok");
  EXPECT_EQ(SubscriptionError("{}"), "ok");
  EXPECT_EQ(SubscriptionError(
                R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,)"
                R"("numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,)"
                R"("backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},)"
                R"("requestPolicy":{"headerContentType":"application/json"}})"),
            "ok");
  EXPECT_EQ(TopicError(""), "ok");
  EXPECT_EQ(TopicError(
                R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)"
                R"("numRetries":6,"backoffFunction":"arithmetic"},"disableSubscriptionOverrides":true,)"
                R"("defaultThrottlePolicy":{"maxReceivesPerSecond":2},)"
                R"("defaultRequestPolicy":{"headerContentType":"text/html"}}})"),
            "ok");
}

TEST(ValidateDeliveryPolicy, AcceptsItsOwnEffectivePolicies) {
  EXPECT_EQ(SubscriptionError(EffectiveSubscriptionDeliveryPolicy("", "")), "ok");
  EXPECT_EQ(TopicError(EffectiveTopicDeliveryPolicy("")), "ok");
}

TEST(ValidateDeliveryPolicy, AcceptsNumbersAndBooleansWrittenAsStrings) {
  EXPECT_EQ(SubscriptionError(
                R"({"healthyRetryPolicy":{"minDelayTarget":"2","maxDelayTarget":"4","numRetries":"3"}})"),
            "ok");
  EXPECT_EQ(TopicError(R"({"http":{"disableSubscriptionOverrides":"true"}})"), "ok");
  EXPECT_EQ(SubscriptionError(
                R"({"healthyRetryPolicy":{"minDelayTarget":2.0,"maxDelayTarget":4,"numRetries":3}})"),
            "ok");
}

TEST(ValidateDeliveryPolicy, RefusesWhatIsNotAJsonObject) {
  EXPECT_EQ(SubscriptionError("not json"), "DeliveryPolicy: Invalid JSON");
  EXPECT_EQ(SubscriptionError("[]"), "DeliveryPolicy: Invalid JSON");
  EXPECT_EQ(TopicError("5"), "DeliveryPolicy: Invalid JSON");
  EXPECT_EQ(SubscriptionError(R"({"healthyRetryPolicy":5})"),
            "DeliveryPolicy: healthyRetryPolicy must be a JSON object");
  EXPECT_EQ(TopicError(R"({"http":[]})"), "DeliveryPolicy: http must be a JSON object");
}

TEST(ValidateDeliveryPolicy, RefusesUnexpectedMembersAtEachLevel) {
  EXPECT_EQ(TopicError(R"({"throttlePolicy":{"maxReceivesPerSecond":1}})"),
            "DeliveryPolicy: Unexpected JSON member: throttlePolicy");
  EXPECT_EQ(TopicError(R"({"http":{"healthyRetryPolicy":{}}})"),
            "DeliveryPolicy: Unexpected JSON member: healthyRetryPolicy");
  EXPECT_EQ(SubscriptionError(R"({"http":{}})"), "DeliveryPolicy: Unexpected JSON member: http");
  EXPECT_EQ(SubscriptionError(Retry(R"("numRetriez":1)")),
            "DeliveryPolicy: Unexpected JSON member: numRetriez");
  EXPECT_EQ(SubscriptionError(R"({"throttlePolicy":{"maxReceivesPerSecond":1,"burst":2}})"),
            "DeliveryPolicy: Unexpected JSON member: burst");
  EXPECT_EQ(SubscriptionError(R"({"requestPolicy":{"headerContentType":"text/plain","x":1}})"),
            "DeliveryPolicy: Unexpected JSON member: x");
}

TEST(ValidateDeliveryPolicy, RequiresTheThreeCoreRetryFields) {
  EXPECT_EQ(SubscriptionError(R"({"healthyRetryPolicy":{"maxDelayTarget":1,"numRetries":1}})"),
            "DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be specified");
  EXPECT_EQ(SubscriptionError(R"({"healthyRetryPolicy":{"minDelayTarget":1,"numRetries":1}})"),
            "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be specified");
  EXPECT_EQ(TopicError(R"({"http":{"defaultHealthyRetryPolicy":{"numRetries":5}}})"),
            "DeliveryPolicy: http.defaultHealthyRetryPolicy.minDelayTarget must be specified");
  EXPECT_EQ(SubscriptionError(R"({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1}})"),
            "DeliveryPolicy: healthyRetryPolicy.numRetries must be specified");
  EXPECT_EQ(SubscriptionError(R"({"throttlePolicy":{}})"),
            "DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be specified");
  EXPECT_EQ(SubscriptionError(R"({"requestPolicy":{}})"),
            "DeliveryPolicy: requestPolicy.headerContentType must be specified");
}

TEST(ValidateDeliveryPolicy, RefusesValuesOfTheWrongType) {
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":1.5)")),
            "DeliveryPolicy: healthyRetryPolicy.numNoDelayRetries must be an integer");
  EXPECT_EQ(SubscriptionError(Retry(R"("numMinDelayRetries":"x")")),
            "DeliveryPolicy: healthyRetryPolicy.numMinDelayRetries must be an integer");
  EXPECT_EQ(SubscriptionError(Retry(R"("numMaxDelayRetries":true)")),
            "DeliveryPolicy: healthyRetryPolicy.numMaxDelayRetries must be an integer");
  EXPECT_EQ(SubscriptionError(Retry(R"("backoffFunction":1)")),
            "DeliveryPolicy: healthyRetryPolicy.backoffFunction must be a string");
  EXPECT_EQ(SubscriptionError(R"({"requestPolicy":{"headerContentType":5}})"),
            "DeliveryPolicy: requestPolicy.headerContentType must be a string");
  EXPECT_EQ(TopicError(R"({"http":{"disableSubscriptionOverrides":1}})"),
            "DeliveryPolicy: http.disableSubscriptionOverrides must be a boolean");
}

TEST(ValidateDeliveryPolicy, DelayTargetRanges) {
  EXPECT_EQ(SubscriptionError(Retry("", 0, 10)),
            "DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1");
  EXPECT_EQ(SubscriptionError(Retry("", 1, 3601, 0)),
            "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600");
  EXPECT_EQ(SubscriptionError(Retry("", 3600, 3600, 1)), "ok");
  EXPECT_EQ(SubscriptionError(Retry("", 5, 3)),
            "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be greater than or equal to "
            "minDelayTarget");
  EXPECT_EQ(SubscriptionError(Retry("", 5, 5)), "ok");
}

TEST(ValidateDeliveryPolicy, RetryCountRanges) {
  EXPECT_EQ(SubscriptionError(Retry("", 1, 1, 0)), "ok");
  EXPECT_EQ(SubscriptionError(Retry("", 1, 1, 100)), "ok");
  EXPECT_EQ(TopicError(R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,)"
                       R"("maxDelayTarget":1,"numRetries":101}}})"),
            "DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal "
            "to 100");
  EXPECT_EQ(SubscriptionError(Retry("", 1, 1, -1)),
            "DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to 0");
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":-1)")),
            "DeliveryPolicy: healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0");
  EXPECT_EQ(SubscriptionError(Retry(R"("numMinDelayRetries":-1)")),
            "DeliveryPolicy: healthyRetryPolicy.numMinDelayRetries must be greater than or equal to 0");
  EXPECT_EQ(SubscriptionError(Retry(R"("numMaxDelayRetries":-1)")),
            "DeliveryPolicy: healthyRetryPolicy.numMaxDelayRetries must be greater than or equal to 0");
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":2,"numMinDelayRetries":2,)"
                                    R"("numMaxDelayRetries":1)")),
            "ok");
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":2,"numMinDelayRetries":2,)"
                                    R"("numMaxDelayRetries":2)")),
            "DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to total "
            "of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries");
}

TEST(ValidateDeliveryPolicy, BackoffFunctionNames) {
  for (const char* name : {"linear", "arithmetic", "geometric", "exponential"}) {
    EXPECT_EQ(SubscriptionError(Retry(std::string(R"("backoffFunction":")") + name + "\"")), "ok")
        << name;
  }
  EXPECT_EQ(SubscriptionError(Retry(R"("backoffFunction":"Linear")")),
            "DeliveryPolicy: healthyRetryPolicy.backoffFunction must be one of linear, "
            "arithmetic, geometric, exponential");
}

TEST(ValidateDeliveryPolicy, WholeScheduleAtMostAnHour) {
  // 100 retries at 36 s: exactly 3600 s.
  EXPECT_EQ(SubscriptionError(Retry("", 36, 36, 100)), "ok");
  EXPECT_EQ(SubscriptionError(Retry("", 37, 37, 100)),
            "DeliveryPolicy: healthyRetryPolicy total retry time must be less than or equal to "
            "3600 seconds");
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":99)", 3600, 3600, 100)), "ok");
  EXPECT_EQ(SubscriptionError(Retry(R"("numNoDelayRetries":98)", 3600, 3600, 100)),
            "DeliveryPolicy: healthyRetryPolicy total retry time must be less than or equal to "
            "3600 seconds");
}

TEST(ValidateDeliveryPolicy, ThrottleAtLeastOnePerSecond) {
  EXPECT_EQ(SubscriptionError(R"({"throttlePolicy":{"maxReceivesPerSecond":1}})"), "ok");
  EXPECT_EQ(SubscriptionError(R"({"throttlePolicy":{"maxReceivesPerSecond":0}})"),
            "DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1");
  EXPECT_EQ(TopicError(R"({"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":-3}}})"),
            "DeliveryPolicy: http.defaultThrottlePolicy.maxReceivesPerSecond must be greater than "
            "or equal to 1");
  EXPECT_EQ(SubscriptionError(R"({"throttlePolicy":null})"), "ok");
}

TEST(ValidateDeliveryPolicy, ContentTypesFromAwsList) {
  for (const char* t :
       {"application/atom+xml", "application/json", "application/octet-stream",
        "application/soap+xml", "application/x-www-form-urlencoded", "application/xhtml+xml",
        "application/xml", "text/css", "text/csv", "text/html", "text/plain", "text/xml",
        "text/plain; charset=UTF-8", "Application/JSON"}) {
    EXPECT_EQ(SubscriptionError(std::string(R"({"requestPolicy":{"headerContentType":")") + t +
                                "\"}}"),
              "ok")
        << t;
  }
  EXPECT_EQ(SubscriptionError(R"({"requestPolicy":{"headerContentType":"image/png"}})"),
            "DeliveryPolicy: requestPolicy.headerContentType is not a supported content type: "
            "image/png");
  EXPECT_EQ(TopicError(R"({"http":{"defaultRequestPolicy":{"headerContentType":"text/plainx"}}})"),
            "DeliveryPolicy: http.defaultRequestPolicy.headerContentType is not a supported "
            "content type: text/plainx");
}

TEST(EffectiveDeliveryPolicy, DefaultsAsSnsShowsThem) {
  EXPECT_EQ(EffectiveTopicDeliveryPolicy(""),
            std::string(R"({"http":{"defaultHealthyRetryPolicy":)") + std::string(kDefaultRetryJson) +
                R"(,"disableSubscriptionOverrides":false,)"
                R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})");
  EXPECT_EQ(EffectiveSubscriptionDeliveryPolicy("", ""),
            std::string(R"({"healthyRetryPolicy":)") + std::string(kDefaultRetryJson) +
                R"(,"sicklyRetryPolicy":null,"throttlePolicy":null,"guaranteed":false})");
  EXPECT_EQ(EffectiveDeliveryPolicy("", ""), DeliveryPolicy{});
}

TEST(EffectiveDeliveryPolicy, TopicPolicyFillsInEveryField) {
  const std::string topic =
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)"
      R"("numRetries":6,"backoffFunction":"arithmetic"},)"
      R"("defaultThrottlePolicy":{"maxReceivesPerSecond":2}}})";
  EXPECT_EQ(EffectiveTopicDeliveryPolicy(topic),
            R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)"
            R"("numRetries":6,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
            R"("backoffFunction":"arithmetic"},"disableSubscriptionOverrides":false,)"
            R"("defaultThrottlePolicy":{"maxReceivesPerSecond":2},)"
            R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})");
  // A subscription without a policy of its own takes the topic's.
  EXPECT_EQ(EffectiveSubscriptionDeliveryPolicy(topic, ""),
            R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":6,)"
            R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
            R"("backoffFunction":"arithmetic"},"sicklyRetryPolicy":null,)"
            R"("throttlePolicy":{"maxReceivesPerSecond":2},"guaranteed":false})");
}

TEST(EffectiveDeliveryPolicy, SubscriptionOverridesPartByPart) {
  const std::string topic =
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)"
      R"("numRetries":6},"defaultThrottlePolicy":{"maxReceivesPerSecond":2},)"
      R"("defaultRequestPolicy":{"headerContentType":"text/html"}}})";
  const std::string sub = R"({"throttlePolicy":{"maxReceivesPerSecond":7}})";
  DeliveryPolicy p = EffectiveDeliveryPolicy(topic, sub);
  EXPECT_EQ(p.retry.min_delay_s, 5);
  EXPECT_EQ(p.retry.num_retries, 6);
  EXPECT_EQ(p.max_receives_per_second, 7);
  EXPECT_EQ(p.content_type, "text/html");
  EXPECT_EQ(EffectiveSubscriptionDeliveryPolicy(topic, sub),
            R"({"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":6,)"
            R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
            R"("backoffFunction":"linear"},"sicklyRetryPolicy":null,)"
            R"("throttlePolicy":{"maxReceivesPerSecond":7},)"
            R"("requestPolicy":{"headerContentType":"text/html"},"guaranteed":false})");

  const std::string own = Retry(R"("backoffFunction":"geometric")", 2, 8, 4);
  p = EffectiveDeliveryPolicy(topic, own);
  EXPECT_EQ(p.retry.min_delay_s, 2);
  EXPECT_EQ(p.retry.backoff, Backoff::kGeometric);
  EXPECT_EQ(p.max_receives_per_second, 2);
}

TEST(EffectiveDeliveryPolicy, DisableSubscriptionOverridesIgnoresTheSubscriptionsPolicy) {
  const std::string topic =
      R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)"
      R"("numRetries":6},"disableSubscriptionOverrides":true}})";
  const std::string sub =
      Retry("", 1, 2, 1).insert(1, R"("requestPolicy":{"headerContentType":"application/json"},)");
  ASSERT_EQ(SubscriptionError(sub), "ok");
  DeliveryPolicy p = EffectiveDeliveryPolicy(topic, sub);
  EXPECT_EQ(p.retry.min_delay_s, 5);
  EXPECT_EQ(p.content_type, kDefaultContentType);
  EXPECT_NE(EffectiveTopicDeliveryPolicy(topic).find(R"("disableSubscriptionOverrides":true)"),
            std::string::npos);
  EXPECT_EQ(EffectiveSubscriptionDeliveryPolicy(topic, sub).find("requestPolicy"),
            std::string::npos);
}

TEST(EffectiveDeliveryPolicy, InvalidStoredTextCountsAsNone) {
  EXPECT_EQ(EffectiveDeliveryPolicy("garbage", R"({"throttlePolicy":{"maxReceivesPerSecond":0}})"),
            DeliveryPolicy{});
}

// Nominal delays of retries 1..num_retries.
std::vector<int64_t> Schedule(const RetryPolicy& p) {
  std::vector<int64_t> out;
  for (int64_t r = 1; r <= p.num_retries; ++r) out.push_back(NominalRetryDelayS(p, r));
  return out;
}

RetryPolicy Policy(int64_t min, int64_t max, int64_t retries, Backoff b, int64_t no_delay = 0,
                   int64_t min_retries = 0, int64_t max_retries = 0) {
  RetryPolicy p;
  p.min_delay_s = min;
  p.max_delay_s = max;
  p.num_retries = retries;
  p.backoff = b;
  p.num_no_delay = no_delay;
  p.num_min_delay = min_retries;
  p.num_max_delay = max_retries;
  return p;
}

TEST(RetrySchedule, SnsDefaultIsThreeRetriesTwentySecondsApart) {
  EXPECT_EQ(Schedule(RetryPolicy{}), (std::vector<int64_t>{20, 20, 20}));
  EXPECT_EQ(TotalRetryTimeS(RetryPolicy{}), 60);
}

TEST(RetrySchedule, PhasesInOrder) {
  // 2 immediate, 2 at min, 3 in backoff (linear 2 → 10), 2 at max.
  EXPECT_EQ(Schedule(Policy(2, 10, 9, Backoff::kLinear, 2, 2, 2)),
            (std::vector<int64_t>{0, 0, 2, 2, 2, 6, 10, 10, 10}));
}

TEST(RetrySchedule, BackoffFunctionsRiseFromMinToMax) {
  struct Case {
    Backoff backoff;
    std::vector<int64_t> want;
  };
  const Case cases[] = {
      {Backoff::kLinear, {1, 26, 51, 75, 100}},
      {Backoff::kArithmetic, {1, 7, 26, 57, 100}},
      {Backoff::kGeometric, {1, 3, 10, 32, 100}},
      {Backoff::kExponential, {1, 8, 21, 47, 100}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Schedule(Policy(1, 100, 5, c.backoff)), c.want) << BackoffName(c.backoff);
  }
}

TEST(RetrySchedule, OneBackoffRetryWaitsTheMinimum) {
  EXPECT_EQ(Schedule(Policy(3, 9, 1, Backoff::kExponential)), (std::vector<int64_t>{3}));
}

TEST(RetrySchedule, RetryNumbersOutsideThePolicyAreClamped) {
  const RetryPolicy p = Policy(2, 10, 3, Backoff::kLinear);
  EXPECT_EQ(NominalRetryDelayS(p, 0), 2);
  EXPECT_EQ(NominalRetryDelayS(p, 4), 10);
  EXPECT_EQ(NominalRetryDelayS(Policy(2, 10, 0, Backoff::kLinear), 1), 0);
}

TEST(RetrySchedule, JitterStaysWithinTenPercent) {
  const RetryPolicy p = Policy(100, 100, 1, Backoff::kLinear);
  EXPECT_EQ(RetryDelayS(p, 1, 0.0), 90);
  EXPECT_EQ(RetryDelayS(p, 1, 0.5), 100);
  EXPECT_EQ(RetryDelayS(p, 1, 0.999999), 110);
  for (int i = 0; i < 100; ++i) {
    const int64_t d = RetryDelayS(p, 1, i / 100.0);
    EXPECT_GE(d, 90);
    EXPECT_LE(d, 110);
  }
  // No delay stays none; a one-second delay stays one second.
  EXPECT_EQ(RetryDelayS(Policy(1, 1, 1, Backoff::kLinear, 1), 1, 0.99), 0);
  EXPECT_EQ(RetryDelayS(Policy(1, 1, 1, Backoff::kLinear), 1, 0.0), 1);
  EXPECT_EQ(RetryDelayS(Policy(1, 1, 1, Backoff::kLinear), 1, 0.99), 1);
}

}  // namespace
}  // namespace ferry::delivery
