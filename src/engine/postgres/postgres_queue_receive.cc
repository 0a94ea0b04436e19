// PgQueue, part 2: receives. A standard queue without a redelivery backoff
// receives with one statement (ReceiveStandard: an UPDATE of the first
// visible messages, which also moves those due for the dead-letter queue,
// shared by the concurrent receives of the queue on this node), and so
// does a FIFO queue without a dead-letter queue or a backoff (ReceiveFifo:
// ferry_receive_fifo). The others select, decide and update in one
// transaction (ReceiveInTransaction), which also moves the messages due
// for the dead-letter queue, so that a receive and its moves commit
// together.
//
// A queue that keeps journeys (pg_journey.h), or whose dead-letter queue
// does, always takes the transactional path, which writes the Received,
// MovedToDeadLetterQueue and MovedFrom events in the receive's transaction.
//
// Standard queues serve message groups fairly (AWS's fair queues): a
// receive first takes the oldest visible message of each group it visits,
// walking the queue's groups in name order from where this node's last
// receive of the queue stopped (a cursor in PgCore, wrapping around), at
// most kFairWindow groups; then it fills up with the oldest visible
// messages. A group with a large backlog so gets one message per receive
// ahead of the others, like every group, and cannot starve them. The walk
// and the heads are probes of ferry_messages_by_group_visibility (a
// partial index of grouped messages only): bounded by the window, never a
// scan of a backlog, and one empty probe for a queue without groups.
//
// FIFO queues: a receive first locks the rows of ready groups (first
// message visible, none in flight) with FOR UPDATE SKIP LOCKED, so two
// receives, on any nodes, never take the same group; then, in a second
// statement whose snapshot follows every commit of an earlier holder of
// those locks, reads each group's first messages and takes them in order.
// Ready groups come in the order their first messages became visible
// (visible_at_ms; in the same millisecond a message back from flight after
// one never received; then seq): a group released by a visibility timeout
// or a change to 0 comes after the groups that were ready before it.
#include <algorithm>
#include <unordered_map>

#include "engine/dead_letter.h"
#include "engine/postgres/pg_fifo_groups.h"
#include "engine/postgres/pg_journey.h"
#include "engine/postgres/postgres_queue.h"

namespace ferry::engine::pg {
namespace {

constexpr const char* kReturnedColumns =
    "m.seq, m.message_id, m.payload, m.group_id, m.sent_ms, m.first_receive_ms, "
    "m.receive_count, m.dead_letter_source, m.visible_at_ms, m.in_flight";

// How many groups a fair receive visits at most (its bound).
constexpr int kFairWindow = 100;

// The CTEs of a fair receive of a standard queue (WITH RECURSIVE ...), the
// last of them `c` (seq, receive_count, n, group_id, vis): the messages it
// locked with FOR UPDATE SKIP LOCKED, first the oldest visible message of
// each of up to $4 groups (n: the group's place in the walk), then the
// oldest visible messages (n NULL); vis is when each became visible. $1 queue, $2 now, $3 retention
// cutoff (older sends are expired), $4 max, $<cursor> the group the walk starts after ('' : the
// first). The walk `ring` visits the groups after the cursor, then from the first up to the cursor
// again.
//
// The shape keeps plans bounded whatever the statistics (a new database
// has none): the heads are found once (MATERIALIZED) and then locked by
// their keys, never joined row by row; a head's lookup names no column of
// another index (an expired head is left out when locked, and its group
// waits for Tick's expiry); `visible_at_ms + 0` keeps the lock's recheck
// (a head taken meanwhile by another receive is no longer visible: skipped)
// out of the choice of index.
std::string FairCtes(int cursor) {
  const std::string k = "$" + std::to_string(cursor);
  const std::string window = std::to_string(kFairWindow);
  return R"sql(WITH RECURSIVE
after_(gid, n) AS (
  SELECT (SELECT x.group_id FROM ferry_messages x WHERE x.queue_id = $1 AND x.group_id <> ''
          AND x.group_id > )sql" +
         k + R"sql( ORDER BY x.group_id LIMIT 1), 1
  UNION ALL
  SELECT (SELECT x.group_id FROM ferry_messages x WHERE x.queue_id = $1 AND x.group_id <> ''
          AND x.group_id > a.gid ORDER BY x.group_id LIMIT 1), a.n + 1
  FROM after_ a WHERE a.gid IS NOT NULL AND a.n < )sql" +
         window + R"sql(),
before_(gid, n) AS (
  SELECT (SELECT x.group_id FROM ferry_messages x WHERE x.queue_id = $1 AND x.group_id <> ''
          AND )sql" +
         k + R"sql( <> '' ORDER BY x.group_id LIMIT 1), )sql" + window + R"sql( + 1
  UNION ALL
  SELECT (SELECT x.group_id FROM ferry_messages x WHERE x.queue_id = $1 AND x.group_id <> ''
          AND x.group_id > b.gid ORDER BY x.group_id LIMIT 1), b.n + 1
  FROM before_ b WHERE b.gid < )sql" +
         k + " AND b.n < 2 * " + window + R"sql(),
ring AS (
  SELECT r.gid, r.n FROM (SELECT gid, n FROM after_
                          UNION ALL SELECT gid, n FROM before_ WHERE gid <= )sql" +
         k + R"sql() r
  WHERE r.gid IS NOT NULL ORDER BY r.n LIMIT )sql" +
         window + R"sql(),
heads AS MATERIALIZED (
  SELECT h.seq, r.n FROM ring r CROSS JOIN LATERAL (
    SELECT x.seq FROM ferry_messages x
    WHERE x.queue_id = $1 AND x.group_id = r.gid AND x.group_id <> '' AND x.visible_at_ms <= $2
    ORDER BY x.visible_at_ms, x.seq LIMIT 1) h),
hs AS MATERIALIZED (SELECT ARRAY(SELECT seq FROM heads ORDER BY n) AS seqs),
fh AS (
  SELECT m.seq, m.receive_count, array_position((SELECT seqs FROM hs), m.seq) AS n, m.group_id,
         m.visible_at_ms AS vis
  FROM ferry_messages m
  WHERE m.queue_id = $1 AND m.seq = ANY ((SELECT seqs FROM hs)::bigint[])
    AND m.visible_at_ms + 0 <= $2 AND m.sent_ms > $3
  ORDER BY 3 LIMIT $4 FOR UPDATE SKIP LOCKED),
ff AS (
  SELECT seq, receive_count, group_id, visible_at_ms AS vis FROM ferry_messages
  WHERE queue_id = $1 AND visible_at_ms <= $2 AND sent_ms > $3
    AND seq <> ALL (ARRAY(SELECT seq FROM fh))
  ORDER BY visible_at_ms, seq LIMIT $4 - (SELECT count(*) FROM fh) FOR UPDATE SKIP LOCKED),
c AS (SELECT seq, receive_count, n, group_id, vis FROM fh
      UNION ALL SELECT seq, receive_count, NULL::int, group_id, vis FROM ff)
)sql";
}

// The last group the walk visited (NULL: none), a column of the result.
constexpr const char* kRingLast = "(SELECT r.gid FROM ring r ORDER BY r.n DESC LIMIT 1)";

// The places of a shared receive's messages (ReceiveStandardSql), after
// FairCtes: `c`'s messages in order, the groups' heads in the walk's order
// and then the fill by visibility; a message's place is its position.
constexpr const char* kPlacesCte =
    ",\nord AS MATERIALIZED (SELECT ARRAY(SELECT seq FROM c ORDER BY n NULLS LAST, vis, seq) "
    "AS seqs)";
constexpr const char* kPlace = "array_position((SELECT seqs FROM ord), m.seq)";

// The receive of a standard queue without a dead-letter queue or a
// redelivery backoff, for one or more concurrent requests at once
// (PgQueue::RunReceives): $1 queue, $2 now, $3 retention cutoff, $4 how many
// messages in all, $5 the visibility deadline of each place (an array of
// $4), $6 the fair cursor. The messages taken are put in order (the groups'
// heads in the walk's order, then the fill by visibility) and the message
// in place k gets the deadline $5[k]. After kReturnedColumns, a row has the
// message's number among the groups' heads (NULL: a fill), its place (so
// that each request gets the places it was given) and the walk's last
// group, as ReceiveWithDeadLettersSql's rows do. The messages
// are updated by their keys (the array of `ord`), so that the plan's
// estimate of `c` never turns this into a scan.
const std::string& ReceiveStandardSql() {
  static const std::string sql =
      FairCtes(6) + kPlacesCte + "\nUPDATE ferry_messages m SET in_flight = true, " +
      "visible_at_ms = ($5::bigint[])[" + kPlace + "], receive_count = m.receive_count + 1, " +
      "first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN $2 ELSE m.first_receive_ms END " +
      "WHERE m.queue_id = $1 AND m.seq = ANY ((SELECT seqs FROM ord)::bigint[]) RETURNING " +
      kReturnedColumns + ", (SELECT c.n FROM c WHERE c.seq = m.seq), " + kPlace + ", " + kRingLast;
  return sql;
}

// ferry_receive_fifo (migrations.cc): $1 queue, $2 now, $3 retention
// cutoff, $4 max, $5 visibility deadline, $6 receive attempt id. Its rows
// come group by group, in the groups' order.
constexpr const char* kReceiveFifo =
    "SELECT seq, message_id, payload, group_id, sent_ms, first_receive_ms, receive_count, "
    "dead_letter_source, visible_at_ms, in_flight "
    "FROM ferry_receive_fifo($1, $2, $3, $4, $5, $6) WITH ORDINALITY AS f ORDER BY f.ordinality";

// A standard queue with a dead-letter queue, in one statement, shared as
// ReceiveStandardSql is: messages received max_receive_count times already
// move to the DLQ (or stay hidden when it does not exist), the others are
// taken. $1 queue, $2 now, $3 retention cutoff, $4 how many messages in
// all, $5 each place's visibility deadline, $6 max_receive_count, $7 the
// DLQ's id (0: none), $8 whether it is FIFO, $9 this queue's name, $10 the
// fair cursor. One row at least: the moves' count and bytes, then a taken
// message's columns (NULL when none was taken), its head number and place,
// and the walk's last group.
const std::string& ReceiveWithDeadLettersSql() {
  static const std::string sql = FairCtes(10) + kPlacesCte + R"sql(,
taken AS (
  UPDATE ferry_messages m SET in_flight = true,
         visible_at_ms = ($5::bigint[])[)sql" +
                                 kPlace + R"sql(],
         receive_count = m.receive_count + 1,
         first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN $2 ELSE m.first_receive_ms END
  WHERE m.queue_id = $1 AND m.seq = ANY (ARRAY(SELECT seq FROM c WHERE receive_count < $6))
  RETURNING m.seq, m.message_id, m.payload, m.group_id, m.sent_ms, m.first_receive_ms,
            m.receive_count, m.dead_letter_source, m.visible_at_ms, m.in_flight,
            (SELECT c.n FROM c WHERE c.seq = m.seq) AS head, )sql" +
                                 kPlace + R"sql( AS place),
hidden AS (
  UPDATE ferry_messages m SET in_flight = true, visible_at_ms = ($5::bigint[])[)sql" +
                                 kPlace + R"sql(]
  WHERE $7 = 0 AND m.queue_id = $1
    AND m.seq = ANY (ARRAY(SELECT seq FROM c WHERE receive_count >= $6))),
moved AS (
  DELETE FROM ferry_messages m
  WHERE $7 <> 0 AND m.queue_id = $1
    AND m.seq = ANY (ARRAY(SELECT seq FROM c WHERE receive_count >= $6))
  RETURNING m.seq, m.message_id, m.payload, m.group_id, m.sent_ms, m.receive_count,
            m.first_receive_ms),
)sql" + DeadLetterInsertSql(7, 8, 2, 9) +
                                 R"sql(,
n AS (
  SELECT count(*)::bigint AS moved, coalesce(sum(bytes), 0)::bigint AS bytes,
         count(pg_notify('ferry_wake', $7::text)) AS woken
  FROM ins)
SELECT n.moved, n.bytes, t.*, )sql" +
                                 kRingLast + R"sql( FROM n LEFT JOIN taken t ON true
)sql";
  return sql;
}

// The transactional path's select: $1 queue, $2 now, $3 retention cutoff,
// $4 max, $5 the fair cursor.
const std::string& SelectStandardSql() {
  static const std::string sql =
      FairCtes(5) + "SELECT c.seq, c.receive_count, c.n, c.group_id, " + kRingLast + " FROM c";
  return sql;
}

// The first messages of the locked groups, unless one of a group is in
// flight (read again under the locks): $1 queue, $2 groups, $3 max, $4 now.
constexpr const char* kFifoHeads = R"sql(
SELECT g.gid, m.seq, m.receive_count, m.visible_at_ms, m.sent_ms
FROM unnest($2::text[]) WITH ORDINALITY AS g(gid, ord)
CROSS JOIN LATERAL (SELECT seq, receive_count, visible_at_ms, sent_ms FROM ferry_messages
                    WHERE queue_id = $1 AND group_id = g.gid AND group_id <> ''
                    ORDER BY seq LIMIT $3) m
WHERE NOT EXISTS (SELECT 1 FROM ferry_messages f WHERE f.queue_id = $1 AND f.group_id = g.gid
                  AND f.group_id <> '' AND f.in_flight AND f.visible_at_ms > $4)
ORDER BY g.ord, m.seq
)sql";

// $1 queue, $2 now, $3 seqs, $4 their deadlines, $5 the receive attempt id.
constexpr const char* kTake =
    "UPDATE ferry_messages m SET in_flight = true, visible_at_ms = t.deadline, "
    "receive_count = m.receive_count + 1, "
    "first_receive_ms = CASE WHEN m.first_receive_ms = 0 THEN $2 ELSE m.first_receive_ms END, "
    "attempt_id = $5, attempt_ms = $2 "
    "FROM unnest($3::bigint[], $4::bigint[]) AS t(seq, deadline) "
    "WHERE m.queue_id = $1 AND m.seq = t.seq RETURNING ";

// Messages due for a dead-letter queue that does not exist stay hidden
// until the deadline; a later receive tries again.
constexpr const char* kHide =
    "UPDATE ferry_messages SET in_flight = true, visible_at_ms = $3 "
    "WHERE queue_id = $1 AND seq = ANY($2::bigint[])";

constexpr const char* kAttempt =
    "SELECT seq, message_id, payload, group_id, sent_ms, first_receive_ms, receive_count, "
    "dead_letter_source, visible_at_ms, in_flight FROM ferry_messages "
    "WHERE queue_id = $1 AND attempt_id = $2 AND attempt_ms > $3 ORDER BY seq";

TimeMs RetentionCutoff(const QueueRow& row, TimeMs now) {
  return now - SecondsToMs(row.settings.retention_s);
}

// Orders received messages as the plan took them.
void SortByPlan(std::vector<ReceivedMessage>* out, const std::vector<int64_t>& plan) {
  std::unordered_map<uint64_t, size_t> position;
  for (size_t i = 0; i < plan.size(); ++i) position[static_cast<uint64_t>(plan[i])] = i;
  std::sort(out->begin(), out->end(), [&](const ReceivedMessage& a, const ReceivedMessage& b) {
    return position[a.sequence] < position[b.sequence];
  });
}

// Where this node's next fair receive of a queue starts its walk: after the
// last group given a head's turn when the receive had no room for more
// heads (the groups after it wait for the next receive), else after the
// last group visited (each visited group had its turn, or nothing visible).
class FairTurn {
 public:
  // A row of a fair receive's result: `n` its place among the heads
  // (`head_col`, NULL for a fill), `group` its group, `ring_last_col` the
  // walk's last group.
  void Note(const PgResult& r, int row, int head_col, const std::string& group, int ring_last_col) {
    if (!r.IsNull(row, ring_last_col)) ring_last_ = r.Str(row, ring_last_col);
    if (r.IsNull(row, head_col)) return;
    ++heads_;
    if (const int64_t n = r.Int(row, head_col); n > last_head_n_) {
      last_head_n_ = n;
      last_head_group_ = group;
    }
  }
  // Stores the next cursor, unless the walk visited nothing.
  void Save(PgCore& core, uint64_t queue_id, int max) const {
    if (heads_ >= max && !last_head_group_.empty()) {
      core.SetFairCursor(queue_id, last_head_group_);
    } else if (!ring_last_.empty()) {
      core.SetFairCursor(queue_id, ring_last_);
    }
  }

 private:
  int heads_ = 0;
  int64_t last_head_n_ = -1;
  std::string last_head_group_;
  std::string ring_last_;
};

}  // namespace

struct PgQueue::Taking {
  const QueueSettings* settings = nullptr;
  TimeMs now = 0;
  TimeMs deadline = 0;  // now + the visibility timeout
  std::vector<int64_t> seqs;
  std::vector<int64_t> deadlines;
  std::vector<int64_t> dead;  // due for the dead-letter queue

  // Takes a message received `receive_count` times so far, or sets it
  // aside for the dead-letter queue. False when it went to `dead`.
  bool Add(int64_t seq, int64_t receive_count) {
    if (MustDeadLetter(*settings, static_cast<uint32_t>(receive_count))) {
      if (dead.size() < kMaxDeadLettersPerReceive) dead.push_back(seq);
      return false;
    }
    thread_local RandomSource random = SeededRandomSource();
    seqs.push_back(seq);
    deadlines.push_back(RedeliveryDeadline(settings->redelivery_backoff,
                                           static_cast<uint32_t>(receive_count + 1), now, deadline,
                                           random));
    return true;
  }
};

Result<std::vector<ReceivedMessage>> PgQueue::Receive(const ReceiveRequest& req) {
  const std::shared_ptr<const QueueRow> row = Current();
  const TimeMs now = core_->clock().NowMs();
  const QueueSettings& s = row->settings;
  const bool dead_letters = !s.dead_letter_queue.empty() && s.max_receive_count > 0;
  Result<std::vector<ReceivedMessage>> got = std::vector<ReceivedMessage>{};
  uint64_t woken = 0;  // a DLQ that took messages
  // A queue that keeps journeys, or whose dead-letter queue does, receives
  // in a transaction that writes the events (pg_journey.h). The DLQ's row
  // comes from the cache, as the shared receive reads it.
  bool journeyed = Journeyed(*row);
  if (!journeyed && dead_letters) {
    Result<std::shared_ptr<const QueueRow>> dlq = core_->FindRow(s.dead_letter_queue);
    journeyed = dlq.ok() && Journeyed(dlq->get());
  }
  if (journeyed) {
    Result<PgPool::Lease> conn = core_->pool().Acquire();
    if (!conn.ok()) return conn.status();
    got = ReceiveInTransaction(**conn, *row, req, now, &woken);
  } else if (!fifo_ && !s.redelivery_backoff.enabled()) {
    got = ReceiveStandard(*row, req);
  } else if (!dead_letters && !s.redelivery_backoff.enabled()) {
    Result<PgPool::Lease> conn = core_->pool().Acquire();
    if (!conn.ok()) return conn.status();
    got = ReceiveFifo(**conn, *row, req, now);
  } else {
    Result<PgPool::Lease> conn = core_->pool().Acquire();
    if (!conn.ok()) return conn.status();
    got = ReceiveInTransaction(**conn, *row, req, now, &woken);
  }
  // With no connection held: the DLQ's watchers may call the engine.
  if (woken != 0) core_->watchers().Fire(woken);
  if (!got.ok()) return got;
  QueueCounters& counters = core_->Counters(id_);
  counters.received += got->size();
  if (got->empty()) ++counters.empty_receives;
  return got;
}

Result<std::vector<ReceivedMessage>> PgQueue::ReceiveFifo(PgConn& conn, const QueueRow& row,
                                                          const ReceiveRequest& req, TimeMs now) {
  const int64_t timeout_s =
      req.visibility_timeout_s >= 0 ? req.visibility_timeout_s : row.settings.visibility_timeout_s;
  const bool attempt = !req.attempt_id.empty();
  if (attempt) {
    Result<std::vector<ReceivedMessage>> replayed = ReplayAttempt(conn, req.attempt_id, now);
    if (!replayed.ok() || !replayed->empty()) return replayed;
  }
  Result<PgResult> r = conn.Exec(kReceiveFifo, Params()
                                                   .Int(static_cast<int64_t>(id_))
                                                   .Int(now)
                                                   .Int(RetentionCutoff(row, now))
                                                   .Int(std::clamp(req.max_messages, 1, 10))
                                                   .Int(now + SecondsToMs(timeout_s))
                                                   .Text(attempt ? req.attempt_id : std::string()));
  if (!r.ok()) return r.status();
  // Its rows come in its groups' order already.
  std::vector<ReceivedMessage> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) out.push_back(Received(MessageAt(*r, i)));
  return out;
}

Result<std::vector<ReceivedMessage>> PgQueue::ReceiveStandard(const QueueRow& row,
                                                              const ReceiveRequest& req) {
  ReceiveJob job;
  job.max = std::clamp(req.max_messages, 1, 10);
  job.timeout_ms = SecondsToMs(req.visibility_timeout_s >= 0 ? req.visibility_timeout_s
                                                             : row.settings.visibility_timeout_s);
  receives_->Submit(&job);
  if (!job.status.ok()) return job.status;
  return std::move(job.messages);
}

void PgQueue::RunReceives(const std::vector<ReceiveJob*>& group) {
  // The settings as they are now, for every request of the group.
  const std::shared_ptr<const QueueRow> row = Current();
  const QueueSettings& s = row->settings;
  const auto fail = [&](const Status& st) {
    for (ReceiveJob* job : group) job->status = st;
  };
  const bool dead_letters = !s.dead_letter_queue.empty() && s.max_receive_count > 0;
  std::shared_ptr<const QueueRow> dlq;
  if (dead_letters) {
    // The DLQ's row first (from the cache), before a connection is held.
    Result<std::shared_ptr<const QueueRow>> found = core_->FindRow(s.dead_letter_queue);
    if (!found.ok()) return fail(found.status());
    dlq = *found;
  }
  const TimeMs now = core_->clock().NowMs();
  // Place k of the statement's result belongs to the job whose range of
  // places holds it; its deadline counts from now, when the receive runs.
  std::vector<int64_t> deadlines;
  std::vector<size_t> ends;  // each job's places end here (exclusive)
  for (const ReceiveJob* job : group) {
    deadlines.insert(deadlines.end(), static_cast<size_t>(job->max), now + job->timeout_ms);
    ends.push_back(deadlines.size());
  }
  const auto total = static_cast<int64_t>(deadlines.size());
  Params params;
  params.Int(static_cast<int64_t>(id_)).Int(now).Int(RetentionCutoff(*row, now)).Int(total);
  params.IntArray(deadlines);
  if (dead_letters) {
    params.Int(s.max_receive_count)
        .Int(dlq != nullptr ? static_cast<int64_t>(dlq->id) : 0)
        .Bool(dlq != nullptr && dlq->fifo)
        .Text(name_);
  }
  params.Text(core_->FairCursor(id_));
  // Where a row's parts are: the message's first column, then its head
  // number, its place and the walk's last group. A row of the dead-letter
  // statement starts with the moves' count and bytes, and may have no
  // message.
  const int first = dead_letters ? 2 : 0;
  const int head = first + 10;
  const int place = head + 1;
  const int ring_last = head + 2;
  int64_t moved = 0;
  int64_t moved_bytes = 0;
  {
    Result<PgPool::Lease> conn = core_->pool().Acquire();
    if (!conn.ok()) return fail(conn.status());
    Result<PgResult> r =
        (*conn)->Exec(dead_letters ? ReceiveWithDeadLettersSql() : ReceiveStandardSql(), params);
    if (!r.ok()) return fail(r.status());
    FairTurn turn;
    for (int i = 0; i < r->rows(); ++i) {
      if (r->IsNull(i, first)) {
        turn.Note(*r, i, head, std::string(), ring_last);
        continue;
      }
      ReceivedMessage m = Received(MessageAt(*r, i, first));
      turn.Note(*r, i, head, m.group_id, ring_last);
      const auto at = static_cast<size_t>(r->Int(i, place) - 1);
      const size_t j = std::upper_bound(ends.begin(), ends.end(), at) - ends.begin();
      if (j < group.size()) group[j]->messages.push_back(std::move(m));
    }
    turn.Save(*core_, id_, static_cast<int>(total));
    if (dead_letters && r->rows() > 0) {
      moved = r->Int(0, 0);
      moved_bytes = r->Int(0, 1);
    }
  }
  for (ReceiveJob* job : group) {
    std::sort(
        job->messages.begin(), job->messages.end(),
        [](const ReceivedMessage& a, const ReceivedMessage& b) { return a.sequence < b.sequence; });
  }
  if (moved > 0 && dlq != nullptr) {
    core_->Counters(id_).moved_to_dead_letter += static_cast<uint64_t>(moved);
    QueueCounters& to = core_->Counters(dlq->id);
    to.sent += static_cast<uint64_t>(moved);
    to.sent_bytes += static_cast<uint64_t>(moved_bytes);
    // With no connection held: the DLQ's watchers may call the engine.
    core_->watchers().Fire(dlq->id);
  }
}

Result<std::vector<ReceivedMessage>> PgQueue::ReceiveInTransaction(PgConn& conn,
                                                                   const QueueRow& row,
                                                                   const ReceiveRequest& req,
                                                                   TimeMs now, uint64_t* woken) {
  const int64_t timeout_s =
      req.visibility_timeout_s >= 0 ? req.visibility_timeout_s : row.settings.visibility_timeout_s;
  const int max = std::clamp(req.max_messages, 1, 10);
  const bool attempt = fifo_ && !req.attempt_id.empty();
  Taking plan;
  plan.settings = &row.settings;
  plan.now = now;
  plan.deadline = now + SecondsToMs(timeout_s);
  std::vector<ReceivedMessage> out;
  std::shared_ptr<const QueueRow> dlq;
  FERRY_RETURN_IF_ERROR(InTransaction(conn, [&]() -> Status {
    if (attempt) {
      Result<std::vector<ReceivedMessage>> replayed = ReplayAttempt(conn, req.attempt_id, now);
      if (!replayed.ok()) return replayed.status();
      if (!replayed->empty()) {
        out = std::move(*replayed);
        return Status::Ok();
      }
    }
    FERRY_RETURN_IF_ERROR(fifo_ ? SelectFifo(conn, row, max, now, &plan)
                                : SelectStandard(conn, row, max, now, &plan));
    if (!plan.seqs.empty()) {
      Result<PgResult> r = conn.Exec(std::string(kTake) + kReturnedColumns,
                                     Params()
                                         .Int(static_cast<int64_t>(id_))
                                         .Int(now)
                                         .IntArray(plan.seqs)
                                         .IntArray(plan.deadlines)
                                         .Text(attempt ? req.attempt_id : std::string()));
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->rows(); ++i) out.push_back(Received(MessageAt(*r, i)));
      SortByPlan(&out, plan.seqs);
      if (Journeyed(row)) FERRY_RETURN_IF_ERROR(NoteReceived(conn, out, plan));
    }
    if (plan.dead.empty()) return Status::Ok();
    Result<PgResult> found =
        conn.Exec(std::string("SELECT ") + kQueueColumns + " FROM ferry_queues WHERE name = $1",
                  Params().Text(row.settings.dead_letter_queue));
    if (!found.ok()) return found.status();
    if (found->rows() == 0) {
      return conn
          .Exec(kHide,
                Params().Int(static_cast<int64_t>(id_)).IntArray(plan.dead).Int(plan.deadline))
          .status();
    }
    dlq = QueueRowAt(*found, 0);
    return core_->MoveToDeadLetterQueue(conn, row, *dlq, plan.dead, now).status();
  }));
  if (dlq) *woken = dlq->id;
  return out;
}

Status PgQueue::NoteReceived(PgConn& conn, const std::vector<ReceivedMessage>& got,
                             const Taking& plan) {
  std::unordered_map<uint64_t, TimeMs> deadline;
  for (size_t i = 0; i < plan.seqs.size(); ++i) {
    deadline[static_cast<uint64_t>(plan.seqs[i])] = plan.deadlines[i];
  }
  std::vector<JourneyRow> events;
  events.reserve(got.size());
  for (const ReceivedMessage& m : got) {
    std::optional<std::array<uint8_t, 16>> id = ParseMessageId(m.message_id);
    if (!id) continue;
    // The moment the deadline was reckoned from, and the receive count
    // this receive gave (journey.h's NoteAt).
    events.push_back(JourneyRow{
        id_, *id, JourneyKind::kReceived, m.receive_count, plan.now, deadline[m.sequence], {}});
  }
  return WriteJourney(conn, events);
}

Status PgQueue::SelectStandard(PgConn& conn, const QueueRow& row, int max, TimeMs now,
                               Taking* plan) {
  Result<PgResult> r = conn.Exec(SelectStandardSql(), Params()
                                                          .Int(static_cast<int64_t>(id_))
                                                          .Int(now)
                                                          .Int(RetentionCutoff(row, now))
                                                          .Int(max)
                                                          .Text(core_->FairCursor(id_)));
  if (!r.ok()) return r.status();
  FairTurn turn;
  for (int i = 0; i < r->rows(); ++i) {
    plan->Add(r->Int(i, 0), r->Int(i, 1));
    turn.Note(*r, i, 2, r->Str(i, 3), 4);
  }
  turn.Save(*core_, id_, max);
  return Status::Ok();
}

Status PgQueue::SelectFifo(PgConn& conn, const QueueRow& row, int max, TimeMs now, Taking* plan) {
  const auto qid = static_cast<int64_t>(id_);
  Result<PgResult> locked = conn.Exec(kLockFifoGroups, Params().Int(qid).Int(now).Int(max));
  if (!locked.ok()) return locked.status();
  if (locked->rows() == 0) return Status::Ok();
  std::vector<std::string> groups;
  for (int i = 0; i < locked->rows(); ++i) groups.push_back(locked->Str(i, 0));
  Result<PgResult> heads =
      conn.Exec(kFifoHeads, Params().Int(qid).TextArray(groups).Int(max).Int(now));
  if (!heads.ok()) return heads.status();
  const TimeMs cutoff = RetentionCutoff(row, now);
  // As many messages of a group as fit, in order, then the next group. A
  // message that is not visible stops its group (strict order); so does one
  // due for the dead-letter queue (moved by this receive).
  std::string skipping;
  bool skip = false;
  for (int i = 0; i < heads->rows() && static_cast<int>(plan->seqs.size()) < max; ++i) {
    std::string group = heads->Str(i, 0);
    if (skip && group == skipping) continue;
    skip = false;
    if (heads->Int(i, 4) <= cutoff) continue;  // expired: Tick removes it
    if (heads->Int(i, 3) > now || !plan->Add(heads->Int(i, 1), heads->Int(i, 2))) {
      skip = true;
      skipping = std::move(group);
    }
  }
  return Status::Ok();
}

Result<std::vector<ReceivedMessage>> PgQueue::ReplayAttempt(PgConn& conn,
                                                            const std::string& attempt_id,
                                                            TimeMs now) {
  Result<PgResult> r = conn.Exec(
      kAttempt, Params().Int(static_cast<int64_t>(id_)).Text(attempt_id).Int(now - kFifoWindowMs));
  if (!r.ok()) return r.status();
  std::vector<ReceivedMessage> out;
  for (int i = 0; i < r->rows(); ++i) {
    MessageRow m = MessageAt(*r, i);
    // Something changed since (a message left flight): a new receive.
    if (!m.in_flight || m.visible_at_ms <= now) return std::vector<ReceivedMessage>{};
    out.push_back(Received(std::move(m)));
  }
  return out;
}

}  // namespace ferry::engine::pg
