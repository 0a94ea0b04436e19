// TopicCollector: the per-topic SNS metrics, read at scrape time from each
// topic's TopicCounters (sns/topic_counters.h), which publish and the
// delivery worker fill:
//   ferry_sns_messages_published_total{topic,account,region}
//   ferry_sns_notifications_filtered_out_total{topic,account,region}
//   ferry_sns_deliveries_{attempted,succeeded,failed,retried}_total{...,protocol}
//   ferry_sns_delivery_duration_seconds{...,protocol}  (http and https only)
// Labels name the topic, never a subscription or a message: cardinality is
// topics × 3 protocols. A protocol with no subscription's activity yet has
// no series.
//
// Thread-safety: Collect runs on any thread, concurrently; the registry
// must outlive the collector.
#pragma once

#include <prometheus/collectable.h>

#include <vector>

#include "sns/registry.h"

namespace ferry::metrics {

class TopicCollector final : public prometheus::Collectable {
 public:
  explicit TopicCollector(const sns::Registry& registry) : registry_(registry) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const sns::Registry& registry_;
};

}  // namespace ferry::metrics
