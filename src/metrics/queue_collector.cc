#include "metrics/queue_collector.h"

#include <algorithm>
#include <array>
#include <set>
#include <string>

#include "engine/queue_key.h"
#include "metrics/families.h"

namespace ferry::metrics {
namespace {

using prometheus::MetricType;

// One exported value of QueueStats.
struct QueueMetric {
  const char* name;
  const char* help;
  MetricType type;
  double (*value)(const engine::QueueStats& s, TimeMs now);
};

constexpr std::array<QueueMetric, 10> kQueueMetrics{{
    {"ferry_sqs_messages_visible",
     "Messages available for retrieval (CloudWatch ApproximateNumberOfMessagesVisible).",
     MetricType::Gauge, [](const engine::QueueStats& s, TimeMs) { return double(s.visible); }},
    {"ferry_sqs_messages_not_visible",
     "Messages in flight: received, not yet deleted (ApproximateNumberOfMessagesNotVisible).",
     MetricType::Gauge, [](const engine::QueueStats& s, TimeMs) { return double(s.in_flight); }},
    {"ferry_sqs_messages_delayed",
     "Messages delayed, not yet available (ApproximateNumberOfMessagesDelayed).", MetricType::Gauge,
     [](const engine::QueueStats& s, TimeMs) { return double(s.delayed); }},
    {"ferry_sqs_oldest_message_age_seconds",
     "Age of the oldest message in the queue, 0 when empty (ApproximateAgeOfOldestMessage).",
     MetricType::Gauge,
     [](const engine::QueueStats& s, TimeMs now) {
       return s.oldest_sent_ms == 0 ? 0.0 : std::max<TimeMs>(0, now - s.oldest_sent_ms) / 1000.0;
     }},
    {"ferry_sqs_messages_sent_total", "Messages stored in the queue (NumberOfMessagesSent).",
     MetricType::Counter, [](const engine::QueueStats& s, TimeMs) { return double(s.sent); }},
    {"ferry_sqs_sent_bytes_total", "Payload bytes of the messages stored (SentMessageSize).",
     MetricType::Counter, [](const engine::QueueStats& s, TimeMs) { return double(s.sent_bytes); }},
    {"ferry_sqs_messages_received_total",
     "Messages returned by ReceiveMessage (NumberOfMessagesReceived).", MetricType::Counter,
     [](const engine::QueueStats& s, TimeMs) { return double(s.received); }},
    {"ferry_sqs_empty_receives_total",
     "ReceiveMessage calls that returned no message (NumberOfEmptyReceives).", MetricType::Counter,
     [](const engine::QueueStats& s, TimeMs) { return double(s.empty_receives); }},
    {"ferry_sqs_messages_deleted_total", "Messages deleted (NumberOfMessagesDeleted).",
     MetricType::Counter, [](const engine::QueueStats& s, TimeMs) { return double(s.deleted); }},
    {"ferry_sqs_messages_moved_to_dlq_total",
     "Messages this queue moved to its dead-letter queue after maxReceiveCount receives.",
     MetricType::Counter,
     [](const engine::QueueStats& s, TimeMs) { return double(s.moved_to_dead_letter); }},
}};

}  // namespace

QueueCollector::QueueCollector(const engine::Engine& engine, QueueLabelOptions options)
    : engine_(engine), options_(std::move(options)) {}

std::vector<prometheus::MetricFamily> QueueCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  families.reserve(kQueueMetrics.size() + 1);
  for (const QueueMetric& m : kQueueMetrics) families.push_back(Family(m.name, m.help, m.type));
  families.push_back(Family("ferry_sqs_dead_letter_queue_info",
                            "1 for each queue that another queue's RedrivePolicy names as its "
                            "dead-letter queue.",
                            MetricType::Gauge));
  const TimeMs now = engine_.clock().NowMs();
  struct Seen {
    std::string key;
    Labels labels;
  };
  std::vector<Seen> seen;
  std::set<std::string, std::less<>> dead_letter_keys;
  for (const std::string& key : engine_.ListQueues("")) {
    if (key.starts_with('~')) continue;  // internal (sns/model.h)
    std::shared_ptr<engine::Queue> queue = engine_.FindQueue(key);
    if (queue == nullptr) continue;  // deleted since the listing
    const engine::QueueStats stats = queue->Stats();
    if (std::string dlq = queue->settings().dead_letter_queue; !dlq.empty()) {
      dead_letter_keys.insert(std::move(dlq));
    }
    const engine::QueueKey decoded = engine::QueueKey::Decode(key);
    Labels labels{{"account", decoded.account.empty() ? options_.account_id : decoded.account},
                  {"queue", decoded.name},
                  {"region", decoded.region.empty() ? options_.region : decoded.region},
                  {"type", queue->fifo() ? "fifo" : "standard"}};
    for (size_t i = 0; i < kQueueMetrics.size(); ++i) {
      AddSample(families[i], labels, kQueueMetrics[i].value(stats, now));
    }
    seen.push_back({key, std::move(labels)});
  }
  for (Seen& q : seen) {
    if (dead_letter_keys.count(q.key) != 0) AddSample(families.back(), std::move(q.labels), 1);
  }
  return families;
}

}  // namespace ferry::metrics
