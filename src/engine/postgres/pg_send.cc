#include "engine/postgres/pg_send.h"

#include "engine/postgres/postgres_queue.h"

namespace ferry::engine::pg {

PreparedSends PrepareSends(std::span<const ToSend> sends, TimeMs now) {
  PreparedSends out;
  out.refused.assign(sends.size(), Status::Ok());
  out.batch.reserve(sends.size());
  out.index.reserve(sends.size());
  for (size_t i = 0; i < sends.size(); ++i) {
    const ToSend& s = sends[i];
    if (s.queue == nullptr) {
      out.refused[i] = Status::InvalidArgument("the queue is not this engine's");
      continue;
    }
    Result<NewMessage> m =
        s.queue->Prepare(*s.row, s.payload, s.delay_ms, s.group, s.dedup_id, now);
    if (!m.ok()) {
      out.refused[i] = m.status();
      continue;
    }
    out.batch.push_back({s.row.get(), *m});
    out.index.push_back(i);
  }
  return out;
}

std::vector<Result<Stored>> SendPrepared(PgCore& core, std::span<const ToSend> sends, TimeMs now) {
  PreparedSends prepared = PrepareSends(sends, now);
  std::vector<Result<Stored>> out;
  out.reserve(sends.size());
  for (Status& s : prepared.refused) {
    out.emplace_back(s.ok() ? Status::Internal("not sent") : std::move(s));  // set below
  }
  if (prepared.batch.empty()) return out;
  Result<std::vector<Stored>> stored = core.SendMany(prepared.batch, now);
  for (size_t j = 0; j < prepared.index.size(); ++j) {
    out[prepared.index[j]] = stored.ok() ? Result<Stored>((*stored)[j]) : stored.status();
  }
  return out;
}

}  // namespace ferry::engine::pg
