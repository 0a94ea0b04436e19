// QueueKey: what names a queue in the engine's registry and in the log.
//
// AWS keeps queues apart per region (and per account): `jobs` in us-east-1
// and `jobs` in eu-central-1 are two queues. The engine's registry, its log
// records and its checkpoints name a queue by one string, the key's encoded
// form:
//   home region (region empty)   "jobs"                 (what every log holds
//                                                        from before regions)
//   any other region             "eu-central-1/jobs"
// A queue name never contains '/', and a region never does either (the API
// layer admits only [a-z0-9-]), so the two forms cannot collide and Decode
// inverts Encode. Which region is "home" is the owner's choice (ferry serve's
// --region); the engine never needs to know it. The next step (accounts)
// adds a field here and a form to the encoding.
//
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>

namespace ferry::engine {

struct QueueKey {
  std::string region;  // empty: the home region
  std::string name;

  std::string Encode() const { return region.empty() ? name : region + "/" + name; }
  static QueueKey Decode(std::string_view encoded) {
    size_t slash = encoded.find('/');
    if (slash == std::string_view::npos) return QueueKey{"", std::string(encoded)};
    return QueueKey{std::string(encoded.substr(0, slash)), std::string(encoded.substr(slash + 1))};
  }
  bool operator==(const QueueKey&) const = default;
};

}  // namespace ferry::engine
