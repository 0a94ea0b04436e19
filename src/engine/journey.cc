#include "engine/journey.h"

#include <algorithm>
#include <charconv>

namespace ferry::engine {
namespace {

constexpr std::array<std::string_view, 12> kKindNames = {
    "",          "Sent",    "Received",  "VisibilityChanged",
    "Deleted",   "Expired", "Purged",    "MovedToDeadLetterQueue",
    "MovedFrom", "MovedTo", "Cancelled", "Dropped"};

// The integer after `"name":` in `value`; nullopt when absent or malformed.
std::optional<int64_t> FieldOf(std::string_view value, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":";
  const size_t at = value.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = value.data() + at + key.size();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(begin, value.data() + value.size(), v);
  if (ec != std::errc() || p == begin) return std::nullopt;
  return v;
}

}  // namespace

std::string_view JourneyKindName(JourneyKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view();
}

std::string JourneyConfigValue(const JourneyConfig& c) {
  return "{\"retentionSeconds\":" + std::to_string(c.retention_s) +
         ",\"maxEvents\":" + std::to_string(c.max_events) + "}";
}

std::optional<JourneyConfig> JourneyConfigOf(const QueueSettings& s) {
  auto it = s.extra.find(std::string(kJourneyAttribute));
  if (it == s.extra.end()) return std::nullopt;
  std::optional<int64_t> retention = FieldOf(it->second, "retentionSeconds");
  std::optional<int64_t> max = FieldOf(it->second, "maxEvents");
  if (!retention || !max || *retention < kMinJourneyRetentionS ||
      *retention > kMaxJourneyRetentionS || *max < kMinJourneyEvents || *max > kMaxJourneyEvents) {
    return std::nullopt;
  }
  return JourneyConfig{*retention, *max};
}

Journey::Journey(Journal* journal, const Clock& clock, const QueueSettings& settings)
    : journal_(journal), clock_(clock), config_(JourneyConfigOf(settings)) {}

void Journey::Configure(const QueueSettings& settings) {
  config_ = JourneyConfigOf(settings);
  if (!on()) {
    events_ = {};
    return;
  }
  Trim(clock_.NowMs());
}

void Journey::Sent(const MessageEntry& e, TimeMs visible_at_ms, const std::string* group) {
  std::string detail;
  if (group != nullptr) detail = "group " + *group;
  if (visible_at_ms > e.sent_ms) {
    if (!detail.empty()) detail += ", ";
    detail += "delayed " + std::to_string((visible_at_ms - e.sent_ms) / 1000) + "s";
  }
  Add(JourneyKind::kSent, e.message_id, 0, clock_.NowMs(), visible_at_ms, detail);
}

void Journey::Add(JourneyKind kind, const std::array<uint8_t, 16>& id, uint32_t receive_count,
                  TimeMs at_ms, TimeMs visible_until_ms, std::string_view detail) {
  storage::JourneyEvent r{.message_id = id,
                          .kind = static_cast<uint8_t>(kind),
                          .at_ms = at_ms,
                          .receive_count = receive_count,
                          .visible_until_ms = visible_until_ms,
                          .detail = std::string(detail)};
  // The change this event describes is made and recorded already; a log
  // that refuses this record now fails that change's wait for durability
  // too (log.h: every waiter behind a failed batch gets kUnavailable), so
  // no answered change lacks its event. Memory follows the log either way.
  (void)journal_->JourneyEvent(r);
  Recover(r);
  Trim(clock_.NowMs());
}

void Journey::Trim(TimeMs now) {
  const TimeMs horizon = Horizon(now);
  const auto max = static_cast<size_t>(config_->max_events);
  while (!events_.empty() && (events_.size() > max || events_.front().at_ms < horizon)) {
    events_.pop_front();
  }
}

void Journey::Recover(const storage::JourneyEvent& r) {
  if (!on()) return;
  events_.push_back(Event{r.message_id, r.at_ms, r.visible_until_ms, r.receive_count,
                          static_cast<JourneyKind>(r.kind), r.detail});
  if (events_.size() > static_cast<size_t>(config_->max_events)) events_.pop_front();
}

std::vector<JourneyEntry> Journey::Find(const std::array<uint8_t, 16>& id) const {
  std::vector<JourneyEntry> out;
  if (!on()) return out;
  const TimeMs horizon = Horizon(clock_.NowMs());
  for (const Event& e : events_) {
    if (e.message_id != id || e.at_ms < horizon) continue;
    out.push_back(JourneyEntry{e.at_ms, std::string(JourneyKindName(e.kind)), e.receive_count,
                               e.visible_until_ms, e.detail});
  }
  return out;
}

void Journey::Snapshot(uint64_t queue_id, std::string* out, uint64_t* records) const {
  if (!on()) return;
  const TimeMs horizon = Horizon(clock_.NowMs());
  for (const Event& e : events_) {
    if (e.at_ms < horizon) continue;
    storage::EncodeRecord(storage::JourneyEvent{.queue_id = queue_id,
                                                .message_id = e.message_id,
                                                .kind = static_cast<uint8_t>(e.kind),
                                                .at_ms = e.at_ms,
                                                .receive_count = e.receive_count,
                                                .visible_until_ms = e.visible_until_ms,
                                                .detail = e.detail},
                          out);
    ++*records;
  }
}

}  // namespace ferry::engine
