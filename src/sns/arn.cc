#include "sns/arn.h"

#include <array>

namespace ferry::sns {

std::optional<Arn> ParseArn(std::string_view arn) {
  std::array<std::string_view, 5> parts;
  size_t start = 0;
  for (std::string_view& part : parts) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    part = arn.substr(start, colon - start);
    start = colon + 1;
  }
  if (parts[0] != "arn") return std::nullopt;
  Arn out{parts[1], parts[2], parts[3], parts[4], arn.substr(start)};
  if (out.partition.empty() || out.service.empty() || out.region.empty() ||
      out.account.empty() || out.resource.empty()) {
    return std::nullopt;
  }
  return out;
}

std::string MakeTopicArn(std::string_view region, std::string_view account,
                         std::string_view name) {
  std::string arn = "arn:aws:sns:";
  arn.append(region).append(":").append(account).append(":").append(name);
  return arn;
}

std::optional<Arn> ParseTopicArn(std::string_view arn) {
  std::optional<Arn> parsed = ParseArn(arn);
  if (!parsed || parsed->service != "sns" ||
      parsed->resource.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  return parsed;
}

std::optional<Arn> ParseSubscriptionArn(std::string_view arn, std::string* topic_arn) {
  std::optional<Arn> parsed = ParseArn(arn);
  if (!parsed || parsed->service != "sns") return std::nullopt;
  const size_t colon = parsed->resource.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == parsed->resource.size() ||
      parsed->resource.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (topic_arn != nullptr) *topic_arn = std::string(arn.substr(0, arn.size() - (parsed->resource.size() - colon)));
  return parsed;
}

std::optional<Arn> ParseQueueArn(std::string_view arn) {
  std::optional<Arn> parsed = ParseArn(arn);
  if (!parsed || parsed->service != "sqs" ||
      parsed->resource.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  return parsed;
}

bool ValidTopicName(std::string_view name, bool fifo) {
  constexpr std::string_view kFifo = ".fifo";
  if (name.empty() || name.size() > 256) return false;
  if (fifo) {
    if (!name.ends_with(kFifo)) return false;
    name.remove_suffix(kFifo.size());
    if (name.empty()) return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void AppendUrlEncoded(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == ':') {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

}  // namespace ferry::sns
