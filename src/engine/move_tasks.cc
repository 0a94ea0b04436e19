#include "engine/move_tasks.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "engine/engine.h"

namespace ferry::engine {
namespace {

// Move tasks kept per queue (ListMessageMoveTasks shows at most 10).
constexpr size_t kTasksKept = 10;

bool IsActive(MoveTaskStatus s) {
  return s == MoveTaskStatus::kRunning || s == MoveTaskStatus::kCancelling;
}

storage::Record MoveTaskRecord(uint64_t queue_id, const MoveTaskInfo& t) {
  return storage::MoveTask{
      .queue_id = queue_id,
      .task_id = t.task_id,
      .destination_queue = t.destination_queue,
      .max_per_second = static_cast<uint64_t>(std::max<int64_t>(t.max_per_second, 0)),
      .started_ms = t.started_ms,
      .to_move = static_cast<uint64_t>(std::max<int64_t>(t.to_move, 0)),
      .moved = static_cast<uint64_t>(std::max<int64_t>(t.moved, 0)),
      .status = static_cast<uint8_t>(t.status),
      .failure_reason = t.failure_reason};
}

}  // namespace

MoveTasks::MoveTasks(const Clock& clock, QueueMover::Finder find, QueueMover& mover)
    : clock_(clock), find_(std::move(find)), mover_(mover) {}

void MoveTasks::PutLocked(uint64_t queue_id, const MoveTaskInfo& info, TimeMs now) {
  auto& list = tasks_[queue_id];
  for (Task& t : list) {
    if (t.info.task_id == info.task_id) {
      t.info = info;
      return;
    }
  }
  list.push_back(Task{info, 0, now});
  while (list.size() > kTasksKept && !IsActive(list.front().info.status)) list.pop_front();
}

Status MoveTasks::LogLocked(uint64_t queue_id, const MoveTaskInfo& info) {
  if (log_ == nullptr) return Status::Ok();
  auto lsn = log_->Append(MoveTaskRecord(queue_id, info));
  return lsn.ok() ? Status::Ok() : lsn.status();
}

Result<MoveTaskInfo> MoveTasks::Start(uint64_t queue_id, const MoveTaskInfo& info) {
  std::lock_guard lock(mu_);
  for (const Task& t : tasks_[queue_id]) {
    if (IsActive(t.info.status)) {
      return Status::FailedPrecondition("a message move task of " + info.source_queue +
                                        " is still running");
    }
  }
  FERRY_RETURN_IF_ERROR(LogLocked(queue_id, info));
  PutLocked(queue_id, info, info.started_ms);
  return info;
}

Result<MoveTaskInfo> MoveTasks::Cancel(uint64_t queue_id, const std::string& task_id) {
  std::lock_guard lock(mu_);
  auto found = tasks_.find(queue_id);
  if (found == tasks_.end()) return Status::NotFound("no such task");
  for (Task& t : found->second) {
    if (t.info.task_id != task_id) continue;
    if (t.info.status != MoveTaskStatus::kRunning) {
      return Status::FailedPrecondition("the task is not running");
    }
    MoveTaskInfo next = t.info;
    next.status = MoveTaskStatus::kCancelling;
    FERRY_RETURN_IF_ERROR(LogLocked(queue_id, next));
    MoveTaskInfo before = t.info;
    t.info = std::move(next);
    return before;
  }
  return Status::NotFound("no such task");
}

std::vector<MoveTaskInfo> MoveTasks::List(uint64_t queue_id, size_t max) const {
  std::vector<MoveTaskInfo> out;
  std::lock_guard lock(mu_);
  auto found = tasks_.find(queue_id);
  if (found == tasks_.end()) return out;
  for (auto it = found->second.rbegin(); it != found->second.rend() && out.size() < max; ++it) {
    out.push_back(it->info);
  }
  return out;
}

void MoveTasks::Forget(uint64_t queue_id) {
  std::lock_guard lock(mu_);
  tasks_.erase(queue_id);
}

void MoveTasks::Advance() {
  const TimeMs now = clock_.NowMs();
  struct Step {
    uint64_t queue_id;
    std::string task_id;
    std::string source;
    std::string destination;
    int64_t budget;
  };
  std::vector<Step> steps;
  {
    std::lock_guard lock(mu_);
    for (auto& [queue_id, list] : tasks_) {
      for (Task& t : list) {
        if (t.info.status == MoveTaskStatus::kCancelling) {
          MoveTaskInfo next = t.info;
          next.status = MoveTaskStatus::kCancelled;
          if (!LogLocked(queue_id, next).ok()) continue;
          t.info = std::move(next);
          continue;
        }
        if (t.info.status != MoveTaskStatus::kRunning) continue;
        const int64_t rate =
            t.info.max_per_second > 0 ? t.info.max_per_second : Engine::kDefaultMoveRate;
        // At most one second's worth accumulates, so a stalled tick does not
        // turn into a burst above the rate.
        t.allowance =
            std::min(rate * 1000, t.allowance + rate * std::max<TimeMs>(now - t.last_ms, 0));
        t.last_ms = now;
        const int64_t budget = std::min(t.allowance / 1000, t.info.to_move - t.info.moved);
        steps.push_back({queue_id, t.info.task_id, t.info.source_queue, t.info.destination_queue,
                         std::max<int64_t>(budget, 0)});
      }
    }
  }
  for (const Step& step : steps) {
    std::shared_ptr<MovableQueue> source = find_(step.source);
    int64_t moved = 0;
    bool exhausted = false;
    std::string failure;
    if (source && step.budget > 0) {
      Result<std::vector<MovingMessage>> taken = source->TakeForMove(static_cast<int>(step.budget));
      if (taken.ok()) {
        exhausted = taken->empty();
        if (!exhausted) {
          moved = mover_.Redrive(*source, step.destination, std::move(*taken), &failure);
        }
      }
    }
    std::lock_guard lock(mu_);
    auto found = tasks_.find(step.queue_id);
    if (found == tasks_.end()) continue;  // the source was deleted meanwhile
    for (Task& t : found->second) {
      if (t.info.task_id != step.task_id) continue;
      MoveTaskInfo next = t.info;
      next.moved += moved;
      if (!failure.empty()) {
        next.status = MoveTaskStatus::kFailed;
        next.failure_reason = failure;
      } else if (next.status == MoveTaskStatus::kRunning &&
                 (exhausted || next.moved >= next.to_move)) {
        next.status = MoveTaskStatus::kCompleted;
      }
      t.allowance -= moved * 1000;
      if (next.moved == t.info.moved && next.status == t.info.status) break;
      if (!LogLocked(step.queue_id, next).ok()) {
        t.info.moved = next.moved;  // logged at the next change
        break;
      }
      t.info = std::move(next);
      break;
    }
  }
}

void MoveTasks::Snapshot(storage::CheckpointBuilder& builder) const {
  std::lock_guard lock(mu_);
  for (const auto& [queue_id, list] : tasks_) {
    for (const Task& t : list) builder.Add(MoveTaskRecord(queue_id, t.info));
  }
}

void MoveTasks::Restore(const storage::MoveTask& r, const std::string& source) {
  MoveTaskInfo t;
  t.task_id = r.task_id;
  t.source_queue = source;
  t.destination_queue = r.destination_queue;
  t.max_per_second = static_cast<int64_t>(r.max_per_second);
  t.started_ms = r.started_ms;
  t.to_move = static_cast<int64_t>(r.to_move);
  t.moved = static_cast<int64_t>(r.moved);
  t.status = static_cast<MoveTaskStatus>(r.status);
  t.failure_reason = r.failure_reason;
  std::lock_guard lock(mu_);
  PutLocked(r.queue_id, t, clock_.NowMs());
}

Status MoveTasks::Recovery::Recover(RecordSource source, storage::Lsn lsn,
                                    const storage::Record& r) {
  const auto* task = std::get_if<storage::MoveTask>(&r);
  if (task == nullptr) {
    return Status::Internal("record type " + std::to_string(static_cast<int>(storage::TypeOf(r))) +
                            " is not a move task's");
  }
  if (const std::string* name = queue_name_(source, lsn, task->queue_id)) {
    tasks_.Restore(*task, *name);
  }
  return Status::Ok();
}

}  // namespace ferry::engine
