// The state a FIFO queue keeps beside its messages:
//   - FifoGroups: each message group's messages in sequence order, how many
//     of them are in flight, and the rotation of groups that may be ready.
//   - DedupWindow: the deduplication keys seen in the last 5 minutes, each
//     with the message it admitted (a duplicate send answers with that one).
//   - ReceiveAttempts: what each ReceiveRequestAttemptId of the last
//     5 minutes received, so that a retried receive returns the same.
//
// Thread-safety: none; the owning queue guards them with its mutex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "engine/seq_list.h"

namespace ferry::engine {

// A group is *ready* when none of its messages is in flight and its first
// stored message is visible: only then may a receive take its messages, from
// the first on, in order. Groups that may have become ready are offered to
// the rotation; a receive pops them in turn and checks.
class FifoGroups {
 public:
  struct Group {
    // Every stored message of the group (any state), in sequence order.
    // Deleted and expired ones are skipped, and dropped from the front, lazily.
    SeqList seqs;
    uint32_t live = 0;                  // stored messages
    uint32_t in_flight = 0;             // of them, in flight: the group is locked while > 0
    bool queued = false;                // offered (in the rotation) or held by a receive
    const std::string* name = nullptr;  // its key in the group map
  };

  FifoGroups() = default;
  FifoGroups(const FifoGroups&) = delete;
  FifoGroups& operator=(const FifoGroups&) = delete;

  // A new message of `group`, whose sequence is the highest of the group.
  Group& Add(const std::string& group, uint64_t seq);
  Group* Find(const std::string& group);
  // The group may be ready: give it a turn (no-op when it has one).
  void Offer(Group& g);
  void OfferAll();
  // Takes the next offered group out of the rotation and holds it (still
  // `queued`, so that it is not offered twice) until Release; nullptr when
  // none is offered.
  Group* PopOffered();
  // Ends a PopOffered hold; erases the group when it holds no message.
  void Release(Group& g);
  // A message of g left the queue (`was_in_flight`: it was in flight).
  // Returns true when this unlocked the group (it has been offered).
  bool Removed(Group& g, bool was_in_flight);
  // Groups in the rotation: an upper bound of the ready groups.
  size_t offered() const { return rotation_.size(); }
  size_t size() const { return groups_.size(); }
  void Clear();

 private:
  std::unordered_map<std::string, Group> groups_;
  std::deque<Group*> rotation_;
};

// Deduplication keys (the deduplication id, prefixed by the group with
// DeduplicationScope messageGroup) of the sends of the last 5 minutes. The
// window runs from the original send: a duplicate does not extend it, and it
// holds after the message is deleted; a purge empties it.
class DedupWindow {
 public:
  static constexpr TimeMs kWindowMs = 5 * 60 * 1000;
  struct Entry {
    std::array<uint8_t, 16> message_id{};
    uint64_t seq = 0;
    TimeMs sent_ms = 0;
  };

  // The entry of `key` when it was sent less than kWindowMs before now.
  const Entry* Find(const std::string& key, TimeMs now) const;
  // Records `key` unless a live entry has it.
  void Insert(const std::string& key, const Entry& entry, TimeMs now);
  // Forgets entries older than the window; amortised O(1).
  void Expire(TimeMs now);
  // Forgets every entry (PurgeQueue empties the window, as on AWS).
  void Clear();
  size_t size() const { return entries_.size(); }

  // fn(key, entry) for every entry, oldest first.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [sent_ms, key] : order_) {
      auto it = entries_.find(key);
      if (it != entries_.end() && it->second.sent_ms == sent_ms) fn(key, it->second);
    }
  }

 private:
  std::unordered_map<std::string, Entry> entries_;
  // (sent_ms, key) in insertion order, which is time order: expiry pops the
  // front. An element whose time differs from its entry's is superseded.
  std::deque<std::pair<TimeMs, std::string>> order_;
};

// ReceiveRequestAttemptId → the messages (sequence, receipt generation) that
// receive returned, for 5 minutes.
class ReceiveAttempts {
 public:
  static constexpr TimeMs kWindowMs = 5 * 60 * 1000;
  struct Taken {
    uint64_t seq;
    uint32_t generation;
  };

  // The messages of a live attempt, or null.
  const std::vector<Taken>* Find(const std::string& attempt_id, TimeMs now) const;
  void Record(const std::string& attempt_id, TimeMs now, std::vector<Taken> taken);
  void Expire(TimeMs now);
  void Clear();

 private:
  struct Attempt {
    TimeMs at = 0;
    std::vector<Taken> taken;
  };
  std::unordered_map<std::string, Attempt> attempts_;
  std::deque<std::pair<TimeMs, std::string>> order_;  // as in DedupWindow
};

}  // namespace ferry::engine
