// Message journeys (engine/journey.h) on the PostgreSQL engine: the events
// of a journeyed queue's messages as rows of ferry_journey (migration 4),
// written in the transaction of the change they describe, read in their
// order (the row's identity `seq`), trimmed by Tick's housekeeping.
//
// Only queues whose settings carry FerryMessageJourney write events; their
// operations leave the shared statements for transactional paths that add
// one multi-row INSERT (README.md, "Message journeys"). A queue without
// journeys takes none of these paths: what it pays is the test of its
// cached settings (Journeyed) per operation.
//
// The kinds, details and receive counts are the local engine's (journey.h,
// local_queue*.cc), so GetMessageJourney answers alike on both engines.
//
// Thread-safety: functions of their arguments and the caller's connection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/journey.h"
#include "engine/postgres/pg_conn.h"
#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

// One event to write.
struct JourneyRow {
  uint64_t queue_id = 0;
  std::array<uint8_t, 16> message_id{};
  JourneyKind kind = JourneyKind::kSent;
  int64_t receive_count = 0;
  TimeMs at_ms = 0;
  TimeMs visible_until_ms = 0;  // where its flight ends (Received, VisibilityChanged), else 0
  std::string detail;
};

// Whether `row`'s queue keeps journeys (its cached settings; no I/O).
inline bool Journeyed(const QueueRow& row) { return JourneyConfigOf(row.settings).has_value(); }
inline bool Journeyed(const QueueRow* row) { return row != nullptr && Journeyed(*row); }

// The Sent event of a message stored in `queue` (the local engine's
// detail: "group G", "delayed Ns", or both).
JourneyRow SentEvent(const QueueRow& queue, const NewMessage& m, TimeMs now);

// Writes `events` in their order, in the caller's transaction (or as a
// statement of its own): one INSERT of every row.
Status WriteJourney(PgConn& conn, const std::vector<JourneyRow>& events);

// The columns ferry_queues keeps of the journey setting, so that the
// housekeeping finds the journeyed queues without decoding settings:
// retention and count bound, NULL when the queue keeps none.
std::optional<int64_t> JourneyRetentionMs(const QueueSettings& s);
std::optional<int64_t> JourneyMaxEvents(const QueueSettings& s);

// The events of message `id` of queue `queue_id` under `config`, oldest
// first: none older than the retention, none beyond the newest max_events
// of the queue (the bounds hold at once, whatever the housekeeping did).
Result<std::vector<JourneyEntry>> ReadJourney(PgConn& conn, uint64_t queue_id,
                                              const std::array<uint8_t, 16>& id,
                                              const JourneyConfig& config, TimeMs now);

// The housekeeping's trims (Tick, once a second): for each journeyed queue,
// at most kJourneyTrimBatch rows older than its retention (an index range
// by age), and at most as many before its count cut: the seq below which
// the queue holds more than max_events newer rows. Finding a cut reads
// max_events index entries, so each queue's cut is found again at most
// every kJourneyCutMs, and not at all while the queue's seq span (two
// probes) shows it cannot hold more than max_events rows; the deletes
// below a known cut are index ranges. Errors are left to the next run.
//
// Thread-safety: one thread at a time (Tick's).
class JourneyTrimmer {
 public:
  void Trim(PgConn& conn, TimeMs now);

 private:
  std::unordered_map<int64_t, int64_t> cuts_;  // queue id -> seq cut (0: none)
  std::optional<TimeMs> cuts_ms_;              // when the cuts were found
};
inline constexpr int64_t kJourneyTrimBatch = 10000;
inline constexpr TimeMs kJourneyCutMs = 60'000;

}  // namespace ferry::engine::pg
