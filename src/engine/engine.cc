#include "engine/engine.h"

#include <map>
#include <shared_mutex>
#include <unordered_map>

#include "engine/standard_queue.h"

namespace ferry::engine {
namespace {

// AWS refuses to recreate a queue name within 60 s of deleting it.
constexpr TimeMs kRecreateDelayMs = 60'000;

}  // namespace

struct Engine::State {
  // Shared with the queues, so that an orphaned queue held past the engine's
  // life can still release its bodies.
  std::shared_ptr<BodyStore> bodies;

  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<StandardQueue>> queues;  // guarded by mu
  std::unordered_map<std::string, TimeMs> deleted_ms;            // guarded by mu

  // Requires mu held exclusively.
  void ForgetOldDeletions(TimeMs now) {
    std::erase_if(deleted_ms, [now](const auto& d) { return d.second + kRecreateDelayMs <= now; });
  }
};

Engine::Engine(const Clock& clock, std::unique_ptr<BodyStore> bodies)
    : clock_(clock), state_(std::make_unique<State>()) {
  state_->bodies = bodies ? std::shared_ptr<BodyStore>(std::move(bodies)) : NewMemoryBodyStore();
}

Engine::~Engine() = default;

Result<std::shared_ptr<Queue>> Engine::CreateQueue(const std::string& name, QueueSettings settings,
                                                   std::map<std::string, std::string> tags) {
  const TimeMs now = clock_.NowMs();
  std::unique_lock lock(state_->mu);
  if (auto it = state_->queues.find(name); it != state_->queues.end()) {
    if (it->second->settings() == settings) return std::shared_ptr<Queue>(it->second);
    return Status::AlreadyExists("a queue named " + name + " exists with different settings");
  }
  state_->ForgetOldDeletions(now);
  if (state_->deleted_ms.contains(name)) {
    return Status::FailedPrecondition("queue " + name + " was deleted less than 60 seconds ago");
  }
  auto queue = std::make_shared<StandardQueue>(name, std::move(settings), std::move(tags), clock_,
                                               state_->bodies);
  state_->queues.emplace(name, queue);
  return std::shared_ptr<Queue>(std::move(queue));
}

std::shared_ptr<Queue> Engine::FindQueue(const std::string& name) const {
  std::shared_lock lock(state_->mu);
  auto it = state_->queues.find(name);
  if (it == state_->queues.end()) return nullptr;
  return it->second;
}

Status Engine::DeleteQueue(const std::string& name) {
  const TimeMs now = clock_.NowMs();
  std::shared_ptr<StandardQueue> queue;
  {
    std::unique_lock lock(state_->mu);
    auto it = state_->queues.find(name);
    if (it == state_->queues.end()) return Status::NotFound("no queue named " + name);
    queue = std::move(it->second);
    state_->queues.erase(it);
    state_->ForgetOldDeletions(now);
    state_->deleted_ms[name] = now;
  }
  queue->Drop();
  return Status::Ok();
}

std::vector<std::string> Engine::ListQueues(const std::string& prefix) const {
  std::vector<std::string> names;
  std::shared_lock lock(state_->mu);
  for (auto it = state_->queues.lower_bound(prefix);
       it != state_->queues.end() && it->first.starts_with(prefix); ++it) {
    names.push_back(it->first);
  }
  return names;
}

void Engine::Tick() {
  std::vector<std::shared_ptr<StandardQueue>> queues;
  {
    std::shared_lock lock(state_->mu);
    queues.reserve(state_->queues.size());
    for (const auto& [name, queue] : state_->queues) queues.push_back(queue);
  }
  for (const auto& queue : queues) queue->Tick();
}

}  // namespace ferry::engine
