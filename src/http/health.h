// HealthHandler and ReadyHandler: the answers to GET /health and GET /ready,
// for load balancers and orchestrators.
//
// /health asks whether the process is alive: 200 {"status":"ok"}
// (application/json) as long as an io thread can run it; it looks at
// nothing else. /ready asks whether the server should get traffic: 200
// {"status":"ready"} when its probe says Ok, else 503 {"status":"not
// ready","reason":"..."} with the probe's message (Ferry's probe is the
// engine's Health: the store takes durable writes). The server listens only
// once the store has recovered, so a probe before that finds no listener.
// The Router decides which methods reach them (GET, HEAD); the server drops
// the body of a HEAD answer. Neither answer may be cached.
//
// Thread-safety: HealthHandler is stateless; ReadyHandler holds only its
// probe, which must be thread-safe and must not block. Handle runs
// concurrently on any thread.
#pragma once

#include <functional>
#include <utility>

#include "common/status.h"
#include "http/server.h"

namespace ferry::http {

class HealthHandler final : public Handler {
 public:
  void Handle(const Request& req, Responder respond) override;
};

class ReadyHandler final : public Handler {
 public:
  explicit ReadyHandler(std::function<Status()> probe) : probe_(std::move(probe)) {}
  void Handle(const Request& req, Responder respond) override;

 private:
  const std::function<Status()> probe_;
};

}  // namespace ferry::http
