#include "report.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <cstdio>
#include <string_view>

namespace ferry::bench {
namespace {

double ToMs(uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

// Builds one JSON object with plain decimal numbers (Boost.JSON would print
// 5.5E1), strings escaped by Boost.JSON.
class JsonObject {
 public:
  JsonObject& Add(std::string_view key, std::string_view value) {
    return Raw(key, boost::json::serialize(boost::json::string(value)));
  }
  JsonObject& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObject& Add(std::string_view key, uint64_t value) { return Raw(key, std::to_string(value)); }
  JsonObject& Add(std::string_view key, int value) { return Raw(key, std::to_string(value)); }
  JsonObject& Add(std::string_view key, bool value) { return Raw(key, value ? "true" : "false"); }
  JsonObject& Add(std::string_view key, double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return Raw(key, text);
  }
  JsonObject& Null(std::string_view key) { return Raw(key, "null"); }
  JsonObject& Add(std::string_view key, const JsonObject& value) { return Raw(key, value.str()); }

  std::string str() const { return "{" + body_ + "}"; }

 private:
  JsonObject& Raw(std::string_view key, std::string_view value) {
    if (!body_.empty()) body_ += ',';
    body_ += boost::json::serialize(boost::json::string(key));
    body_ += ':';
    body_ += value;
    return *this;
  }

  std::string body_;
};

JsonObject LatencyJson(const LatencyHistogram& h) {
  JsonObject out;
  out.Add("p50", ToMs(h.ValueAtQuantile(0.50)), 3)
      .Add("p99", ToMs(h.ValueAtQuantile(0.99)), 3)
      .Add("p99_9", ToMs(h.ValueAtQuantile(0.999)), 3)
      .Add("max", ToMs(h.max()), 3)
      .Add("mean", h.mean() / 1e6, 3)
      .Add("count", h.count());
  return out;
}

void PrintLatencyLine(std::string_view label, const LatencyHistogram& h) {
  std::printf("%-22.*s p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, n=%llu)\n",
              static_cast<int>(label.size()), label.data(), ToMs(h.ValueAtQuantile(0.50)),
              ToMs(h.ValueAtQuantile(0.99)), ToMs(h.ValueAtQuantile(0.999)), ToMs(h.max()),
              h.mean() / 1e6, static_cast<unsigned long long>(h.count()));
}

unsigned long long Ull(uint64_t value) { return static_cast<unsigned long long>(value); }

}  // namespace

void PrintReport(const RunDescription& description, const Workload& workload, const RunPlan& plan,
                 const RunResult& run) {
  const Tally& t = run.tally;
  const double seconds = run.measured_seconds;
  const double rps = seconds > 0 ? t.requests / seconds : 0;
  const double mps = seconds > 0 ? t.messages / seconds : 0;
  const double warmup_s = std::chrono::duration<double>(plan.warmup).count();
  const double cpu_share = run.wall_seconds > 0 ? run.client_cpu_seconds / run.wall_seconds : 0;
  const LatencyHistogram all = t.AllLatency();
  const std::string scenario(ScenarioName(workload.scenario));

  std::printf("\n== loadgen %s%s%s ==\n", scenario.c_str(), description.label.empty() ? "" : " @ ",
              description.label.c_str());
  std::printf("endpoint               %s\n", description.endpoint.c_str());
  if (IsPublish(workload.scenario)) {
    std::printf("topic                  %s\n", workload.topic_arn.c_str());
  } else {
    std::printf("queue                  %s\n", workload.queue_url.c_str());
  }
  std::printf("load                   %d connections on %d threads, body %d B, warmup %.1f s\n",
              plan.connections, plan.threads, description.body_size, warmup_s);
  std::printf("measured               %.2f s%s\n", seconds,
              run.drained ? "  (cut short: the queue ran empty; raise --prefill)" : "");
  std::printf("requests               %llu  (%.1f/s)\n", Ull(t.requests), rps);
  std::printf("messages               %llu  (%.1f/s)\n", Ull(t.messages), mps);
  PrintLatencyLine("latency ms", all);
  if (workload.scenario == Scenario::kConsumeCycle) {
    for (Action action : {Action::kReceiveMessage, Action::kDeleteMessageBatch}) {
      PrintLatencyLine("  " + std::string(ActionName(action)), t.latency[static_cast<int>(action)]);
    }
  }
  std::printf("errors                 %llu non-200, %llu transport, %llu failed batch entries\n",
              Ull(t.http_errors), Ull(t.transport_errors), Ull(t.failed_entries));
  if (!t.first_error.empty()) std::printf("first error            %s\n", t.first_error.c_str());
  if (t.abandoned > 0) {
    std::printf("abandoned              %llu requests still unanswered %.0f s after the end\n",
                Ull(t.abandoned), std::chrono::duration<double>(kAbandonAfter).count());
  }
  std::printf(
      "client                 %.1f s CPU over %.1f s (%.0f%% of one core), %llu TCP connects\n",
      run.client_cpu_seconds, run.wall_seconds, cpu_share * 100, Ull(t.connects));

  JsonObject line;
  line.Add("scenario", scenario)
      .Add("label", description.label)
      .Add("endpoint", description.endpoint)
      .Add("connections", plan.connections)
      .Add("threads", plan.threads)
      .Add("body_size", description.body_size)
      .Add("seconds", seconds, 3)
      .Add("requests", t.requests)
      .Add("requests_per_s", rps, 1)
      .Add("messages", t.messages)
      .Add("messages_per_s", mps, 1)
      .Add("latency_ms", LatencyJson(all));
  if (workload.scenario == Scenario::kConsumeCycle) {
    JsonObject by_action;
    for (Action action : {Action::kReceiveMessage, Action::kDeleteMessageBatch}) {
      by_action.Add(ActionName(action), LatencyJson(t.latency[static_cast<int>(action)]));
    }
    line.Add("latency_ms_by_action", by_action);
  }
  line.Add("errors", t.http_errors)
      .Add("transport_errors", t.transport_errors)
      .Add("failed_entries", t.failed_entries);
  if (t.first_error.empty()) {
    line.Null("first_error");
  } else {
    line.Add("first_error", t.first_error);
  }
  line.Add("abandoned", t.abandoned)
      .Add("drained", run.drained)
      .Add("tcp_connects", t.connects)
      .Add("client_cpu_s", run.client_cpu_seconds, 2)
      .Add("wall_s", run.wall_seconds, 2);
  std::printf("%s\n", line.str().c_str());
  std::fflush(stdout);
}

}  // namespace ferry::bench
