#include "auth/policy_cache.h"

namespace ferry::auth {

void PolicyCache::Erase(const std::string& key) {
  std::unique_lock lock(mu_);
  ++generation_;
  entries_.erase(key);
}

std::shared_ptr<const Policy> PolicyCache::Parse(std::string_view text) {
  Result<Policy> parsed = ParsePolicy(text);
  if (!parsed.ok()) return nullptr;
  return std::make_shared<const Policy>(std::move(*parsed));
}

std::shared_ptr<const Policy> PolicyCache::Load(const std::string& key,
                                                std::shared_ptr<const void> owner,
                                                const Loader& load, uint64_t generation) {
  std::optional<std::string> text = load();
  std::shared_ptr<const Policy> policy = text ? Parse(*text) : nullptr;
  std::unique_lock lock(mu_);
  if (generation_ == generation) {
    entries_[key] = Entry{std::weak_ptr<const void>(owner), policy};
  }
  return policy;
}

}  // namespace ferry::auth
