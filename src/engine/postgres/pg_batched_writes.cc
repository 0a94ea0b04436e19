#include "engine/postgres/pg_batched_writes.h"

#include <map>
#include <set>
#include <utility>

namespace ferry::engine::pg {
namespace {

// The most calls one statement takes (each of at most a request's batch of
// rows), and the most payload bytes unless one call alone has more.
constexpr size_t kMaxGroup = 256;
constexpr size_t kMaxGroupBytes = 16u << 20;
// Statements of each kind running at once. One: measured with
// bench/postgres.sh (one node, 32 connections), two insert leaders were no
// faster for send-batch than one (20,900-24,800 against 20,300-23,300
// msgs/s) and slower for single sends (6,000-6,400 against 6,600-7,100);
// four lost a quarter of both (smaller groups, more statements for the
// same rows). Deletes run one group at a time anyway: two DELETEs that
// both name a message (a handle deleted twice at once) could wait on each
// other's row locks.
constexpr size_t kInsertLeaders = 1;
constexpr size_t kDeleteLeaders = 1;

// $1..$6 one array per column, in the same order.
constexpr const char* kInsertMany =
    "INSERT INTO ferry_messages (queue_id, seq, message_id, payload, group_id, sent_ms, "
    "visible_at_ms) SELECT t.q, nextval('ferry_message_seq'), t.id, t.p, t.g, t.s, t.v "
    "FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::text[], $5::bigint[], $6::bigint[]) "
    "WITH ORDINALITY AS t(q, id, p, g, s, v, n) ORDER BY t.n RETURNING message_id, seq";

// The wake-ups of the queues $1, sent after the writes committed, in a
// transaction of their own. A transaction that notifies holds the
// database's notification lock from before its commit until after it, WAL
// flush included: notifying in the writes' own transactions would let only
// one of them commit at a time. This one writes no WAL, so it holds the
// lock only briefly, and the writes' commits overlap (their flushes are
// shared).
constexpr const char* kNotify =
    "SELECT count(pg_notify('ferry_wake', w::text)) FROM unnest($1::bigint[]) AS w";

// $1 queues, $2 sequences, $3 generations (receive counts).
constexpr const char* kDeleteMany =
    "DELETE FROM ferry_messages m USING unnest($1::bigint[], $2::bigint[], $3::bigint[]) "
    "AS t(q, s, g) WHERE m.queue_id = t.q AND m.seq = t.s AND m.receive_count = t.g "
    "RETURNING m.queue_id, m.seq";

// After a commit, its wake-ups (kNotify). The writes are durable whatever
// happens here: a lost wake-up delays a poll on another node by at most
// the once-a-second repair (README.md, "Long polling across nodes"), so a
// failure is not the writers' error.
void NotifyAfterCommit(PgConn& conn, const std::set<int64_t>& queues) {
  if (queues.empty()) return;
  (void)conn.Exec(kNotify, Params().Int8ArrayBinary({queues.begin(), queues.end()}));
}

template <typename Item>
void FailAll(const std::vector<Item*>& group, const Status& st) {
  for (Item* item : group) item->status = st;
}

}  // namespace

BatchedWrites::BatchedWrites(PgPool& pool)
    : pool_(pool),
      inserts_([this](const std::vector<InsertItem*>& g) { RunInserts(g); }, kMaxGroup,
               [](const InsertItem& i) {
                 size_t bytes = 0;
                 for (const InsertRow& r : i.rows) bytes += r.message->payload.size();
                 return bytes;
               },
               kMaxGroupBytes, kInsertLeaders),
      deletes_([this](const std::vector<DeleteItem*>& g) { RunDeletes(g); }, kMaxGroup,
               [](const DeleteItem&) { return size_t{1}; }, kMaxGroup, kDeleteLeaders) {}

Result<std::vector<uint64_t>> BatchedWrites::Insert(std::span<const InsertRow> rows) {
  if (rows.empty()) return std::vector<uint64_t>();
  InsertItem item;
  item.rows = rows;
  inserts_.Submit(&item);
  if (!item.status.ok()) return item.status;
  return std::move(item.seqs);
}

Result<uint64_t> BatchedWrites::Insert(uint64_t queue_id, const NewMessage& m, bool wake) {
  const InsertRow row{queue_id, &m, wake};
  Result<std::vector<uint64_t>> seqs = Insert(std::span<const InsertRow>(&row, 1));
  if (!seqs.ok()) return seqs.status();
  return seqs->front();
}

Result<std::vector<bool>> BatchedWrites::Delete(std::span<const DeleteRow> rows) {
  if (rows.empty()) return std::vector<bool>();
  DeleteItem item;
  item.rows = rows;
  deletes_.Submit(&item);
  if (!item.status.ok()) return item.status;
  return std::move(item.deleted);
}

Result<bool> BatchedWrites::Delete(uint64_t queue_id, uint64_t seq, uint32_t generation,
                                   bool wake) {
  const DeleteRow row{queue_id, seq, generation, wake};
  Result<std::vector<bool>> deleted = Delete(std::span<const DeleteRow>(&row, 1));
  if (!deleted.ok()) return deleted.status();
  return bool{deleted->front()};
}

void BatchedWrites::RunInserts(const std::vector<InsertItem*>& group) {
  Result<PgPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return FailAll(group, conn.status());
  std::vector<int64_t> queues;
  std::vector<std::array<uint8_t, 16>> ids;
  std::vector<std::string_view> payloads;
  std::vector<std::string_view> groups;
  std::vector<int64_t> sent;
  std::vector<int64_t> visible;
  std::set<int64_t> wake;
  size_t rows = 0;
  for (const InsertItem* item : group) {
    for (const InsertRow& row : item->rows) {
      const NewMessage& m = *row.message;
      queues.push_back(static_cast<int64_t>(row.queue_id));
      ids.push_back(m.id);
      payloads.push_back(m.payload);
      groups.push_back(m.group_id);
      sent.push_back(m.sent_ms);
      visible.push_back(m.visible_at_ms);
      if (row.wake) wake.insert(static_cast<int64_t>(row.queue_id));
      ++rows;
    }
  }
  Result<PgResult> r = (*conn)->Exec(kInsertMany, Params()
                                                      .Int8ArrayBinary(queues)
                                                      .UuidArrayBinary(ids)
                                                      .BytesArrayBinary(payloads)
                                                      .TextArrayBinary(groups)
                                                      .Int8ArrayBinary(sent)
                                                      .Int8ArrayBinary(visible));
  if (!r.ok()) return FailAll(group, r.status());
  if (r->rows() != static_cast<int>(rows)) {
    return FailAll(group,
                   Status::Internal("postgres: an insert of " + std::to_string(rows) +
                                    " messages returned " + std::to_string(r->rows()) + " rows"));
  }
  NotifyAfterCommit(**conn, wake);
  // Rows come back in no promised order: matched by message id.
  std::map<std::array<uint8_t, 16>, uint64_t> seqs;
  for (int i = 0; i < r->rows(); ++i) seqs[r->Uuid(i, 0)] = static_cast<uint64_t>(r->Int(i, 1));
  for (InsertItem* item : group) {
    item->seqs.reserve(item->rows.size());
    for (const InsertRow& row : item->rows) item->seqs.push_back(seqs[row.message->id]);
  }
}

void BatchedWrites::RunDeletes(const std::vector<DeleteItem*>& group) {
  Result<PgPool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) return FailAll(group, conn.status());
  std::vector<int64_t> queues;
  std::vector<int64_t> seqs;
  std::vector<int64_t> generations;
  std::set<int64_t> wake;
  for (const DeleteItem* item : group) {
    for (const DeleteRow& row : item->rows) {
      queues.push_back(static_cast<int64_t>(row.queue_id));
      seqs.push_back(static_cast<int64_t>(row.seq));
      generations.push_back(row.generation);
      if (row.wake) wake.insert(static_cast<int64_t>(row.queue_id));
    }
  }
  Result<PgResult> r = (*conn)->Exec(
      kDeleteMany,
      Params().Int8ArrayBinary(queues).Int8ArrayBinary(seqs).Int8ArrayBinary(generations));
  if (!r.ok()) return FailAll(group, r.status());
  std::set<std::pair<int64_t, int64_t>> deleted;
  for (int i = 0; i < r->rows(); ++i) deleted.emplace(r->Int(i, 0), r->Int(i, 1));
  // Only a deletion can unlock a FIFO group.
  if (!deleted.empty()) NotifyAfterCommit(**conn, wake);
  // A message named twice in a group is deleted once, and counted once.
  for (DeleteItem* item : group) {
    item->deleted.reserve(item->rows.size());
    for (const DeleteRow& row : item->rows) {
      item->deleted.push_back(
          deleted.erase({static_cast<int64_t>(row.queue_id), static_cast<int64_t>(row.seq)}) > 0);
    }
  }
}

}  // namespace ferry::engine::pg
