#include "sns/model.h"

#include <boost/json.hpp>

namespace ferry::sns {

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kSqs:
      return "sqs";
    case Protocol::kHttp:
      return "http";
    case Protocol::kHttps:
      return "https";
  }
  return "sqs";
}

std::string DeadLetterArnOf(const Subscription& sub) {
  auto redrive = sub.attributes.find("RedrivePolicy");
  if (redrive == sub.attributes.end()) return {};
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(redrive->second, ec);
  const boost::json::value* target =
      !ec && v.is_object() ? v.get_object().if_contains("deadLetterTargetArn") : nullptr;
  return target != nullptr && target->is_string() ? std::string(target->get_string())
                                                   : std::string();
}

}  // namespace ferry::sns
