#include "metrics/families.h"

#include <limits>

namespace ferry::metrics {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily& family, Labels labels, double value) {
  prometheus::ClientMetric& m = family.metric.emplace_back();
  m.label = std::move(labels);
  switch (family.type) {
    case prometheus::MetricType::Counter:
      m.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
      break;
  }
}

void AddHistogram(prometheus::MetricFamily& family, Labels labels,
                  const AtomicHistogram::Snapshot& snapshot, double unit) {
  prometheus::ClientMetric& m = family.metric.emplace_back();
  m.label = std::move(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < snapshot.counts.size(); ++i) {
    cumulative += snapshot.counts[i];
    const double bound = i < snapshot.bounds.size() ? snapshot.bounds[i] / unit
                                                    : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, bound});
  }
  // The +Inf bucket is the count, so the two always agree in one scrape.
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(snapshot.sum) / unit;
}

}  // namespace ferry::metrics
