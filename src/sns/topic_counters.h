// TopicCounters: what one SNS topic has done since the server started, kept
// as plain atomics that publish (fan_out.cc) and the delivery worker
// (delivery/worker.h) add to and the metrics layer reads at scrape time
// (metrics/topic_collector.h). Neither side knows Prometheus.
//
// A Topic snapshot (model.h) holds its counters by shared_ptr: the
// registry's copy-on-write copies of a topic share them, so a change of
// attributes or subscriptions keeps the counts; a topic deleted and made
// again starts from zero.
//
// Thread-safety: every member is an atomic (or an AtomicHistogram), added
// to with relaxed order from any thread; readers see each value on its own.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "common/atomic_histogram.h"

namespace ferry::sns {

// Deliveries of one protocol (model.h's Protocol order: sqs, http, https).
// sqs: a copy stored in the subscribed queue is a success, a copy not
// stored (queue gone, refused by its policy) a failure, and none is
// retried. http(s): each POST is an attempt; 2xx succeeds; a failure is
// retried while the delivery policy allows.
struct DeliveryCounters {
  std::atomic<uint64_t> attempted{0};
  std::atomic<uint64_t> succeeded{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> retried{0};
};

// Upper bounds (nanoseconds) of the http(s) delivery latency buckets: 5 ms
// to the longest request timeout (15 s by default).
inline constexpr std::array<uint64_t, 12> kDeliveryLatencyBoundsNs{
    5'000'000,   10'000'000,    25'000'000,    50'000'000,    100'000'000,    250'000'000,
    500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000, 15'000'000'000};

struct TopicCounters {
  std::atomic<uint64_t> published{0};          // messages fanned out (not FIFO duplicates)
  std::atomic<uint64_t> filtered_out{0};       // confirmed subscriptions whose filter refused one
  std::array<DeliveryCounters, 3> deliveries;  // by Protocol
  // One http or https POST, from its first byte to the answer: [0] http,
  // [1] https.
  std::array<AtomicHistogram, 2> http_latency{AtomicHistogram(kDeliveryLatencyBoundsNs),
                                              AtomicHistogram(kDeliveryLatencyBoundsNs)};
};

}  // namespace ferry::sns
