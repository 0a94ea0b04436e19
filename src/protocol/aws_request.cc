#include "protocol/aws_request.h"

#include <string_view>

#include "protocol/form.h"
#include "protocol/wire_detect.h"

namespace ferry::protocol {
namespace {

// Whether form text names an Action, as the gateway decodes it.
bool NamesAction(std::string_view form) {
  auto pairs = ParseForm(form);
  if (!pairs.ok()) return true;  // the gateway's MalformedQueryString
  for (const auto& [key, value] : *pairs) {
    if (key == "Action") return true;
  }
  return false;
}

}  // namespace

bool IsAwsRequest(const http::Request& req) {
  if (DetectWire(req.Header("content-type"), req.Header("x-amz-target"), req.body) ==
      api::Wire::kJson) {
    return true;
  }
  const std::string_view target = req.target;
  const size_t q = target.find('?');
  if (q != std::string_view::npos && NamesAction(target.substr(q + 1))) return true;
  // The gateway reads a form body only from a POST.
  return req.method == "POST" && !req.body.empty() && NamesAction(req.body);
}

}  // namespace ferry::protocol
