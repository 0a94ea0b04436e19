// Fuzzes the SNS delivery policies (delivery/delivery_policy.h), which
// callers send as a topic's or a subscription's DeliveryPolicy attribute,
// and the delivery items (sns/delivery_item.h) the worker decodes from its
// queues. The input is validated at both levels: a refusal must be
// kInvalidArgument, and validation must give the same answer twice. Any
// input, valid or not, must give an effective policy whose schedule is
// within AWS's bounds when it validated, and EffectiveDeliveryPolicy texts
// that parse as JSON. A delivery item that decodes must survive encoding
// and decoding again unchanged (the input's varints need not be the
// shortest form, so its bytes may differ).
#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delivery/delivery_policy.h"
#include "sns/delivery_item.h"

namespace {

using ferry::Code;
using ferry::Status;
namespace delivery = ferry::delivery;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool ParsesAsJson(const std::string& text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

void CheckSchedule(const delivery::DeliveryPolicy& p) {
  const delivery::RetryPolicy& r = p.retry;
  Check(r.num_retries >= 0 && r.num_backoff() >= 0);
  Check(delivery::TotalRetryTimeS(r) <= 3600);
  for (int64_t retry = 1; retry <= r.num_retries; ++retry) {
    const int64_t nominal = delivery::NominalRetryDelayS(r, retry);
    Check(nominal >= 0 && nominal <= r.max_delay_s);
    const int64_t low = delivery::RetryDelayS(r, retry, 0.0);
    const int64_t high = delivery::RetryDelayS(r, retry, 0.999999);
    Check(low >= 0 && low <= high);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const Status topic = delivery::ValidateTopicDeliveryPolicy(input);
  const Status sub = delivery::ValidateSubscriptionDeliveryPolicy(input);
  Check(topic.ok() || topic.code() == Code::kInvalidArgument);
  Check(sub.ok() || sub.code() == Code::kInvalidArgument);
  Check(delivery::ValidateTopicDeliveryPolicy(input).ok() == topic.ok());
  Check(delivery::ValidateSubscriptionDeliveryPolicy(input).ok() == sub.ok());

  // Effective policies never fail, whatever is stored.
  const delivery::DeliveryPolicy as_sub = delivery::EffectiveDeliveryPolicy("", input);
  const delivery::DeliveryPolicy as_topic = delivery::EffectiveDeliveryPolicy(input, "");
  if (sub.ok()) CheckSchedule(as_sub);
  if (topic.ok()) CheckSchedule(as_topic);
  if (topic.ok()) Check(ParsesAsJson(delivery::EffectiveTopicDeliveryPolicy(input)));
  if (sub.ok()) Check(ParsesAsJson(delivery::EffectiveSubscriptionDeliveryPolicy("", input)));

  if (auto item = ferry::sns::DecodeDeliveryItem(input)) {
    const std::string encoded = ferry::sns::EncodeDeliveryItem(*item);
    auto again = ferry::sns::DecodeDeliveryItem(encoded);
    Check(again.has_value() && again->type == item->type &&
          again->message_id == item->message_id && again->body == item->body);
  }
  return 0;
}
