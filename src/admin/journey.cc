#include "admin/journey.h"

#include <algorithm>

#include "api/errors.h"
#include "engine/journey.h"
#include "engine/queue_key.h"

namespace ferry::admin {

Result<boost::json::object> MessageJourneyJson(
    const std::string& message_id, const std::vector<std::shared_ptr<engine::Queue>>& queues,
    const std::function<std::string(const engine::Queue&)>& url_of) {
  if (!engine::ParseMessageId(message_id)) {
    return api::InvalidParameterValue("MessageId", message_id,
                                      "Must be a message id (36 characters, as SQS returns it).");
  }
  struct Row {
    engine::JourneyEntry entry;
    const engine::Queue* queue;
  };
  std::vector<Row> rows;
  for (const std::shared_ptr<engine::Queue>& q : queues) {
    for (engine::JourneyEntry& e : q->Journey(message_id)) rows.push_back({std::move(e), q.get()});
  }
  // Time order; within one millisecond a move's arrival follows its leaving
  // (each queue's own events are in order already).
  auto arrival = [](const Row& r) { return r.entry.event == "MovedFrom" ? 1 : 0; };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (a.entry.at_ms != b.entry.at_ms) return a.entry.at_ms < b.entry.at_ms;
    return a.queue != b.queue && arrival(a) < arrival(b);
  });
  boost::json::array events;
  for (const Row& r : rows) {
    boost::json::object o;
    o.emplace("Timestamp", r.entry.at_ms);
    o.emplace("Queue", engine::QueueKey::Decode(r.queue->name()).name);
    o.emplace("QueueUrl", url_of(*r.queue));
    o.emplace("Event", r.entry.event);
    o.emplace("ReceiveCount", r.entry.receive_count);
    if (r.entry.visible_until_ms != 0) o.emplace("VisibleUntil", r.entry.visible_until_ms);
    if (!r.entry.detail.empty()) o.emplace("Detail", r.entry.detail);
    events.emplace_back(std::move(o));
  }
  return boost::json::object{{"MessageId", message_id}, {"Events", std::move(events)}};
}

}  // namespace ferry::admin
