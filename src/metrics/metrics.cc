#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <sstream>

namespace ferry::metrics {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  collectors_.push_back(registry_);
}

void Metrics::Add(std::shared_ptr<prometheus::Collectable> collector) {
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Text() const {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& collector : collectors_) {
    try {
      std::vector<prometheus::MetricFamily> more = collector->Collect();
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    } catch (const std::exception& e) {
      spdlog::warn("metrics: a collector failed and is left out of this scrape: {}", e.what());
    }
  }
  try {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return std::move(out).str();
  } catch (const std::exception& e) {
    spdlog::warn("metrics: cannot render the exposition: {}", e.what());
    return {};
  }
}

}  // namespace ferry::metrics
