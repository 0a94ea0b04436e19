#include "auth/sigv4.h"

#include <vector>

namespace ferry::auth {

std::optional<CredentialScope> ParseCredential(std::string_view credential) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty()) return std::nullopt;
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                         std::string(parts[3])};
}

bool IsRegionName(std::string_view region) {
  if (region.empty() || region.size() > 32) return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::optional<CredentialScope> ParseAuthorizationHeader(std::string_view header) {
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
  if (!header.starts_with(kAlgorithm)) return std::nullopt;
  size_t pos = header.find("Credential=");
  if (pos == std::string_view::npos) return std::nullopt;
  pos += std::string_view("Credential=").size();
  size_t end = header.find_first_of(", ", pos);
  return ParseCredential(header.substr(pos, end == std::string_view::npos ? end : end - pos));
}

}  // namespace ferry::auth
