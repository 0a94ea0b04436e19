#include "http/health.h"

#include <string>
#include <utility>

#include "common/text_escape.h"

namespace ferry::http {
namespace {

Response JsonAnswer(int status, std::string body) {
  Response res;
  res.status = status;
  res.headers.reserve(2);
  res.headers.emplace_back("Content-Type", "application/json");
  // A probe's answer must never come from a cache.
  res.headers.emplace_back("Cache-Control", "no-store");
  res.body = std::move(body);
  return res;
}

}  // namespace

void HealthHandler::Handle(const Request&, Responder respond) {
  respond(JsonAnswer(200, R"({"status":"ok"})"));
}

void ReadyHandler::Handle(const Request&, Responder respond) {
  const Status st = probe_();
  if (st.ok()) return respond(JsonAnswer(200, R"({"status":"ready"})"));
  std::string body = R"({"status":"not ready","reason":)";
  AppendJsonString(body, st.message());
  body += '}';
  respond(JsonAnswer(503, std::move(body)));
}

}  // namespace ferry::http
