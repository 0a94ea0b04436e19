// Coalescer<Item>: runs the items that concurrent callers submit in groups,
// the way group commit does. A caller that finds fewer than `max_leaders`
// groups running runs one for its item and every item queued meanwhile (it
// leads); a caller that finds them all running queues its item and waits
// for a later leader to run it. One caller alone runs alone, at no extra
// cost; many share runs. More than one leader lets a run's round trip and
// its commit overlap with the next one's (the database flushes concurrent
// commits together).
//
// Thread-safety: Submit from any thread; mu_ guards the queue, the
// entries' flags and leaders_. `run` is called by up to max_leaders
// leaders at a time, with no lock held, each with items of its own.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace ferry::engine::pg {

template <typename Item>
class Coalescer {
 public:
  using Run = std::function<void(const std::vector<Item*>& group)>;
  using Weight = std::function<size_t(const Item&)>;

  // A group holds at most `max_items` items, and at most `max_weight` by
  // `weight` unless its first item alone weighs more.
  Coalescer(Run run, size_t max_items, Weight weight, size_t max_weight, size_t max_leaders = 1)
      : run_(std::move(run)),
        max_items_(max_items),
        weight_(std::move(weight)),
        max_weight_(max_weight),
        max_leaders_(std::max<size_t>(max_leaders, 1)) {}

  // Returns once `run` handled `item` (in a group of this caller's or of
  // another's).
  void Submit(Item* item) {
    Entry me{item};
    std::vector<Entry*> group;
    {
      std::unique_lock lock(mu_);
      queued_.push_back(&me);
      // An entry another leader took waits for that leader.
      done_.wait(lock, [&] { return me.done || (!me.taken && leaders_ < max_leaders_); });
      if (me.done) return;
      ++leaders_;
      // This caller's item first, then the oldest queued ones.
      auto it = std::find(queued_.begin(), queued_.end(), &me);
      std::rotate(queued_.begin(), it, it + 1);
      size_t weight = 0;
      auto end = queued_.begin();
      for (; end != queued_.end() && group.size() < max_items_; ++end) {
        weight += weight_(*(*end)->item);
        if (!group.empty() && weight > max_weight_) break;
        group.push_back(*end);
        (*end)->taken = true;
      }
      queued_.erase(queued_.begin(), end);
    }
    std::vector<Item*> items;
    items.reserve(group.size());
    for (Entry* e : group) items.push_back(e->item);
    run_(items);
    {
      std::lock_guard lock(mu_);
      for (Entry* e : group) e->done = true;
      --leaders_;
    }
    done_.notify_all();
  }

 private:
  struct Entry {
    Item* item;
    bool taken = false;  // in a leader's group; guarded by mu_
    bool done = false;   // guarded by mu_
  };

  const Run run_;
  const size_t max_items_;
  const Weight weight_;
  const size_t max_weight_;
  const size_t max_leaders_;
  std::mutex mu_;
  std::condition_variable done_;
  std::vector<Entry*> queued_;  // guarded by mu_
  size_t leaders_ = 0;          // guarded by mu_
};

}  // namespace ferry::engine::pg
