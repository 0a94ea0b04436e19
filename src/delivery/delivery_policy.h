// SNS delivery policies for http(s) subscriptions: the DeliveryPolicy
// attribute of a topic ({"http": {"defaultHealthyRetryPolicy", ...}}) and of a
// subscription ({"healthyRetryPolicy", "throttlePolicy", "requestPolicy"}),
// validated as AWS validates them, the effective policy a subscription's
// deliveries follow (EffectiveDeliveryPolicy), and the retry schedule.
//
// The effective policy is resolved per part (retry, throttle, request): the
// subscription's part unless the topic sets disableSubscriptionOverrides,
// else the topic's default part, else SNS's default (3 retries 20 s apart,
// linear; no throttle; "text/plain; charset=UTF-8").
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::delivery {

// AWS's limits on a retry policy.
inline constexpr int64_t kMaxRetries = 100;
inline constexpr int64_t kMaxDelayTargetS = 3600;
// The whole schedule (the sum of its nominal delays) may not exceed this.
inline constexpr int64_t kMaxTotalRetryTimeS = 3600;
inline constexpr std::string_view kDefaultContentType = "text/plain; charset=UTF-8";

enum class Backoff : uint8_t { kLinear, kArithmetic, kGeometric, kExponential };

// "linear", "arithmetic", "geometric", "exponential".
std::string_view BackoffName(Backoff b);

// A healthyRetryPolicy; the defaults are SNS's.
struct RetryPolicy {
  int64_t min_delay_s = 20;
  int64_t max_delay_s = 20;
  int64_t num_retries = 3;
  int64_t num_no_delay = 0;   // immediate phase
  int64_t num_min_delay = 0;  // pre-backoff phase, min_delay_s apart
  int64_t num_max_delay = 0;  // post-backoff phase, max_delay_s apart
  Backoff backoff = Backoff::kLinear;

  // Retries in the backoff phase: the ones no other phase takes.
  int64_t num_backoff() const { return num_retries - num_no_delay - num_min_delay - num_max_delay; }
  bool operator==(const RetryPolicy&) const = default;
};

// The policy one subscription's deliveries follow.
struct DeliveryPolicy {
  RetryPolicy retry;
  int64_t max_receives_per_second = 0;  // 0: not throttled
  std::string content_type{kDefaultContentType};

  bool operator==(const DeliveryPolicy&) const = default;
};

// kInvalidArgument with AWS's message after "Invalid parameter: " when the
// text is not a valid policy of its level. Empty text is valid (none set).
Status ValidateTopicDeliveryPolicy(std::string_view json);
Status ValidateSubscriptionDeliveryPolicy(std::string_view json);

// The EffectiveDeliveryPolicy attribute of a topic whose DeliveryPolicy is
// `topic_json` (empty: none set), as GetTopicAttributes returns it.
std::string EffectiveTopicDeliveryPolicy(std::string_view topic_json);
// The EffectiveDeliveryPolicy attribute of an http(s) subscription.
std::string EffectiveSubscriptionDeliveryPolicy(std::string_view topic_json,
                                                std::string_view subscription_json);

// The policy an http(s) subscription's deliveries follow. A text that does
// not validate (it was stored by an older version, or by hand) counts as
// not set.
DeliveryPolicy EffectiveDeliveryPolicy(std::string_view topic_json,
                                       std::string_view subscription_json);

// The delay before retry `retry` (1 = the first retry, after the first
// attempt failed) of `policy`, in seconds, before jitter: 0 in the
// immediate phase, min_delay_s in the pre-backoff phase, the backoff
// function from min_delay_s to max_delay_s in the backoff phase, max_delay_s
// after it. `retry` outside 1..num_retries is clamped into it.
int64_t NominalRetryDelayS(const RetryPolicy& policy, int64_t retry);

// The same with jitter: `unit` is a uniform sample of [0, 1) from the
// caller's random source, which spreads the delay over ±10% of the nominal
// one (rounded to whole seconds; a nominal 0 stays 0), so that deliveries
// failed together do not all come back at the same second.
int64_t RetryDelayS(const RetryPolicy& policy, int64_t retry, double unit);

// Sum of the nominal delays of all retries: what AWS bounds by 3,600 s.
int64_t TotalRetryTimeS(const RetryPolicy& policy);

}  // namespace ferry::delivery
