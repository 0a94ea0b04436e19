#include "protocol/wire_detect.h"

#include <cctype>

namespace ferry::protocol {
namespace {

// The media type without parameters, trimmed and lower-cased.
std::string MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  std::string out;
  for (char c : content_type) {
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool HasFormAction(std::string_view body) {
  return body.starts_with("Action=") || body.find("&Action=") != std::string_view::npos;
}

}  // namespace

api::Wire DetectWire(std::string_view content_type, std::string_view amz_target,
                     std::string_view body) {
  std::string media = MediaType(content_type);
  if (media == "application/x-www-form-urlencoded") return api::Wire::kQuery;
  if (media.starts_with("application/x-amz-json-")) return api::Wire::kJson;
  if (amz_target.empty() || HasFormAction(body)) return api::Wire::kQuery;
  return api::Wire::kJson;
}

}  // namespace ferry::protocol
