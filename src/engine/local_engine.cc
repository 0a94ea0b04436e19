#include "engine/local_engine.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <variant>

#include "common/crypto.h"
#include "common/overloaded.h"
#include "engine/catalog.h"
#include "engine/dead_letter.h"
#include "engine/local_queue.h"
#include "engine/log_body_store.h"
#include "engine/maintenance.h"
#include "engine/move_tasks.h"
#include "engine/recovery.h"
#include "engine/settings_codec.h"
#include "storage/checkpoint.h"
#include "storage/keyring.h"

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
  // Seals the payloads of queues that SealsPayloads and opens sealed ones;
  // the log keeps a pointer to it, so it is declared before the log.
  std::unique_ptr<storage::Keyring> keyring;
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

  // The catalog (Engine::PutEntry): its own lock, never held with mu.
  Catalog catalog;

  std::shared_ptr<LocalQueue> Find(const std::string& name) const {
    std::shared_lock lock(mu);
    auto it = queues.find(name);
    return it == queues.end() ? nullptr : it->second;
  }

  // A checkpoint's records of the engine's state (Maintenance::Snapshot).
  storage::Lsn Snapshot(storage::CheckpointBuilder& builder) const {
    // The catalog first, before mu is taken (docs/locking.md): its records
    // from the LSN it returns on are replayed over it, and that LSN is at
    // most the log's next one from here on.
    storage::Lsn from = catalog.Snapshot(builder);
    // Queues are neither created nor deleted while their set is copied.
    std::shared_lock lock(mu);
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

Status LocalEngine::Health() const {
  return state_->log ? state_->log->Health() : Status::Ok();
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
    storage::CreateQueue r{.queue_id = durable.id,
                           .name = name,
                           .created_ms = now,
                           .settings = SettingsToFields(settings),
                           .tags = TagsToFields(tags)};
    if (auto lsn = state_->log->Append(std::move(r)); !lsn.ok()) return lsn.status();
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
      storage::DeleteQueue r{.queue_id = it->second->id()};
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

Status LocalEngine::PutEntry(CatalogKind kind, CatalogEntry entry) {
  return state_->catalog.Put(kind, std::move(entry));
}

Status LocalEngine::EraseEntry(CatalogKind kind, const std::string& key) {
  return state_->catalog.Erase(kind, key);
}

std::vector<CatalogEntry> LocalEngine::Entries(CatalogKind kind) const {
  return state_->catalog.Entries(kind);
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

// The queue registry's part of recovery: it owns the queue records (create,
// delete, a checkpoint's per-queue cursor) and hands each known queue the
// records of its settings, tags and messages (LocalQueue::kCheckpointRecords
// and kLogRecords). It lives for one recovery, on its thread, before the
// engine is shared (so the map is changed without its lock).
class LocalEngine::QueueRecords final : public RecordOwner {
 public:
  QueueRecords(const Clock& clock, State& st)
      : clock_(clock), st_(st), durable_{nullptr, st.log_bodies, 0, 0} {}

  void Register(RecordRouter& router) {
    using storage::RecordType;
    router.Own(RecordSource::kCheckpoint, RecordType::kCreateQueue, *this);
    router.Own(RecordSource::kCheckpoint, RecordType::kCheckpointQueue, *this);
    router.Own(RecordSource::kCheckpoint, LocalQueue::kCheckpointRecords, *this);
    router.Own(RecordSource::kLog, RecordType::kCreateQueue, *this);
    router.Own(RecordSource::kLog, RecordType::kDeleteQueue, *this);
    router.Own(RecordSource::kLog, LocalQueue::kLogRecords, *this);
  }

  // The queue a record of `queue_id` applies to: null when the queue is
  // unknown (deleted later) or the record, read from the log, is already in
  // the checkpoint.
  LocalQueue* QueueFor(RecordSource source, storage::Lsn lsn, uint64_t queue_id) const {
    if (InCheckpoint(source, lsn, queue_id)) return nullptr;
    auto it = by_id_.find(queue_id);
    return it == by_id_.end() ? nullptr : it->second.get();
  }

  // Once the checkpoint is read, before the log is replayed.
  void FinishCheckpoint() {
    for (auto& [id, q] : by_id_) q->FinishCheckpoint();
  }

  Status Recover(RecordSource source, storage::Lsn lsn, const storage::Record& r) override {
    const uint64_t queue_id = storage::QueueIdOf(r);
    if (InCheckpoint(source, lsn, queue_id)) return Status::Ok();  // its CreateQueue too
    // A sealed body whose data key is gone could never be read: refuse to
    // start rather than find out at the first receive.
    if (const auto body = storage::BodyIn(r); body && body->sealed) {
      FERRY_RETURN_IF_ERROR(st_.keyring->CheckKeyOf(body->body));
    }
    auto it = by_id_.find(queue_id);
    return std::visit(Overloaded{
                          [&](const storage::CreateQueue& c) {
                            // A queue the checkpoint already restored keeps its state; only a new
                            // incarnation (the name created again after a delete) replaces it.
                            if (source == RecordSource::kCheckpoint || it == by_id_.end())
                              MakeQueue(c);
                            return Status::Ok();
                          },
                          [&](const storage::DeleteQueue&) {
                            if (it != by_id_.end()) {
                              st_.tasks->Forget(queue_id);
                              st_.queues.erase(it->second->name());
                              by_id_.erase(it);
                            }
                            return Status::Ok();
                          },
                          [&](const storage::CheckpointQueue& c) {
                            if (it != by_id_.end()) {
                              it->second->RecoverNextSeq(c.next_seq);
                              replay_from_[queue_id] = c.replay_from;
                            }
                            return Status::Ok();
                          },
                          [&](const auto&) {
                            if (it != by_id_.end()) return it->second->Recover(lsn, r);
                            return Status::Ok();  // a queue deleted later
                          },
                      },
                      r);
  }

 private:
  // A log record of a queue below that queue's checkpoint cursor: the
  // checkpoint holds its effect already.
  bool InCheckpoint(RecordSource source, storage::Lsn lsn, uint64_t queue_id) const {
    if (source != RecordSource::kLog) return false;
    auto f = replay_from_.find(queue_id);
    return f != replay_from_.end() && lsn < f->second;
  }

  void MakeQueue(const storage::CreateQueue& r) {
    durable_.id = r.queue_id;
    durable_.created_ms = r.created_ms;
    auto q =
        std::make_shared<LocalQueue>(r.name, SettingsFromFields(r.settings), TagsFromFields(r.tags),
                                     clock_, st_.bodies, durable_, st_.mover);
    q->RecoverSettings(SettingsFromFields(r.settings), r.created_ms);
    if (auto old = st_.queues.find(r.name); old != st_.queues.end()) {
      by_id_.erase(old->second->id());
      st_.tasks->Forget(old->second->id());
    }
    st_.queues[r.name] = q;
    by_id_[r.queue_id] = q;
  }

  const Clock& clock_;
  State& st_;
  QueueLog durable_;  // the template of a recovered queue's log (no log yet)
  std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>> by_id_;
  std::unordered_map<uint64_t, storage::Lsn> replay_from_;  // per queue in the checkpoint
};

Status LocalEngine::Recover(RecoveryReport* report) {
  State& st = *state_;
  const DurableOptions& options = st.durable;

  storage::FileOps& ops = options.file_ops ? *options.file_ops : storage::FileOps::Default();
  // 0. The keys of the sealed bodies: a missing or wrong master key stops
  // the start here, before any file is changed.
  if (ops.CreateDir(options.dir) != 0) {
    return Status::Unavailable("cannot create the data directory " + options.dir + ": " +
                               std::strerror(errno));
  }
  auto keyring = storage::Keyring::Load(
      {.dir = options.dir, .master_key_file = options.master_key_file, .file_ops = options.file_ops});
  if (!keyring.ok()) return keyring.status();
  st.keyring = std::move(*keyring);

  // 1. The checkpoint and the log after it, each record to its owner.
  QueueRecords queues(clock_, st);
  MoveTasks::Recovery tasks(
      *st.tasks,
      [&queues](RecordSource source, storage::Lsn lsn, uint64_t id) -> const std::string* {
        const LocalQueue* q = queues.QueueFor(source, lsn, id);
        return q ? &q->name() : nullptr;
      });
  RecordRouter router;
  queues.Register(router);
  router.Own(RecordSource::kCheckpoint, storage::RecordType::kMoveTask, tasks);
  router.Own(RecordSource::kLog, storage::RecordType::kMoveTask, tasks);
  st.catalog.Register(router);
  auto recovered = RecoverRecords(
      options.dir, router, [&queues] { queues.FinishCheckpoint(); }, ops);
  if (!recovered.ok()) return recovered.status();
  report->from_checkpoint = recovered->from_checkpoint;

  // 2. Every stored message's body must still be there (or be salvaged).
  auto missing = MissingBodySegments(options.dir, *st.log_bodies, options.salvage, ops);
  if (!missing.ok()) return missing.status();

  // 3. A data key of this process's own, durable before the log takes a
  // record sealed with it; then open the log where the data ends, and give
  // the queues and tasks their log.
  FERRY_RETURN_IF_ERROR(st.keyring->StartSealing());
  auto log = OpenRecoveredLog(options, recovered->log, st.keyring.get());
  if (!log.ok()) return log.status();
  st.log = std::move(*log);
  st.log_bodies->set_log(st.log.get());
  st.maintenance = std::make_unique<Maintenance>(
      options, *st.log, *st.log_bodies, recovered->checkpoint_from,
      [&st](storage::CheckpointBuilder& builder) { return st.Snapshot(builder); },
      [&st] { return st.QueuesById(); });
  for (auto& [name, q] : st.queues) q->AttachLog(st.log.get());
  st.tasks->AttachLog(st.log.get());
  st.catalog.AttachLog(st.log.get());
  if (options.salvage) {
    const auto lost = [&](BodyRef body) {
      if (missing->contains(storage::SegmentOf(body))) return true;
      return std::any_of(options.lost.begin(), options.lost.end(), [body](const auto& range) {
        return body >= range.first && body < range.second;
      });
    };
    for (auto& [name, q] : st.queues) {
      FERRY_RETURN_IF_ERROR(q->DropLostBodies(lost, &report->lost_messages));
    }
    FERRY_RETURN_IF_ERROR(st.log->Flush());
  }
  report->queues = st.queues.size();
  report->log_records = recovered->log.records;
  report->truncated_bytes = recovered->log.truncated_bytes;
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
