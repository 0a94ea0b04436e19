// The shape every batched send of the PostgreSQL engine shares
// (PgQueue::SendBatch, PostgresEngine::SendCopies and SendDedupedCopies):
// prepare each send (a send its queue refuses fails alone, before anything
// is stored), store the others together, give each send its result.
//
// Thread-safety: functions of their arguments; PgCore's rules apply.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

class PgQueue;

// One send: its queue (null: not this engine's, refused) and the row it is
// prepared against (kept alive by the caller until the call returns).
struct ToSend {
  const PgQueue* queue = nullptr;
  std::shared_ptr<const QueueRow> row;
  std::string_view payload;
  int64_t delay_ms = -1;  // negative: the queue's delay
  std::string_view group;
  std::string_view dedup_id;
};

// The sends a queue accepted, as SendMany takes them: batch[j] is send
// index[j]; refused[i] is send i's refusal (ok for those in the batch).
struct PreparedSends {
  std::vector<PgCore::ToStore> batch;
  std::vector<size_t> index;
  std::vector<Status> refused;
};
PreparedSends PrepareSends(std::span<const ToSend> sends, TimeMs now);

// PrepareSends, then PgCore::SendMany (one transaction): one result per
// send, its refusal, the transaction's error or what was stored.
std::vector<Result<Stored>> SendPrepared(PgCore& core, std::span<const ToSend> sends, TimeMs now);

}  // namespace ferry::engine::pg
