#include "protocol/wire_detect.h"

#include "common/ascii.h"

namespace ferry::protocol {
namespace {

// The media type without its parameters, trimmed.
std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  return content_type;
}

bool HasFormAction(std::string_view body) {
  return body.starts_with("Action=") || body.find("&Action=") != std::string_view::npos;
}

}  // namespace

api::Wire DetectWire(std::string_view content_type, std::string_view amz_target,
                     std::string_view body) {
  const std::string_view media = MediaType(content_type);
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (media.size() == kForm.size() && StartsWithIgnoringAsciiCase(media, kForm))
    return api::Wire::kQuery;
  if (StartsWithIgnoringAsciiCase(media, "application/x-amz-json-")) return api::Wire::kJson;
  if (amz_target.empty() || HasFormAction(body)) return api::Wire::kQuery;
  return api::Wire::kJson;
}

}  // namespace ferry::protocol
