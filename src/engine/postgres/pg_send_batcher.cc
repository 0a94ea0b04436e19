#include "engine/postgres/pg_send_batcher.h"

#include <algorithm>
#include <set>

namespace ferry::engine::pg {
namespace {

// The most sends one statement takes, and the most payload bytes.
constexpr size_t kMaxBatch = 256;
constexpr size_t kMaxBatchBytes = 16u << 20;

// $1.. $6 one array per column, in the same order; $7 the queues to wake.
// The uncorrelated subquery runs once, sending one notification per queue.
constexpr const char* kInsertMany =
    "WITH m AS (INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, "
    "sent_ms, visible_at_ms) SELECT t.q, nextval('ferry_message_seq'), t.id, t.p, t.g, t.s, t.v "
    "FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::text[], $5::bigint[], $6::bigint[]) "
    "WITH ORDINALITY AS t(q, id, p, g, s, v, n) ORDER BY t.n RETURNING message_id, seq) "
    "SELECT m.message_id, m.seq, (SELECT count(pg_notify('ferry_wake', w::text)) "
    "FROM unnest($7::bigint[]) AS w) FROM m";

}  // namespace

Result<uint64_t> SendBatcher::Insert(uint64_t queue_id, const NewMessage& m, bool wake) {
  Pending me;
  me.queue_id = queue_id;
  me.message = &m;
  me.wake = wake;
  std::vector<Pending*> batch;
  {
    std::unique_lock lock(mu_);
    queued_.push_back(&me);
    done_.wait(lock, [&] { return me.done || !leading_; });
    if (me.done) {
      if (!me.status.ok()) return me.status;
      return me.seq;
    }
    // Lead: take what is queued, this send first among them.
    leading_ = true;
    size_t bytes = 0;
    auto it = queued_.begin();
    std::iter_swap(it, std::find(queued_.begin(), queued_.end(), &me));
    for (; it != queued_.end() && batch.size() < kMaxBatch; ++it) {
      bytes += (*it)->message->payload.size();
      if (!batch.empty() && bytes > kMaxBatchBytes) break;
      batch.push_back(*it);
    }
    queued_.erase(queued_.begin(), it);
  }
  Run(batch);
  {
    std::lock_guard lock(mu_);
    for (Pending* p : batch) p->done = true;
    leading_ = false;
  }
  done_.notify_all();
  if (!me.status.ok()) return me.status;
  return me.seq;
}

void SendBatcher::Run(const std::vector<Pending*>& batch) {
  auto fail = [&](const Status& st) {
    for (Pending* p : batch) p->status = st;
  };
  Result<PgPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return fail(conn.status());
  std::vector<int64_t> queues;
  std::vector<std::array<uint8_t, 16>> ids;
  std::vector<std::string_view> payloads;
  std::vector<std::string_view> groups;
  std::vector<int64_t> sent;
  std::vector<int64_t> visible;
  std::set<int64_t> wake;
  for (const Pending* p : batch) {
    const NewMessage& m = *p->message;
    queues.push_back(static_cast<int64_t>(p->queue_id));
    ids.push_back(m.id);
    payloads.push_back(m.payload);
    groups.push_back(m.group_id);
    sent.push_back(m.sent_ms);
    visible.push_back(m.visible_at_ms);
    if (p->wake) wake.insert(static_cast<int64_t>(p->queue_id));
  }
  Result<PgResult> r = (*conn)->Exec(kInsertMany, Params()
                                                      .Int8ArrayBinary(queues)
                                                      .UuidArrayBinary(ids)
                                                      .BytesArrayBinary(payloads)
                                                      .TextArrayBinary(groups)
                                                      .Int8ArrayBinary(sent)
                                                      .Int8ArrayBinary(visible)
                                                      .Int8ArrayBinary({wake.begin(), wake.end()}));
  if (!r.ok()) return fail(r.status());
  if (r->rows() != static_cast<int>(batch.size())) {
    return fail(Status::Internal("postgres: a batch insert returned " + std::to_string(r->rows()) +
                                 " rows for " + std::to_string(batch.size()) + " messages"));
  }
  // Rows come back in no promised order: match them by message id.
  for (int i = 0; i < r->rows(); ++i) {
    const std::array<uint8_t, 16> id = r->Uuid(i, 0);
    for (Pending* p : batch) {
      if (p->message->id == id) p->seq = static_cast<uint64_t>(r->Int(i, 1));
    }
  }
}

}  // namespace ferry::engine::pg
