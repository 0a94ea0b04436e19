// Helpers that build Prometheus metric families by hand, for the collectors
// that read Ferry's own counters at scrape time (queue_collector.h,
// request_metrics.h, server_collector.h, topic_collector.h): a family is
// made once per scrape, one sample per label set added to it.
//
// Thread-safety: free functions over values.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common/atomic_histogram.h"

namespace ferry::metrics {

using Labels = std::vector<prometheus::ClientMetric::Label>;

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type);

// Adds a counter, gauge or (by the family's type) sample.
void AddSample(prometheus::MetricFamily& family, Labels labels, double value);

// Adds a histogram sample from an AtomicHistogram's snapshot; bucket bounds
// and the sum are divided by `unit` (1e9: nanoseconds to seconds). A
// division by a power of ten, not a product with its inverse, so that a
// bound of 2,500,000 ns prints as le="0.0025".
void AddHistogram(prometheus::MetricFamily& family, Labels labels,
                  const AtomicHistogram::Snapshot& snapshot, double unit);

}  // namespace ferry::metrics
