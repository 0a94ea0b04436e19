// Journey: the history of each message of a queue that keeps journeys (the
// queue attribute FerryMessageJourney): sent, each receive, visibility
// changes, moves to a dead-letter queue and back, deletion, expiry, purge.
// It answers the operator's "what happened to this message?"
// (Queue::Journey, the admin action Ferry.GetMessageJourney).
//
// A queue owns one Journey beside its state and reports each change of a
// message to it, under the queue's mutex, right after the change's own
// journal call succeeded. A queue that keeps no journeys pays one branch
// per change (the inline `on()` test of each Note* below); nothing else.
//
// Bounds: at most max_events events per queue and none older than
// retention; the oldest go first. An event costs sizeof(Event) = 72 bytes
// in a deque, plus its detail when longer than the string's inline buffer
// (15 bytes; most details are empty or a queue name).
//
// Durability: each event is a JourneyEvent record (storage/record.h)
// appended through the queue's Journal right after the change's record,
// under the same mutex, so both reach the same or consecutive group-commit
// batches and an answer that waited for its change (Engine::AfterDurable)
// also waited for the event. Recovery hands the records back to Recover;
// a checkpoint writes the kept events as the same records (Snapshot).
// Switching journeys off (an empty FerryMessageJourney) drops the events;
// the settings record that did it is replayed in the same place.
//
// Thread-safety: none of its own; the owning queue's mutex guards it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "engine/journal.h"
#include "engine/seq_index.h"
#include "engine/types.h"
#include "storage/record.h"

namespace ferry::engine {

// The kinds of event; the numbers are written in JourneyEvent records.
enum class JourneyKind : uint8_t {
  kSent = 1,
  kReceived = 2,
  kVisibilityChanged = 3,
  kDeleted = 4,
  kExpired = 5,
  kPurged = 6,
  kMovedToDeadLetterQueue = 7,
  kMovedFrom = 8,
  kMovedTo = 9,
  kCancelled = 10,  // a scheduled message cancelled (Queue::Cancel: NoteCancelled)
  kDropped = 11,    // `ferry repair` deleted it: its body was lost
};

// "Sent", "Received", ...; empty for a number no version wrote.
std::string_view JourneyKindName(JourneyKind kind);

// The queue attribute that opts a queue in, kept in QueueSettings::extra.
inline constexpr std::string_view kJourneyAttribute = "FerryMessageJourney";

struct JourneyConfig {
  int64_t retention_s = 86400;
  int64_t max_events = 100000;
};
inline constexpr int64_t kMinJourneyRetentionS = 60;
inline constexpr int64_t kMaxJourneyRetentionS = 1209600;
inline constexpr int64_t kMinJourneyEvents = 1000;
inline constexpr int64_t kMaxJourneyEvents = 10000000;

// The attribute's canonical value, as the SQS layer stores it.
std::string JourneyConfigValue(const JourneyConfig& c);
// The queue's journey configuration; nullopt when it keeps none. Reads the
// canonical value (JourneyConfigValue); anything else keeps none.
std::optional<JourneyConfig> JourneyConfigOf(const QueueSettings& s);

class Journey {
 public:
  // `journal` and `clock` must outlive the journey (the queue owns all).
  Journey(Journal* journal, const Clock& clock, const QueueSettings& settings);

  bool on() const { return config_.has_value(); }

  // The queue's settings changed (or were recovered): switching off drops
  // every event; smaller bounds drop the oldest.
  void Configure(const QueueSettings& settings);

  // The hooks, one per change. Each costs a branch when the journey is off.
  void NoteSent(const MessageEntry& e, TimeMs visible_at_ms, const std::string* group) {
    if (on()) Sent(e, visible_at_ms, group);
  }
  // A change of message `e` (its receive count as now); `visible_until_ms`:
  // where its flight ends (Received, VisibilityChanged), 0 otherwise.
  void Note(JourneyKind kind, const MessageEntry& e, TimeMs visible_until_ms = 0) {
    if (on()) Add(kind, e.message_id, e.receive_count, clock_.NowMs(), visible_until_ms, {});
  }
  // A change made at `at_ms` whose deadline was reckoned from that moment
  // (Received, VisibilityChanged): the event carries that moment, so its
  // flight is exactly the timeout asked for even if the clock moved since.
  void NoteAt(JourneyKind kind, const MessageEntry& e, TimeMs at_ms, TimeMs visible_until_ms) {
    if (on()) Add(kind, e.message_id, e.receive_count, at_ms, visible_until_ms, {});
  }
  // A kind whose detail names another queue (moves).
  void NoteMove(JourneyKind kind, const std::array<uint8_t, 16>& id, uint32_t receive_count,
                std::string_view detail) {
    if (on()) Add(kind, id, receive_count, clock_.NowMs(), 0, detail);
  }
  // Every stored message of `index` (a purge), at most max_events of them.
  template <class Index>
  void NoteAll(JourneyKind kind, const Index& index) {
    if (!on()) return;
    size_t n = 0;
    index.ForEach([&](const MessageEntry& e) {
      if (n++ < static_cast<size_t>(config_->max_events)) Note(kind, e);
    });
  }
  // Queue::Cancel's hook: a scheduled message cancelled before delivery.
  void NoteCancelled(const MessageEntry& e) { Note(JourneyKind::kCancelled, e); }

  // The events of `id` kept now, oldest first.
  std::vector<JourneyEntry> Find(const std::array<uint8_t, 16>& id) const;
  size_t size() const { return events_.size(); }

  // Recovery: an event as its record holds it (nothing written).
  void Recover(const storage::JourneyEvent& r);
  // Checkpoint: the events kept, as records of `queue_id`.
  void Snapshot(uint64_t queue_id, std::string* out, uint64_t* records) const;

 private:
  struct Event {
    std::array<uint8_t, 16> message_id;
    TimeMs at_ms;
    TimeMs visible_until_ms;
    uint32_t receive_count;
    JourneyKind kind;
    std::string detail;
  };
  void Sent(const MessageEntry& e, TimeMs visible_at_ms, const std::string* group);
  void Add(JourneyKind kind, const std::array<uint8_t, 16>& id, uint32_t receive_count,
           TimeMs at_ms, TimeMs visible_until_ms, std::string_view detail);
  // Keeps the bounds: at most max_events, none older than retention.
  void Trim(TimeMs now);
  TimeMs Horizon(TimeMs now) const { return now - config_->retention_s * 1000; }

  Journal* const journal_;
  const Clock& clock_;
  std::optional<JourneyConfig> config_;
  std::deque<Event> events_;  // in time order
};

}  // namespace ferry::engine
