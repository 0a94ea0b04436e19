// Test helper: counts the applies a BackgroundApply reports through its
// after-each callback, and lets a test wait for them (no sleeps).
//
// Thread-safety: the callback may run on any thread; WaitFor blocks.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

namespace ferry::resources {

class AppliesSeen {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard lock(mu_);
      ++seen_;
      cv_.notify_all();
    };
  }
  void WaitFor(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return seen_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int seen_ = 0;  // guarded by mu_
};

}  // namespace ferry::resources
