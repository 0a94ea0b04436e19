// MoveTasks: the message move tasks of a LocalEngine (StartMessageMoveTask
// and friends), kept per source queue id, and the tick that advances them.
// Each change of a task is logged as a full-state kMoveTask record (durable
// engines), before it is made in memory; a checkpoint holds one per task.
//
// Thread-safety: every method may be called from any thread. mu_ guards the
// tasks. It is taken after the engine's queue-map mutex (never that one
// while mu_ is held) and before the log's; no queue mutex is taken while it
// is held: Advance copies its plan out, moves messages with mu_ released,
// then records. The whole order is in docs/locking.md. AttachLog is the
// exception: it is called once, before the tasks are shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/dead_letter.h"
#include "engine/recovery.h"
#include "engine/types.h"
#include "storage/checkpoint.h"
#include "storage/log.h"
#include "storage/record.h"

namespace ferry::engine {

class MoveTasks {
 public:
  // `find` names the queues a tick moves messages out of; `mover` carries
  // them. Both must outlive this object.
  MoveTasks(const Clock& clock, QueueMover::Finder find, QueueMover& mover);

  MoveTasks(const MoveTasks&) = delete;
  MoveTasks& operator=(const MoveTasks&) = delete;

  // Durable engines: from now on every change is logged to `log` first.
  // Called once, after recovery and before the tasks are shared.
  void AttachLog(storage::Log* log) { log_ = log; }

  // Starts `info` (running, its counts set by the caller) on the queue
  // `queue_id`. kFailedPrecondition while another task of that queue is
  // active; the log's error when the record cannot be appended.
  Result<MoveTaskInfo> Start(uint64_t queue_id, const MoveTaskInfo& info);
  // Asks a running task to stop (the next tick cancels it); returns its
  // state before. kNotFound for an unknown task, kFailedPrecondition for
  // one not running.
  Result<MoveTaskInfo> Cancel(uint64_t queue_id, const std::string& task_id);
  // The queue's tasks, newest first, at most `max`.
  std::vector<MoveTaskInfo> List(uint64_t queue_id, size_t max) const;
  // The queue was deleted: its tasks go with it (nothing is logged; the
  // queue's deletion record implies it).
  void Forget(uint64_t queue_id);

  // One tick: cancels the tasks asked to stop, and moves as many messages
  // of each running task as its rate allows since the last tick.
  void Advance();

  // Adds one kMoveTask record per task to a checkpoint.
  void Snapshot(storage::CheckpointBuilder& builder) const;

  // The owner of kMoveTask records (recovery.h) for one recovery: keeps or
  // replaces a task's state from each, in checkpoints and the log alike.
  class Recovery final : public RecordOwner {
   public:
    // The name of the queue a record of queue_id applies to, or null when
    // it applies to none (the queue is unknown, or the record is already in
    // the checkpoint): the queue registry decides.
    using QueueName =
        std::function<const std::string*(RecordSource, storage::Lsn, uint64_t queue_id)>;
    Recovery(MoveTasks& tasks, QueueName queue_name)
        : tasks_(tasks), queue_name_(std::move(queue_name)) {}
    Status Recover(RecordSource source, storage::Lsn lsn, const storage::Record& r) override;

   private:
    MoveTasks& tasks_;
    const QueueName queue_name_;
  };

 private:
  struct Task {
    MoveTaskInfo info;
    int64_t allowance = 0;  // thousandths of a message the rate allows now (token bucket)
    TimeMs last_ms = 0;     // when allowance was last topped up
  };

  // Keeps or replaces the state of a task of the queue named `source` from
  // its record.
  void Restore(const storage::MoveTask& r, const std::string& source);
  // Keeps or replaces a task's state. Requires mu_ held.
  void PutLocked(uint64_t queue_id, const MoveTaskInfo& info, TimeMs now);
  // Appends the task's full state to the log (a no-op in memory). Requires
  // mu_ held.
  Status LogLocked(uint64_t queue_id, const MoveTaskInfo& info);

  const Clock& clock_;
  const QueueMover::Finder find_;
  QueueMover& mover_;
  storage::Log* log_ = nullptr;  // set once before sharing; null in memory

  mutable std::mutex mu_;
  // guarded by mu_: source queue id → its tasks, oldest first
  std::unordered_map<uint64_t, std::deque<Task>> tasks_;
};

}  // namespace ferry::engine
