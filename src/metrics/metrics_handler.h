// MetricsHandler: the answer to GET /metrics, Metrics::Text() in the
// Prometheus text exposition format (metrics.h, kContentType). The Router
// decides which methods reach it (GET, HEAD).
//
// A scrape collects on the io thread that took it: the collectors read
// counters and stats and list the data directory, which takes well under a
// millisecond for a few thousand queues, and Prometheus scrapes every 15 s
// or so.
//
// Thread-safety: Handle runs concurrently on any thread; the Metrics must
// outlive the handler.
#pragma once

#include "http/server.h"
#include "metrics/metrics.h"

namespace ferry::metrics {

class MetricsHandler final : public http::Handler {
 public:
  explicit MetricsHandler(const Metrics& metrics) : metrics_(metrics) {}
  void Handle(const http::Request& req, http::Responder respond) override;

 private:
  const Metrics& metrics_;
};

}  // namespace ferry::metrics
