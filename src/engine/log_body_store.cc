#include "engine/log_body_store.h"

namespace ferry::engine {

void LogBodyStore::Release(BodyRef ref) {
  std::lock_guard lock(mu_);
  auto it = live_.find(storage::SegmentOf(ref));
  if (it != live_.end() && --it->second == 0) live_.erase(it);
}

void LogBodyStore::Retain(BodyRef ref) {
  std::lock_guard lock(mu_);
  ++live_[storage::SegmentOf(ref)];
}

std::map<uint64_t, uint64_t> LogBodyStore::LiveBySegment() const {
  std::lock_guard lock(mu_);
  return live_;
}

}  // namespace ferry::engine
