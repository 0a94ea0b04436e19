// FairLanes: the visible messages of a standard queue, one lane per message
// group plus one for messages without a group, received round robin across
// the lanes. A group with a large backlog therefore gets one turn in each
// round like every other group and cannot starve them (AWS's fair queues).
// Within a lane, messages keep the order in which they became visible, except
// that a message back from flight (its visibility expired or was set to 0)
// goes ahead of every newer message (higher sequence) still waiting, as AWS
// offers a redelivered message before messages sent after it; a queue whose
// messages carry no group has one lane.
//
// Elements are sequences. The owner skips elements whose message is gone (they
// are dropped lazily, or all at once by EraseIf); a visible message has
// exactly one element.
//
// Thread-safety: none; the owning queue guards it with its mutex.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/seq_list.h"

namespace ferry::engine {

class FairLanes {
 public:
  FairLanes() = default;
  FairLanes(const FairLanes&) = delete;
  FairLanes& operator=(const FairLanes&) = delete;

  // `group` is null for a message without a group.
  void PushBack(const std::string* group, uint64_t seq) { Push(group, seq, false); }
  // Puts a sequence just popped back at the head of its lane.
  void PushFront(const std::string* group, uint64_t seq) { Push(group, seq, true); }
  // A message back from flight: served before the lane's newer messages.
  void PushReturned(const std::string* group, uint64_t seq);
  // The head of the next lane in the rotation (that lane then goes to the
  // back of the rotation), or 0 when there is none.
  uint64_t PopNext();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Drops every element for which stale(seq) holds; lanes left empty go.
  template <typename Pred>
  void EraseIf(Pred&& stale) {
    for (Lane* lane : rotation_) {
      size_ -= lane->seqs.erase_if(stale);
      lane->seqs.shrink_to_fit();
      size_ -= std::erase_if(lane->returned, stale);
      std::make_heap(lane->returned.begin(), lane->returned.end(), std::greater<>());
      lane->returned.shrink_to_fit();
    }
    DropEmptyLanes();
  }
  void Clear();
  size_t MemoryBytes() const;

 private:
  struct Lane {
    bool empty() const { return seqs.empty() && returned.empty(); }
    SeqList seqs;
    // Messages back from flight: a min-heap of sequences (std::greater), so
    // the oldest comes first; PopNext takes its top when that is older than
    // the head of seqs.
    std::vector<uint64_t> returned;
    const std::string* group = nullptr;  // its key in grouped_; null for ungrouped_
    bool queued = false;  // in rotation_; a lane is queued exactly when it has elements
  };
  Lane& LaneOf(const std::string* group);
  void Push(const std::string* group, uint64_t seq, bool front);
  // Puts a lane that has just gained an element into the rotation.
  void Enqueue(Lane& lane, bool front);
  // Removes lane (which must be empty) from the rotation's bookkeeping.
  void Retire(Lane* lane);
  void DropEmptyLanes();

  Lane ungrouped_;
  // Lanes of groups with visible messages; a lane is erased once it empties,
  // so the map stays proportional to the groups with visible messages.
  std::unordered_map<std::string, Lane> grouped_;
  std::deque<Lane*> rotation_;  // lanes with elements; the next to serve first
  size_t size_ = 0;
};

}  // namespace ferry::engine
