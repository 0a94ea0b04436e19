// PgQueue, part 1: settings and tags, sends, deletes, visibility changes,
// purge, stats and long polling. Receives are in postgres_queue_receive.cc;
// peek, cancel and dead letters on request in postgres_queue_peek.cc.
#include "engine/postgres/postgres_queue.h"

#include <algorithm>

#include "engine/postgres/pg_batched_writes.h"
#include "engine/postgres/pg_journey.h"
#include "engine/postgres/pg_send.h"
#include "engine/receipt_handle.h"
#include "engine/settings_codec.h"

namespace ferry::engine::pg {
namespace {

// Any receive of the message may change the current flight (receive_count
// at least the handle's generation), as the local engine allows.
constexpr const char* kChangeVisibility =
    "UPDATE ferry_messages SET visible_at_ms = $4 WHERE queue_id = $1 AND seq = $2 AND "
    "receive_count >= $3 AND in_flight AND visible_at_ms > $5 RETURNING seq";
constexpr const char* kChangeVisibilityAndWake =
    "WITH u AS (UPDATE ferry_messages SET visible_at_ms = $4 WHERE queue_id = $1 AND seq = $2 AND "
    "receive_count >= $3 AND in_flight AND visible_at_ms > $5 RETURNING seq) "
    "SELECT u.seq, pg_notify('ferry_wake', $1::text) FROM u";

// The same for a queue that keeps journeys: the VisibilityChanged event
// ($5 now, $4 the new deadline, the receive count as now) in the statement.
constexpr const char* kJourneyVisibility =
    "WITH u AS (UPDATE ferry_messages SET visible_at_ms = $4 WHERE queue_id = $1 AND seq = $2 AND "
    "receive_count >= $3 AND in_flight AND visible_at_ms > $5 "
    "RETURNING seq, message_id, receive_count), "
    "j AS (INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, "
    "visible_until_ms, detail) SELECT $1, message_id, 3, receive_count, $5, $4, '' FROM u) "
    "SELECT u.seq, CASE WHEN $4 <= $5 THEN pg_notify('ferry_wake', $1::text) END FROM u";

// A journeyed queue's deletes: the messages $2 with generations $3, each
// one's Deleted event ($4 now) in the statement, and for a FIFO queue ($5)
// the wake-up of its pollers (the group may be unlocked).
constexpr const char* kJourneyDelete =
    "WITH d AS (DELETE FROM ferry_messages m USING unnest($2::bigint[], $3::bigint[]) "
    "WITH ORDINALITY AS h(seq, gen, ord) WHERE m.queue_id = $1 AND m.seq = h.seq AND "
    "m.receive_count = h.gen RETURNING m.message_id, m.receive_count, h.ord), "
    "j AS (INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, "
    "visible_until_ms, detail) SELECT $1, message_id, 4, receive_count, $4, 0, '' FROM d "
    "ORDER BY ord) "
    "SELECT count(*)::bigint, count(CASE WHEN $5 THEN pg_notify('ferry_wake', $1::text) END) "
    "FROM d";

// A journeyed queue's purge: every message's Purged event (Expired for one
// past the retention $3, which Tick has not removed yet), the oldest
// max_events ($4) of them, as the local engine notes them; $2 now.
constexpr const char* kJourneyPurge =
    "WITH d AS (DELETE FROM ferry_messages WHERE queue_id = $1 "
    "RETURNING seq, message_id, receive_count, sent_ms) "
    "INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, "
    "visible_until_ms, detail) SELECT $1, message_id, CASE WHEN sent_ms <= $3 THEN 5 ELSE 6 END, "
    "receive_count, $2, 0, '' FROM (SELECT * FROM d ORDER BY seq LIMIT $4) p ORDER BY seq";

constexpr const char* kStats =
    "SELECT count(*) FILTER (WHERE visible_at_ms <= $2), "
    "count(*) FILTER (WHERE visible_at_ms > $2 AND in_flight), "
    "count(*) FILTER (WHERE visible_at_ms > $2 AND NOT in_flight), "
    "coalesce(min(sent_ms), 0)::bigint "
    "FROM ferry_messages WHERE queue_id = $1 AND sent_ms > $3";

constexpr const char* kNextWake =
    "SELECT min(visible_at_ms) FROM ferry_messages WHERE queue_id = $1 AND visible_at_ms > $2";

// A shared standard receive (RunReceives) takes at most this many requests
// and, unless its first request alone asks for more, messages.
constexpr size_t kMaxReceiveJobs = 32;
constexpr size_t kMaxReceiveMessages = 100;
// Shared receives of one queue running at once on a node.
constexpr size_t kReceiveLeaders = 1;

Status InvalidHandle() {
  return Status::InvalidArgument("the receipt handle is not valid for this queue");
}

}  // namespace

PgQueue::PgQueue(std::shared_ptr<PgCore> core, std::shared_ptr<const QueueRow> row)
    : core_(std::move(core)),
      id_(row->id),
      name_(row->name),
      fifo_(row->fifo),
      created_ms_(row->created_ms),
      receives_(std::make_unique<Coalescer<ReceiveJob>>(
          [this](const std::vector<ReceiveJob*>& group) { RunReceives(group); }, kMaxReceiveJobs,
          [](const ReceiveJob& job) { return static_cast<size_t>(job.max); }, kMaxReceiveMessages,
          kReceiveLeaders)),
      row_(std::move(row)) {}

std::shared_ptr<const QueueRow> PgQueue::Current() const {
  Result<std::shared_ptr<const QueueRow>> found = core_->FindRow(name_);
  std::lock_guard lock(mu_);
  if (found.ok() && *found && (*found)->id == id_) row_ = *found;
  return row_;
}

Status PgQueue::ChangeRow(const std::function<void(QueueRow&)>& change) {
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  std::shared_ptr<QueueRow> changed;
  const TimeMs now = core_->clock().NowMs();
  FERRY_RETURN_IF_ERROR(InTransaction(**conn, [&]() -> Status {
    Result<PgResult> r = (*conn)->Exec(std::string("SELECT ") + kQueueColumns +
                                           " FROM ferry_queues WHERE id = $1 FOR NO KEY UPDATE",
                                       Params().Int(static_cast<int64_t>(id_)));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Status::NotFound("the queue " + name_ + " was deleted");
    changed = std::make_shared<QueueRow>(*QueueRowAt(*r, 0));
    change(*changed);
    changed->modified_ms = now;
    return (*conn)
        ->Exec(
            // Switching journeys off drops the queue's events for good (on
            // again is a fresh start), as on the local engine.
            "WITH u AS (UPDATE ferry_queues SET settings = $2, tags = $3, retention_ms = $4, "
            "modified_ms = $5, journey_retention_ms = nullif($6, 0), "
            "journey_max_events = nullif($7, 0) WHERE id = $1), "
            "d AS (DELETE FROM ferry_journey WHERE queue_id = $1 AND $7 = 0) SELECT 1",
            Params()
                .Int(static_cast<int64_t>(id_))
                .Bytes(EncodeFields(SettingsToFields(changed->settings)))
                .Bytes(EncodeFields(TagsToFields(changed->tags)))
                .Int(SecondsToMs(changed->settings.retention_s))
                .Int(now)
                .Int(JourneyRetentionMs(changed->settings).value_or(0))
                .Int(JourneyMaxEvents(changed->settings).value_or(0)))
        .status();
  }));
  core_->CacheRow(changed);
  std::lock_guard lock(mu_);
  row_ = changed;
  return Status::Ok();
}

Status PgQueue::SetSettings(QueueSettings settings) {
  settings.fifo = fifo_;  // fixed at creation
  return ChangeRow([&](QueueRow& row) { row.settings = settings; });
}

Status PgQueue::Tag(const std::map<std::string, std::string>& tags) {
  return ChangeRow([&](QueueRow& row) {
    for (const auto& [k, v] : tags) row.tags[k] = v;
  });
}

Status PgQueue::Untag(const std::vector<std::string>& keys) {
  return ChangeRow([&](QueueRow& row) {
    for (const std::string& k : keys) row.tags.erase(k);
  });
}

namespace {

// A send's delay in milliseconds: to its scheduled time, else its own
// delay; negative takes the queue's.
int64_t DelayMsOf(const SendRequest& req, TimeMs now) {
  if (req.deliver_at_ms > 0) return std::max<TimeMs>(req.deliver_at_ms - now, 0);
  if (req.delay_s >= 0) return SecondsToMs(req.delay_s);
  return -1;
}

}  // namespace

Result<NewMessage> PgQueue::Prepare(const QueueRow& row, std::string_view payload, int64_t delay_ms,
                                    std::string_view group, std::string_view dedup_id,
                                    TimeMs now) const {
  if (fifo_ && (group.empty() || dedup_id.empty())) {
    return Status::InvalidArgument("a FIFO send needs a group id and a deduplication id");
  }
  if (delay_ms < 0) delay_ms = SecondsToMs(row.settings.delay_s);
  NewMessage m;
  m.id = NewMessageId();
  m.payload = payload;
  m.group_id = group;
  m.dedup_id = dedup_id;
  m.sent_ms = now;
  m.visible_at_ms = now + delay_ms;
  return m;
}

Result<SendResult> PgQueue::Send(SendRequest req) {
  const TimeMs now = core_->clock().NowMs();
  Result<Stored> stored =
      StoreMessage(req.payload, DelayMsOf(req, now), req.group_id, req.dedup_id);
  if (!stored.ok()) return stored.status();
  return SendResult{FormatMessageId(stored->id), stored->seq, stored->duplicate};
}

Status PgQueue::SendCopy(const CopyRequest& req) {
  return StoreMessage(req.payload, -1, req.group_id, req.dedup_id).status();
}

std::vector<Result<SendResult>> PgQueue::SendBatch(std::vector<SendRequest> reqs) {
  const std::shared_ptr<const QueueRow> row = Current();
  const TimeMs now = core_->clock().NowMs();
  std::vector<ToSend> sends;
  sends.reserve(reqs.size());
  for (const SendRequest& req : reqs) {
    sends.push_back({this, row, req.payload, DelayMsOf(req, now), req.group_id, req.dedup_id});
  }
  std::vector<Result<Stored>> stored = SendPrepared(*core_, sends, now);
  std::vector<Result<SendResult>> out;
  out.reserve(stored.size());
  for (const Result<Stored>& s : stored) {
    out.push_back(s.ok()
                      ? Result<SendResult>(SendResult{FormatMessageId(s->id), s->seq, s->duplicate})
                      : s.status());
  }
  return out;
}

// A one-entry batch: PgCore::SendMany sends it as the single statement it
// is (a shared insert, or a FIFO queue's one statement without BEGIN), and
// counts and wakes as for any batch.
Result<Stored> PgQueue::StoreMessage(std::string_view payload, int64_t delay_ms,
                                     std::string_view group, std::string_view dedup_id) {
  const TimeMs now = core_->clock().NowMs();
  const ToSend one{this, Current(), payload, delay_ms, group, dedup_id};
  return std::move(SendPrepared(*core_, std::span(&one, 1), now).front());
}

bool PgQueue::KeepsJourneys() const {
  std::shared_ptr<const QueueRow> cached = core_->CachedRow(name_);
  if (cached && cached->id == id_) return Journeyed(*cached);
  std::lock_guard lock(mu_);
  return Journeyed(*row_);
}

Result<int64_t> PgQueue::DeleteJourneyed(const std::vector<int64_t>& seqs,
                                         const std::vector<int64_t>& generations) {
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  Result<PgResult> r = (*conn)->Exec(kJourneyDelete, Params()
                                                         .Int(static_cast<int64_t>(id_))
                                                         .IntArray(seqs)
                                                         .IntArray(generations)
                                                         .Int(core_->clock().NowMs())
                                                         .Bool(fifo_));
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Status PgQueue::Delete(std::string_view receipt_handle) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != id_) return InvalidHandle();
  if (KeepsJourneys()) {
    const std::vector<std::string_view> one = {receipt_handle};
    return DeleteBatch(one).front();
  }
  // Gone: deletes are idempotent. Stale (received again since): AWS
  // documents that the call succeeds but the message stays. In a FIFO queue
  // a delete may unlock its group: its pollers are woken.
  Result<bool> deleted = core_->batched().Delete(id_, h->seq, h->generation, fifo_);
  if (!deleted.ok()) return deleted.status();
  if (*deleted) {
    ++core_->Counters(id_).deleted;
    if (fifo_) Wake();
  }
  return Status::Ok();
}

std::vector<Status> PgQueue::DeleteBatch(std::span<const std::string_view> receipt_handles) {
  std::vector<Status> out(receipt_handles.size());
  std::vector<BatchedWrites::DeleteRow> rows;
  std::vector<size_t> index;  // row → handle
  rows.reserve(receipt_handles.size());
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handles[i]);
    if (!h || h->incarnation != id_) {
      out[i] = InvalidHandle();
      continue;
    }
    rows.push_back({id_, h->seq, h->generation, fifo_});
    index.push_back(i);
  }
  if (rows.empty()) return out;
  uint64_t n = 0;
  if (KeepsJourneys()) {
    // Its own statement, which writes the Deleted events (pg_journey.h).
    std::vector<int64_t> seqs;
    std::vector<int64_t> generations;
    for (const BatchedWrites::DeleteRow& row : rows) {
      seqs.push_back(static_cast<int64_t>(row.seq));
      generations.push_back(row.generation);
    }
    Result<int64_t> deleted = DeleteJourneyed(seqs, generations);
    if (!deleted.ok()) {
      for (size_t i : index) out[i] = deleted.status();
      return out;
    }
    n = static_cast<uint64_t>(*deleted);
  } else {
    Result<std::vector<bool>> deleted = core_->batched().Delete(rows);
    if (!deleted.ok()) {
      for (size_t i : index) out[i] = deleted.status();
      return out;
    }
    n = static_cast<uint64_t>(std::count(deleted->begin(), deleted->end(), true));
  }
  if (n > 0) {
    core_->Counters(id_).deleted += n;
    if (fifo_) Wake();
  }
  return out;
}

Status PgQueue::ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != id_) return InvalidHandle();
  const TimeMs now = core_->clock().NowMs();
  const bool visible_now = timeout_s <= 0;
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  const char* sql = KeepsJourneys() ? kJourneyVisibility
                                    : (visible_now ? kChangeVisibilityAndWake : kChangeVisibility);
  Result<PgResult> r =
      (*conn)->Exec(sql, Params()
                             .Int(static_cast<int64_t>(id_))
                             .Int(static_cast<int64_t>(h->seq))
                             .Int(h->generation)
                             .Int(now + SecondsToMs(std::max<int64_t>(timeout_s, 0)))
                             .Int(now));
  if (!r.ok()) return r.status();
  if (r->rows() > 0) {
    conn->Release();
    if (visible_now) Wake();
    return Status::Ok();
  }
  // Nothing changed: the message is gone, the handle was never issued, or
  // the message is not in flight (then there is nothing to change).
  r = (*conn)->Exec("SELECT receive_count FROM ferry_messages WHERE queue_id = $1 AND seq = $2",
                    Params().Int(static_cast<int64_t>(id_)).Int(static_cast<int64_t>(h->seq)));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::NotFound("the message does not exist");
  if (h->generation > r->Int(0, 0))
    return Status::NotFound("no receive issued this receipt handle");
  return Status::Ok();
}

Status PgQueue::Purge() {
  // Before a connection is held: reading the row may take one.
  const std::shared_ptr<const QueueRow> row = Current();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  const Params id = Params().Int(static_cast<int64_t>(id_));
  const std::optional<JourneyConfig> journey = JourneyConfigOf(row->settings);
  const TimeMs now = core_->clock().NowMs();
  // The deduplication window empties too, as on AWS.
  return InTransaction(**conn, [&]() -> Status {
    if (journey) {
      FERRY_RETURN_IF_ERROR(
          (*conn)
              ->Exec(kJourneyPurge, Params()
                                        .Int(static_cast<int64_t>(id_))
                                        .Int(now)
                                        .Int(now - SecondsToMs(row->settings.retention_s))
                                        .Int(journey->max_events))
              .status());
      return (*conn)->Exec("DELETE FROM ferry_dedup WHERE queue_id = $1", id).status();
    }
    FERRY_RETURN_IF_ERROR(
        (*conn)->Exec("DELETE FROM ferry_messages WHERE queue_id = $1", id).status());
    return (*conn)->Exec("DELETE FROM ferry_dedup WHERE queue_id = $1", id).status();
  });
}

QueueStats PgQueue::Stats() {
  QueueStats s;
  const QueueCounters& c = core_->Counters(id_);
  s.sent = c.sent;
  s.sent_bytes = c.sent_bytes;
  s.received = c.received;
  s.empty_receives = c.empty_receives;
  s.deleted = c.deleted;
  s.moved_to_dead_letter = c.moved_to_dead_letter;
  const std::shared_ptr<const QueueRow> row = Current();
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return s;
  Result<PgResult> r =
      (*conn)->Exec(kStats, Params()
                                .Int(static_cast<int64_t>(id_))
                                .Int(now)
                                .Int(now - SecondsToMs(row->settings.retention_s)));
  if (!r.ok() || r->rows() == 0) return s;
  s.visible = r->Int(0, 0);
  s.in_flight = r->Int(0, 1);
  s.delayed = r->Int(0, 2);
  s.oldest_sent_ms = r->Int(0, 3);
  return s;
}

std::vector<JourneyEntry> PgQueue::Journey(std::string_view message_id) const {
  const std::optional<std::array<uint8_t, 16>> id = ParseMessageId(message_id);
  if (!id) return {};
  const std::optional<JourneyConfig> config = JourneyConfigOf(Current()->settings);
  if (!config) return {};
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return {};
  Result<std::vector<JourneyEntry>> got =
      ReadJourney(**conn, id_, *id, *config, core_->clock().NowMs());
  return got.ok() ? std::move(*got) : std::vector<JourneyEntry>{};
}

uint64_t PgQueue::Watch(std::function<void()> fn) {
  return core_->watchers().Add(id_, std::move(fn));
}

void PgQueue::Unwatch(uint64_t token) { core_->watchers().Remove(id_, token); }

void PgQueue::Wake() const { core_->watchers().Fire(id_); }

TimeMs PgQueue::NextWakeMs() {
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  // The database is away: look again in a second.
  if (!conn.ok()) return now + 1000;
  Result<PgResult> r = (*conn)->Exec(kNextWake, Params().Int(static_cast<int64_t>(id_)).Int(now));
  if (!r.ok()) return now + 1000;
  return r->IsNull(0, 0) ? INT64_MAX : r->Int(0, 0);
}

ReceivedMessage PgQueue::Received(MessageRow m) const {
  ReceivedMessage out;
  out.message_id = FormatMessageId(m.id);
  out.receipt_handle = EncodeReceiptHandle(
      {id_, m.seq, static_cast<uint32_t>(std::max<int64_t>(m.receive_count, 0))});
  out.payload = std::move(m.payload);
  out.group_id = std::move(m.group_id);
  out.sequence = m.seq;
  out.sent_ms = m.sent_ms;
  out.first_receive_ms = m.first_receive_ms;
  out.receive_count = static_cast<int32_t>(std::min<int64_t>(m.receive_count, INT32_MAX));
  out.dead_letter_source = std::move(m.dead_letter_source);
  return out;
}

}  // namespace ferry::engine::pg
