#include "engine/postgres/pg_move_tasks.h"

#include <algorithm>
#include <set>

#include "common/crypto.h"
#include "engine/postgres/pg_fifo_groups.h"
#include "engine/postgres/pg_journey.h"

namespace ferry::engine::pg {
namespace {

// Tasks kept per queue (ListMessageMoveTasks shows at most 10).
constexpr int kTasksKept = 10;

constexpr const char* kTaskColumns =
    "task_id, destination, max_per_second, started_ms, to_move, moved, status, failure_reason";

MoveTaskInfo TaskAt(const PgResult& r, int row, const std::string& source) {
  MoveTaskInfo t;
  t.task_id = r.Str(row, 0);
  t.source_queue = source;
  t.destination_queue = r.Str(row, 1);
  t.max_per_second = r.Int(row, 2);
  t.started_ms = r.Int(row, 3);
  t.to_move = r.Int(row, 4);
  t.moved = r.Int(row, 5);
  t.status = static_cast<MoveTaskStatus>(r.Int(row, 6));
  t.failure_reason = r.Str(row, 7);
  return t;
}

constexpr int64_t kRunning = static_cast<int64_t>(MoveTaskStatus::kRunning);
constexpr int64_t kCancelling = static_cast<int64_t>(MoveTaskStatus::kCancelling);

// The leading visible messages of the groups $3 (in that order), each group
// from its first message up to its first one not visible, at most $4 in
// all. A statement of its own, so that its snapshot follows the commit of
// any send that held a group's lock before kLockFifoGroups took it.
const std::string& GroupsLeadingMessagesSql() {
  static const std::string sql = std::string("SELECT ") + kMessageColumns + R"sql( FROM (
  SELECT m.*, g.ord,
         bool_and(m.visible_at_ms <= $2) OVER (PARTITION BY g.ord ORDER BY m.seq) AS leading
  FROM unnest($3::text[]) WITH ORDINALITY AS g(gid, ord)
  CROSS JOIN LATERAL (SELECT x.* FROM ferry_messages x
                      WHERE x.queue_id = $1 AND x.group_id = g.gid AND x.group_id <> ''
                      ORDER BY x.seq LIMIT $4) m) h
WHERE h.leading ORDER BY h.ord, h.seq LIMIT $4
)sql";
  return sql;
}

// The messages a step takes: on a FIFO source whole ready groups, each from
// its first message on, as the local engine's move tasks take them (a
// receive's order, so the destination gets every group in order); else the
// visible messages in the index's order.
Result<PgResult> TakeForMove(PgConn& conn, int64_t source_id, bool fifo, int64_t budget,
                             TimeMs now) {
  if (!fifo) {
    return conn.Exec(std::string("SELECT ") + kMessageColumns +
                         " FROM ferry_messages WHERE queue_id = $1 AND visible_at_ms <= $2 "
                         "ORDER BY visible_at_ms, seq LIMIT $3 FOR UPDATE SKIP LOCKED",
                     Params().Int(source_id).Int(now).Int(budget));
  }
  Result<PgResult> groups =
      conn.Exec(kLockFifoGroups, Params().Int(source_id).Int(now).Int(budget));
  if (!groups.ok()) return groups.status();
  std::vector<std::string> ids;
  for (int i = 0; i < groups->rows(); ++i) ids.push_back(groups->Str(i, 0));
  if (ids.empty()) return groups;  // no rows: nothing to move
  return conn.Exec(GroupsLeadingMessagesSql(),
                   Params().Int(source_id).Int(now).TextArray(ids).Int(budget));
}

// A running task's step: moves up to `budget` visible messages of the
// source, each as a new message of its destination. Sets *failure when a
// message cannot go anywhere (the task then fails).
// `source_name`, `source_journeyed`: for the journeys' events (the local
// engine's: Sent and MovedFrom in the destination, MovedTo in the source),
// written in the step's transaction.
Result<int64_t> MoveSome(PgCore& core, PgConn& conn, int64_t source_id, bool source_fifo,
                         const std::string& source_name, bool source_journeyed,
                         const std::string& destination, int64_t budget, TimeMs now,
                         bool* exhausted, std::string* failure, std::set<uint64_t>* woken) {
  std::vector<JourneyRow> events;
  Result<PgResult> r = TakeForMove(conn, source_id, source_fifo, budget, now);
  if (!r.ok()) return r.status();
  *exhausted = r->rows() == 0;
  int64_t moved = 0;
  // FIFO groups with a message that is gone meanwhile (expired): their
  // later messages stay, so that none overtakes what was before it.
  std::set<std::string> held_back;
  for (int i = 0; i < r->rows(); ++i) {
    MessageRow m = MessageAt(*r, i);
    if (held_back.contains(m.group_id)) continue;
    const std::string& to = destination.empty() ? m.dead_letter_source : destination;
    if (to.empty()) {
      *failure =
          "A message in the source queue was not moved there from another queue, so it has "
          "no original source queue to return to.";
      break;
    }
    Result<PgResult> found =
        conn.Exec(std::string("SELECT ") + kQueueColumns + " FROM ferry_queues WHERE name = $1",
                  Params().Text(to));
    if (!found.ok()) return found.status();
    if (found->rows() == 0) {
      *failure = "The destination queue " + to + " does not exist.";
      break;
    }
    std::shared_ptr<const QueueRow> dest = QueueRowAt(*found, 0);
    if (dest->fifo && m.group_id.empty()) {
      *failure = "The destination queue " + to + " could not store a message: it has no group id";
      break;
    }
    // A FIFO destination deduplicates by the original id: a step repeated
    // after a failure stores no second copy.
    const std::string dedup = ToHex(m.id.data(), m.id.size());
    NewMessage copy;
    copy.id = NewMessageId();
    copy.payload = m.payload;
    copy.group_id = m.group_id;
    copy.dedup_id = dedup;
    copy.sent_ms = now;
    copy.visible_at_ms = now;
    // Deleted first: a message that left meanwhile (retention; the rows a
    // FIFO step read are not locked, only their groups) is not copied.
    Result<PgResult> deleted =
        conn.Exec("DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = $2",
                  Params().Int(source_id).Int(static_cast<int64_t>(m.seq)));
    if (!deleted.ok()) return deleted.status();
    if (deleted->affected() == 0) {
      held_back.insert(m.group_id);
      continue;
    }
    Result<Stored> stored = core.Store(conn, *dest, copy, now);
    if (!stored.ok()) return stored.status();
    if (!stored->duplicate) {
      QueueCounters& c = core.Counters(dest->id);
      ++c.sent;
      c.sent_bytes += m.payload.size();
    }
    woken->insert(dest->id);
    ++moved;
    if (!stored->duplicate && Journeyed(*dest)) events.push_back(SentEvent(*dest, copy, now));
    if (source_journeyed) {
      events.push_back({static_cast<uint64_t>(source_id), m.id, JourneyKind::kMovedTo,
                        m.receive_count, now, 0,
                        dest->name + " as " + FormatMessageId(stored->id)});
    }
    if (Journeyed(*dest)) {
      events.push_back({dest->id, stored->id, JourneyKind::kMovedFrom, 0, now, 0,
                        source_name + " (was " + FormatMessageId(m.id) + ")"});
    }
  }
  FERRY_RETURN_IF_ERROR(WriteJourney(conn, events));
  return moved;
}

}  // namespace

Result<MoveTaskInfo> StartMoveTask(PgCore& core, const QueueRow& source,
                                   const std::string& destination, int64_t max_per_second) {
  const TimeMs now = core.clock().NowMs();
  Result<PgPool::Lease> conn = core.pool().Acquire();
  if (!conn.ok()) return conn.status();
  const auto qid = static_cast<int64_t>(source.id);
  MoveTaskInfo info;
  info.task_id = NewUuid();
  info.source_queue = source.name;
  info.destination_queue = destination;
  info.max_per_second = std::max<int64_t>(max_per_second, 0);
  info.started_ms = now;
  FERRY_RETURN_IF_ERROR(InTransaction(**conn, [&]() -> Status {
    // The source's row lock makes concurrent starts (on any nodes) take turns.
    Result<PgResult> r = (*conn)->Exec(
        "SELECT id FROM ferry_queues WHERE id = $1 FOR NO KEY UPDATE", Params().Int(qid));
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return Status::NotFound("no queue named " + source.name);
    r = (*conn)->Exec(
        "SELECT count(*) FROM ferry_move_tasks WHERE queue_id = $1 AND status IN (1, 3)",
        Params().Int(qid));
    if (!r.ok()) return r.status();
    if (r->Int(0, 0) > 0) {
      return Status::FailedPrecondition("a message move task of " + source.name +
                                        " is still running");
    }
    r = (*conn)->Exec(
        "SELECT count(*) FROM ferry_messages WHERE queue_id = $1 AND visible_at_ms <= $2",
        Params().Int(qid).Int(now));
    if (!r.ok()) return r.status();
    info.to_move = r->Int(0, 0);
    FERRY_RETURN_IF_ERROR(
        (*conn)
            ->Exec("INSERT INTO ferry_move_tasks (task_id, queue_id, ord, destination, "
                   "max_per_second, started_ms, to_move, moved, status, last_ms) VALUES ($1, $2, "
                   "nextval('ferry_message_seq'), $3, $4, $5, $6, 0, $7, $5)",
                   Params()
                       .Text(info.task_id)
                       .Int(qid)
                       .Text(destination)
                       .Int(info.max_per_second)
                       .Int(now)
                       .Int(info.to_move)
                       .Int(kRunning))
            .status());
    return (*conn)
        ->Exec(
            "DELETE FROM ferry_move_tasks WHERE queue_id = $1 AND status NOT IN (1, 3) AND "
            "task_id NOT IN (SELECT task_id FROM ferry_move_tasks WHERE queue_id = $1 "
            "ORDER BY ord DESC LIMIT $2)",
            Params().Int(qid).Int(kTasksKept))
        .status();
  }));
  return info;
}

Result<MoveTaskInfo> CancelMoveTask(PgCore& core, const QueueRow& source,
                                    const std::string& task_id) {
  Result<PgPool::Lease> conn = core.pool().Acquire();
  if (!conn.ok()) return conn.status();
  const Params key = Params().Int(static_cast<int64_t>(source.id)).Text(task_id);
  Result<PgResult> r = (*conn)->Exec(
      std::string("UPDATE ferry_move_tasks SET status = 3 WHERE queue_id = $1 AND task_id = $2 "
                  "AND status = 1 RETURNING ") +
          kTaskColumns,
      key);
  if (!r.ok()) return r.status();
  if (r->rows() > 0) {
    MoveTaskInfo before = TaskAt(*r, 0, source.name);
    before.status = MoveTaskStatus::kRunning;  // the task as it was
    return before;
  }
  r = (*conn)->Exec("SELECT status FROM ferry_move_tasks WHERE queue_id = $1 AND task_id = $2",
                    key);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::NotFound("no such task");
  return Status::FailedPrecondition("the task is not running");
}

Result<std::vector<MoveTaskInfo>> ListMoveTasks(PgCore& core, const QueueRow& source, size_t max) {
  Result<PgPool::Lease> conn = core.pool().Acquire();
  if (!conn.ok()) return conn.status();
  Result<PgResult> r =
      (*conn)->Exec(std::string("SELECT ") + kTaskColumns +
                        " FROM ferry_move_tasks WHERE queue_id = $1 ORDER BY ord DESC LIMIT $2",
                    Params()
                        .Int(static_cast<int64_t>(source.id))
                        .Int(static_cast<int64_t>(std::min<size_t>(max, INT32_MAX))));
  if (!r.ok()) return r.status();
  std::vector<MoveTaskInfo> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(TaskAt(*r, i, source.name));
  return out;
}

Status AdvanceMoveTasks(PgCore& core, PgConn& conn, TimeMs now, std::vector<uint64_t>* woken) {
  std::set<uint64_t> woken_here;
  FERRY_RETURN_IF_ERROR(InTransaction(conn, [&]() -> Status {
    Result<PgResult> tasks = conn.Exec(
        "SELECT t.task_id, t.queue_id, t.destination, t.max_per_second, t.to_move, t.moved, "
        "t.status, t.allowance, t.last_ms, q.fifo, q.name, q.journey_max_events IS NOT NULL "
        "FROM ferry_move_tasks t JOIN ferry_queues q "
        "ON q.id = t.queue_id WHERE t.status IN (1, 3) FOR UPDATE OF t SKIP LOCKED");
    if (!tasks.ok()) return tasks.status();
    for (int i = 0; i < tasks->rows(); ++i) {
      const std::string task_id = tasks->Str(i, 0);
      if (tasks->Int(i, 6) == kCancelling) {
        FERRY_RETURN_IF_ERROR(conn.Exec("UPDATE ferry_move_tasks SET status = 4 WHERE task_id = $1",
                                        Params().Text(task_id))
                                  .status());
        continue;
      }
      const int64_t rate = tasks->Int(i, 3) > 0 ? tasks->Int(i, 3) : Engine::kDefaultMoveRate;
      const int64_t to_move = tasks->Int(i, 4);
      int64_t moved = tasks->Int(i, 5);
      // At most one second's worth accumulates, so a stalled tick does not
      // turn into a burst above the rate.
      int64_t allowance = std::min(
          rate * 1000, tasks->Int(i, 7) + rate * std::max<TimeMs>(now - tasks->Int(i, 8), 0));
      const int64_t budget = std::max<int64_t>(std::min(allowance / 1000, to_move - moved), 0);
      bool exhausted = false;
      std::string failure;
      int64_t step = 0;
      if (budget > 0) {
        Result<int64_t> n = MoveSome(core, conn, tasks->Int(i, 1), tasks->Bool(i, 9),
                                     tasks->Str(i, 10), tasks->Bool(i, 11), tasks->Str(i, 2),
                                     budget, now, &exhausted, &failure, &woken_here);
        if (!n.ok()) return n.status();
        step = *n;
      }
      moved += step;
      allowance -= step * 1000;
      MoveTaskStatus status = MoveTaskStatus::kRunning;
      if (!failure.empty()) {
        status = MoveTaskStatus::kFailed;
      } else if (exhausted || moved >= to_move) {
        status = MoveTaskStatus::kCompleted;
      }
      FERRY_RETURN_IF_ERROR(
          conn.Exec("UPDATE ferry_move_tasks SET moved = $2, status = $3, failure_reason = $4, "
                    "allowance = $5, last_ms = $6 WHERE task_id = $1",
                    Params()
                        .Text(task_id)
                        .Int(moved)
                        .Int(static_cast<int64_t>(status))
                        .Text(failure)
                        .Int(allowance)
                        .Int(now))
              .status());
    }
    return Status::Ok();
  }));
  woken->insert(woken->end(), woken_here.begin(), woken_here.end());
  return Status::Ok();
}

}  // namespace ferry::engine::pg
