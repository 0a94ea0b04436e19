#include "engine/postgres/pg_journey.h"

#include <string>
#include <string_view>

namespace ferry::engine::pg {
namespace {

// The rows in the order given (WITH ORDINALITY): their identities, and so
// their order in a journey, follow the order the changes were made in.
constexpr const char* kWriteJourney = R"sql(
INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, visible_until_ms,
                           detail)
SELECT e.q, e.m, e.k::smallint, e.rc, e.at, e.vis, e.d
FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
            $7::text[]) WITH ORDINALITY AS e(q, m, k, rc, at, vis, d, ord)
ORDER BY e.ord
)sql";

// A queue's cut: the seq of its ($2 + 1)-th newest row, 0 when it holds no
// more than $2 rows. Finding it reads $2 entries of the primary key, which
// two probes spare while the queue's seq span shows it cannot hold more.
std::string CutSql(const std::string& queue, const std::string& n) {
  return "CASE WHEN (SELECT max(seq) FROM ferry_journey WHERE queue_id = " + queue +
         ") - (SELECT min(seq) FROM ferry_journey WHERE queue_id = " + queue + ") < " + n +
         " THEN 0 ELSE coalesce((SELECT c.seq FROM ferry_journey c WHERE c.queue_id = " + queue +
         " ORDER BY c.seq DESC OFFSET " + n + " LIMIT 1), 0) END";
}

// A message's events within both bounds: $3 the retention's horizon, $4
// the count (after the queue's cut).
const std::string& ReadJourneySql() {
  static const std::string sql =
      "SELECT at_ms, kind::bigint, receive_count, visible_until_ms, detail FROM ferry_journey "
      "WHERE queue_id = $1 AND message_id = $2 AND at_ms >= $3 AND seq > " +
      CutSql("$1", "$4") + " ORDER BY seq";
  return sql;
}

const std::string& FindCutSql() {
  static const std::string sql = "SELECT " + CutSql("$1", "$2");
  return sql;
}

constexpr const char* kJourneyedQueues =
    "SELECT id, journey_retention_ms, journey_max_events FROM ferry_queues "
    "WHERE journey_max_events IS NOT NULL";

// Each trim deletes at most $3 rows found through an index: by age
// (queue_id, at_ms), by order (queue_id, seq) up to the cut $2.
constexpr const char* kTrimByAge = R"sql(
DELETE FROM ferry_journey WHERE queue_id = $1 AND seq = ANY (ARRAY(
  SELECT j.seq FROM ferry_journey j WHERE j.queue_id = $1 AND j.at_ms < $2
  ORDER BY j.at_ms LIMIT $3))
)sql";
constexpr const char* kTrimBelowCut = R"sql(
DELETE FROM ferry_journey WHERE queue_id = $1 AND seq = ANY (ARRAY(
  SELECT j.seq FROM ferry_journey j WHERE j.queue_id = $1 AND j.seq <= $2
  ORDER BY j.seq LIMIT $3))
)sql";
}  // namespace

JourneyRow SentEvent(const QueueRow& queue, const NewMessage& m, TimeMs now) {
  std::string detail;
  if (!m.group_id.empty()) detail = "group " + std::string(m.group_id);
  if (m.visible_at_ms > m.sent_ms) {
    if (!detail.empty()) detail += ", ";
    detail += "delayed " + std::to_string((m.visible_at_ms - m.sent_ms) / 1000) + "s";
  }
  return JourneyRow{queue.id, m.id, JourneyKind::kSent, 0, now, m.visible_at_ms, detail};
}

Status WriteJourney(PgConn& conn, const std::vector<JourneyRow>& events) {
  if (events.empty()) return Status::Ok();
  std::vector<int64_t> queues, kinds, counts, ats, visible;
  std::vector<std::array<uint8_t, 16>> ids;
  std::vector<std::string_view> details;
  for (const JourneyRow& e : events) {
    queues.push_back(static_cast<int64_t>(e.queue_id));
    ids.push_back(e.message_id);
    kinds.push_back(static_cast<int64_t>(e.kind));
    counts.push_back(e.receive_count);
    ats.push_back(e.at_ms);
    visible.push_back(e.visible_until_ms);
    details.push_back(e.detail);
  }
  return conn
      .Exec(kWriteJourney, Params()
                               .Int8ArrayBinary(queues)
                               .UuidArrayBinary(ids)
                               .Int8ArrayBinary(kinds)
                               .Int8ArrayBinary(counts)
                               .Int8ArrayBinary(ats)
                               .Int8ArrayBinary(visible)
                               .TextArrayBinary(details))
      .status();
}

std::optional<int64_t> JourneyRetentionMs(const QueueSettings& s) {
  std::optional<JourneyConfig> c = JourneyConfigOf(s);
  if (!c) return std::nullopt;
  return c->retention_s * 1000;
}

std::optional<int64_t> JourneyMaxEvents(const QueueSettings& s) {
  std::optional<JourneyConfig> c = JourneyConfigOf(s);
  if (!c) return std::nullopt;
  return c->max_events;
}

Result<std::vector<JourneyEntry>> ReadJourney(PgConn& conn, uint64_t queue_id,
                                              const std::array<uint8_t, 16>& id,
                                              const JourneyConfig& config, TimeMs now) {
  Result<PgResult> r = conn.Exec(ReadJourneySql(), Params()
                                                       .Int(static_cast<int64_t>(queue_id))
                                                       .Uuid(id)
                                                       .Int(now - config.retention_s * 1000)
                                                       .Int(config.max_events));
  if (!r.ok()) return r.status();
  std::vector<JourneyEntry> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back(JourneyEntry{r->Int(i, 0),
                               std::string(JourneyKindName(static_cast<JourneyKind>(r->Int(i, 1)))),
                               static_cast<uint32_t>(r->Int(i, 2)), r->Int(i, 3), r->Str(i, 4)});
  }
  return out;
}

void JourneyTrimmer::Trim(PgConn& conn, TimeMs now) {
  Result<PgResult> queues = conn.Exec(kJourneyedQueues);
  if (!queues.ok()) return;
  const bool find_cuts = !cuts_ms_ || now - *cuts_ms_ >= kJourneyCutMs || now < *cuts_ms_;
  std::unordered_map<int64_t, int64_t> cuts;
  for (int i = 0; i < queues->rows(); ++i) {
    const int64_t id = queues->Int(i, 0);
    (void)conn.Exec(kTrimByAge,
                    Params().Int(id).Int(now - queues->Int(i, 1)).Int(kJourneyTrimBatch));
    int64_t cut = 0;
    if (find_cuts) {
      Result<PgResult> found = conn.Exec(FindCutSql(), Params().Int(id).Int(queues->Int(i, 2)));
      if (found.ok() && found->rows() > 0) cut = found->Int(0, 0);
    } else if (auto it = cuts_.find(id); it != cuts_.end()) {
      cut = it->second;
    }
    if (cut > 0) {
      (void)conn.Exec(kTrimBelowCut, Params().Int(id).Int(cut).Int(kJourneyTrimBatch));
    }
    cuts[id] = cut;  // queues no longer journeyed drop out
  }
  cuts_ = std::move(cuts);
  if (find_cuts) cuts_ms_ = now;
}

}  // namespace ferry::engine::pg
