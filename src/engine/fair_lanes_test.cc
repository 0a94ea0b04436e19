#include "engine/fair_lanes.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/local_queue.h"
#include "engine/test_util.h"

namespace ferry::engine {
namespace {

std::vector<uint64_t> Drain(FairLanes& lanes) {
  std::vector<uint64_t> out;
  for (uint64_t seq = lanes.PopNext(); seq != 0; seq = lanes.PopNext()) out.push_back(seq);
  return out;
}

TEST(SeqList, KeepsOrderSmallAndLarge) {
  for (uint64_t n : {uint64_t{5}, uint64_t{SeqList::kSmall}, uint64_t{1000}}) {
    SeqList list;
    for (uint64_t s = 1; s <= n; ++s) list.push_back(s);
    ASSERT_EQ(list.size(), n);
    EXPECT_EQ(list[n - 1], n);
    for (uint64_t s = 1; s <= n; ++s) {
      ASSERT_EQ(list.front(), s);
      list.pop_front();
    }
    EXPECT_TRUE(list.empty());
    if (n > SeqList::kSmall) {
      EXPECT_EQ(list.MemoryBytes(), 0u) << "the long form is freed";
    }
  }
}

TEST(SeqList, PushFrontAndEraseIf) {
  SeqList list;
  for (uint64_t s = 1; s <= 100; ++s) list.push_back(s);
  list.pop_front();
  list.push_front(1);
  EXPECT_EQ(list.front(), 1u);
  EXPECT_EQ(list.erase_if([](uint64_t s) { return s % 2 == 0; }), 50u);
  EXPECT_EQ(list.size(), 50u);
  EXPECT_EQ(list[1], 3u);
  SeqList small;
  small.push_back(2);
  small.push_back(3);
  small.pop_front();
  small.push_front(1);
  EXPECT_EQ(small.erase_if([](uint64_t s) { return s == 3; }), 1u);
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small.front(), 1u);
}

TEST(FairLanes, ReturnedMessagesGoAheadOfNewerOnesOldestFirst) {
  FairLanes lanes;
  const std::string g = "g";
  lanes.PushBack(nullptr, 4);
  lanes.PushBack(nullptr, 6);
  lanes.PushReturned(nullptr, 5);
  lanes.PushReturned(nullptr, 2);
  lanes.PushReturned(&g, 3);
  lanes.PushBack(&g, 7);
  EXPECT_EQ(lanes.size(), 6u);
  // Lanes alternate; within each, the lowest sequence of the returned ones
  // and the list's head goes first.
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{2, 3, 4, 7, 5, 6}));
  EXPECT_TRUE(lanes.empty());
}

TEST(FairLanes, EraseIfDropsStaleReturnedElementsToo) {
  FairLanes lanes;
  for (uint64_t s = 1; s <= 6; ++s) lanes.PushReturned(nullptr, s);
  lanes.EraseIf([](uint64_t s) { return s % 2 == 0; });
  EXPECT_EQ(lanes.size(), 3u);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{1, 3, 5}));
}

TEST(FairLanes, WithoutGroupsKeepsPushOrder) {
  FairLanes lanes;
  for (uint64_t s = 1; s <= 5; ++s) lanes.PushBack(nullptr, s);
  EXPECT_EQ(lanes.size(), 5u);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(lanes.empty());
}

TEST(FairLanes, ServesGroupsRoundRobinWhateverTheirBacklog) {
  FairLanes lanes;
  const std::string noisy = "noisy", quiet = "quiet";
  for (uint64_t s = 1; s <= 6; ++s) lanes.PushBack(&noisy, s);
  lanes.PushBack(&quiet, 7);
  lanes.PushBack(nullptr, 8);
  lanes.PushBack(&quiet, 9);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{1, 7, 8, 2, 9, 3, 4, 5, 6}));
}

TEST(FairLanes, PushFrontReturnsAnElementToTheHeadOfItsLane) {
  FairLanes lanes;
  const std::string a = "a";
  lanes.PushBack(&a, 1);
  lanes.PushBack(&a, 2);
  EXPECT_EQ(lanes.PopNext(), 1u);
  lanes.PushFront(&a, 1);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{1, 2}));
}

TEST(FairLanes, EraseIfDropsStaleElementsAndEmptyLanes) {
  FairLanes lanes;
  const std::string a = "a", b = "b";
  lanes.PushBack(&a, 1);
  lanes.PushBack(&b, 2);
  lanes.PushBack(&a, 3);
  lanes.EraseIf([](uint64_t seq) { return seq != 3; });
  EXPECT_EQ(lanes.size(), 1u);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{3}));
  lanes.PushBack(&b, 4);
  EXPECT_EQ(Drain(lanes), (std::vector<uint64_t>{4}));
}

// The fair-queue behaviour through a standard queue: a group with a large
// backlog does not starve the groups that send little.
TEST(FairQueue, NoisyGroupBacklogDoesNotStarveOtherGroups) {
  FakeClock clock;
  LocalQueue q("fair", {}, {}, clock, std::make_shared<testing::CountingBodyStore>());
  auto send = [&](const std::string& payload, const std::string& group) {
    SendRequest req;
    req.payload = payload;
    req.group_id = group;
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  };
  for (int i = 0; i < 1000; ++i) send("noisy-" + std::to_string(i), "noisy");
  send("a-0", "tenant-a");
  send("b-0", "tenant-b");
  send("a-1", "tenant-a");
  send("plain", "");

  ReceiveRequest req;
  req.max_messages = 10;
  auto got = q.Receive(req);
  ASSERT_TRUE(got.ok());
  std::map<std::string, int> per_group;
  std::vector<std::string> payloads;
  for (const auto& m : *got) {
    ++per_group[m.group_id];
    payloads.push_back(m.payload);
  }
  // Every group with visible messages got a turn in the first receive.
  EXPECT_EQ(per_group["tenant-a"], 2);
  EXPECT_EQ(per_group["tenant-b"], 1);
  EXPECT_EQ(per_group[""], 1);
  EXPECT_EQ(per_group["noisy"], 6);
  // Within a group, send order holds.
  auto pos = [&](const std::string& p) {
    return std::find(payloads.begin(), payloads.end(), p) - payloads.begin();
  };
  EXPECT_LT(pos("a-0"), pos("a-1"));
  EXPECT_LT(pos("noisy-0"), pos("noisy-1"));
}

TEST(FairQueue, RedeliveredMessageRejoinsItsGroupsLane) {
  FakeClock clock;
  LocalQueue q("fair", {}, {}, clock, std::make_shared<testing::CountingBodyStore>());
  for (const char* g : {"x", "x", "y"}) {
    SendRequest req;
    req.payload = g;
    req.group_id = g;
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  }
  ReceiveRequest one;
  one.max_messages = 1;
  one.visibility_timeout_s = 5;
  auto first = q.Receive(one);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].group_id, "x");
  clock.Advance(6000);  // visibility expires: it goes back to x's lane
  ReceiveRequest all;
  all.max_messages = 10;
  auto rest = q.Receive(all);
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(q.Stats().visible, 0);
}

}  // namespace
}  // namespace ferry::engine
