// PushConsumers: Ferry's own event-source mapping. Every queue whose
// FerryPushConsumer attribute is set (config.h) has a consumer that
// receives its messages through the engine's Queue interface and POSTs
// them in batches, as Lambda's SQS event (event.h), to the attribute's
// endpoint, signed with its secret.
//
// Outcomes (event.h, Classify): a 2xx deletes the batch but the messages
// its batchItemFailures list; 5xx, 429, a timeout or a failed connection
// leaves the whole batch in flight, so each message comes back when its
// visibility timeout (the queue's) lapses; any other 4xx moves the batch to
// the queue's dead-letter queue at once (Queue::DeadLetter), or, without
// one, leaves it in flight like a 5xx. So all delivery state is the
// engine's: a crash loses nothing, and a batch cut short by one is
// delivered again once its messages' visibility lapses.
//
// Batches: up to batchSize messages, gathered for up to
// maximumBatchingWindowSeconds (engine clock, checked by Tick) from the
// first message in hand, or until the event would pass 6 MiB (Lambda's
// payload limit; a message that would pass it is made visible again for
// the next batch). At most maximumConcurrency batches of a queue are in
// flight; a FIFO queue's receive locks each group while a message of it is
// in flight, so a group's order holds across batches.
//
// Finding the queues: Tick rescans the engine's queues every
// PushOptions::rescan_interval (engine clock) and starts, restarts
// (attribute changed) or stops consumers; Rescan does it at once.
//
// Threading: the list of consumers lives on one strand of the executor;
// each consumer on a strand of its own with its own pooled HTTP client
// (connections bounded by its maximumConcurrency), so a slow endpoint
// holds only its own queue's batches. Engine calls are made on those
// strands: with an engine whose calls block (Engine::blocking), give an
// executor of the blocking pool. Name resolution runs on threads of its
// own. Every public method may be called from any thread and returns at
// once, except Shutdown, which waits (call it while the executor runs, not
// from its threads).
//
// Lifecycle: construct, Tick periodically; Stop (or Shutdown) before
// stopping the executor, which must run until Stop's callback ran. The
// destructor stops what was not stopped and waits for nothing.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "http/client.h"

namespace ferry::push {

struct PushOptions {
  // The server's home region and default account: what the event's
  // eventSourceARN and awsRegion say of a queue whose key names neither.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // https:// endpoints: as SNS https deliveries (http::ClientOptions).
  std::string tls_ca_file;
  bool tls_verify = true;
  std::shared_ptr<http::TlsContext> tls_context;
  // How often Tick looks for queues whose attribute changed.
  std::chrono::milliseconds rescan_interval{1'000};
  // Connecting takes at most this (and never more than timeoutSeconds).
  std::chrono::milliseconds connect_timeout{5'000};
  // The largest event (request body): Lambda's 6 MiB.
  size_t max_event_bytes = 6u << 20;
};

// Per queue, since its consumer started.
struct ConsumerStats {
  uint64_t batches = 0;        // POSTs answered or failed
  uint64_t delivered = 0;      // messages deleted after a 2xx
  uint64_t failed = 0;         // messages left in flight to come back
  uint64_t dead_lettered = 0;  // messages moved to the dead-letter queue

  bool operator==(const ConsumerStats&) const = default;
};

class PushConsumers {
 public:
  PushConsumers(engine::Engine& engine, boost::asio::any_io_executor executor,
                PushOptions options = {});
  ~PushConsumers();
  PushConsumers(const PushConsumers&) = delete;
  PushConsumers& operator=(const PushConsumers&) = delete;

  // Reads every queue's FerryPushConsumer now.
  void Rescan();
  // Time-driven work: the rescan when due, batches whose window closed,
  // queues with messages due. The server calls it every 100 ms.
  void Tick();

  // Stops every consumer: no more receives; batches in flight fail (their
  // messages stay in flight); messages gathered but not sent are made
  // visible again. `stopped` runs once no batch is in flight.
  void Stop(std::function<void()> stopped = nullptr);
  // Stop, and wait for it. Idempotent.
  void Shutdown();

  // Counters by queue key, of the current consumers.
  std::map<std::string, ConsumerStats> stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ferry::push
