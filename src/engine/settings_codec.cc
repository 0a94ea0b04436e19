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

constexpr std::string_view kMessageGroupScope = "message_group";

DedupScope DedupScopeFromText(const std::string& v) {
  return v == kMessageGroupScope ? DedupScope::kMessageGroup : DedupScope::kQueue;
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
  if (s.fifo) {
    // Only FIFO queues store these: a standard queue's settings record is
    // the same as before FIFO queues existed.
    f.emplace_back("fifo", "1");
    f.emplace_back("content_based_dedup", s.content_based_dedup ? "1" : "0");
    f.emplace_back("dedup_scope", s.dedup_scope == DedupScope::kMessageGroup
                                      ? std::string(kMessageGroupScope)
                                      : std::string("queue"));
    f.emplace_back("throughput_per_group", s.throughput_per_group ? "1" : "0");
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
    else if (k == "fifo") s.fifo = v == "1";
    else if (k == "content_based_dedup") s.content_based_dedup = v == "1";
    else if (k == "dedup_scope") s.dedup_scope = DedupScopeFromText(v);
    else if (k == "throughput_per_group") s.throughput_per_group = v == "1";
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
