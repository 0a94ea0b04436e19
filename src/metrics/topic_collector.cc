#include "metrics/topic_collector.h"

#include <array>

#include "metrics/families.h"

namespace ferry::metrics {
namespace {

using prometheus::MetricType;

struct DeliveryMetric {
  const char* name;
  const char* help;
  std::atomic<uint64_t> sns::DeliveryCounters::*counter;
};

constexpr std::array<DeliveryMetric, 4> kDeliveryMetrics{{
    {"ferry_sns_deliveries_attempted_total",
     "Deliveries tried, by protocol: sqs copies, http(s) POSTs.",
     &sns::DeliveryCounters::attempted},
    {"ferry_sns_deliveries_succeeded_total",
     "Deliveries that succeeded (NumberOfNotificationsDelivered).",
     &sns::DeliveryCounters::succeeded},
    {"ferry_sns_deliveries_failed_total", "Deliveries that failed (NumberOfNotificationsFailed).",
     &sns::DeliveryCounters::failed},
    {"ferry_sns_deliveries_retried_total",
     "Failed http(s) deliveries scheduled for another attempt.", &sns::DeliveryCounters::retried},
}};

constexpr sns::Protocol kProtocols[] = {sns::Protocol::kSqs, sns::Protocol::kHttp,
                                        sns::Protocol::kHttps};

}  // namespace

std::vector<prometheus::MetricFamily> TopicCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(
      Family("ferry_sns_messages_published_total",
             "Messages published to the topic and fanned out (NumberOfMessagesPublished).",
             MetricType::Counter));
  out.push_back(Family("ferry_sns_notifications_filtered_out_total",
                       "Subscriptions a message skipped because their filter policy refused it "
                       "(NumberOfNotificationsFilteredOut).",
                       MetricType::Counter));
  for (const DeliveryMetric& m : kDeliveryMetrics) {
    out.push_back(Family(m.name, m.help, MetricType::Counter));
  }
  out.push_back(Family("ferry_sns_delivery_duration_seconds",
                       "One http(s) delivery POST, from its first byte to the answer.",
                       MetricType::Histogram));
  for (const auto& topic : registry_.Topics()) {
    if (topic->counters == nullptr) continue;
    const sns::TopicCounters& c = *topic->counters;
    const Labels labels{
        {"account", topic->account}, {"region", topic->region}, {"topic", topic->name}};
    AddSample(out[0], labels, double(c.published.load(std::memory_order_relaxed)));
    AddSample(out[1], labels, double(c.filtered_out.load(std::memory_order_relaxed)));
    for (sns::Protocol p : kProtocols) {
      const sns::DeliveryCounters& d = c.deliveries[static_cast<size_t>(p)];
      if (d.attempted.load(std::memory_order_relaxed) == 0) continue;
      Labels with_protocol = labels;
      with_protocol.push_back({"protocol", std::string(sns::ProtocolName(p))});
      for (size_t i = 0; i < kDeliveryMetrics.size(); ++i) {
        AddSample(out[2 + i], with_protocol,
                  double((d.*kDeliveryMetrics[i].counter).load(std::memory_order_relaxed)));
      }
      if (p != sns::Protocol::kSqs) {
        AddHistogram(out.back(), with_protocol, c.http_latency[static_cast<size_t>(p) - 1].Read(),
                     1e9);
      }
    }
  }
  return out;
}

}  // namespace ferry::metrics
