// The statement that locks a FIFO queue's ready groups, shared by FIFO
// receives (the transactional path, postgres_queue_receive.cc) and move
// tasks on a FIFO source (pg_move_tasks.cc), so that both take groups
// alike: a group locked by one is skipped by the other, on any node.
#pragma once

namespace ferry::engine::pg {

// Ready groups in the order their first messages became visible, a
// message back from flight after one never received in the same
// millisecond (as ferry_receive_fifo): $1 queue, $2 now, $3 max.
inline constexpr const char* kLockFifoGroups = R"sql(
SELECT g.group_id FROM ferry_groups g
CROSS JOIN LATERAL (SELECT h.seq, h.visible_at_ms, h.receive_count FROM ferry_messages h
                    WHERE h.queue_id = $1 AND h.group_id = g.group_id AND h.group_id <> ''
                    ORDER BY h.seq LIMIT 1) hd
WHERE g.queue_id = $1 AND hd.visible_at_ms <= $2
  AND NOT EXISTS (SELECT 1 FROM ferry_messages f WHERE f.queue_id = $1 AND f.group_id <> ''
                  AND f.group_id = g.group_id AND f.in_flight AND f.visible_at_ms > $2)
ORDER BY hd.visible_at_ms, hd.receive_count > 0, hd.seq
LIMIT $3
FOR UPDATE OF g SKIP LOCKED
)sql";

}  // namespace ferry::engine::pg
