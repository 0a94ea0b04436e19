// DeliveryWorker: drains the internal delivery queues of http(s)
// subscriptions (sns/model.h, DeliveryQueueKey) and POSTs each delivery item
// (sns/delivery_item.h) to its subscription's endpoint, following the
// subscription's effective delivery policy (delivery_policy.h).
//
// The engine keeps every piece of delivery state, so a crash loses nothing:
// an item is received with a visibility timeout longer than one attempt can
// take, its receive count is its attempt number, a retry is a visibility
// change to the schedule's next delay, and it leaves its queue only when it
// was delivered (Delete) or dead-lettered (a new message in the
// subscription's dead-letter queue, then Delete). An attempt cut short by a
// crash is made again once its visibility lapses, as the next attempt.
//
// Outcome of an attempt: 2xx delivered; 5xx, 429, a timeout or a transport
// failure is retried while attempts remain (1 + numRetries in all), then
// dead-lettered; any other status fails for good and is dead-lettered at
// once. Without a dead-letter queue (or when it no longer exists) the item
// is dropped and counted.
//
// Each subscription is drained on its own: at most
// WorkerOptions::max_in_flight attempts at a time, at most
// maxReceivesPerSecond a second (a token bucket refilled by Tick from the
// engine's clock), woken by Queue::Watch when items arrive and by Tick when
// a retry falls due. A slow endpoint holds only its own attempts and its own
// pooled connections (http::HttpClient bounds them per endpoint and overall).
//
// Threading: all state lives on one strand of the executor given; every
// public method may be called from any thread and returns without waiting,
// except Shutdown, which waits for the attempts in flight to end: call it
// while the executor runs, and not from its threads. Engine calls are made
// on the strand, so an engine whose calls block (Engine::blocking) needs an
// executor of threads set aside for blocking.
//
// Lifecycle: construct, SetTargets, Tick periodically; then Stop, and stop
// the executor only once Stop's callback ran (or call Shutdown, which
// waits for that, while the executor runs); then destroy the worker, the
// executor's context and the engine, in any order that keeps the engine
// until the executor stopped or Shutdown returned. The destructor stops the
// worker if that was not done and waits for nothing: its state is released
// on the strand, or with the executor's context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/client.h"
#include "sns/model.h"

namespace ferry::delivery {

struct WorkerOptions {
  // One attempt, from the first byte written to the last byte of the answer.
  std::chrono::milliseconds request_timeout{15'000};
  std::chrono::milliseconds connect_timeout{5'000};
  // Attempts of one subscription in flight at once.
  size_t max_in_flight = 8;
  // Outbound connections, overall and to one endpoint (host:port).
  size_t max_connections = 256;
  size_t max_connections_per_endpoint = 8;
  // https:// endpoints: certificates to trust besides the system's store,
  // and whether to verify at all (http::ClientOptions; false is insecure).
  std::string tls_ca_file;
  bool tls_verify = true;
  // The trust store loaded once (http::MakeTlsContext of the two above);
  // null: loaded on the first https delivery.
  std::shared_ptr<http::TlsContext> tls_context;
  // Called (from the worker's strand, once per target) when a retired
  // subscription's delivery queue is empty and nothing of it is in flight:
  // its UnsubscribeConfirmation was delivered or given up. The server
  // forgets the subscription then (sns::Registry::Forget).
  std::function<void(const std::string& subscription_arn)> on_retired_drained;
};

// What the server knows of one http(s) subscription: the subscription and
// its topic's DeliveryPolicy attribute (empty: none).
struct Target {
  std::shared_ptr<const sns::Subscription> subscription;
  std::string topic_delivery_policy;
  // Where its attempts are counted and timed, by protocol (the topic's
  // counters, sns/topic_counters.h); null: not counted.
  std::shared_ptr<sns::TopicCounters> topic_counters{};
};

// Per subscription, since the worker started draining it.
struct SubscriptionStats {
  uint64_t attempts = 0;       // POSTs started
  uint64_t successes = 0;      // answered 2xx
  uint64_t failures = 0;       // attempts that did not succeed
  uint64_t retries = 0;        // failures scheduled for another attempt
  uint64_t dead_lettered = 0;  // sent to the dead-letter queue
  uint64_t dropped = 0;        // given up without a dead-letter queue, or undecodable

  bool operator==(const SubscriptionStats&) const = default;
};

class DeliveryWorker {
 public:
  DeliveryWorker(engine::Engine& engine, boost::asio::any_io_executor executor,
                 WorkerOptions options = {});
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // The full current list of http(s) subscriptions: new ones start
  // draining, removed ones stop (their attempts in flight finish), changed
  // ones (same queue key) take their new policy, endpoint and dead-letter
  // queue for their next attempts.
  void SetTargets(std::vector<Target> targets);

  // Time-driven work: refills the throttles from the engine's clock and
  // drains queues whose retries are due. The server calls it every 100 ms.
  void Tick();

  // Stops draining and fails the attempts in flight: their items stay in
  // flight and come back when their visibility lapses. Returns at once;
  // `stopped` is called on the strand once no attempt is in flight, after
  // which the worker makes no engine call and holds no connection.
  void Stop(std::function<void()> stopped = nullptr);
  // Stop, and wait for it. Idempotent.
  void Shutdown();

  // Counters by subscription ARN, for the current targets.
  std::map<std::string, SubscriptionStats> stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ferry::delivery
