// Long polling across nodes. Watchers keeps this process's one-shot
// watchers by queue id; WakeListener holds one connection that LISTENs on
// the channel ferry_wake, to which every change that may make a message
// visible sends its queue's id (pg_notify in the change's transaction, so
// the notification leaves only when the change commits), and fires that
// queue's watchers here. A notification lost while the listener was
// reconnecting is made up for by firing every watcher once it is back; the
// engine's Tick wakes watchers of queues with messages that became visible
// by time (delays and visibility deadlines), and once a second those of
// every queue with a visible message.
//
// The same channel carries kCatalogPayload, which every catalog write sends
// (PutEntry, EraseEntry): the listener raises Watchers' catalog flag, and
// the engine's next Tick reads the catalog's version (Engine::CatalogVersion)
// instead of waiting for its once-a-second read. A reconnecting listener
// raises it too.
//
// Thread-safety: Watchers' methods from any thread, under its mutex;
// callbacks run with it released. WakeListener runs one thread of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ferry::engine::pg {

// The channel of wake-ups; the payload is the queue id in decimal.
inline constexpr const char* kWakeChannel = "ferry_wake";
// The payload of a catalog change (never a queue id, which is a number).
inline constexpr const char* kCatalogPayload = "catalog";

class Watchers {
 public:
  uint64_t Add(uint64_t queue_id, std::function<void()> fn);
  void Remove(uint64_t queue_id, uint64_t token);
  // Calls and removes every watcher of the queue.
  void Fire(uint64_t queue_id);
  void FireAll();
  // The queues with at least one watcher.
  std::vector<uint64_t> Watched() const;

  // The catalog flag: raised by the listener, taken (read and lowered) by
  // the engine's Tick.
  void RaiseCatalog() { catalog_changed_.store(true); }
  bool TakeCatalog() { return catalog_changed_.exchange(false); }

 private:
  std::atomic<bool> catalog_changed_{true};
  mutable std::mutex mu_;
  uint64_t next_token_ = 1;  // guarded by mu_
  std::unordered_map<uint64_t, std::map<uint64_t, std::function<void()>>> by_queue_;  // mu_
};

class WakeListener {
 public:
  WakeListener(std::string url, Watchers& watchers);
  ~WakeListener();
  WakeListener(const WakeListener&) = delete;
  WakeListener& operator=(const WakeListener&) = delete;

 private:
  void Run();

  const std::string url_;
  Watchers& watchers_;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ferry::engine::pg
