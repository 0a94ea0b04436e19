#include "sqs/queue_url.h"

#include <algorithm>

#include "api/errors.h"
#include "auth/identity.h"
#include "auth/sigv4.h"

namespace ferry::sqs {

namespace {

constexpr std::string_view kRegionPathPrefix = "queue";

// The URL's path without query, fragment and trailing slashes; "" when the
// URL has a scheme and host but no path.
std::string_view UrlPath(std::string_view url) {
  // One pass, not find_first_of("?#"), which calls memchr on the set for
  // every character of the URL (two URL reads per request).
  const auto end =
      std::find_if(url.begin(), url.end(), [](char c) { return c == '?' || c == '#'; });
  url = url.substr(0, static_cast<size_t>(end - url.begin()));
  if (size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    size_t path = url.find('/', scheme_end + 3);
    if (path == std::string_view::npos) return {};
    url = url.substr(path);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

}  // namespace

std::string MakeQueueUrl(const api::CallContext& ctx, std::string_view account_id,
                         std::string_view name, std::string_view region) {
  std::string_view scheme = ctx.scheme.empty() ? std::string_view("http") : ctx.scheme;
  std::string_view host = ctx.host.empty() ? std::string_view("localhost") : ctx.host;
  std::string url;
  url.reserve(scheme.size() + host.size() + account_id.size() + name.size() + region.size() + 12);
  url.append(scheme).append("://").append(host).append("/");
  if (!region.empty()) url.append(kRegionPathPrefix).append("/").append(region).append("/");
  url.append(account_id).append("/").append(name);
  return url;
}

std::string MakeQueueArn(std::string_view region, std::string_view account_id,
                         std::string_view name) {
  std::string arn = "arn:aws:sqs:";
  arn.append(region).append(":").append(account_id).append(":").append(name);
  return arn;
}

std::optional<QueueArn> ParseQueueArn(std::string_view arn) {
  std::string_view parts[6];
  size_t n = 0;
  size_t start = 0;
  while (n < 6) {
    size_t colon = n == 5 ? std::string_view::npos : arn.find(':', start);
    parts[n++] = arn.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (n != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != "sqs" || parts[3].empty() ||
      parts[4].empty() || parts[5].empty() || parts[5].find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  return QueueArn{parts[3], parts[4], parts[5]};
}

std::optional<std::string_view> QueueNameFromUrl(std::string_view url) {
  std::string_view path = UrlPath(url);
  std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  if (name.empty()) return std::nullopt;
  return name;
}

std::optional<std::string_view> QueueRegionFromUrl(std::string_view url) {
  // "/queue/<region>/<account>/<name>": exactly three segments after the
  // prefix. Most URLs name the server's own region: one search tells.
  constexpr std::string_view prefix = "/queue/";
  static_assert(prefix.substr(1, prefix.size() - 2) == kRegionPathPrefix);
  if (url.find(prefix) == std::string_view::npos) return std::nullopt;
  if (!url.starts_with("/") && url.find("://") == std::string_view::npos) return std::nullopt;
  std::string_view path = UrlPath(url);
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  if (std::count(path.begin(), path.end(), '/') != 2) return std::nullopt;
  std::string_view region = path.substr(0, path.find('/'));
  if (!auth::IsRegionName(region)) return std::nullopt;
  return region;
}

std::optional<std::string_view> QueueAccountFromUrl(std::string_view url) {
  std::string_view path = UrlPath(url);
  const size_t name_start = path.rfind('/');
  if (name_start == std::string_view::npos) return std::nullopt;
  path = path.substr(0, name_start);
  std::string_view account = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  if (!auth::IsAccountId(account)) return std::nullopt;
  return account;
}

Status ValidateQueueName(std::string_view name, bool fifo) {
  bool ok = name.size() <= 80;
  if (fifo) name.remove_suffix(std::string_view(".fifo").size());  // CheckQueueKind saw it
  ok = ok && !name.empty();
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return Status::Ok();
  return api::Error(api::ErrorId::kInvalidParameterValue,
                    "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 "
                    "in length");
}

}  // namespace ferry::sqs
