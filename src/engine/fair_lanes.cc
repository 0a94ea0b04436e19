#include "engine/fair_lanes.h"

#include <algorithm>

namespace ferry::engine {

FairLanes::Lane& FairLanes::LaneOf(const std::string* group) {
  if (group == nullptr) return ungrouped_;
  auto [it, inserted] = grouped_.try_emplace(*group);
  if (inserted) it->second.group = &it->first;
  return it->second;
}

void FairLanes::PushReturned(const std::string* group, uint64_t seq) {
  Lane& lane = LaneOf(group);
  lane.returned.push_back(seq);
  std::push_heap(lane.returned.begin(), lane.returned.end(), std::greater<>());
  ++size_;
  Enqueue(lane, /*front=*/false);
}

void FairLanes::Push(const std::string* group, uint64_t seq, bool front) {
  Lane& lane = LaneOf(group);
  if (front) {
    lane.seqs.push_front(seq);
  } else {
    lane.seqs.push_back(seq);
  }
  ++size_;
  Enqueue(lane, front);
}

void FairLanes::Enqueue(Lane& lane, bool front) {
  if (lane.queued) return;
  lane.queued = true;
  if (front) {
    rotation_.push_front(&lane);
  } else {
    rotation_.push_back(&lane);
  }
}

uint64_t FairLanes::PopNext() {
  if (rotation_.empty()) return 0;
  Lane* lane = rotation_.front();
  rotation_.pop_front();
  uint64_t seq;
  if (!lane->returned.empty() &&
      (lane->seqs.empty() || lane->returned.front() < lane->seqs.front())) {
    std::pop_heap(lane->returned.begin(), lane->returned.end(), std::greater<>());
    seq = lane->returned.back();
    lane->returned.pop_back();
  } else {
    seq = lane->seqs.front();
    lane->seqs.pop_front();
  }
  --size_;
  if (lane->empty()) {
    Retire(lane);
  } else {
    rotation_.push_back(lane);
  }
  return seq;
}

void FairLanes::Retire(Lane* lane) {
  lane->queued = false;
  if (lane != &ungrouped_) grouped_.erase(std::string(*lane->group));
}

void FairLanes::DropEmptyLanes() {
  std::deque<Lane*> keep;
  for (Lane* lane : rotation_) {
    if (lane->empty()) {
      Retire(lane);
    } else {
      keep.push_back(lane);
    }
  }
  rotation_.swap(keep);
}

void FairLanes::Clear() {
  ungrouped_.seqs = SeqList();
  ungrouped_.returned = {};
  ungrouped_.queued = false;
  grouped_.clear();
  rotation_ = {};
  size_ = 0;
}

size_t FairLanes::MemoryBytes() const {
  size_t bytes = ungrouped_.seqs.MemoryBytes() + ungrouped_.returned.capacity() * sizeof(uint64_t) +
                 rotation_.size() * sizeof(Lane*);
  for (const auto& [group, lane] : grouped_) {
    bytes += lane.seqs.MemoryBytes() + lane.returned.capacity() * sizeof(uint64_t) + sizeof(Lane) +
             group.capacity() + 32;
  }
  return bytes;
}

}  // namespace ferry::engine
