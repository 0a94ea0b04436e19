#include "engine/seq_index.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace ferry::engine {
namespace {

constexpr size_t kMinCapacity = 8;

}  // namespace

MessageEntry* SeqIndex::Find(uint64_t seq) {
  return const_cast<MessageEntry*>(std::as_const(*this).Find(seq));
}

const MessageEntry* SeqIndex::Find(uint64_t seq) const {
  if (seq == 0) return nullptr;
  const Shard& s = shards_[seq & (kShards - 1)];
  if (s.size == 0) return nullptr;
  for (size_t i = Home(s, seq);; i = Next(s, i)) {
    const MessageEntry& e = s.slots[i];
    if (e.seq == seq) return &e;
    if (e.seq == 0) return nullptr;
  }
}

MessageEntry* SeqIndex::Place(Shard& s, const MessageEntry& entry) {
  size_t i = Home(s, entry.seq);
  while (s.slots[i].seq != 0) i = Next(s, i);
  s.slots[i] = entry;
  return &s.slots[i];
}

void SeqIndex::Rehash(Shard& s, size_t new_capacity) {
  Shard next;
  next.capacity = new_capacity;
  next.slots = std::make_unique<MessageEntry[]>(new_capacity);
  next.size = s.size;
  for (size_t i = 0; i < s.capacity; ++i) {
    if (s.slots[i].seq != 0) Place(next, s.slots[i]);
  }
  s = std::move(next);
}

MessageEntry* SeqIndex::Insert(const MessageEntry& entry) {
  assert(entry.seq != 0 && !Contains(entry.seq));
  Shard& s = ShardOf(shards_, entry.seq);
  if ((s.size + 1) * 8 > s.capacity * 7) {
    Rehash(s, std::max(kMinCapacity, s.capacity + s.capacity / 2));
  }
  ++s.size;
  ++size_;
  return Place(s, entry);
}

void SeqIndex::Reserve(size_t n) {
  // Sequences are dense, so each shard gets an equal share (plus slack for
  // the unevenness of a sparse set); sized to stay under the 7/8 growth mark.
  const size_t per_shard = n / kShards + n / (kShards * 16) + 1;
  const size_t want = std::max(kMinCapacity, per_shard * 8 / 7 + 1);
  for (Shard& s : shards_) {
    if (s.capacity < want) Rehash(s, want);
  }
}

bool SeqIndex::Erase(uint64_t seq) {
  if (seq == 0) return false;
  Shard& s = ShardOf(shards_, seq);
  if (s.size == 0) return false;
  size_t hole = Home(s, seq);
  while (s.slots[hole].seq != seq) {
    if (s.slots[hole].seq == 0) return false;
    hole = Next(s, hole);
  }
  // Backward-shift deletion: move a later member of the probe run into the
  // hole when its home slot is not cyclically within (hole, its slot].
  const size_t cap = s.capacity;
  for (size_t i = Next(s, hole); s.slots[i].seq != 0; i = Next(s, i)) {
    const size_t home = Home(s, s.slots[i].seq);
    const size_t dist_home = (i + cap - home) % cap;
    const size_t dist_hole = (i + cap - hole) % cap;
    if (dist_home >= dist_hole) {
      s.slots[hole] = s.slots[i];
      hole = i;
    }
  }
  s.slots[hole] = MessageEntry{};
  --s.size;
  --size_;
  if (s.size == 0) {
    s = Shard{};
  } else if (s.capacity > kMinCapacity && s.size * 4 < s.capacity) {
    Rehash(s, std::max(kMinCapacity, s.size * 2));
  }
  return true;
}

void SeqIndex::Clear() {
  for (Shard& s : shards_) s = Shard{};
  size_ = 0;
}

size_t SeqIndex::MemoryBytes() const {
  size_t n = 0;
  for (const Shard& s : shards_) n += s.capacity * sizeof(MessageEntry);
  return n;
}

}  // namespace ferry::engine
