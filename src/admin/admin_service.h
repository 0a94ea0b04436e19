// AdminService: Ferry's own admin API (docs/admin-api.md), served on the
// AWS port as a service of its own ("ferry", X-Amz-Target: Ferry.<Action>,
// SigV4 service name "ferry"), so that the gateway's signing, accounts and
// error handling apply as for SQS. The admin CLI and the web console call
// it.
//
//   ListQueueStats   every queue of the caller's account (in the request's
//                    region) with its figures and counters
//   PeekMessages     a queue's messages without receiving them (Queue::Peek)
//   GetMessageJourney a message's history on the queues keeping journeys
//   GetQueueHistory  a queue's figures over the last hour (QueueHistory)
//   GetServerStatus  the server's version, readiness, mode, uptime and the
//                    caller's account's counts
//   ListSubscriptionStats  the caller's http(s) subscriptions with their
//                    delivery counts since the start and deliveries waiting
//   CancelMessage    cancels a scheduled (delayed) message (cancel_message.h)
//
// Every action acts in the caller's account only: a queue URL naming another
// account is QueueDoesNotExist, whatever that queue's policy allows (the
// admin API reads what only the owner may see). Only CancelMessage changes
// a queue, and answers once the change is durable.
//
// Thread-safety: Invoke may be called concurrently from any thread; the
// service keeps no mutable state of its own, and what it is given (engine,
// registry, history, the ready callback) is thread-safe. With an engine
// whose calls block, wrap it in an api::OffloadedService.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "admin/queue_history.h"
#include "api/call.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "sns/registry.h"

namespace ferry::admin {

// What the SNS delivery worker counted for one http(s) subscription since
// the server started (src/delivery's SubscriptionStats, copied by the
// server so that this service does not depend on the worker).
struct DeliveryCounts {
  uint64_t attempts = 0;
  uint64_t successes = 0;
  uint64_t failures = 0;
  uint64_t retries = 0;
  uint64_t dead_lettered = 0;
  uint64_t dropped = 0;
};

struct AdminOptions {
  // The server's home region and default account (as SqsOptions).
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string version;
  // "authenticated" (signatures verified, --credentials) or "open".
  bool authenticated = false;
  std::string engine = "local";
  std::string data_dir;
  bool in_memory = false;
  // When the server started, by the engine's clock (UptimeSeconds).
  TimeMs started_ms = 0;
  // Whether the server is ready to serve (GetServerStatus's Ready); null:
  // ready, which a server answering requests is once its store is recovered.
  std::function<bool()> ready;
  // Read only, outliving the service; null: no topics (0 counted) / no
  // history (GetQueueHistory answers no samples).
  const sns::Registry* topics = nullptr;
  const QueueHistory* history = nullptr;
  // The delivery worker's counts by subscription ARN; null: none counted.
  std::function<std::map<std::string, DeliveryCounts>()> delivery_counts;
};

class AdminService final : public api::Service {
 public:
  // The engine outlives the service.
  AdminService(engine::Engine& engine, AdminOptions options);

  AdminService(const AdminService&) = delete;
  AdminService& operator=(const AdminService&) = delete;

  const api::ServiceDescriptor& descriptor() const override { return api::FerryDescriptor(); }
  bool Knows(std::string_view action) const override;
  void Invoke(api::Call call, api::Reply reply) override;

 private:
  engine::Engine& engine_;
  const AdminOptions options_;
};

}  // namespace ferry::admin
