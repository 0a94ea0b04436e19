// RequestMetrics: the RequestObserver (api/request_observer.h) that counts
// every API request the gateway answers, by service, action and outcome,
// and times it:
//   ferry_requests_total{service,action,outcome}      counter
//   ferry_request_duration_seconds{service,action}     histogram
// outcome is "ok" (HTTP status below 400), "client_error" (4xx) or
// "server_error" (5xx).
//
// Cardinality: service is one of the services given at construction, else
// "unknown"; action is one the service Knows (its action table: a bounded
// set), else "unknown". A name sent on the wire is never a label unless the
// service's table holds it.
//
// Cost per request: one comparison per service, the service's Knows (a
// binary search of its table), a hash and a probe of an open-addressed
// table of atomic pointers, and three relaxed atomic additions. No lock is
// taken unless an action is seen for the first time (its entry is made
// once, under insert_mu_, and never freed), and nothing is allocated after
// that.
//
// Thread-safety: OnRequest and Collect run concurrently on any thread. The
// services must outlive this object (only Knows and name are called).
#pragma once

#include <prometheus/collectable.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "api/request_observer.h"
#include "common/atomic_histogram.h"

namespace ferry::metrics {

class RequestMetrics final : public api::RequestObserver, public prometheus::Collectable {
 public:
  explicit RequestMetrics(std::vector<const api::Service*> services);
  ~RequestMetrics() override;

  void OnRequest(const api::RequestRecord& record) override;
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Upper bounds of the latency buckets, in nanoseconds (500 µs to 30 s: a
  // long poll lasts up to 20 s).
  static const std::array<uint64_t, 16> kLatencyBoundsNs;

 private:
  enum Outcome { kOk, kClientError, kServerError, kOutcomes };
  struct Entry {
    explicit Entry(std::string action);
    const std::string action;
    std::array<std::atomic<uint64_t>, kOutcomes> outcomes{};
    AtomicHistogram latency;
  };
  // Room for every action of one service (SNS has about 40) at a low load.
  static constexpr size_t kSlots = 256;
  struct ServiceEntries {
    std::string name;
    const api::Service* service = nullptr;  // null: the "unknown" service
    std::unique_ptr<Entry> unknown;         // its actions it does not know
    std::array<std::atomic<Entry*>, kSlots> slots{};
  };

  Entry& EntryFor(std::string_view service, std::string_view action);
  Entry& Insert(ServiceEntries& s, size_t slot, std::string_view action);

  std::vector<std::unique_ptr<ServiceEntries>> services_;  // the last is "unknown"
  std::mutex insert_mu_;  // serializes insertions into every service's slots
};

}  // namespace ferry::metrics
