#include "admin/queue_history.h"

#include <algorithm>
#include <utility>

#include "sns/model.h"

namespace ferry::admin {

void QueueHistory::Tick() {
  const TimeMs now = clock_.NowMs();
  {
    std::lock_guard lock(mu_);
    if (now < next_due_ms_) return;
    next_due_ms_ = now + kIntervalMs;
  }
  // Read with mu_ released: Stats takes each queue's own mutex.
  struct Read {
    std::string name;
    TimeMs created_ms;
    HistorySample sample;
  };
  std::vector<Read> reads;
  for (std::string& name : engine_.ListQueues("")) {
    // SNS's internal queues are no client's: the admin API never shows them.
    if (name.starts_with(sns::kInternalQueuePrefix)) continue;
    std::shared_ptr<engine::Queue> q = engine_.FindQueue(name);
    if (!q) continue;  // deleted meanwhile
    const engine::QueueStats s = q->Stats();
    HistorySample sample;
    sample.timestamp_s = now / 1000;
    sample.visible = s.visible;
    sample.in_flight = s.in_flight;
    sample.delayed = s.delayed;
    sample.oldest_age_s =
        s.oldest_sent_ms == 0 ? 0 : std::max<TimeMs>(now - s.oldest_sent_ms, 0) / 1000;
    sample.sent = s.sent;
    sample.received = s.received;
    sample.deleted = s.deleted;
    reads.push_back(Read{std::move(name), q->created_ms(), sample});
  }

  std::lock_guard lock(mu_);
  const uint64_t sampling = ++samplings_;
  for (Read& r : reads) {
    auto it = rings_.find(r.name);
    if (it == rings_.end()) {
      if (rings_.size() >= kMaxQueues) continue;
      it = rings_.emplace(std::move(r.name), Ring{}).first;
    }
    Ring& ring = it->second;
    if (ring.created_ms != r.created_ms) {
      ring = Ring();
      ring.created_ms = r.created_ms;
    }
    ring.seen = sampling;
    if (ring.samples.empty()) ring.samples.reserve(kSamples);
    if (ring.samples.size() < kSamples) {
      ring.samples.push_back(r.sample);
    } else {
      ring.samples[ring.next] = r.sample;
      ring.next = (ring.next + 1) % kSamples;
    }
  }
  std::erase_if(rings_, [sampling](const auto& e) { return e.second.seen != sampling; });
}

std::vector<HistorySample> QueueHistory::Samples(const std::string& registry_name) const {
  std::lock_guard lock(mu_);
  auto it = rings_.find(registry_name);
  if (it == rings_.end()) return {};
  const Ring& ring = it->second;
  std::vector<HistorySample> out;
  out.reserve(ring.samples.size());
  out.insert(out.end(), ring.samples.begin() + static_cast<ptrdiff_t>(ring.next),
             ring.samples.end());
  out.insert(out.end(), ring.samples.begin(),
             ring.samples.begin() + static_cast<ptrdiff_t>(ring.next));
  return out;
}

}  // namespace ferry::admin
