#include "metrics/request_metrics.h"

#include <functional>

#include "metrics/families.h"

namespace ferry::metrics {

const std::array<uint64_t, 16> RequestMetrics::kLatencyBoundsNs{
    500'000,       1'000'000,      2'500'000,      5'000'000,     10'000'000,    25'000'000,
    50'000'000,    100'000'000,    250'000'000,    500'000'000,   1'000'000'000, 2'500'000'000,
    5'000'000'000, 10'000'000'000, 20'000'000'000, 30'000'000'000};

RequestMetrics::Entry::Entry(std::string name)
    : action(std::move(name)), latency(kLatencyBoundsNs) {}

RequestMetrics::RequestMetrics(std::vector<const api::Service*> services) {
  services.push_back(nullptr);
  for (const api::Service* service : services) {
    auto entries = std::make_unique<ServiceEntries>();
    entries->name = service != nullptr ? std::string(service->name()) : "unknown";
    entries->service = service;
    entries->unknown = std::make_unique<Entry>("unknown");
    services_.push_back(std::move(entries));
  }
}

RequestMetrics::~RequestMetrics() {
  for (auto& s : services_) {
    for (auto& slot : s->slots) delete slot.load(std::memory_order_relaxed);
  }
}

RequestMetrics::Entry& RequestMetrics::EntryFor(std::string_view service, std::string_view action) {
  ServiceEntries* s = services_.back().get();
  for (auto& candidate : services_) {
    if (candidate->service != nullptr && candidate->name == service) {
      s = candidate.get();
      break;
    }
  }
  if (s->service == nullptr || action.empty() || !s->service->Knows(action)) return *s->unknown;
  const size_t start = std::hash<std::string_view>()(action) % kSlots;
  for (size_t i = 0; i < kSlots; ++i) {
    const size_t slot = (start + i) % kSlots;
    Entry* e = s->slots[slot].load(std::memory_order_acquire);
    if (e == nullptr) return Insert(*s, slot, action);
    if (e->action == action) return *e;
  }
  return *s->unknown;  // a table larger than kSlots: never for Ferry's services
}

RequestMetrics::Entry& RequestMetrics::Insert(ServiceEntries& s, size_t start,
                                              std::string_view action) {
  std::lock_guard lock(insert_mu_);
  // Another thread may have filled this slot, or a later one, with any
  // action since the lock-free probe: probe again under the lock.
  for (size_t i = 0; i < kSlots; ++i) {
    const size_t slot = (start + i) % kSlots;
    Entry* e = s.slots[slot].load(std::memory_order_acquire);
    if (e == nullptr) {
      e = new Entry(std::string(action));
      s.slots[slot].store(e, std::memory_order_release);
      return *e;
    }
    if (e->action == action) return *e;
  }
  return *s.unknown;
}

void RequestMetrics::OnRequest(const api::RequestRecord& record) {
  Entry& e = EntryFor(record.service, record.action);
  const Outcome outcome = record.http_status < 400   ? kOk
                          : record.http_status < 500 ? kClientError
                                                     : kServerError;
  e.outcomes[outcome].fetch_add(1, std::memory_order_relaxed);
  const int64_t ns = record.latency.count();
  e.latency.Observe(ns > 0 ? static_cast<uint64_t>(ns) : 0);
}

std::vector<prometheus::MetricFamily> RequestMetrics::Collect() const {
  static constexpr std::array<const char*, kOutcomes> kOutcomeNames{"ok", "client_error",
                                                                    "server_error"};
  prometheus::MetricFamily requests =
      Family("ferry_requests_total",
             "API requests answered, by service, action and outcome (ok, client_error, "
             "server_error).",
             prometheus::MetricType::Counter);
  prometheus::MetricFamily durations =
      Family("ferry_request_duration_seconds",
             "Time from a request's arrival to its answer, by service and action.",
             prometheus::MetricType::Histogram);
  auto add = [&](const std::string& service, const Entry& e) {
    const AtomicHistogram::Snapshot latency = e.latency.Read();
    if (latency.count == 0) return;  // an action not yet seen has no series
    for (size_t o = 0; o < kOutcomes; ++o) {
      AddSample(requests,
                {{"action", e.action}, {"outcome", kOutcomeNames[o]}, {"service", service}},
                double(e.outcomes[o].load(std::memory_order_relaxed)));
    }
    AddHistogram(durations, {{"action", e.action}, {"service", service}}, latency, 1e9);
  };
  for (const auto& s : services_) {
    for (const auto& slot : s->slots) {
      if (const Entry* e = slot.load(std::memory_order_acquire)) add(s->name, *e);
    }
    add(s->name, *s->unknown);
  }
  return {std::move(requests), std::move(durations)};
}

}  // namespace ferry::metrics
