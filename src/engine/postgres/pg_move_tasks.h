// Message move tasks of the PostgreSQL engine, kept in ferry_move_tasks.
// A running task is advanced by whichever node's Tick locks its row first
// (FOR UPDATE SKIP LOCKED): its token bucket (allowance, in thousandths of
// a message, and the time it was last filled) lives in the row, so the rate
// holds however many nodes tick. Each step moves its messages and records
// its progress in one transaction: a message is in exactly one of the two
// queues at any commit.
//
// Thread-safety: functions of the core and a connection the caller holds.
#pragma once

#include <string>
#include <vector>

#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

Result<MoveTaskInfo> StartMoveTask(PgCore& core, const QueueRow& source,
                                   const std::string& destination, int64_t max_per_second);
Result<MoveTaskInfo> CancelMoveTask(PgCore& core, const QueueRow& source,
                                    const std::string& task_id);
Result<std::vector<MoveTaskInfo>> ListMoveTasks(PgCore& core, const QueueRow& source, size_t max);
// One step of every running task this node can lock; the queues that
// received messages are appended to `woken` (for the caller to wake).
Status AdvanceMoveTasks(PgCore& core, PgConn& conn, TimeMs now, std::vector<uint64_t>* woken);

}  // namespace ferry::engine::pg
