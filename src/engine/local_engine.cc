#include "engine/local_engine.h"

#include <algorithm>
#include <map>
#include <shared_mutex>
#include <unordered_map>

#include "common/crypto.h"
#include "engine/dead_letter.h"
#include "engine/local_queue.h"
#include "engine/log_body_store.h"
#include "engine/maintenance.h"
#include "engine/move_tasks.h"
#include "engine/settings_codec.h"
#include "storage/checkpoint.h"
#include "storage/log_reader.h"

namespace ferry::engine {
namespace {

uint64_t NewQueueId() {
  uint64_t v = 0;
  while (v == 0) RandomBytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

}  // namespace

struct LocalEngine::State {
  // Shared with the queues, so that an orphaned queue held past the engine's
  // life can still release its bodies.
  std::shared_ptr<BodyStore> bodies;
  // Durable engines only (null otherwise). log outlives every queue use:
  // the engine owns it and destroys it last.
  DurableOptions durable;
  std::unique_ptr<storage::Log> log;
  LogBodyStore* log_bodies = nullptr;        // owned by `bodies`
  std::unique_ptr<Maintenance> maintenance;  // uses log: declared after it

  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<LocalQueue>> queues;        // guarded by mu
  std::unordered_map<std::string, TimeMs> deleted_ms;               // guarded by mu
  TimeMs reuse_delay_ms = Engine::kDefaultQueueReuseDelay.count();  // guarded by mu

  // Carries messages between queues (dead-letter moves, move tasks).
  std::shared_ptr<QueueMover> mover;

  // Message move tasks (their own lock, taken after mu: move_tasks.h).
  std::unique_ptr<MoveTasks> tasks;

  std::shared_ptr<LocalQueue> Find(const std::string& name) const {
    std::shared_lock lock(mu);
    auto it = queues.find(name);
    return it == queues.end() ? nullptr : it->second;
  }

  // A checkpoint's records of the engine's state (Maintenance::Snapshot).
  storage::Lsn Snapshot(storage::CheckpointBuilder& builder) const {
    // Queues are neither created nor deleted while their set is copied.
    std::shared_lock lock(mu);
    storage::Lsn from = log->NextLsn();
    for (const auto& [name, q] : queues) {
      from = std::min(from, q->Snapshot(builder.data(), builder.count()));
    }
    // Tasks after their queues, whose records recovery has read by then.
    tasks->Snapshot(builder);
    return from;
  }

  // The queues by id (Maintenance::QueuesById).
  std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>> QueuesById() const {
    std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>> by_id;
    std::shared_lock lock(mu);
    for (const auto& [name, q] : queues) by_id.emplace(q->id(), q);
    return by_id;
  }

  // Requires mu held exclusively.
  void ForgetOldDeletions(TimeMs now) {
    std::erase_if(deleted_ms,
                  [now, this](const auto& d) { return d.second + reuse_delay_ms <= now; });
  }
};

LocalEngine::LocalEngine(const Clock& clock, std::unique_ptr<BodyStore> bodies)
    : clock_(clock), state_(std::make_unique<State>()) {
  state_->bodies = bodies ? std::shared_ptr<BodyStore>(std::move(bodies)) : NewMemoryBodyStore();
  auto find = [state = state_.get()](const std::string& name) {
    return std::shared_ptr<MovableQueue>(state->Find(name));
  };
  state_->mover = std::make_shared<QueueMover>(find);
  state_->tasks = std::make_unique<MoveTasks>(clock_, find, *state_->mover);
}

LocalEngine::~LocalEngine() { state_->mover->Detach(); }

void LocalEngine::set_queue_reuse_delay(std::chrono::milliseconds delay) {
  std::unique_lock lock(state_->mu);
  state_->reuse_delay_ms = delay.count();
}

std::chrono::milliseconds LocalEngine::queue_reuse_delay() const {
  std::shared_lock lock(state_->mu);
  return std::chrono::milliseconds(state_->reuse_delay_ms);
}

Result<std::shared_ptr<Queue>> LocalEngine::CreateQueue(const std::string& name,
                                                        QueueSettings settings,
                                                        std::map<std::string, std::string> tags) {
  const TimeMs now = clock_.NowMs();
  std::unique_lock lock(state_->mu);
  if (auto it = state_->queues.find(name); it != state_->queues.end()) {
    if (it->second->settings() == settings) return std::shared_ptr<Queue>(it->second);
    return Status::AlreadyExists("a queue named " + name + " exists with different settings");
  }
  state_->ForgetOldDeletions(now);
  if (state_->deleted_ms.contains(name)) {
    return Status::FailedPrecondition("queue " + name + " was deleted less than " +
                                      std::to_string(state_->reuse_delay_ms / 1000) +
                                      " seconds ago");
  }
  QueueLog durable;
  if (state_->log) {
    durable = QueueLog{state_->log.get(), state_->log_bodies, NewQueueId(), now};
    storage::Record r;
    r.type = storage::RecordType::kCreateQueue;
    r.queue_id = durable.id;
    r.name = name;
    r.time_ms = now;
    r.settings = SettingsToFields(settings);
    r.tags = TagsToFields(tags);
    if (auto lsn = state_->log->Append(r); !lsn.ok()) return lsn.status();
  }
  auto queue = std::make_shared<LocalQueue>(name, std::move(settings), std::move(tags), clock_,
                                            state_->bodies, durable, state_->mover);
  state_->queues.emplace(name, queue);
  return std::shared_ptr<Queue>(std::move(queue));
}

std::shared_ptr<Queue> LocalEngine::FindQueue(const std::string& name) const {
  return state_->Find(name);
}

Status LocalEngine::DeleteQueue(const std::string& name) {
  const TimeMs now = clock_.NowMs();
  std::shared_ptr<LocalQueue> queue;
  {
    std::unique_lock lock(state_->mu);
    auto it = state_->queues.find(name);
    if (it == state_->queues.end()) return Status::NotFound("no queue named " + name);
    if (state_->log) {
      storage::Record r;
      r.type = storage::RecordType::kDeleteQueue;
      r.queue_id = it->second->id();
      if (auto lsn = state_->log->Append(r); !lsn.ok()) return lsn.status();
    }
    queue = std::move(it->second);
    state_->queues.erase(it);
    state_->tasks->Forget(queue->id());
    state_->ForgetOldDeletions(now);
    state_->deleted_ms[name] = now;
  }
  queue->Drop();
  return Status::Ok();
}

std::vector<std::string> LocalEngine::ListQueues(const std::string& prefix) const {
  std::vector<std::string> names;
  std::shared_lock lock(state_->mu);
  for (auto it = state_->queues.lower_bound(prefix);
       it != state_->queues.end() && it->first.starts_with(prefix); ++it) {
    names.push_back(it->first);
  }
  return names;
}

void LocalEngine::Tick() {
  std::vector<std::shared_ptr<LocalQueue>> queues;
  {
    std::shared_lock lock(state_->mu);
    queues.reserve(state_->queues.size());
    for (const auto& [name, queue] : state_->queues) queues.push_back(queue);
  }
  for (const auto& queue : queues) queue->Tick();
  state_->tasks->Advance();
}

Result<MoveTaskInfo> LocalEngine::StartMoveTask(const std::string& source,
                                                const std::string& destination,
                                                int64_t max_per_second) {
  const TimeMs now = clock_.NowMs();
  std::shared_ptr<LocalQueue> queue = state_->Find(source);
  if (!queue) return Status::NotFound("no queue named " + source);
  const QueueStats stats = queue->Stats();
  MoveTaskInfo info;
  info.task_id = NewUuid();
  info.source_queue = source;
  info.destination_queue = destination;
  info.max_per_second = std::max<int64_t>(max_per_second, 0);
  info.started_ms = now;
  info.to_move = stats.visible;
  return state_->tasks->Start(queue->id(), info);
}

Result<MoveTaskInfo> LocalEngine::CancelMoveTask(const std::string& source,
                                                 const std::string& task_id) {
  std::shared_ptr<LocalQueue> queue = state_->Find(source);
  if (!queue) return Status::NotFound("no queue named " + source);
  return state_->tasks->Cancel(queue->id(), task_id);
}

Result<std::vector<MoveTaskInfo>> LocalEngine::ListMoveTasks(const std::string& source,
                                                             size_t max) const {
  std::shared_ptr<LocalQueue> queue = state_->Find(source);
  if (!queue) return Status::NotFound("no queue named " + source);
  return state_->tasks->List(queue->id(), max);
}

void LocalEngine::AfterDurable(std::function<void(Status)> cb) {
  if (!state_->log) return cb(Status::Ok());
  state_->log->WhenDurable(state_->log->NextLsn() - 1, std::move(cb));
}

Result<std::unique_ptr<LocalEngine>> LocalEngine::OpenDurable(const Clock& clock,
                                                              DurableOptions options,
                                                              RecoveryReport* report) {
  std::unique_ptr<LocalEngine> engine(new LocalEngine(clock, nullptr));
  auto bodies = std::make_shared<LogBodyStore>(nullptr);
  engine->state_->log_bodies = bodies.get();
  engine->state_->bodies = std::move(bodies);
  engine->state_->durable = std::move(options);
  RecoveryReport local;
  FERRY_RETURN_IF_ERROR(engine->Recover(report ? report : &local));
  return engine;
}

Status LocalEngine::Recover(RecoveryReport* report) {
  State& st = *state_;
  const std::string& dir = st.durable.dir;
  std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>> by_id;
  std::unordered_map<uint64_t, storage::Lsn> replay_from;  // per queue in the checkpoint
  storage::Lsn from = 0;
  QueueLog durable{nullptr, st.log_bodies, 0, 0};

  auto make_queue = [&](const storage::Record& r) {
    durable.id = r.queue_id;
    durable.created_ms = r.time_ms;
    auto q =
        std::make_shared<LocalQueue>(r.name, SettingsFromFields(r.settings), TagsFromFields(r.tags),
                                     clock_, st.bodies, durable, st.mover);
    q->RecoverSettings(SettingsFromFields(r.settings), r.time_ms);
    if (auto old = st.queues.find(r.name); old != st.queues.end()) {
      by_id.erase(old->second->id());
      st.tasks->Forget(old->second->id());
    }
    st.queues[r.name] = q;
    by_id[r.queue_id] = q;
  };

  // 1. The checkpoint, if there is one: a file of records like the log's.
  // Every record below one of its cursors was durable when it was written.
  storage::Lsn durable_floor = 0;
  auto loaded = storage::ReadCheckpoint(dir, [&](const storage::Record& r) {
    switch (r.type) {
      case storage::RecordType::kCreateQueue:
        make_queue(r);
        break;
      case storage::RecordType::kSetSettings:
        if (auto it = by_id.find(r.queue_id); it != by_id.end()) {
          it->second->RecoverSettings(SettingsFromFields(r.settings), r.time_ms);
        }
        break;
      case storage::RecordType::kCheckpointQueue:
        if (auto it = by_id.find(r.queue_id); it != by_id.end()) {
          it->second->RecoverNextSeq(r.seq);
          replay_from[r.queue_id] = r.lsn;
        }
        durable_floor = std::max(durable_floor, r.lsn);
        break;
      case storage::RecordType::kCheckpointMessage:
        if (auto it = by_id.find(r.queue_id); it != by_id.end()) it->second->RecoverMessage(r);
        break;
      case storage::RecordType::kMoveTask:
        if (auto it = by_id.find(r.queue_id); it != by_id.end()) {
          st.tasks->Recover(r, it->second->name());
        }
        break;
      case storage::RecordType::kCheckpointDedup:
        if (auto it = by_id.find(r.queue_id); it != by_id.end()) it->second->RecoverDedup(r);
        break;
      case storage::RecordType::kCheckpointEnd:
        from = r.lsn;
        durable_floor = std::max(durable_floor, r.lsn);
        break;
      default:
        return Status::Internal("checkpoint " + storage::CheckpointPath(dir) +
                                " holds an unexpected record");
    }
    return Status::Ok();
  });
  if (!loaded.ok()) return loaded.status();
  if (*loaded) {
    for (auto& [id, q] : by_id) q->FinishCheckpoint();
    report->from_checkpoint = true;
  }

  // 2. The log after it.
  auto replay = storage::ReplayLog(
      dir, from,
      [&](storage::Lsn lsn, const storage::Record& r) {
        if (auto f = replay_from.find(r.queue_id); f != replay_from.end() && lsn < f->second) {
          return Status::Ok();  // already in the checkpoint (its CreateQueue too)
        }
        if (r.type == storage::RecordType::kCreateQueue) {
          // A queue the checkpoint already restored keeps its state; only a new
          // incarnation (the name created again after a delete) replaces it.
          if (!by_id.contains(r.queue_id)) make_queue(r);
          return Status::Ok();
        }
        auto it = by_id.find(r.queue_id);
        if (it == by_id.end()) return Status::Ok();  // a queue deleted later
        LocalQueue& q = *it->second;
        switch (r.type) {
          case storage::RecordType::kSetSettings:
            q.RecoverSettings(SettingsFromFields(r.settings), r.time_ms);
            break;
          case storage::RecordType::kSetTags:
            q.RecoverTags(TagsFromFields(r.tags));
            break;
          case storage::RecordType::kDeleteQueue: {
            st.tasks->Forget(r.queue_id);
            st.queues.erase(q.name());
            by_id.erase(it);
            break;
          }
          case storage::RecordType::kSend:
          case storage::RecordType::kSendMoved:
          case storage::RecordType::kSendDeadLetter:
          case storage::RecordType::kSendFifo:
            q.RecoverSend(r, lsn);
            break;
          case storage::RecordType::kMoveTask:
            st.tasks->Recover(r, q.name());
            break;
          case storage::RecordType::kReceive:
            q.RecoverReceive(r);
            break;
          case storage::RecordType::kChangeVisibility:
            q.RecoverChangeVisibility(r);
            break;
          case storage::RecordType::kDelete:
            q.RecoverDelete(r.seq);
            break;
          case storage::RecordType::kPurge:
            q.RecoverPurge();
            break;
          case storage::RecordType::kRelocate:
            q.RecoverRelocate(r, lsn);
            break;
          default:
            return Status::Internal("unexpected record type in the log");
        }
        return Status::Ok();
      },
      durable_floor);
  if (!replay.ok()) return replay.status();

  // Segments before the replay point may be gone, but not one that holds a
  // stored message's body.
  std::map<uint64_t, uint64_t> missing_bodies;
  {
    const std::vector<uint64_t> present = storage::ListSegments(dir);
    for (const auto& [seg, count] : st.log_bodies->LiveBySegment()) {
      if (!std::binary_search(present.begin(), present.end(), seg)) missing_bodies[seg] = count;
    }
  }
  if (!missing_bodies.empty() && !st.durable.salvage) {
    const auto& [seg, count] = *missing_bodies.begin();
    return Status::Internal("write-ahead log segment " + storage::SegmentFileName(seg) +
                            ", which holds the bodies of " + std::to_string(count) +
                            (count == 1 ? " stored message" : " stored messages") +
                            ", is missing from " + dir +
                            "; refusing to start; the files are left as they are, and "
                            "`ferry repair --data-dir " +
                            dir + "` salvages the rest");
  }

  // 3. Open the log where the data ends, and give the queues their log.
  storage::LogOptions lo;
  lo.dir = dir;
  lo.fsync = st.durable.fsync;
  lo.segment_bytes = st.durable.segment_bytes;
  lo.retry_interval = st.durable.retry_interval;
  lo.file_ops = st.durable.file_ops;
  auto log = storage::Log::Open(lo, replay->segment, replay->offset);
  if (!log.ok()) return log.status();
  st.log = std::move(*log);
  st.log_bodies->set_log(st.log.get());
  st.maintenance = std::make_unique<Maintenance>(
      st.durable, *st.log, *st.log_bodies, from,
      [&st](storage::CheckpointBuilder& builder) { return st.Snapshot(builder); },
      [&st] { return st.QueuesById(); });
  for (auto& [name, q] : st.queues) q->AttachLog(st.log.get());
  st.tasks->AttachLog(st.log.get());
  if (st.durable.salvage) {
    const auto lost = [&](BodyRef body) {
      if (missing_bodies.contains(storage::SegmentOf(body))) return true;
      return std::any_of(st.durable.lost.begin(), st.durable.lost.end(), [body](const auto& range) {
        return body >= range.first && body < range.second;
      });
    };
    for (auto& [name, q] : st.queues) {
      FERRY_RETURN_IF_ERROR(q->DropLostBodies(lost, &report->lost_messages));
    }
    FERRY_RETURN_IF_ERROR(st.log->Flush());
  }
  report->queues = st.queues.size();
  report->log_records = replay->records;
  report->truncated_bytes = replay->truncated_bytes;
  for (auto& [name, q] : st.queues) {
    q->FinishRecovery();
    report->messages += q->message_count();
  }
  return Status::Ok();
}

Status LocalEngine::Checkpoint() {
  return state_->maintenance ? state_->maintenance->Checkpoint() : Status::Ok();
}

Status LocalEngine::Maintain() {
  return state_->maintenance ? state_->maintenance->Maintain() : Status::Ok();
}

CompactionStats LocalEngine::compaction_stats() const {
  return state_->maintenance ? state_->maintenance->compaction_stats() : CompactionStats{};
}

}  // namespace ferry::engine
