// Placeholder until the delivery policies land: any JSON object is accepted
// and the effective policy is SNS's default.
#include "delivery/delivery_policy.h"

#include <boost/json.hpp>

namespace ferry::delivery {
namespace {

constexpr std::string_view kDefaultTopicPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
    R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
    R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
    R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

Status ValidateObject(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("DeliveryPolicy: Invalid JSON");
  return Status::Ok();
}

}  // namespace

Status ValidateTopicDeliveryPolicy(std::string_view json) { return ValidateObject(json); }
Status ValidateSubscriptionDeliveryPolicy(std::string_view json) { return ValidateObject(json); }

std::string EffectiveTopicDeliveryPolicy(std::string_view) { return std::string(kDefaultTopicPolicy); }

std::string EffectiveSubscriptionDeliveryPolicy(std::string_view, std::string_view) {
  return R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
         R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
         R"("backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,)"
         R"("guaranteed":false})";
}

}  // namespace ferry::delivery
