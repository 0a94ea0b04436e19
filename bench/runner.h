// The closed-loop load: a number of HttpConnections spread over a few
// single-threaded io_contexts, each sending one request, waiting for its
// answer and sending the next, until a deadline or a message budget runs out.
//
// Only what completes inside the measured window counts: a request finishing
// during warmup, or after the end, adds nothing to throughput, latency or
// errors. Latency is recorded for 200 answers only, so fast error answers
// cannot flatter it; messages are counted from the answers (the Successful
// entries of a batch, the deleted messages of a consume cycle), never from
// what was asked.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "histogram.h"
#include "sqs_connection.h"

namespace ferry::bench {

// How long past the end of a run a request may still be answered before its
// connection is closed and the request counted as abandoned.
inline constexpr std::chrono::milliseconds kAbandonAfter{2000};

enum class Scenario {
  kSend,          // SendMessage, one message per request
  kSendBatch,     // SendMessageBatch of 10 entries
  kConsumeCycle,  // ReceiveMessage (up to 10), then DeleteMessageBatch of what came back
  kPublish,       // SNS Publish to a topic, one message per request
  kPublishBatch,  // SNS PublishBatch of 10 entries
};
std::optional<Scenario> ParseScenario(std::string_view name);
std::string_view ScenarioName(Scenario scenario);

enum class Action {
  kSendMessage,
  kSendMessageBatch,
  kReceiveMessage,
  kDeleteMessageBatch,
  kPublish,
  kPublishBatch,
};
inline constexpr int kActionCount = 6;
// Publish scenarios speak SNS (Query); the others SQS (JSON).
bool IsPublish(Scenario scenario);
std::string_view ActionName(Action action);

// What every connection sends. Read-only while a run is going.
struct Workload {
  Scenario scenario = Scenario::kSend;
  std::string queue_url;
  std::string topic_arn;  // publish scenarios
  // Publish scenarios: each message carries five attributes
  // (sns_query.h), for topics whose subscriptions filter.
  bool publish_attributes = false;
  std::string message_body;
  int wait_seconds = 0;  // ReceiveMessage WaitTimeSeconds
  // > 0: the queue is a FIFO queue; sends spread their messages round robin
  // over this many message groups, each with a unique deduplication id.
  int fifo_groups = 0;
};

struct RunPlan {
  int connections = 32;
  int threads = 2;
  std::chrono::milliseconds warmup{2000};
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds request_timeout{30000};
  // When set, the run also ends once this many messages were sent (send,
  // send-batch and the publish scenarios); used to prefill a queue.
  std::optional<int64_t> message_budget;
};

// Counts of one connection, merged into one after the run.
struct Tally {
  uint64_t requests = 0;          // 200 answers
  uint64_t messages = 0;          // messages sent or deleted, per the answers
  uint64_t http_errors = 0;       // non-200 answers
  uint64_t transport_errors = 0;  // connect, write, read or timeout failures
  uint64_t failed_entries = 0;    // Failed entries inside 200 batch answers
  uint64_t connects = 0;          // TCP connections opened, warmup included
  uint64_t abandoned = 0;         // requests cut off unanswered, well after the end
  std::array<LatencyHistogram, kActionCount> latency;
  // The earliest error of the window, as "<action>: HTTP <status>: <body>".
  std::string first_error;
  std::chrono::steady_clock::time_point first_error_at{};

  void Merge(const Tally& other);
  LatencyHistogram AllLatency() const;
  uint64_t errors() const { return http_errors + transport_errors; }
};

struct RunResult {
  Tally tally;
  double measured_seconds = 0;
  // User plus system CPU the whole process used during the run, warmup
  // included: near threads x wall time means the client, not the server, was
  // the limit.
  double client_cpu_seconds = 0;
  double wall_seconds = 0;  // warmup included
  // consume-cycle: a ReceiveMessage came back empty, which ended the run
  // early; the window was cut there so an empty queue is never measured.
  bool drained = false;
  bool drained_in_warmup = false;
};

RunResult RunLoad(const Endpoint& endpoint, const Workload& workload, const RunPlan& plan);

// One request on a connection of its own, outside any run (setup steps).
HttpResult CallOnce(const Endpoint& endpoint, std::string_view action, std::string body,
                    std::chrono::milliseconds timeout);

}  // namespace ferry::bench
