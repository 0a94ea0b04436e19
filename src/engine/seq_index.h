// SeqIndex: the in-memory index of a queue's messages, keyed by sequence.
//
// Each stored message costs one fixed 64-byte MessageEntry held inline in an
// open-addressing table (linear probing, backward-shift deletion, no
// tombstones), so there is no per-message allocation. Sequences are dense
// increasing integers, which Fibonacci hashing spreads evenly, so the table
// can run full: it grows by half at 7/8 load (so load stays between 7/12 and
// 7/8, about 85 bytes per message on average) and shrinks to 1/2 load when it
// falls below 1/4. It is split into kShards sub-tables by the low bits of the
// sequence so that a growth step rehashes 1/kShards of the entries: with ten
// million messages a resize pauses for milliseconds, not for a large fraction
// of a second.
//
// Pointers returned by Find and Insert stay valid only until the next Insert,
// Erase or Clear.
//
// Thread-safety: none; the owning queue guards it with its mutex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "engine/body_store.h"

namespace ferry::engine {

enum class MessageState : uint8_t { kDelayed, kVisible, kInFlight };

struct MessageEntry {
  uint64_t seq = 0;  // 0 marks an empty slot; real sequences start at 1
  BodyRef body = 0;
  TimeMs sent_ms = 0;
  // Delayed or in flight: when the message becomes visible. Also tells a
  // current timer-heap entry from a superseded one.
  TimeMs visible_at_ms = 0;
  TimeMs first_receive_ms = 0;
  std::array<uint8_t, 16> message_id{};  // raw UUID bytes, formatted on output
  // Also the generation of the current receipt handle: handle k is issued by
  // the k-th receive, so only a handle whose generation equals this is current.
  uint32_t receive_count = 0;
  MessageState state = MessageState::kDelayed;
  bool has_group = false;  // group id kept in the queue's side table
  bool has_source = false;  // dead-lettered: its source queue kept in a side table
};
static_assert(sizeof(MessageEntry) == 64, "MessageEntry is the per-message RAM cost");

class SeqIndex {
 public:
  static constexpr int kShardBits = 4;
  static constexpr size_t kShards = size_t{1} << kShardBits;

  SeqIndex() = default;
  SeqIndex(SeqIndex&&) noexcept = default;
  SeqIndex& operator=(SeqIndex&&) noexcept = default;

  MessageEntry* Find(uint64_t seq);
  const MessageEntry* Find(uint64_t seq) const;
  bool Contains(uint64_t seq) const { return Find(seq) != nullptr; }
  // Inserts an entry whose sequence (non-zero) is not present yet.
  MessageEntry* Insert(const MessageEntry& entry);
  // Grows the tables so that `n` entries spread evenly over the shards fit
  // without another resize. Never shrinks.
  void Reserve(size_t n);
  // Returns false when the sequence was not present.
  bool Erase(uint64_t seq);
  void Clear();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes held by the tables, for tests and metrics.
  size_t MemoryBytes() const;

  // The first entry, in no particular order, for which pred(const
  // MessageEntry&) is true, or null. A linear scan of the tables (they are
  // contiguous, so it runs at memory speed: see local_queue_schedule.cc).
  template <typename Pred>
  MessageEntry* FindIf(Pred&& pred) {
    for (Shard& s : shards_) {
      for (size_t i = 0; i < s.capacity; ++i) {
        if (s.slots[i].seq != 0 && pred(s.slots[i])) return &s.slots[i];
      }
    }
    return nullptr;
  }

  // Calls fn(const MessageEntry&) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Shard& s : shards_) {
      for (size_t i = 0; i < s.capacity; ++i) {
        if (s.slots[i].seq != 0) fn(s.slots[i]);
      }
    }
  }

 private:
  struct Shard {
    std::unique_ptr<MessageEntry[]> slots;
    size_t capacity = 0;
    size_t size = 0;
  };

  static Shard& ShardOf(std::array<Shard, kShards>& shards, uint64_t seq) {
    return shards[seq & (kShards - 1)];
  }
  // Fibonacci hashing, scaled to the capacity by a multiply-high.
  static size_t Home(const Shard& s, uint64_t seq) {
    const uint64_t h = (seq >> kShardBits) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>((static_cast<unsigned __int128>(h) * s.capacity) >> 64);
  }
  static size_t Next(const Shard& s, size_t i) { return i + 1 == s.capacity ? 0 : i + 1; }
  static void Rehash(Shard& s, size_t new_capacity);
  static MessageEntry* Place(Shard& s, const MessageEntry& entry);

  std::array<Shard, kShards> shards_;
  size_t size_ = 0;
};

}  // namespace ferry::engine
