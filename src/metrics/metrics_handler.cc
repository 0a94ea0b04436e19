#include "metrics/metrics_handler.h"

#include <utility>

namespace ferry::metrics {

void MetricsHandler::Handle(const http::Request&, http::Responder respond) {
  http::Response res;
  res.headers.emplace_back("Content-Type", kContentType);
  res.headers.emplace_back("Cache-Control", "no-store");
  res.body = metrics_.Text();
  respond(std::move(res));
}

}  // namespace ferry::metrics
