// LocalEngine: the Engine of one Ferry process, holding its queues in memory.
// A durable one also logs every change to a write-ahead log in a directory,
// recovers from it and its checkpoint at start (recovery.h), and is
// maintained (checkpoints, compaction, segment deletion) by Maintain
// (maintenance.h). This file is the queue registry and the Engine calls;
// move tasks, the catalog, recovery's dispatch and maintenance are in their
// own files.
//
// Thread-safety: every Engine method may be called from any thread. State::mu
// (shared) guards the name → queue map and the recently deleted names;
// MoveTasks (move_tasks.h) guards the move tasks and Catalog (catalog.h) the
// catalog, each with its own mutex, and Maintenance (maintenance.h)
// serialises maintenance with its own two.
// Their order, with the queues' and the log's mutexes, is in
// docs/locking.md. No Engine call waits on I/O (blocking() is false): only
// Maintain and Checkpoint do, on the maintenance thread. AfterDurable's
// callbacks run on the log's writer thread.
//
// Lifecycle: a queue handed out may outlive the engine as an orphan (it keeps
// releasing its bodies), but not the Clock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/body_store.h"
#include "engine/engine.h"
#include "engine/types.h"
#include "storage/log.h"

namespace ferry::engine {

struct DurableOptions {
  std::string dir;
  storage::FsyncMode fsync = storage::FsyncMode::kAlways;
  uint64_t segment_bytes = 64u << 20;
  // A checkpoint is written once this many log bytes follow the last one.
  uint64_t checkpoint_bytes = 256u << 20;
  // Tests: fault injection and a short retry wait (see storage::LogOptions).
  storage::FileOps* file_ops = nullptr;
  std::chrono::milliseconds retry_interval{1000};
  // `ferry repair` only. Recovery refuses to start when a stored message's
  // body is in a segment that is missing; with `salvage` it deletes such
  // messages instead (logging a Delete for each), and also those whose body
  // lies in one of the `lost` LSN ranges [first, second) (the bytes
  // storage::RepairLog could not read), and lists them in the report.
  bool salvage = false;
  std::vector<std::pair<storage::Lsn, storage::Lsn>> lost;
  // Encryption at rest (storage/keyring.h): the master key file; empty:
  // <dir>/master.key. Made with a fresh master key when the store has no
  // data key yet.
  std::string master_key_file;
  // Group-commit measurements (storage/log_probe.h); null: none. Must
  // outlive the engine.
  storage::LogProbe* log_probe = nullptr;
};

// A message whose body was lost, deleted by a salvaging recovery.
struct LostMessage {
  std::string queue;
  uint64_t seq = 0;
  std::array<uint8_t, 16> message_id{};
  storage::Lsn body = 0;
};

struct RecoveryReport {
  uint64_t queues = 0;
  uint64_t messages = 0;
  uint64_t log_records = 0;
  uint64_t truncated_bytes = 0;
  bool from_checkpoint = false;
  std::vector<LostMessage> lost_messages;  // salvage only
};

class LocalEngine final : public Engine {
 public:
  // An engine whose state lives in memory only.
  LocalEngine(const Clock& clock, std::unique_ptr<BodyStore> bodies);
  // A durable engine: recovers the state in options.dir (checkpoint, then
  // the write-ahead log after it), then logs every change there.
  static Result<std::unique_ptr<LocalEngine>> OpenDurable(const Clock& clock,
                                                          DurableOptions options,
                                                          RecoveryReport* report = nullptr);
  ~LocalEngine() override;

  LocalEngine(const LocalEngine&) = delete;
  LocalEngine& operator=(const LocalEngine&) = delete;

  Result<std::shared_ptr<Queue>> CreateQueue(const std::string& name, QueueSettings settings,
                                             std::map<std::string, std::string> tags) override;
  std::shared_ptr<Queue> FindQueue(const std::string& name) const override;
  Status DeleteQueue(const std::string& name) override;
  std::vector<std::string> ListQueues(const std::string& prefix) const override;
  void Tick() override;
  Result<MoveTaskInfo> StartMoveTask(const std::string& source, const std::string& destination,
                                     int64_t max_per_second) override;
  Result<MoveTaskInfo> CancelMoveTask(const std::string& source,
                                      const std::string& task_id) override;
  Result<std::vector<MoveTaskInfo>> ListMoveTasks(const std::string& source,
                                                  size_t max) const override;
  // Durable engines: once the log's writer has synced every record appended
  // so far; cb runs on the writer's thread, or at once when nothing waits.
  void AfterDurable(std::function<void(Status)> cb) override;
  Status PutEntry(CatalogKind kind, CatalogEntry entry) override;
  Status EraseEntry(CatalogKind kind, const std::string& key) override;
  std::vector<CatalogEntry> Entries(CatalogKind kind) const override;
  const Clock& clock() const override { return clock_; }
  // Calls take memory locks only; the log's I/O happens on its own threads.
  bool blocking() const override { return false; }
  // The recently deleted names are kept in memory only: a restart forgets them.
  // Durable engines: the log's (storage::Log::Health); in memory: Ok.
  Status Health() const override;
  std::chrono::milliseconds queue_reuse_delay() const override;
  void set_queue_reuse_delay(std::chrono::milliseconds delay) override;

  // Durable engines: writes a checkpoint when enough log has accumulated
  // since the last one, compacts mostly-dead segments (compactor.h), and
  // deletes segments that neither recovery nor any stored message needs,
  // writing a checkpoint early when that frees enough. Blocks on I/O: call
  // it off the request threads, one call at a time.
  Status Maintain();
  // Zero for an in-memory engine.
  CompactionStats compaction_stats() const;
  // Writes a checkpoint now.
  Status Checkpoint();

 private:
  struct State;
  class QueueRecords;  // the registry's part of recovery (recovery.h)
  Status Recover(RecoveryReport* report);
  const Clock& clock_;
  std::unique_ptr<State> state_;
};

}  // namespace ferry::engine
