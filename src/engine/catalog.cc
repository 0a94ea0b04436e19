#include "engine/catalog.h"

#include <variant>

namespace ferry::engine {

Status Catalog::Put(CatalogKind kind, CatalogEntry entry) {
  storage::CatalogEntry r{.kind = static_cast<uint8_t>(kind), .key = std::move(entry.key)};
  if (log_) r.fields.assign(entry.fields.begin(), entry.fields.end());
  std::lock_guard lock(mu_);
  if (log_) {
    if (auto lsn = log_->Append(r); !lsn.ok()) return lsn.status();
  }
  entries_[{kind, std::move(r.key)}] = std::move(entry.fields);
  return Status::Ok();
}

Status Catalog::Erase(CatalogKind kind, const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find({kind, key});
  if (it == entries_.end()) return Status::Ok();
  if (log_) {
    storage::CatalogEntry r{.kind = static_cast<uint8_t>(kind), .key = key, .erased = true};
    if (auto lsn = log_->Append(r); !lsn.ok()) return lsn.status();
  }
  entries_.erase(it);
  return Status::Ok();
}

std::vector<CatalogEntry> Catalog::Entries(CatalogKind kind) const {
  std::vector<CatalogEntry> out;
  std::lock_guard lock(mu_);
  for (auto it = entries_.lower_bound({kind, std::string()});
       it != entries_.end() && it->first.first == kind; ++it) {
    out.push_back(CatalogEntry{it->first.second, it->second});
  }
  return out;
}

storage::Lsn Catalog::Snapshot(storage::CheckpointBuilder& builder) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, fields] : entries_) {
    builder.Add(storage::CatalogEntry{.kind = static_cast<uint8_t>(key.first),
                                      .key = key.second,
                                      .fields = storage::Fields(fields.begin(), fields.end())});
  }
  // Records are appended under mu_, so none is between the entries copied
  // and this LSN.
  return log_->NextLsn();
}

void Catalog::Register(RecordRouter& router) {
  router.Own(RecordSource::kCheckpoint, storage::RecordType::kCatalogEntry, *this);
  router.Own(RecordSource::kLog, storage::RecordType::kCatalogEntry, *this);
}

Status Catalog::Recover(RecordSource, storage::Lsn, const storage::Record& r) {
  // Checkpoint and log alike: a record replayed over a checkpoint that
  // already holds its effect leaves the same state (catalog.h).
  const auto& e = std::get<storage::CatalogEntry>(r);
  // A kind this version does not know is damage (or a newer version's
  // record), like a record type no owner takes: recovery stops.
  if (e.kind != static_cast<uint8_t>(CatalogKind::kTopic) &&
      e.kind != static_cast<uint8_t>(CatalogKind::kSubscription)) {
    return Status::Internal("catalog record of unknown kind " + std::to_string(e.kind));
  }
  Key key{static_cast<CatalogKind>(e.kind), e.key};
  std::lock_guard lock(mu_);
  if (e.erased) {
    entries_.erase(key);
  } else {
    entries_[std::move(key)] = Fields(e.fields.begin(), e.fields.end());
  }
  return Status::Ok();
}

}  // namespace ferry::engine
