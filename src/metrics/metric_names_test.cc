// Holds the exporter to metric_names.txt, the list the alert rules and the
// Grafana dashboard are checked against (deploy/check_deploy.py): every
// family a fully wired server can export is listed, and every listed name
// is exported.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/service_descriptor.h"
#include "common/clock.h"
#include "common/temp_dir_test_util.h"
#include "engine/local_engine.h"
#include "metrics/metrics.h"
#include "metrics/queue_collector.h"
#include "metrics/request_metrics.h"
#include "metrics/server_collector.h"
#include "metrics/topic_collector.h"

namespace ferry::metrics {
namespace {

class OneActionService final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view action) const override { return action == "SendMessage"; }
  void Invoke(api::Call, api::Reply) override {}
};

std::set<std::string> Listed() {
  std::ifstream in(FERRY_METRIC_NAMES_FILE);
  EXPECT_TRUE(in.good()) << FERRY_METRIC_NAMES_FILE;
  std::set<std::string> names;
  for (std::string name; in >> name;) names.insert(name);
  return names;
}

std::set<std::string> Exported(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("# TYPE ")) continue;
    names.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  return names;
}

TEST(MetricNamesTest, TheListNamesExactlyWhatAFullyWiredServerExports) {
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  ASSERT_TRUE(engine.CreateQueue("jobs-dlq", {}, {}).ok());
  engine::QueueSettings redriven;
  redriven.dead_letter_queue = "jobs-dlq";
  redriven.max_receive_count = 3;
  ASSERT_TRUE(engine.CreateQueue("jobs", redriven, {}).ok());
  sns::Registry registry(engine, sns::RegistryOptions{});
  sns::Topic topic;
  topic.name = "orders";
  topic.account = "000000000000";
  topic.region = "us-east-1";
  topic.arn = "arn:aws:sns:us-east-1:000000000000:orders";
  auto made = registry.CreateTopic(std::move(topic));
  ASSERT_TRUE(made.ok());
  made->topic->counters->deliveries[1].attempted += 1;
  OneActionService service;
  auto requests = std::make_shared<RequestMetrics>(std::vector<const api::Service*>{&service});
  api::RequestRecord record;
  record.service = "sqs";
  record.action = "SendMessage";
  requests->OnRequest(record);
  ferry::testing::TempDir dir;
  storage::LogProbe probe;

  Metrics metrics;
  metrics.Add(requests);
  metrics.Add(std::make_shared<QueueCollector>(engine, QueueLabelOptions{}));
  metrics.Add(std::make_shared<TopicCollector>(registry));
  metrics.Add(std::make_shared<ServerCollector>(
      ServerSources{.version = "1",
                    .recovery_seconds = 0,
                    .data_dir = dir.path(),
                    .open_connections = [] { return size_t{0}; },
                    .compaction = [] { return engine::CompactionStats{}; },
                    .log_probe = &probe}));
  EXPECT_EQ(Exported(metrics.Text()), Listed());
}

}  // namespace
}  // namespace ferry::metrics
