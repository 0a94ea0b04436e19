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

// The redelivery backoff's function and jitter by name; an unknown name
// reads as none.
constexpr std::string_view kLinear = "linear";
constexpr std::string_view kExponential = "exponential";
constexpr std::string_view kFullJitter = "full";
constexpr std::string_view kEqualJitter = "equal";

BackoffFunction BackoffFunctionFromText(const std::string& v) {
  if (v == kLinear) return BackoffFunction::kLinear;
  if (v == kExponential) return BackoffFunction::kExponential;
  return BackoffFunction::kNone;
}

BackoffJitter BackoffJitterFromText(const std::string& v) {
  if (v == kFullJitter) return BackoffJitter::kFull;
  if (v == kEqualJitter) return BackoffJitter::kEqual;
  return BackoffJitter::kNone;
}

void BackoffToFields(const RedeliveryBackoff& b, storage::Fields* f) {
  f->emplace_back("backoff_function",
                  std::string(b.function == BackoffFunction::kLinear ? kLinear : kExponential));
  f->emplace_back("backoff_base_s", std::to_string(b.base_s));
  f->emplace_back("backoff_max_s", std::to_string(b.max_s));
  const std::string_view jitter = b.jitter == BackoffJitter::kFull    ? kFullJitter
                                  : b.jitter == BackoffJitter::kEqual ? kEqualJitter
                                                                      : "none";
  f->emplace_back("backoff_jitter", std::string(jitter));
}

constexpr std::string_view kBackoffPrefix = "backoff_";

void BackoffFromField(const std::string& k, const std::string& v, RedeliveryBackoff* b) {
  if (k == "backoff_function") {
    b->function = BackoffFunctionFromText(v);
  } else if (k == "backoff_base_s") {
    b->base_s = ToInt(v, 0);
  } else if (k == "backoff_max_s") {
    b->max_s = ToInt(v, 0);
  } else if (k == "backoff_jitter") {
    b->jitter = BackoffJitterFromText(v);
  }
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
  // Only a queue with a backoff stores it: the settings record of any other
  // queue is the same as before the backoff existed.
  if (s.redelivery_backoff.enabled()) BackoffToFields(s.redelivery_backoff, &f);
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
    else if (k.starts_with(kBackoffPrefix))
      BackoffFromField(k, v, &s.redelivery_backoff);
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
