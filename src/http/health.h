// HealthHandler: the answer to GET /health, for load balancers and
// orchestrators that ask whether the process is alive. It answers 200 with
// {"status":"ok"} (application/json) as long as an io thread can run it:
// it looks at nothing else. Whether the server is ready for traffic (the
// store recovered, the disk takes writes) is for /ready to say, later.
// The Router decides which methods reach it (GET, HEAD); the server drops
// the body of a HEAD answer.
//
// Thread-safety: stateless; Handle runs concurrently on any thread.
#pragma once

#include "http/server.h"

namespace ferry::http {

class HealthHandler final : public Handler {
 public:
  void Handle(const Request& req, Responder respond) override;
};

}  // namespace ferry::http
