// Metrics: the server's Prometheus registry and the text exposition of
// /metrics. It owns a prometheus::Registry (for metrics kept in
// prometheus-cpp's own counters and gauges) and the collectors that read
// Ferry's counters at scrape time (queues, topics, requests, the store);
// Text() collects all of them and renders the text format, version 0.0.4.
//
// prometheus-cpp may throw (a malformed name, an allocation failure): Text()
// catches it, so no exception leaves this module; a failed collector is
// left out of that scrape and logged.
//
// Thread-safety: Add is called while the server is wired, before any
// scrape; Text may then run concurrently from any thread (each collector is
// thread-safe). Collectors must outlive the Metrics.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace ferry::metrics {

// The Content-Type of the text exposition format.
inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

class Metrics {
 public:
  Metrics();

  prometheus::Registry& registry() { return *registry_; }
  void Add(std::shared_ptr<prometheus::Collectable> collector);

  // Every metric, in the text exposition format.
  std::string Text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors_;
};

}  // namespace ferry::metrics
