#include "engine/postgres/pg_core.h"

#include <algorithm>
#include <set>

#include "common/coding.h"
#include "common/crypto.h"
#include "engine/postgres/pg_batched_writes.h"
#include "engine/postgres/pg_journey.h"
#include "engine/settings_codec.h"

namespace ferry::engine::pg {
namespace {

// Every connection of the pool commits synchronously: a call returns once
// its transaction's WAL is flushed, so a change is durable when the call
// that made it returns (and AfterDurable has nothing to wait for). Set
// explicitly, whatever the server's default. PostgreSQL groups the flushes
// of concurrent commits, and concurrent sends and deletes share statements
// (BatchedWrites), so one flush covers many requests.
// JIT compilation is off: Ferry's statements are short and run often, and
// the planner's estimates for a large queue (housekeeping over every
// queue, a queue's stats) crossed jit_above_cost, so each such run spent
// about 300 ms compiling what runs in a millisecond.
constexpr const char* kSessionSetup =
    "SET synchronous_commit = on; SET jit = off; SET application_name = 'ferry'";

// kSessionSetup and the statement timeout (PostgresOptions).
std::string SessionSetup(const PostgresOptions& options) {
  return std::string(kSessionSetup) +
         "; SET statement_timeout = " + std::to_string(options.statement_timeout.count());
}

constexpr const char* kInsertMessage =
    "INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, sent_ms, "
    "visible_at_ms) VALUES ($1, nextval('ferry_message_seq'), $2, $3, $4, $5, $6) RETURNING seq";

constexpr const char* kInsertMessageAndWake =
    "WITH m AS (INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, "
    "sent_ms, visible_at_ms) VALUES ($1, nextval('ferry_message_seq'), $2, $3, $4, $5, $6) "
    "RETURNING seq) SELECT m.seq, pg_notify('ferry_wake', $1::text) FROM m";

// A FIFO send: the deduplication entry first (a live one makes the whole
// statement store nothing), the group's row (locked by the no-op update, so
// that Tick's collection of empty groups cannot remove it under this send),
// then the message.
constexpr const char* kInsertFifoMessage = R"sql(
WITH d AS (
  INSERT INTO ferry_dedup AS x (queue_id, scope, dedup_id, expires_ms, message_id, seq)
  VALUES ($1, $7, $8, $5 + 300000, $2, nextval('ferry_message_seq'))
  ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE
    SET expires_ms = EXCLUDED.expires_ms, message_id = EXCLUDED.message_id, seq = EXCLUDED.seq
    WHERE x.expires_ms <= $5
  RETURNING seq),
g AS (
  INSERT INTO ferry_groups (queue_id, group_id) SELECT $1, $4 FROM d
  ON CONFLICT (queue_id, group_id) DO UPDATE SET group_id = EXCLUDED.group_id WHERE false),
m AS (
  INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, sent_ms, visible_at_ms)
  SELECT $1, d.seq, $2, $3, $4, $5, $6 FROM d RETURNING seq)
SELECT m.seq, pg_notify('ferry_wake', $1::text) FROM m
)sql";

constexpr const char* kFindDuplicate =
    "SELECT message_id, seq FROM ferry_dedup WHERE queue_id = $1 AND scope = $2 AND dedup_id = $3";

// Moves the messages $2 of queue $1 to the DLQ $3 ($4 now, $5 whether the
// DLQ is FIFO, $6 the source's name): their count and payload bytes.
const std::string& MoveToDeadLetterQueueSql() {
  static const std::string sql =
      "WITH moved AS (DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = ANY($2::bigint[]) "
      "RETURNING seq, message_id, payload, group_id, sent_ms, receive_count, first_receive_ms), " +
      DeadLetterInsertSql(3, 5, 4, 6) +
      " SELECT count(*)::bigint, coalesce(sum(bytes), 0)::bigint, "
      "count(pg_notify('ferry_wake', $3::text)) FROM ins";
  return sql;
}

}  // namespace

std::string DeadLetterInsertSql(int dlq, int fifo, int now, int source) {
  const std::string d = "$" + std::to_string(dlq);
  const std::string f = "$" + std::to_string(fifo);
  const std::string n = "$" + std::to_string(now);
  const std::string src = "$" + std::to_string(source);
  return "g AS (INSERT INTO ferry_groups (queue_id, group_id) SELECT DISTINCT " + d +
         ", group_id FROM moved WHERE " + f +
         " ON CONFLICT (queue_id, group_id) DO UPDATE SET group_id = EXCLUDED.group_id "
         "WHERE false), "
         "ins AS (INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, "
         "sent_ms, visible_at_ms, receive_count, first_receive_ms, dead_letter_source) SELECT " +
         d + ", nextval('ferry_message_seq'), o.message_id, o.payload, o.group_id, CASE WHEN " + f +
         " THEN " + n + " ELSE o.sent_ms END, " + n + ", o.receive_count, o.first_receive_ms, " +
         src +
         " FROM (SELECT * FROM moved ORDER BY seq) o "
         "RETURNING octet_length(payload)::bigint AS bytes)";
}

std::array<uint8_t, 16> NewMessageId() {
  // A version 4 UUID; its canonical text always parses.
  return ParseMessageId(NewUuid()).value_or(std::array<uint8_t, 16>{});
}

std::string EncodeFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  PutVarint64(&out, fields.size());
  for (const auto& [k, v] : fields) {
    PutLengthPrefixed(&out, k);
    PutLengthPrefixed(&out, v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> DecodeFields(std::string_view bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  Reader in(bytes);
  const uint64_t n = in.Varint64();
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    std::string_view k = in.LengthPrefixed();
    std::string_view v = in.LengthPrefixed();
    if (in.ok()) out.emplace_back(k, v);
  }
  return out;
}

std::shared_ptr<const QueueRow> QueueRowAt(const PgResult& r, int row) {
  auto q = std::make_shared<QueueRow>();
  q->id = static_cast<uint64_t>(r.Int(row, 0));
  q->name = r.Str(row, 1);
  q->fifo = r.Bool(row, 2);
  q->settings = SettingsFromFields(DecodeFields(r.Str(row, 3)));
  q->tags = TagsFromFields(DecodeFields(r.Str(row, 4)));
  q->created_ms = r.Int(row, 5);
  q->modified_ms = r.Int(row, 6);
  return q;
}

MessageRow MessageAt(const PgResult& r, int row, int first) {
  MessageRow m;
  m.seq = static_cast<uint64_t>(r.Int(row, first));
  m.id = r.Uuid(row, first + 1);
  m.payload = r.Str(row, first + 2);
  m.group_id = r.Str(row, first + 3);
  m.sent_ms = r.Int(row, first + 4);
  m.first_receive_ms = r.Int(row, first + 5);
  m.receive_count = r.Int(row, first + 6);
  m.dead_letter_source = r.Str(row, first + 7);
  m.visible_at_ms = r.Int(row, first + 8);
  m.in_flight = r.Bool(row, first + 9);
  return m;
}

PgCore::PgCore(const Clock& clock, const PostgresOptions& options)
    : clock_(clock),
      pool_(options.url, options.pool_size, SessionSetup(options)),
      batched_(std::make_unique<BatchedWrites>(pool_)),
      listener_(options.url, watchers_) {}

PgCore::~PgCore() = default;

Result<std::vector<Stored>> PgCore::SendMany(std::span<const ToStore> messages, TimeMs now) {
  std::vector<Stored> out;
  const bool any_fifo =
      std::any_of(messages.begin(), messages.end(), [](const ToStore& t) { return t.queue->fifo; });
  // A queue that keeps journeys writes its Sent events in the transaction
  // of its sends (StoreInOrder): such sends leave the shared insert.
  const bool any_journeyed = std::any_of(messages.begin(), messages.end(),
                                         [](const ToStore& t) { return Journeyed(*t.queue); });
  if (!any_fifo && !any_journeyed) {
    std::vector<BatchedWrites::InsertRow> rows;
    rows.reserve(messages.size());
    for (const ToStore& t : messages) {
      rows.push_back({t.queue->id, &t.message, t.message.visible_at_ms <= now});
    }
    Result<std::vector<uint64_t>> seqs = batched_->Insert(rows);
    if (!seqs.ok()) return seqs.status();
    out.reserve(messages.size());
    for (size_t i = 0; i < messages.size(); ++i) {
      out.push_back(Stored{messages[i].message.id, (*seqs)[i], false});
    }
  } else if (messages.size() == 1 && !any_journeyed) {
    // A statement is a transaction of its own: BEGIN and COMMIT would add
    // two round trips to every single FIFO send.
    Result<PgPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    Result<Stored> stored = Store(**conn, *messages[0].queue, messages[0].message, now);
    if (!stored.ok()) return stored.status();
    out.push_back(*stored);
  } else {
    Result<PgPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    out.resize(messages.size());
    FERRY_RETURN_IF_ERROR(
        InTransaction(**conn, [&] { return StoreInOrder(**conn, messages, now, out); }));
  }
  Sent(messages, out, now);
  return out;
}

Status PgCore::StoreInOrder(PgConn& conn, std::span<const ToStore> messages, TimeMs now,
                            std::span<Stored> out) {
  std::vector<size_t> order(messages.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Stable: a group's messages keep their order, and so their sequence.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const ToStore& x = messages[a];
    const ToStore& y = messages[b];
    if (x.queue->id != y.queue->id) return x.queue->id < y.queue->id;
    return x.message.group_id < y.message.group_id;
  });
  std::vector<JourneyRow> events;
  for (size_t i : order) {
    Result<Stored> stored = Store(conn, *messages[i].queue, messages[i].message, now);
    if (!stored.ok()) return stored.status();
    out[i] = *stored;
    if (!stored->duplicate && Journeyed(*messages[i].queue)) {
      events.push_back(SentEvent(*messages[i].queue, messages[i].message, now));
    }
  }
  return WriteJourney(conn, events);
}

void PgCore::Sent(std::span<const ToStore> messages, std::span<const Stored> stored, TimeMs now) {
  std::set<uint64_t> woken;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (stored[i].duplicate) continue;
    const ToStore& t = messages[i];
    QueueCounters& counters = Counters(t.queue->id);
    ++counters.sent;
    counters.sent_bytes += t.message.payload.size();
    if (t.message.visible_at_ms <= now) woken.insert(t.queue->id);
  }
  for (uint64_t id : woken) watchers_.Fire(id);
}

QueueCounters& PgCore::Counters(uint64_t queue_id) {
  std::lock_guard lock(mu_);
  std::unique_ptr<QueueCounters>& c = counters_[queue_id];
  if (!c) c = std::make_unique<QueueCounters>();
  return *c;
}

std::string PgCore::FairCursor(uint64_t queue_id) {
  std::lock_guard lock(mu_);
  auto it = fair_cursors_.find(queue_id);
  return it == fair_cursors_.end() ? std::string() : it->second;
}

void PgCore::SetFairCursor(uint64_t queue_id, std::string group) {
  std::lock_guard lock(mu_);
  fair_cursors_[queue_id] = std::move(group);
}

Result<std::shared_ptr<const QueueRow>> PgCore::FindRow(const std::string& name) {
  const TimeMs now = clock_.NowMs();
  std::shared_ptr<const QueueRow> cached;
  {
    std::lock_guard lock(mu_);
    auto it = rows_.find(name);
    if (it != rows_.end()) {
      // A clock that went back (a stepped wall clock) reads the row again.
      if (now >= it->second.read_ms && now - it->second.read_ms < kRowCacheTtl.count()) {
        return it->second.row;
      }
      cached = it->second.row;
    }
  }
  Result<PgResult> r = Status::Unavailable("");
  {
    Result<PgPool::Lease> conn = pool_.Acquire();
    r = conn.ok() ? (*conn)->Exec(std::string("SELECT ") + kQueueColumns +
                                      " FROM ferry_queues WHERE name = $1",
                                  Params().Text(name))
                  : Result<PgResult>(conn.status());
  }
  // The database is away: the queue as last seen, so that the call made on
  // it fails kUnavailable (a 503) rather than the queue seeming not to exist.
  if (!r.ok()) return cached ? Result<std::shared_ptr<const QueueRow>>(cached) : r.status();
  if (r->rows() == 0) {
    ForgetRow(name);
    return std::shared_ptr<const QueueRow>();
  }
  std::shared_ptr<const QueueRow> row = QueueRowAt(*r, 0);
  std::lock_guard lock(mu_);
  rows_[name] = Cached{row, now};
  return row;
}

std::shared_ptr<const QueueRow> PgCore::CachedRow(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(name);
  return it == rows_.end() ? nullptr : it->second.row;
}

void PgCore::CacheRow(std::shared_ptr<const QueueRow> row) {
  std::lock_guard lock(mu_);
  const std::string name = row->name;
  rows_[name] = Cached{std::move(row), clock_.NowMs()};
}

void PgCore::ForgetRow(const std::string& name) {
  std::lock_guard lock(mu_);
  rows_.erase(name);
}

Result<Stored> PgCore::Store(PgConn& conn, const QueueRow& queue, const NewMessage& m, TimeMs now) {
  const auto qid = static_cast<int64_t>(queue.id);
  Params params;
  params.Int(qid).Uuid(m.id).Bytes(m.payload).Text(m.group_id).Int(m.sent_ms).Int(m.visible_at_ms);
  if (!queue.fifo) {
    Result<PgResult> r =
        conn.Exec(m.visible_at_ms <= now ? kInsertMessageAndWake : kInsertMessage, params);
    if (!r.ok()) return r.status();
    return Stored{m.id, static_cast<uint64_t>(r->Int(0, 0)), false};
  }
  const std::string_view scope =
      queue.settings.dedup_scope == DedupScope::kMessageGroup ? m.group_id : std::string_view();
  params.Text(scope).Text(m.dedup_id);
  // Twice at most: an entry that expires between the two statements below
  // is gone by the second try.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<PgResult> r = conn.Exec(kInsertFifoMessage, params);
    if (!r.ok()) return r.status();
    if (r->rows() > 0) return Stored{m.id, static_cast<uint64_t>(r->Int(0, 0)), false};
    Result<PgResult> dup =
        conn.Exec(kFindDuplicate, Params().Int(qid).Text(scope).Text(m.dedup_id));
    if (!dup.ok()) return dup.status();
    if (dup->rows() > 0) {
      return Stored{dup->Uuid(0, 0), static_cast<uint64_t>(dup->Int(0, 1)), true};
    }
  }
  return Status::Unavailable("the deduplication window changed during the send; retry");
}

Result<int64_t> PgCore::MoveToDeadLetterQueue(PgConn& conn, const QueueRow& source,
                                              const QueueRow& dlq, const std::vector<int64_t>& seqs,
                                              TimeMs now) {
  if (seqs.empty()) return int64_t{0};
  // The moved messages as they are (the caller's transaction holds them),
  // for the journeys: MovedToDeadLetterQueue here, MovedFrom there.
  std::vector<JourneyRow> events;
  if (Journeyed(source) || Journeyed(dlq)) {
    Result<PgResult> moving = conn.Exec(
        "SELECT message_id, receive_count FROM ferry_messages WHERE queue_id = $1 AND "
        "seq = ANY($2::bigint[]) ORDER BY seq",
        Params().Int(static_cast<int64_t>(source.id)).IntArray(seqs));
    if (!moving.ok()) return moving.status();
    for (int i = 0; i < moving->rows(); ++i) {
      // Leaving, then arriving, as the local engine notes them.
      if (Journeyed(source)) {
        events.push_back({source.id, moving->Uuid(i, 0), JourneyKind::kMovedToDeadLetterQueue,
                          moving->Int(i, 1), now, 0, dlq.name});
      }
      if (Journeyed(dlq)) {
        events.push_back({dlq.id, moving->Uuid(i, 0), JourneyKind::kMovedFrom, moving->Int(i, 1),
                          now, 0, "dead letter from " + source.name});
      }
    }
  }
  Result<PgResult> r =
      conn.Exec(MoveToDeadLetterQueueSql(), Params()
                                                .Int(static_cast<int64_t>(source.id))
                                                .IntArray(seqs)
                                                .Int(static_cast<int64_t>(dlq.id))
                                                .Int(now)
                                                .Bool(dlq.fifo)
                                                .Text(source.name));
  if (!r.ok()) return r.status();
  FERRY_RETURN_IF_ERROR(WriteJourney(conn, events));
  const int64_t moved = r->Int(0, 0);
  Counters(source.id).moved_to_dead_letter += static_cast<uint64_t>(moved);
  QueueCounters& to = Counters(dlq.id);
  to.sent += static_cast<uint64_t>(moved);
  to.sent_bytes += static_cast<uint64_t>(r->Int(0, 1));
  return moved;
}

}  // namespace ferry::engine::pg
