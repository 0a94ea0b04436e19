// SeqList: a first-in first-out list of message sequences that is cheap when
// short and never pauses when long. Up to kSmall elements live in a vector
// (pops advance a head index); a longer list moves into a std::deque, which
// grows and shrinks in fixed blocks, and returns to the vector once emptied.
// A std::deque alone would allocate over 500 bytes for its first element,
// which matters when a queue has as many message groups as messages (each
// group has a list); a vector alone would copy the whole list when it grows
// or drops its consumed prefix, a pause under the queue's mutex.
//
// Thread-safety: none; the owning queue guards it with its mutex.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace ferry::engine {

class SeqList {
 public:
  static constexpr size_t kSmall = 32;

  bool empty() const { return size() == 0; }
  size_t size() const { return big_ ? big_->size() : small_.size() - head_; }
  uint64_t front() const { return (*this)[0]; }
  // The i-th element from the front.
  uint64_t operator[](size_t i) const { return big_ ? (*big_)[i] : small_[head_ + i]; }

  void push_back(uint64_t seq) {
    if (!big_ && small_.size() - head_ >= kSmall) {
      big_ = std::make_unique<std::deque<uint64_t>>(small_.begin() + Head(), small_.end());
      std::vector<uint64_t>().swap(small_);  // free it: `= {}` keeps the capacity
      head_ = 0;
    }
    if (big_) {
      big_->push_back(seq);
    } else {
      small_.push_back(seq);
    }
  }
  void push_front(uint64_t seq) {
    if (big_) {
      big_->push_front(seq);
    } else if (head_ > 0) {
      small_[--head_] = seq;
    } else {
      small_.insert(small_.begin(), seq);
    }
  }
  void pop_front() {
    if (big_) {
      big_->pop_front();
      if (big_->empty()) big_.reset();
    } else if (++head_ == small_.size()) {
      small_.clear();
      head_ = 0;
    }
  }
  // Removes every element for which stale(seq) holds; returns how many.
  template <typename Pred>
  size_t erase_if(Pred&& stale) {
    if (big_) {
      const size_t n = std::erase_if(*big_, stale);
      if (big_->empty()) big_.reset();
      return n;
    }
    small_.erase(small_.begin(), small_.begin() + Head());
    head_ = 0;
    return std::erase_if(small_, stale);
  }
  void shrink_to_fit() {
    if (big_) {
      big_->shrink_to_fit();
    } else {
      small_.shrink_to_fit();
    }
  }
  size_t MemoryBytes() const {
    return big_ ? big_->size() * sizeof(uint64_t) + sizeof(*big_)
                : small_.capacity() * sizeof(uint64_t);
  }

 private:
  std::ptrdiff_t Head() const { return static_cast<std::ptrdiff_t>(head_); }

  std::vector<uint64_t> small_;  // while !big_: the list is small_[head_..]
  size_t head_ = 0;
  std::unique_ptr<std::deque<uint64_t>> big_;
};

}  // namespace ferry::engine
