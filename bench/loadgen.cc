// loadgen: a closed-loop load generator for anything that speaks the SQS AWS
// JSON 1.0 protocol (Ferry, moto, fauxqs, ...), so that the same workload can
// be measured against each and compared. See README.md.
//
//   loadgen --endpoint http://127.0.0.1:9324 --scenario send-batch --duration 10
//
// Prints a human-readable block, then one JSON line (the only stdout line that
// starts with '{'). Exit status: 0 after a run with at least one successful
// request in the window, 2 when none succeeded, 1 when setup failed.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "sqs_connection.h"
#include "report.h"
#include "runner.h"
#include "sqs_json.h"

namespace ferry::bench {
namespace {

using std::chrono::milliseconds;

struct Options {
  std::string endpoint = "http://127.0.0.1:9324";
  std::string queue = "loadgen";
  std::string topic_arn;
  bool publish_attributes = false;
  std::string scenario = "send";
  int body_size = 1024;
  int connections = 32;
  int threads = 2;
  double duration_s = 10;
  double warmup_s = 2;
  int wait_seconds = 0;
  int64_t prefill = 300000;
  double prefill_timeout_s = 300;
  bool prefill_only = false;
  double timeout_s = 30;
  std::string label;
  bool fifo = false;
  int groups = 1;
};

milliseconds Millis(double seconds) { return milliseconds(static_cast<int64_t>(seconds * 1000)); }

// GetQueueUrl, or CreateQueue when the queue does not exist yet.
std::optional<std::string> ResolveQueueUrl(const Endpoint& endpoint, const Options& options,
                                           std::string& error) {
  const milliseconds timeout = Millis(options.timeout_s);
  HttpResult got = CallOnce(endpoint, "GetQueueUrl", GetQueueUrlRequest(options.queue), timeout);
  if (!got.failed() && got.status == 200) {
    if (auto url = ParseQueueUrl(got.body)) return url;
  }
  HttpResult created =
      CallOnce(endpoint, "CreateQueue", CreateQueueRequest(options.queue, options.fifo), timeout);
  if (created.failed()) {
    error = "CreateQueue: " + created.error;
    return std::nullopt;
  }
  if (created.status != 200) {
    error = "CreateQueue: HTTP " + std::to_string(created.status) + ": " + created.body;
    return std::nullopt;
  }
  auto url = ParseQueueUrl(created.body);
  if (!url) error = "CreateQueue: no QueueUrl in " + created.body;
  return url;
}

// Sends enough messages that the queue holds at least --prefill, with the
// same connections, threads and body size as the measured run.
bool Prefill(const Endpoint& endpoint, const Options& options, const Workload& consume) {
  const milliseconds timeout = Millis(options.timeout_s);
  int64_t present = 0;
  HttpResult counted =
      CallOnce(endpoint, "GetQueueAttributes", ApproximateCountRequest(consume.queue_url), timeout);
  if (!counted.failed() && counted.status == 200) {
    present = ParseApproximateCount(counted.body).value_or(0);
  }
  const int64_t missing = options.prefill - present;
  if (missing <= 0) {
    std::printf("prefill: queue already holds %lld messages\n", static_cast<long long>(present));
    return true;
  }
  Workload producer = consume;
  producer.scenario = Scenario::kSendBatch;
  RunPlan plan;
  plan.connections = options.connections;
  plan.threads = options.threads;
  plan.warmup = milliseconds(0);
  plan.duration = Millis(options.prefill_timeout_s);
  plan.request_timeout = timeout;
  plan.message_budget = missing;
  std::printf("prefill: sending %lld messages (queue holds %lld)...\n",
              static_cast<long long>(missing), static_cast<long long>(present));
  std::fflush(stdout);
  const RunResult run = RunLoad(endpoint, producer, plan);
  std::printf("prefill: sent %llu in %.1f s (%.0f msg/s), %llu errors\n",
              static_cast<unsigned long long>(run.tally.messages), run.measured_seconds,
              run.measured_seconds > 0 ? run.tally.messages / run.measured_seconds : 0.0,
              static_cast<unsigned long long>(run.tally.errors()));
  if (static_cast<int64_t>(run.tally.messages) < missing) {
    std::fprintf(stderr, "loadgen: prefill incomplete (%s)\n",
                 run.tally.first_error.empty() ? "timed out; raise --prefill-timeout"
                                               : run.tally.first_error.c_str());
  }
  return run.tally.messages > 0;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"Closed-loop SQS (AWS JSON 1.0) load generator."};
  app.add_option("--endpoint", o.endpoint, "http://host:port of the server.")
      ->capture_default_str();
  app.add_option("--queue", o.queue, "Queue name; created if missing.")->capture_default_str();
  app.add_option("--scenario", o.scenario,
                 "send | send-batch | consume-cycle | publish | publish-batch.")
      ->check(CLI::IsMember({"send", "send-batch", "consume-cycle", "publish", "publish-batch"}))
      ->capture_default_str();
  app.add_option("--topic-arn", o.topic_arn,
                 "publish scenarios: the SNS topic to publish to (it must exist).");
  app.add_flag("--publish-attributes", o.publish_attributes,
               "publish scenarios: five message attributes on every message (a=x, b=y1, "
               "c=1, d=d, e=w), for topics whose subscriptions filter.");
  app.add_option("--body-size", o.body_size, "Message body bytes.")
      ->check(CLI::Range(1, 262144))
      ->capture_default_str();
  app.add_option("--connections", o.connections,
                 "Keep-alive connections, each with one request in flight.")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Client I/O threads.")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "Measured seconds.")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "Seconds of load before measuring.")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--wait-seconds", o.wait_seconds, "consume-cycle: ReceiveMessage WaitTimeSeconds.")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  app.add_option("--prefill", o.prefill,
                 "consume-cycle: messages the queue must hold before the clock starts "
                 "(topped up with SendMessageBatch).")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--prefill-timeout", o.prefill_timeout_s, "consume-cycle: prefill time limit, s.")
      ->check(CLI::Range(1.0, 36000.0))
      ->capture_default_str();
  app.add_flag("--prefill-only", o.prefill_only,
               "consume-cycle: fill the queue to --prefill, then exit without consuming (a "
               "queue that other loadgens then measure, as bench/postgres.sh does).");
  app.add_option("--timeout", o.timeout_s, "Per-request timeout, s.")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  app.add_option("--label", o.label, "Name of the target, echoed in the report.");
  app.add_flag("--fifo", o.fifo,
               "Use a FIFO queue (the name gets a .fifo suffix); every message gets a group "
               "and a unique deduplication id.");
  app.add_option("--groups", o.groups,
                 "--fifo: message groups the sends (or publishes to a FIFO topic) spread over.")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.fifo && !o.queue.ends_with(".fifo")) o.queue += ".fifo";
  // A FIFO topic's publishes need the FIFO ids; --fifo names no queue then.

  std::string error;
  const std::optional<Endpoint> endpoint = ResolveEndpoint(o.endpoint, error);
  if (!endpoint) {
    std::fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 1;
  }
  Workload workload;
  workload.scenario = *ParseScenario(o.scenario);
  workload.message_body = MakeMessageBody(static_cast<std::size_t>(o.body_size));
  workload.wait_seconds = o.wait_seconds;
  workload.fifo_groups = o.fifo ? o.groups : 0;
  if (IsPublish(workload.scenario)) {
    if (o.topic_arn.empty()) {
      std::fprintf(stderr, "loadgen: --scenario %s needs --topic-arn\n", o.scenario.c_str());
      return 1;
    }
    workload.topic_arn = o.topic_arn;
    workload.publish_attributes = o.publish_attributes;
  } else {
    const std::optional<std::string> queue_url = ResolveQueueUrl(*endpoint, o, error);
    if (!queue_url) {
      std::fprintf(stderr, "loadgen: %s\n", error.c_str());
      return 1;
    }
    workload.queue_url = *queue_url;
  }

  if (workload.scenario == Scenario::kConsumeCycle && !Prefill(*endpoint, o, workload)) {
    std::fprintf(stderr, "loadgen: prefill sent nothing; not measuring an empty queue\n");
    return 1;
  }
  if (o.prefill_only) return 0;

  RunPlan plan;
  plan.connections = o.connections;
  plan.threads = o.threads;
  plan.warmup = Millis(o.warmup_s);
  plan.duration = Millis(o.duration_s);
  plan.request_timeout = Millis(o.timeout_s);
  const RunResult run = RunLoad(*endpoint, workload, plan);
  PrintReport({o.label, o.endpoint, o.body_size}, workload, plan, run);
  if (run.drained_in_warmup) {
    std::fprintf(stderr, "loadgen: the queue ran empty during warmup; raise --prefill\n");
  }
  return run.tally.requests > 0 ? 0 : 2;
}

}  // namespace
}  // namespace ferry::bench

int main(int argc, char** argv) { return ferry::bench::Main(argc, argv); }
