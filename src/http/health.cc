#include "http/health.h"

#include <utility>

namespace ferry::http {

void HealthHandler::Handle(const Request&, Responder respond) {
  Response res;
  res.headers.reserve(2);
  res.headers.emplace_back("Content-Type", "application/json");
  // A probe's answer must never come from a cache.
  res.headers.emplace_back("Cache-Control", "no-store");
  res.body = R"({"status":"ok"})";
  respond(std::move(res));
}

}  // namespace ferry::http
