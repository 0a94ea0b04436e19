// MemoryBodyStore: payloads kept in RAM, for tests and for running without a
// data directory.
//
// Thread-safety: refs come from an atomic counter; payloads live in kShards
// maps, each guarded by its own mutex, chosen by the ref's low bits so that
// concurrent senders and receivers rarely contend.
#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "engine/body_store.h"

namespace ferry::engine {
namespace {

class MemoryBodyStore final : public BodyStore {
 public:
  Result<BodyRef> Put(std::string_view payload) override {
    BodyRef ref = next_ref_.fetch_add(1, std::memory_order_relaxed);
    Shard& s = ShardOf(ref);
    std::lock_guard lock(s.mu);
    s.bodies.emplace(ref, std::string(payload));
    return ref;
  }

  Result<std::string> Get(BodyRef ref) const override {
    const Shard& s = ShardOf(ref);
    std::lock_guard lock(s.mu);
    auto it = s.bodies.find(ref);
    if (it == s.bodies.end()) return Status::NotFound("no such body");
    return it->second;
  }

  void Release(BodyRef ref) override {
    Shard& s = ShardOf(ref);
    std::lock_guard lock(s.mu);
    s.bodies.erase(ref);
  }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<BodyRef, std::string> bodies;  // guarded by mu
  };

  Shard& ShardOf(BodyRef ref) { return shards_[ref % kShards]; }
  const Shard& ShardOf(BodyRef ref) const { return shards_[ref % kShards]; }

  std::atomic<BodyRef> next_ref_{1};
  std::array<Shard, kShards> shards_;
};

}  // namespace

std::unique_ptr<BodyStore> NewMemoryBodyStore() { return std::make_unique<MemoryBodyStore>(); }

}  // namespace ferry::engine
