// PolicyCache: the parsed resource policies of a kind of resource (SQS
// queues), shared by what sets them and what evaluates them.
//
// A policy is parsed once, when it is set (Store) or, for a resource whose
// policy was set before the server started, the first time it is asked for
// (Find parses the text its loader returns and keeps the result). Each entry
// remembers the resource object it belongs to (any shared_ptr: the engine's
// queue), so a resource deleted and made again under the same key is never
// answered with its predecessor's policy. Everything that changes a
// resource's policy must Store the new one (or Erase the key), so that the
// cache stays exact.
//
// Thread-safety: every method may be called from any thread; mu_ guards
// entries_ and generation_. Find holds the lock only to look up; a loader
// runs with no lock held.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/policy.h"

namespace ferry::auth {

class PolicyCache {
 public:
  // The policy text of a resource (nullopt: it has none), read when the
  // cache does not know it yet.
  using Loader = std::function<std::optional<std::string>()>;

  // The policy of the resource `key`, whose current object is `owner`; null
  // when it has none (or its stored text does not parse: no grants).
  template <typename T>
  std::shared_ptr<const Policy> Find(const std::string& key, const std::shared_ptr<T>& owner,
                                     const Loader& load) {
    uint64_t generation;
    {
      std::shared_lock lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end() && SameOwner(it->second.owner, owner)) return it->second.policy;
      generation = generation_;
    }
    return Load(key, owner, load, generation);
  }

  // Sets the policy of `key` (null: none) for its object `owner`.
  template <typename T>
  void Store(const std::string& key, const std::shared_ptr<T>& owner,
             std::shared_ptr<const Policy> policy) {
    std::unique_lock lock(mu_);
    ++generation_;
    entries_[key] = Entry{std::weak_ptr<const void>(owner), std::move(policy)};
  }

  void Erase(const std::string& key);

  // Parses `text` as a policy (any service's actions), or null when it does
  // not parse.
  static std::shared_ptr<const Policy> Parse(std::string_view text);

 private:
  struct Entry {
    std::weak_ptr<const void> owner;
    std::shared_ptr<const Policy> policy;
  };
  template <typename T>
  static bool SameOwner(const std::weak_ptr<const void>& a, const std::shared_ptr<T>& b) {
    return !a.owner_before(b) && !b.owner_before(a);
  }
  std::shared_ptr<const Policy> Load(const std::string& key, std::shared_ptr<const void> owner,
                                     const Loader& load, uint64_t generation);

  std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  // Counts Stores and Erases, so that a Find that loaded a text while the
  // policy changed does not keep the stale one.
  uint64_t generation_ = 0;  // guarded by mu_
};

}  // namespace ferry::auth
