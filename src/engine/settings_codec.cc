#include "engine/settings_codec.h"

#include <charconv>

namespace ferry::engine {
namespace {

// Engine settings are stored under these names; `extra` entries under
// "x." + their own name, so the two can never collide.
constexpr std::string_view kExtraPrefix = "x.";

int64_t ToInt(const std::string& s, int64_t fallback) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

}  // namespace

storage::Fields SettingsToFields(const QueueSettings& s) {
  storage::Fields f = {
      {"visibility_timeout_s", std::to_string(s.visibility_timeout_s)},
      {"delay_s", std::to_string(s.delay_s)},
      {"max_message_size", std::to_string(s.max_message_size)},
      {"retention_s", std::to_string(s.retention_s)},
      {"receive_wait_s", std::to_string(s.receive_wait_s)},
  };
  if (!s.dead_letter_queue.empty()) {
    f.emplace_back("dead_letter_queue", s.dead_letter_queue);
    f.emplace_back("max_receive_count", std::to_string(s.max_receive_count));
  }
  for (const auto& [k, v] : s.extra) f.emplace_back(std::string(kExtraPrefix) + k, v);
  return f;
}

QueueSettings SettingsFromFields(const storage::Fields& fields) {
  QueueSettings s;
  for (const auto& [k, v] : fields) {
    if (k == "visibility_timeout_s") s.visibility_timeout_s = ToInt(v, s.visibility_timeout_s);
    else if (k == "delay_s") s.delay_s = ToInt(v, s.delay_s);
    else if (k == "max_message_size") s.max_message_size = ToInt(v, s.max_message_size);
    else if (k == "retention_s") s.retention_s = ToInt(v, s.retention_s);
    else if (k == "receive_wait_s") s.receive_wait_s = ToInt(v, s.receive_wait_s);
    else if (k == "dead_letter_queue") s.dead_letter_queue = v;
    else if (k == "max_receive_count") s.max_receive_count = ToInt(v, s.max_receive_count);
    else if (k.starts_with(kExtraPrefix)) s.extra[k.substr(kExtraPrefix.size())] = v;
  }
  return s;
}

storage::Fields TagsToFields(const std::map<std::string, std::string>& tags) {
  return storage::Fields(tags.begin(), tags.end());
}

std::map<std::string, std::string> TagsFromFields(const storage::Fields& fields) {
  return std::map<std::string, std::string>(fields.begin(), fields.end());
}

}  // namespace ferry::engine
