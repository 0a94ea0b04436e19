// QueueKey: what names a queue in the engine's registry and in the log.
//
// AWS keeps queues apart per account and per region: `jobs` of account
// 111111111111 and `jobs` of 222222222222 are two queues, and so are `jobs`
// in us-east-1 and in eu-central-1. The engine's registry, its log records
// and its checkpoints name a queue by one string, the key's encoded form:
//   default account, home region   "jobs"                 (what every log holds
//                                                          from before regions)
//   default account, other region  "eu-central-1/jobs"    (from before accounts)
//   other account, home region     "111111111111//jobs"
//   other account, other region    "111111111111/eu-central-1/jobs"
// A queue name never contains '/', nor does a region (the API layer admits
// only [a-z0-9-]) or an account (12 digits), so the number of slashes tells
// the forms apart and Decode inverts Encode; every key written before
// accounts decodes as the default account's. Which account is the default
// and which region is home is the owner's choice (ferry serve's --account-id
// and --region); the engine never needs to know them, and treats the encoded
// key as an opaque name.
//
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>

namespace ferry::engine {

struct QueueKey {
  std::string region;  // empty: the home region
  std::string name;
  // Empty: the server's default account. Declared last so that the keys
  // written {region, name} before accounts keep their meaning.
  std::string account;

  std::string Encode() const {
    if (account.empty()) return region.empty() ? name : region + "/" + name;
    return account + "/" + region + "/" + name;
  }
  static QueueKey Decode(std::string_view encoded) {
    const size_t first = encoded.find('/');
    if (first == std::string_view::npos) return QueueKey{"", std::string(encoded), ""};
    const size_t last = encoded.rfind('/');
    const std::string name(encoded.substr(last + 1));
    if (first == last) return QueueKey{std::string(encoded.substr(0, first)), name, ""};
    return QueueKey{std::string(encoded.substr(first + 1, last - first - 1)), name,
                    std::string(encoded.substr(0, first))};
  }
  bool operator==(const QueueKey&) const = default;
};

}  // namespace ferry::engine
