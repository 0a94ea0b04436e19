#include "metrics/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <stdexcept>

#include "metrics/exposition_test_util.h"
#include "metrics/families.h"

namespace ferry::metrics {
namespace {

using testing::SeriesValue;

class Throwing final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    throw std::runtime_error("broken collector");
  }
};

class One final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    auto f = Family("ferry_test_value", "A test value.", prometheus::MetricType::Gauge);
    AddSample(f, {{"queue", "q"}}, 42);
    return {f};
  }
};

TEST(MetricsTest, RendersTheRegistryAndEveryCollector) {
  Metrics metrics;
  prometheus::BuildCounter()
      .Name("ferry_test_events_total")
      .Help("Events.")
      .Register(metrics.registry())
      .Add({})
      .Increment(3);
  metrics.Add(std::make_shared<One>());
  const std::string text = metrics.Text();
  EXPECT_EQ(SeriesValue(text, "ferry_test_events_total"), 3);
  EXPECT_EQ(SeriesValue(text, R"(ferry_test_value{queue="q"})"), 42);
  EXPECT_NE(text.find("# TYPE ferry_test_value gauge"), std::string::npos);
  EXPECT_NE(text.find("# HELP ferry_test_value A test value."), std::string::npos);
}

TEST(MetricsTest, ACollectorThatThrowsIsLeftOutOfTheScrape) {
  Metrics metrics;
  metrics.Add(std::make_shared<Throwing>());
  metrics.Add(std::make_shared<One>());
  EXPECT_EQ(SeriesValue(metrics.Text(), R"(ferry_test_value{queue="q"})"), 42);
}

TEST(MetricsTest, TheContentTypeIsTheTextFormatVersion004) {
  EXPECT_STREQ(kContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace ferry::metrics
