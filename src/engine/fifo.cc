#include "engine/fifo.h"

namespace ferry::engine {

FifoGroups::Group& FifoGroups::Add(const std::string& group, uint64_t seq) {
  auto [it, inserted] = groups_.try_emplace(group);
  Group& g = it->second;
  if (inserted) g.name = &it->first;
  g.seqs.push_back(seq);
  ++g.live;
  return g;
}

FifoGroups::Group* FifoGroups::Find(const std::string& group) {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second;
}

void FifoGroups::Offer(Group& g) {
  if (g.queued) return;
  g.queued = true;
  rotation_.push_back(&g);
}

void FifoGroups::OfferAll() {
  for (auto& [name, g] : groups_) Offer(g);
}

FifoGroups::Group* FifoGroups::PopOffered() {
  if (rotation_.empty()) return nullptr;
  Group* g = rotation_.front();
  rotation_.pop_front();
  return g;
}

void FifoGroups::Release(Group& g) {
  g.queued = false;
  if (g.live == 0) groups_.erase(std::string(*g.name));
}

bool FifoGroups::Removed(Group& g, bool was_in_flight) {
  if (was_in_flight) --g.in_flight;
  if (--g.live == 0) {
    if (!g.queued) groups_.erase(std::string(*g.name));
    return false;
  }
  if (g.in_flight > 0) return false;
  // Its new first message may be visible (also when a delayed first message
  // expired, or a visible one was deleted with an old handle).
  Offer(g);
  return was_in_flight;
}

void FifoGroups::Clear() {
  groups_.clear();
  rotation_ = {};
}

const DedupWindow::Entry* DedupWindow::Find(const std::string& key, TimeMs now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.sent_ms + kWindowMs <= now) return nullptr;
  return &it->second;
}

void DedupWindow::Insert(const std::string& key, const Entry& entry, TimeMs now) {
  if (Find(key, now) != nullptr) return;
  entries_[key] = entry;
  order_.emplace_back(entry.sent_ms, key);
}

void DedupWindow::Expire(TimeMs now) {
  while (!order_.empty() && order_.front().first + kWindowMs <= now) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.sent_ms == order_.front().first) entries_.erase(it);
    order_.pop_front();
  }
}

void DedupWindow::Clear() {
  entries_.clear();
  order_ = {};
}

const std::vector<ReceiveAttempts::Taken>* ReceiveAttempts::Find(const std::string& attempt_id,
                                                                 TimeMs now) const {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end() || it->second.at + kWindowMs <= now) return nullptr;
  return &it->second.taken;
}

void ReceiveAttempts::Record(const std::string& attempt_id, TimeMs now, std::vector<Taken> taken) {
  attempts_[attempt_id] = Attempt{now, std::move(taken)};
  order_.emplace_back(now, attempt_id);
}

void ReceiveAttempts::Expire(TimeMs now) {
  while (!order_.empty() && order_.front().first + kWindowMs <= now) {
    auto it = attempts_.find(order_.front().second);
    if (it != attempts_.end() && it->second.at == order_.front().first) attempts_.erase(it);
    order_.pop_front();
  }
}

void ReceiveAttempts::Clear() {
  attempts_.clear();
  order_ = {};
}

}  // namespace ferry::engine
