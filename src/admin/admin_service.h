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
//
// Every action acts in the caller's account only: a queue URL naming another
// account is QueueDoesNotExist, whatever that queue's policy allows (the
// admin API reads what only the owner may see). Nothing it does changes a
// queue.
//
// Thread-safety: Invoke may be called concurrently from any thread; the
// service keeps no mutable state of its own, and what it is given (engine,
// registry, history, the ready callback) is thread-safe. With an engine
// whose calls block, wrap it in an api::OffloadedService.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "admin/queue_history.h"
#include "api/call.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "sns/registry.h"

namespace ferry::admin {

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
