// Maintenance: what keeps a durable LocalEngine's data directory small —
// checkpoints written when enough log has accumulated (or early, when that
// lets segments go), the Compactor run over mostly-dead segments, and the
// deletion of segments that neither recovery nor any stored message needs.
// The rules for when a segment may go are in docs/wal_format.md.
//
// Thread-safety: Maintain and Checkpoint may be called from any thread and
// block on I/O (call them off the request threads). maintain_mu_ lets one
// Maintain run at a time; checkpoint_mu_ lets one checkpoint be written at a
// time and guards the checkpoint cursors. Both are taken before the engine's
// queue-map mutex (the snapshot takes it), never under it; the order is in
// docs/locking.md. compaction_stats may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/status.h"
#include "engine/compactor.h"
#include "engine/local_engine.h"
#include "engine/local_queue.h"
#include "engine/log_body_store.h"
#include "storage/checkpoint.h"
#include "storage/log.h"

namespace ferry::engine {

class Maintenance {
 public:
  // Adds every record of the engine's state (queues, then move tasks) to a
  // checkpoint, holding the set of queues still, and returns the LSN from
  // which the log must be replayed after it.
  using Snapshot = std::function<storage::Lsn(storage::CheckpointBuilder& builder)>;
  // The engine's queues by their persistent id, for the compactor.
  using QueuesById = std::function<std::unordered_map<uint64_t, std::shared_ptr<LocalQueue>>()>;

  // `checkpoint_from`: the replay point of the checkpoint recovery started
  // from (0 without one). log and bodies must outlive this object.
  Maintenance(const DurableOptions& options, storage::Log& log, LogBodyStore& bodies,
              storage::Lsn checkpoint_from, Snapshot snapshot, QueuesById queues);

  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // One pass: a checkpoint if due, a compaction pass, then deleting the
  // segments before the checkpoint's replay point that hold no live body.
  Status Maintain();
  // Writes a checkpoint now.
  Status Checkpoint();
  CompactionStats compaction_stats() const { return compactor_.stats(); }

 private:
  const DurableOptions options_;
  storage::Log& log_;
  LogBodyStore& bodies_;
  const Snapshot snapshot_;
  const QueuesById queues_;
  Compactor compactor_;

  std::mutex maintain_mu_;             // one Maintain at a time (the compactor's thread)
  std::mutex checkpoint_mu_;           // one checkpoint at a time
  storage::Lsn checkpoint_from_ = 0;   // guarded by checkpoint_mu_
  uint64_t logged_at_checkpoint_ = 0;  // guarded by checkpoint_mu_: log bytes then
  uint64_t checkpoint_size_ = 0;       // guarded by checkpoint_mu_: bytes of the last one
};

}  // namespace ferry::engine
