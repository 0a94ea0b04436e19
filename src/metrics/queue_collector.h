// QueueCollector: the per-queue SQS metrics (CloudWatch's AWS/SQS metrics
// under Prometheus names, docs/metrics.md), read at scrape time from
// Engine::ListQueues and each Queue::Stats(): nothing is counted on the
// request path beyond the engine's own QueueStats counters.
//
// Labels: queue (its name), account, region and type (standard, fifo): one
// series per queue, so cardinality is the number of queues. A queue that
// another queue's RedrivePolicy names also has ferry_sqs_dead_letter_queue_info
// (value 1), for alerts on dead-letter queues that are not empty. The server's
// internal queues (SNS delivery and deduplication queues, keys beginning
// with '~') are left out.
//
// Thread-safety: Collect runs on any thread, concurrently; the engine's
// calls are thread-safe. The engine must outlive the collector.
#pragma once

#include <prometheus/collectable.h>

#include <string>
#include <vector>

#include "engine/engine.h"

namespace ferry::metrics {

struct QueueLabelOptions {
  // What a queue key's empty account and region stand for (engine/queue_key.h).
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
};

class QueueCollector final : public prometheus::Collectable {
 public:
  QueueCollector(const engine::Engine& engine, QueueLabelOptions options);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const engine::Engine& engine_;
  const QueueLabelOptions options_;
};

}  // namespace ferry::metrics
