// PostgresEngine: engine::Engine over a PostgreSQL database (README.md):
// the queue registry, the catalog, move tasks, Tick's housekeeping and
// wake-ups, and OpenPostgresEngine.
#include "engine/postgres/postgres_engine.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include "common/crypto.h"
#include "engine/postgres/migrations.h"
#include "engine/postgres/pg_core.h"
#include "engine/postgres/pg_journey.h"
#include "engine/postgres/pg_move_tasks.h"
#include "engine/postgres/pg_send.h"
#include "engine/postgres/postgres_queue.h"
#include "engine/settings_codec.h"

namespace ferry::engine {
namespace {

using pg::NewMessage;
using pg::Params;
using pg::PgConn;
using pg::PgCore;
using pg::PgPool;
using pg::PgQueue;
using pg::PgResult;
using pg::QueueRow;
using pg::Stored;

// Housekeeping (expiry, the deduplication window, empty FIFO groups) runs
// at most this often per node; the wake-up repair of lost notifications too.
constexpr TimeMs kHousekeepingMs = 1000;
// An entry's encoded fields may not exceed what the local engine's log
// takes in one record.
constexpr size_t kMaxEntryBytes = 8u << 20;

constexpr const char* kInsertQueue =
    "INSERT INTO ferry_queues (id, name, fifo, settings, tags, retention_ms, created_ms, "
    "modified_ms, journey_retention_ms, journey_max_events) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "$7, nullif($8, 0), nullif($9, 0)) ON CONFLICT (name) DO NOTHING RETURNING id";

// Queues with a watcher here and a message that became visible in ($3, $2].
constexpr const char* kQueuesToWake =
    "SELECT w.q FROM unnest($1::bigint[]) AS w(q) WHERE EXISTS (SELECT 1 FROM ferry_messages m "
    "WHERE m.queue_id = w.q AND m.visible_at_ms <= $2 AND m.visible_at_ms > $3)";

// Retention, in two steps whose plans cannot turn into scans of every
// message. One statement written as a join of the queues with their expired
// messages (`sent_ms <= $1 - q.retention_ms`, a bound the planner cannot
// see) was planned as a sequential scan of ferry_messages and a hash join:
// about 26,000 buffer reads and 100 ms each second on a 150,000-message
// queue, whether anything had expired or not.
// First the queues whose oldest message is past their retention (one probe
// of (queue_id, sent_ms) per queue): $1 now.
constexpr const char* kQueuesToExpire = R"sql(
SELECT q.id, $1 - q.retention_ms, q.journey_max_events IS NOT NULL FROM ferry_queues q
WHERE (SELECT x.sent_ms FROM ferry_messages x WHERE x.queue_id = q.id
       ORDER BY x.sent_ms LIMIT 1) <= $1 - q.retention_ms
)sql";
// Then, for each, its oldest expired messages, at most 10,000 a tick: $1
// the queue, $2 its cutoff.
constexpr const char* kExpire = R"sql(
DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = ANY (ARRAY(
  SELECT x.seq FROM ferry_messages x WHERE x.queue_id = $1 AND x.sent_ms <= $2
  ORDER BY x.sent_ms LIMIT 10000 FOR UPDATE SKIP LOCKED))
)sql";
// kExpire for a queue that keeps journeys: each expired message's Expired
// event ($3 now) in the same statement.
constexpr const char* kExpireJourneyed = R"sql(
WITH d AS (
  DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = ANY (ARRAY(
    SELECT x.seq FROM ferry_messages x WHERE x.queue_id = $1 AND x.sent_ms <= $2
    ORDER BY x.sent_ms LIMIT 10000 FOR UPDATE SKIP LOCKED))
  RETURNING seq, message_id, receive_count)
INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, visible_until_ms,
                           detail)
SELECT $1, d.message_id, 5, d.receive_count, $3, 0, '' FROM d ORDER BY d.seq
)sql";

// FIFO groups without messages, locked first so that a send to one of them
// (which locks its row) is either seen by the second statement or comes
// after the deletion and inserts the row again.
constexpr const char* kLockEmptyGroups =
    "SELECT queue_id, group_id FROM ferry_groups g WHERE NOT EXISTS (SELECT 1 FROM "
    "ferry_messages m WHERE m.queue_id = g.queue_id AND m.group_id = g.group_id AND "
    "m.group_id <> '') LIMIT 1000 "
    "FOR UPDATE SKIP LOCKED";
constexpr const char* kDeleteEmptyGroups =
    "DELETE FROM ferry_groups g USING unnest($1::bigint[], $2::text[]) AS e(q, gid) "
    "WHERE g.queue_id = e.q AND g.group_id = e.gid AND NOT EXISTS (SELECT 1 FROM ferry_messages m "
    "WHERE m.queue_id = g.queue_id AND m.group_id = g.group_id AND m.group_id <> '')";

// A catalog write and, in the same transaction, the catalog's version
// (migration 2) and the wake-up that tells the other nodes' listeners
// (pg_wake.h, kCatalogPayload): a node that reads the new version reads
// the entry too. The version's one row serializes catalog writes, which are
// rare (topics and subscriptions changing).
constexpr const char* kBumpCatalogVersion =
    "v AS (UPDATE ferry_catalog_version SET version = version + 1 RETURNING version) "
    "SELECT pg_notify('ferry_wake', 'catalog') FROM v";
const std::string& PutEntrySql() {
  static const std::string sql =
      std::string(
          "WITH w AS (INSERT INTO ferry_catalog (kind, key, fields) VALUES ($1, $2, $3) "
          "ON CONFLICT (kind, key) DO UPDATE SET fields = EXCLUDED.fields), ") +
      kBumpCatalogVersion;
  return sql;
}
const std::string& EraseEntrySql() {
  static const std::string sql =
      std::string("WITH d AS (DELETE FROM ferry_catalog WHERE kind = $1 AND key = $2), ") +
      kBumpCatalogVersion;
  return sql;
}

uint64_t NewQueueId() {
  uint64_t v = 0;
  // Positive as a bigint, and never 0.
  while (v == 0) {
    RandomBytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
    v &= static_cast<uint64_t>(INT64_MAX);
  }
  return v;
}

class PostgresEngine final : public Engine {
 public:
  explicit PostgresEngine(std::shared_ptr<PgCore> core) : core_(std::move(core)) {}

  Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name, QueueSettings settings,
                                             std::map<std::string, std::string> tags) override;
  std::shared_ptr<Queue> FindQueue(const std::string& name) const override;
  Status DeleteQueue(const std::string& name) override;
  std::vector<std::string> ListQueues(const std::string& prefix) const override;
  void Tick() override;
  std::vector<Status> SendCopies(std::span<const CopyTarget> copies) override;
  Result<DedupedCopies> SendDedupedCopies(Queue& dedup_queue, const SendRequest& entry,
                                          const CopiesFor& make_copies) override;

  Result<MoveTaskInfo> StartMoveTask(const std::string& source, const std::string& destination,
                                     int64_t max_per_second) override {
    Result<std::shared_ptr<const QueueRow>> row = Source(source);
    if (!row.ok()) return row.status();
    return pg::StartMoveTask(*core_, **row, destination, max_per_second);
  }
  Result<MoveTaskInfo> CancelMoveTask(const std::string& source,
                                      const std::string& task_id) override {
    Result<std::shared_ptr<const QueueRow>> row = Source(source);
    if (!row.ok()) return row.status();
    return pg::CancelMoveTask(*core_, **row, task_id);
  }
  Result<std::vector<MoveTaskInfo>> ListMoveTasks(const std::string& source,
                                                  size_t max) const override {
    Result<std::shared_ptr<const QueueRow>> row = Source(source);
    if (!row.ok()) return row.status();
    return pg::ListMoveTasks(*core_, **row, max);
  }

  // Every call commits synchronously (pg_core.cc, kSessionSetup): what a
  // call changed is durable when it returns, and a failed commit failed the
  // call itself.
  void AfterDurable(std::function<void(Status)> cb) override { cb(Status::Ok()); }

  Status PutEntry(CatalogKind kind, CatalogEntry entry) override;
  Status EraseEntry(CatalogKind kind, const std::string& key) override;
  std::vector<CatalogEntry> Entries(CatalogKind kind) const override;
  Result<std::vector<CatalogEntry>> ReadEntries(CatalogKind kind) const override;
  // The version Tick last read (0 before the first read).
  uint64_t CatalogVersion() const override { return catalog_version_.load(); }

  const Clock& clock() const override { return core_->clock(); }
  bool blocking() const override { return true; }
  Status Health() const override {
    if (core_->pool().healthy()) return Status::Ok();
    return Status::Unavailable("the PostgreSQL database cannot be reached");
  }
  std::chrono::milliseconds queue_reuse_delay() const override {
    return std::chrono::milliseconds(core_->reuse_delay_ms());
  }
  void set_queue_reuse_delay(std::chrono::milliseconds delay) override {
    core_->set_reuse_delay_ms(delay.count());
  }

 private:
  // The row of the queue `name`; kNotFound when there is none.
  Result<std::shared_ptr<const QueueRow>> Source(const std::string& name) const {
    Result<std::shared_ptr<const QueueRow>> row = core_->FindRow(name);
    if (row.ok() && !*row) return Status::NotFound("no queue named " + name);
    return row;
  }
  // The watched queues with a message that became visible (see Tick).
  std::vector<uint64_t> QueuesToWake(PgConn& conn, TimeMs now);
  void Housekeep(PgConn& conn, TimeMs now);
  // Reads the catalog's version into catalog_version_ when a listener saw
  // a catalog write, and at least once a second (a lost notification).
  void ReadCatalogVersion(PgConn& conn, TimeMs now);

  // The one object of each queue (while anyone holds it): FindQueue returns
  // the same object for the same queue incarnation, as the local engine
  // does, so that a caller can tell a queue deleted and created again (a
  // long poll compares the queue it waits on with FindQueue's).
  std::shared_ptr<Queue> QueueObject(const std::shared_ptr<const QueueRow>& row) const;

  const std::shared_ptr<PgCore> core_;
  mutable std::mutex objects_mu_;
  mutable std::map<std::string, std::weak_ptr<pg::PgQueue>> objects_;
  static constexpr size_t kMinObjectSweep = 64;
  mutable size_t sweep_objects_at_ = kMinObjectSweep;  // guarded by objects_mu_
  // Tick's own state (one thread at a time calls it).
  TimeMs last_tick_ms_ = 0;
  TimeMs last_repair_ms_ = 0;
  TimeMs last_housekeeping_ms_ = 0;
  TimeMs last_catalog_read_ms_ = 0;
  pg::JourneyTrimmer journey_trimmer_;
  std::atomic<uint64_t> catalog_version_{0};
};

Result<std::shared_ptr<Queue>> PostgresEngine::CreateQueue(
    const std::string& name, QueueSettings settings, std::map<std::string, std::string> tags) {
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  std::shared_ptr<const QueueRow> row;
  const std::string select =
      std::string("SELECT ") + pg::kQueueColumns + " FROM ferry_queues WHERE name = $1";
  // An existing queue of that name: itself, when the settings are equal.
  auto existing = [&](const PgResult& r) -> Status {
    row = pg::QueueRowAt(r, 0);
    if (row->settings == settings) return Status::Ok();
    return Status::AlreadyExists("a queue named " + name + " exists with different settings");
  };
  FERRY_RETURN_IF_ERROR(pg::InTransaction(**conn, [&]() -> Status {
    Result<PgResult> r = (*conn)->Exec(select, Params().Text(name));
    if (!r.ok()) return r.status();
    if (r->rows() > 0) return existing(*r);
    r = (*conn)->Exec("SELECT deleted_ms FROM ferry_deleted_queues WHERE name = $1",
                      Params().Text(name));
    if (!r.ok()) return r.status();
    const int64_t delay = core_->reuse_delay_ms();
    if (r->rows() > 0 && r->Int(0, 0) + delay > now) {
      return Status::FailedPrecondition("queue " + name + " was deleted less than " +
                                        std::to_string(delay / 1000) + " seconds ago");
    }
    auto fresh = std::make_shared<QueueRow>();
    fresh->id = NewQueueId();
    fresh->name = name;
    fresh->fifo = settings.fifo;
    fresh->settings = settings;
    fresh->tags = tags;
    fresh->created_ms = now;
    fresh->modified_ms = now;
    r = (*conn)->Exec(kInsertQueue, Params()
                                        .Int(static_cast<int64_t>(fresh->id))
                                        .Text(name)
                                        .Bool(settings.fifo)
                                        .Bytes(pg::EncodeFields(SettingsToFields(settings)))
                                        .Bytes(pg::EncodeFields(TagsToFields(tags)))
                                        .Int(SecondsToMs(settings.retention_s))
                                        .Int(now)
                                        .Int(pg::JourneyRetentionMs(settings).value_or(0))
                                        .Int(pg::JourneyMaxEvents(settings).value_or(0)));
    if (!r.ok()) return r.status();
    if (r->rows() > 0) {
      row = std::move(fresh);
      return Status::Ok();
    }
    // Created meanwhile by another node: compare with that one.
    r = (*conn)->Exec(select, Params().Text(name));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Status::Unavailable("queue " + name + " changed meanwhile; retry");
    return existing(*r);
  }));
  core_->CacheRow(row);
  return QueueObject(row);
}

std::shared_ptr<Queue> PostgresEngine::QueueObject(
    const std::shared_ptr<const QueueRow>& row) const {
  std::lock_guard lock(objects_mu_);
  auto it = objects_.find(row->name);
  if (it != objects_.end()) {
    std::shared_ptr<pg::PgQueue> kept = it->second.lock();
    if (kept && kept->id() == row->id) return kept;
  }
  auto made = std::make_shared<pg::PgQueue>(core_, row);
  objects_[row->name] = made;
  // Names whose objects nobody holds any more (deleted queues, queues no
  // request touched lately) are swept once the map has doubled: amortized
  // constant time, and the map stays within twice the objects alive.
  if (objects_.size() >= sweep_objects_at_) {
    std::erase_if(objects_, [](const auto& entry) { return entry.second.expired(); });
    sweep_objects_at_ = std::max<size_t>(kMinObjectSweep, 2 * objects_.size());
  }
  return made;
}

namespace {

// The copies as sends (pg_send.h), each holding its queue's row: the
// current one (PgQueue::Current, which may read it), or with `core` the one
// cached, with no I/O (null when the queue is no longer cached as this
// incarnation: deleted meanwhile).
std::vector<pg::ToSend> CopiesToSend(std::span<const CopyTarget> copies, PgCore* core = nullptr) {
  std::vector<pg::ToSend> sends;
  sends.reserve(copies.size());
  for (const CopyTarget& c : copies) {
    const auto* q = dynamic_cast<const PgQueue*>(c.queue);
    std::shared_ptr<const QueueRow> row;
    if (q != nullptr && core == nullptr) row = q->Current();
    if (q != nullptr && core != nullptr) {
      row = core->CachedRow(q->name());
      if (row != nullptr && row->id != q->id()) row = nullptr;
    }
    sends.push_back({q, std::move(row), c.copy.payload, -1, c.copy.group_id, c.copy.dedup_id});
  }
  return sends;
}

}  // namespace

// One transaction for every copy (PgCore::SendMany): a publish is stored
// in all its queues or in none. A copy a queue refuses (a FIFO queue
// without ids) fails alone, before anything is stored.
std::vector<Status> PostgresEngine::SendCopies(std::span<const CopyTarget> copies) {
  const TimeMs now = core_->clock().NowMs();
  std::vector<Result<Stored>> stored = pg::SendPrepared(*core_, CopiesToSend(copies), now);
  std::vector<Status> out;
  out.reserve(stored.size());
  for (const Result<Stored>& s : stored) out.push_back(s.status());
  return out;
}

// The entry and the copies in one transaction: BEGIN; the entry's FIFO
// statement (a duplicate reads the original and ends here); the copies'
// statements in (queue, group) order; COMMIT. The entry's group row stays
// locked until the commit, so a topic's publishes to one message group
// commit one at a time; they did already, through the entry's statement,
// and the copies are made between the statements with no I/O.
Result<DedupedCopies> PostgresEngine::SendDedupedCopies(Queue& dedup_queue,
                                                        const SendRequest& entry,
                                                        const CopiesFor& make_copies) {
  auto* dq = dynamic_cast<PgQueue*>(&dedup_queue);
  if (dq == nullptr) return Status::InvalidArgument("the queue is not this engine's");
  const TimeMs now = core_->clock().NowMs();
  const std::shared_ptr<const QueueRow> entry_row = dq->Current();
  if (!entry_row->fifo) return Status::InvalidArgument("a deduplication queue must be FIFO");
  Result<NewMessage> lead =
      dq->Prepare(*entry_row, entry.payload, -1, entry.group_id, entry.dedup_id, now);
  if (!lead.ok()) return lead.status();
  // batch[0] is the entry, then the copies stored.
  std::vector<PgCore::ToStore> batch{{entry_row.get(), *lead}};
  std::vector<Stored> stored(1);
  std::vector<pg::ToSend> sends;
  DedupedCopies out;
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  FERRY_RETURN_IF_ERROR(pg::InTransaction(**conn, [&]() -> Status {
    Result<Stored> first = core_->Store(**conn, *entry_row, batch[0].message, now);
    if (!first.ok()) return first.status();
    stored[0] = *first;
    out.entry = SendResult{FormatMessageId(first->id), first->seq, first->duplicate};
    if (first->duplicate) return Status::Ok();
    Result<std::span<const CopyTarget>> copies = make_copies(out.entry);
    if (!copies.ok()) return copies.status();
    // No PgQueue::Current here: with the cache expired it would wait for a
    // second connection while this transaction holds one, and publishes
    // holding every connection would wait on each other. The rows are
    // cached: FanOut looked the queues up just before.
    sends = CopiesToSend(*copies, core_.get());
    for (const pg::ToSend& send : sends) {
      if (send.queue != nullptr && send.row == nullptr) {
        return Status::NotFound("queue " + send.queue->name() + " was deleted during the publish");
      }
    }
    pg::PreparedSends prepared = pg::PrepareSends(sends, now);
    out.copies = std::move(prepared.refused);
    batch.insert(batch.end(), prepared.batch.begin(), prepared.batch.end());
    stored.resize(batch.size());
    return core_->StoreInOrder(**conn, std::span(batch).subspan(1), now,
                               std::span(stored).subspan(1));
  }));
  core_->Sent(batch, stored, now);
  return out;
}

std::shared_ptr<Queue> PostgresEngine::FindQueue(const std::string& name) const {
  Result<std::shared_ptr<const QueueRow>> row = core_->FindRow(name);
  if (!row.ok() || !*row) return nullptr;
  return QueueObject(*row);
}

Status PostgresEngine::DeleteQueue(const std::string& name) {
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  int64_t id = 0;
  Status st = pg::InTransaction(**conn, [&]() -> Status {
    Result<PgResult> r =
        (*conn)->Exec("DELETE FROM ferry_queues WHERE name = $1 RETURNING id", Params().Text(name));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Status::NotFound("no queue named " + name);
    id = r->Int(0, 0);
    r = (*conn)->Exec(
        "INSERT INTO ferry_deleted_queues (name, deleted_ms) VALUES ($1, $2) ON CONFLICT (name) "
        "DO UPDATE SET deleted_ms = EXCLUDED.deleted_ms",
        Params().Text(name).Int(now));
    if (!r.ok()) return r.status();
    // Pollers on other nodes look again, and find the queue gone.
    return (*conn)->Exec("SELECT pg_notify('ferry_wake', $1::text)", Params().Int(id)).status();
  });
  conn->Release();
  core_->ForgetRow(name);
  FERRY_RETURN_IF_ERROR(st);
  core_->watchers().Fire(static_cast<uint64_t>(id));
  return Status::Ok();
}

std::vector<std::string> PostgresEngine::ListQueues(const std::string& prefix) const {
  std::vector<std::string> names;
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return names;
  Result<PgResult> r =
      (*conn)->Exec("SELECT name FROM ferry_queues WHERE starts_with(name, $1) ORDER BY name",
                    Params().Text(prefix));
  if (!r.ok()) return names;
  for (int i = 0; i < r->rows(); ++i) names.push_back(r->Str(i, 0));
  return names;
}

void PostgresEngine::Tick() {
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return;
  std::vector<uint64_t> wake = QueuesToWake(**conn, now);
  ReadCatalogVersion(**conn, now);
  if (now - last_housekeeping_ms_ >= kHousekeepingMs || now < last_housekeeping_ms_) {
    Housekeep(**conn, now);
    last_housekeeping_ms_ = now;
  }
  (void)pg::AdvanceMoveTasks(*core_, **conn, now, &wake);
  // Watchers run with no connection held: they may call the engine.
  conn->Release();
  for (uint64_t id : wake) core_->watchers().Fire(id);
}

std::vector<uint64_t> PostgresEngine::QueuesToWake(PgConn& conn, TimeMs now) {
  const std::vector<uint64_t> watched = core_->watchers().Watched();
  // Once a second every watched queue with a visible message is woken, which
  // repairs a wake-up lost on the way (a notification sent while the
  // listener reconnected); otherwise only those whose messages became
  // visible by time since the last tick.
  const bool repair = now - last_repair_ms_ >= kHousekeepingMs || now < last_repair_ms_;
  const TimeMs since = repair ? INT64_MIN : last_tick_ms_;
  if (repair) last_repair_ms_ = now;
  last_tick_ms_ = now;
  std::vector<uint64_t> wake;
  if (watched.empty()) return wake;
  std::vector<int64_t> ids(watched.begin(), watched.end());
  Result<PgResult> r = conn.Exec(kQueuesToWake, Params().IntArray(ids).Int(now).Int(since));
  if (!r.ok()) return wake;
  for (int i = 0; i < r->rows(); ++i) wake.push_back(static_cast<uint64_t>(r->Int(i, 0)));
  return wake;
}

void PostgresEngine::ReadCatalogVersion(PgConn& conn, TimeMs now) {
  const bool notified = core_->watchers().TakeCatalog();
  if (!notified && now - last_catalog_read_ms_ < kHousekeepingMs && now >= last_catalog_read_ms_) {
    return;
  }
  Result<PgResult> r = conn.Exec("SELECT version FROM ferry_catalog_version");
  if (!r.ok() || r->rows() == 0) {
    // Read again at the next tick.
    core_->watchers().RaiseCatalog();
    return;
  }
  last_catalog_read_ms_ = now;
  catalog_version_.store(static_cast<uint64_t>(r->Int(0, 0)));
}

void PostgresEngine::Housekeep(PgConn& conn, TimeMs now) {
  if (Result<PgResult> due = conn.Exec(kQueuesToExpire, Params().Int(now)); due.ok()) {
    for (int i = 0; i < due->rows(); ++i) {
      if (due->Bool(i, 2)) {
        (void)conn.Exec(kExpireJourneyed,
                        Params().Int(due->Int(i, 0)).Int(due->Int(i, 1)).Int(now));
      } else {
        (void)conn.Exec(kExpire, Params().Int(due->Int(i, 0)).Int(due->Int(i, 1)));
      }
    }
  }
  journey_trimmer_.Trim(conn, now);
  (void)conn.Exec("DELETE FROM ferry_dedup WHERE expires_ms <= $1", Params().Int(now));
  (void)conn.Exec("DELETE FROM ferry_deleted_queues WHERE deleted_ms + $2 <= $1",
                  Params().Int(now).Int(
                      std::max<int64_t>(core_->reuse_delay_ms(), kDefaultQueueReuseDelay.count())));
  (void)pg::InTransaction(conn, [&]() -> Status {
    Result<PgResult> r = conn.Exec(kLockEmptyGroups);
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Status::Ok();
    std::vector<int64_t> queues;
    std::vector<std::string> groups;
    for (int i = 0; i < r->rows(); ++i) {
      queues.push_back(r->Int(i, 0));
      groups.push_back(r->Str(i, 1));
    }
    return conn.Exec(kDeleteEmptyGroups, Params().IntArray(queues).TextArray(groups)).status();
  });
}

Status PostgresEngine::PutEntry(CatalogKind kind, CatalogEntry entry) {
  const std::string fields = pg::EncodeFields(
      std::vector<std::pair<std::string, std::string>>(entry.fields.begin(), entry.fields.end()));
  if (fields.size() + entry.key.size() > kMaxEntryBytes) {
    return Status::InvalidArgument("the entry is larger than 8 MiB");
  }
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  return (*conn)
      ->Exec(PutEntrySql(), Params().Int(static_cast<int64_t>(kind)).Bytes(entry.key).Bytes(fields))
      .status();
}

Status PostgresEngine::EraseEntry(CatalogKind kind, const std::string& key) {
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  return (*conn)
      ->Exec(EraseEntrySql(), Params().Int(static_cast<int64_t>(kind)).Bytes(key))
      .status();
}

std::vector<CatalogEntry> PostgresEngine::Entries(CatalogKind kind) const {
  Result<std::vector<CatalogEntry>> read = ReadEntries(kind);
  return read.ok() ? std::move(*read) : std::vector<CatalogEntry>();
}

Result<std::vector<CatalogEntry>> PostgresEngine::ReadEntries(CatalogKind kind) const {
  std::vector<CatalogEntry> out;
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  // bytea compares bytewise: the order of the keys' bytes.
  Result<PgResult> r =
      (*conn)->Exec("SELECT key, fields FROM ferry_catalog WHERE kind = $1 ORDER BY key",
                    Params().Int(static_cast<int64_t>(kind)));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    CatalogEntry e;
    e.key = r->Str(i, 0);
    for (auto& [k, v] : pg::DecodeFields(r->Str(i, 1)))
      e.fields.emplace(std::move(k), std::move(v));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Engine>> OpenPostgresEngine(const Clock& clock,
                                                   const PostgresOptions& options) {
  {
    Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(options.url, "");
    if (!conn.ok()) return conn.status();
    FERRY_RETURN_IF_ERROR(pg::Migrate(**conn));
  }
  return std::unique_ptr<Engine>(
      std::make_unique<PostgresEngine>(std::make_shared<PgCore>(clock, options)));
}

}  // namespace ferry::engine
