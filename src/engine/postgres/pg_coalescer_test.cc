#include "engine/postgres/pg_coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ferry::engine::pg {
namespace {

struct Item {
  int value = 0;
  int runs = 0;  // how many groups ran it
};

// Many callers at once: every item runs exactly once, never more than
// max_leaders groups run at a time, and groups respect max_items.
void RunConcurrently(size_t max_leaders) {
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  std::atomic<int> groups{0};
  std::atomic<size_t> largest{0};
  Coalescer<Item> c(
      [&](const std::vector<Item*>& group) {
        const int now = ++running;
        int seen = most_running.load();
        while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
        }
        size_t big = largest.load();
        while (group.size() > big && !largest.compare_exchange_weak(big, group.size())) {
        }
        for (Item* i : group) ++i->runs;
        ++groups;
        std::this_thread::yield();
        --running;
      },
      /*max_items=*/8, [](const Item&) { return size_t{1}; }, /*max_weight=*/100, max_leaders);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::vector<std::vector<Item>> items(kThreads, std::vector<Item>(kPerThread));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (Item& i : items[t]) c.Submit(&i);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& per : items) {
    for (const Item& i : per) ASSERT_EQ(i.runs, 1);
  }
  EXPECT_LE(most_running.load(), static_cast<int>(max_leaders));
  EXPECT_LE(largest.load(), 8u);
  EXPECT_LE(groups.load(), kThreads * kPerThread);
}

TEST(CoalescerTest, OneLeaderRunsEveryItemOnceAndOneGroupAtATime) { RunConcurrently(1); }

TEST(CoalescerTest, SeveralLeadersRunEveryItemOnceAndAtMostThatManyGroups) { RunConcurrently(3); }

TEST(CoalescerTest, ALoneCallerRunsItsItemAlone) {
  std::vector<size_t> sizes;
  Coalescer<Item> c([&](const std::vector<Item*>& group) { sizes.push_back(group.size()); }, 8,
                    [](const Item&) { return size_t{1}; }, 100, 2);
  Item a, b;
  c.Submit(&a);
  c.Submit(&b);
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 1}));
}

TEST(CoalescerTest, AnItemHeavierThanTheLimitRunsInAGroupOfItsOwn) {
  std::vector<size_t> sizes;
  Coalescer<Item> c([&](const std::vector<Item*>& group) { sizes.push_back(group.size()); }, 8,
                    [](const Item& i) { return static_cast<size_t>(i.value); }, 10);
  Item heavy{50};
  c.Submit(&heavy);
  EXPECT_EQ(sizes, (std::vector<size_t>{1}));
}

}  // namespace
}  // namespace ferry::engine::pg
