// SNS delivery policies for http(s) subscriptions: the DeliveryPolicy
// attribute of a topic ({"http": {"defaultHealthyRetryPolicy", ...}}) and of a
// subscription ({"healthyRetryPolicy", "throttlePolicy", "requestPolicy"}),
// validated as AWS validates them, and the effective policy a subscription's
// deliveries follow (EffectiveDeliveryPolicy).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::delivery {

// kInvalidArgument with AWS's message after "Invalid parameter: " when the
// text is not a valid policy of its level.
Status ValidateTopicDeliveryPolicy(std::string_view json);
Status ValidateSubscriptionDeliveryPolicy(std::string_view json);

// The EffectiveDeliveryPolicy attribute of a topic whose DeliveryPolicy is
// `topic_json` (empty: none set), as GetTopicAttributes returns it.
std::string EffectiveTopicDeliveryPolicy(std::string_view topic_json);
// The EffectiveDeliveryPolicy attribute of an http(s) subscription.
std::string EffectiveSubscriptionDeliveryPolicy(std::string_view topic_json,
                                                std::string_view subscription_json);

}  // namespace ferry::delivery
