#include "engine/seq_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace ferry::engine {
namespace {

MessageEntry Entry(uint64_t seq) {
  MessageEntry e;
  e.seq = seq;
  e.body = seq * 10;
  return e;
}

TEST(SeqIndexTest, FindsWhatWasInsertedAndNothingElse) {
  SeqIndex index;
  for (uint64_t s = 1; s <= 1000; ++s) index.Insert(Entry(s));
  EXPECT_EQ(index.size(), 1000u);
  for (uint64_t s = 1; s <= 1000; ++s) {
    const MessageEntry* e = index.Find(s);
    ASSERT_NE(e, nullptr) << s;
    EXPECT_EQ(e->body, s * 10);
  }
  EXPECT_EQ(index.Find(0), nullptr);
  EXPECT_EQ(index.Find(1001), nullptr);
}

TEST(SeqIndexTest, EraseKeepsOtherEntriesReachable) {
  SeqIndex index;
  std::unordered_map<uint64_t, BodyRef> model;
  std::mt19937_64 rng(42);
  uint64_t next = 1;
  for (int round = 0; round < 200'000; ++round) {
    if (model.empty() || rng() % 3 != 0) {
      index.Insert(Entry(next));
      model[next] = next * 10;
      ++next;
    } else {
      // Erase a random live sequence near the recent end or anywhere.
      uint64_t s = 1 + rng() % (next - 1);
      EXPECT_EQ(index.Erase(s), model.erase(s) == 1) << s;
    }
  }
  EXPECT_EQ(index.size(), model.size());
  for (uint64_t s = 1; s < next; ++s) {
    const MessageEntry* e = index.Find(s);
    if (model.contains(s)) {
      ASSERT_NE(e, nullptr) << s;
      EXPECT_EQ(e->body, model[s]);
    } else {
      EXPECT_EQ(e, nullptr) << s;
    }
  }
}

TEST(SeqIndexTest, ForEachVisitsEveryEntryOnce) {
  SeqIndex index;
  for (uint64_t s = 1; s <= 500; ++s) index.Insert(Entry(s));
  for (uint64_t s = 1; s <= 500; s += 2) index.Erase(s);
  uint64_t count = 0, sum = 0;
  index.ForEach([&](const MessageEntry& e) {
    ++count;
    sum += e.seq;
  });
  EXPECT_EQ(count, 250u);
  EXPECT_EQ(sum, 250u * 251u);  // 2 + 4 + ... + 500
}

TEST(SeqIndexTest, MemoryStaysProportionalToLiveEntries) {
  SeqIndex index;
  constexpr uint64_t kN = 1'000'000;
  for (uint64_t s = 1; s <= kN; ++s) index.Insert(Entry(s));
  // Load never drops below 7/12 after growth: at most 64 * 12/7 bytes each.
  EXPECT_LE(index.MemoryBytes(), kN * 64 * 12 / 7 + 64 * 1024);
  for (uint64_t s = 1; s <= kN - 100; ++s) index.Erase(s);
  EXPECT_LE(index.MemoryBytes(), 100 * 64 * 8 + SeqIndex::kShards * 64 * 8);
  index.Clear();
  EXPECT_EQ(index.MemoryBytes(), 0u);
  EXPECT_TRUE(index.empty());
}

// Recovery copies one index into another in the first one's slot order; a
// reserved table takes them all without growing, and finds every one.
TEST(SeqIndexTest, ReserveHoldsThatManyEntriesWithoutGrowing) {
  SeqIndex source;
  constexpr uint64_t kN = 200'000;
  for (uint64_t s = 1; s <= kN; ++s) source.Insert(Entry(s));
  SeqIndex copy;
  copy.Reserve(kN);
  const size_t reserved = copy.MemoryBytes();
  EXPECT_LE(reserved, kN * 64 * 8 / 7 * 17 / 16 + SeqIndex::kShards * 64 * 16);
  source.ForEach([&](const MessageEntry& e) { copy.Insert(e); });
  EXPECT_EQ(copy.MemoryBytes(), reserved);
  EXPECT_EQ(copy.size(), kN);
  for (uint64_t s = 1; s <= kN; ++s) ASSERT_NE(copy.Find(s), nullptr) << s;
  copy.Reserve(10);  // never shrinks
  EXPECT_EQ(copy.MemoryBytes(), reserved);
}

}  // namespace
}  // namespace ferry::engine
