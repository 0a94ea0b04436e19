// Catalog: a LocalEngine's catalog (Engine::PutEntry, EraseEntry, Entries),
// the named entries services keep beside the queues (SNS topics and
// subscriptions). In a durable engine each change is appended to the
// write-ahead log as a storage::CatalogEntry record — the entry's whole
// state, or its erasure — before it is made in memory, under the same
// lock, so the order of the records in the log is the order in which the
// changes were made. A checkpoint holds one record per live entry; recovery
// applies the checkpoint's records, then the log's after its replay point.
// Since each record replaces what the ones before it said about its key,
// replaying a record whose effect the checkpoint already holds is harmless.
//
// Thread-safety: every method may be called from any thread. mu_ guards the
// entries. It is taken with none of the engine's other locks held (but under
// the maintenance mutexes, by Snapshot) and before the log's; the whole
// order is in docs/locking.md. AttachLog and Register are the exception:
// they are called before the catalog is shared.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "engine/recovery.h"
#include "storage/checkpoint.h"
#include "storage/log.h"
#include "storage/record.h"

namespace ferry::engine {

class Catalog final : private RecordOwner {
 public:
  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Durable engines: from now on every change is logged to `log` first.
  // Called once, after recovery and before the catalog is shared.
  void AttachLog(storage::Log* log) { log_ = log; }

  // Engine::PutEntry and EraseEntry: when the record cannot be appended,
  // nothing changes and the log's error is returned. Erasing a key that is
  // not there logs nothing.
  Status Put(CatalogKind kind, CatalogEntry entry);
  Status Erase(CatalogKind kind, const std::string& key);
  // Engine::Entries: a kind's entries in key order.
  std::vector<CatalogEntry> Entries(CatalogKind kind) const;

  // Adds one CatalogEntry record per entry to a checkpoint, and returns the
  // log's next LSN as it was then: every catalog record before it is in the
  // checkpoint, none after it. Durable engines only.
  storage::Lsn Snapshot(storage::CheckpointBuilder& builder) const;

  // Makes this catalog the owner of CatalogEntry records (recovery.h), from
  // checkpoints and the log alike, for one recovery.
  void Register(RecordRouter& router);

 private:
  using Key = std::pair<CatalogKind, std::string>;
  using Fields = std::map<std::string, std::string>;

  // Makes the change a record describes, whatever its source.
  Status Recover(RecordSource source, storage::Lsn lsn, const storage::Record& r) override;

  storage::Log* log_ = nullptr;  // set once before sharing; null in memory

  mutable std::mutex mu_;
  std::map<Key, Fields> entries_;  // guarded by mu_
};

}  // namespace ferry::engine
