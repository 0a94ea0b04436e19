#include "runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "sns_query.h"
#include "sqs_json.h"

namespace ferry::bench {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Pause after a transport failure so a dead server is not hammered in a spin.
constexpr std::chrono::milliseconds kErrorBackoff{10};
constexpr std::size_t kMaxErrorBodyChars = 512;

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The part of a run shared by every connection on every thread.
class Window {
 public:
  Window(Clock::time_point measure_start, Clock::time_point measure_end,
         std::optional<int64_t> budget)
      : measure_start_(measure_start),
        stop_at_(measure_end.time_since_epoch().count()),
        has_budget_(budget.has_value()),
        budget_(budget.value_or(0)) {}

  Clock::time_point measure_start() const { return measure_start_; }
  Clock::time_point stop_at() const {
    return Clock::time_point(Clock::duration(stop_at_.load(std::memory_order_relaxed)));
  }
  bool Open(Clock::time_point now) const { return now < stop_at(); }
  bool Counts(Clock::time_point t) const { return t >= measure_start_ && t < stop_at(); }

  // Moves the end forward to `at`; false if the run had already ended by then.
  bool StopEarly(Clock::time_point at) {
    Clock::rep planned = stop_at_.load(std::memory_order_relaxed);
    const Clock::rep wanted = at.time_since_epoch().count();
    while (wanted < planned) {
      if (stop_at_.compare_exchange_weak(planned, wanted, std::memory_order_relaxed)) return true;
    }
    return false;
  }

  // Takes up to `wanted` messages from the budget; 0 once it is spent.
  int Claim(int wanted) {
    if (!has_budget_) return wanted;
    const int64_t before = budget_.fetch_sub(wanted, std::memory_order_relaxed);
    if (before >= wanted) return wanted;
    const int64_t granted = std::max<int64_t>(before, 0);
    budget_.fetch_add(wanted - granted, std::memory_order_relaxed);
    return static_cast<int>(granted);
  }
  // Gives back messages that were claimed but not accepted by the server.
  void Unclaim(int count) {
    if (has_budget_ && count > 0) budget_.fetch_add(count, std::memory_order_relaxed);
  }

 private:
  const Clock::time_point measure_start_;
  std::atomic<Clock::rep> stop_at_;
  const bool has_budget_;
  std::atomic<int64_t> budget_;
};

struct Answer {
  bool ok = false;       // a 200 answer
  bool counted = false;  // completed inside the measured window
  std::string body;
};

// One closed loop over one HttpConnection.
class LoadConnection {
 public:
  LoadConnection(asio::io_context& io, const Endpoint& endpoint, const Workload& workload,
                 Window& window, std::chrono::milliseconds timeout)
      : workload_(workload),
        window_(window),
        http_(io, endpoint, timeout,
              IsPublish(workload.scenario) ? Wire::kSnsQuery : Wire::kSqsJson),
        backoff_(io),
        send_body_(SendMessageRequest(workload.queue_url, workload.message_body)),
        batch_body_(
            SendMessageBatchRequest(workload.queue_url, workload.message_body, kMaxBatchEntries)),
        receive_body_(
            ReceiveMessageRequest(workload.queue_url, kMaxBatchEntries, workload.wait_seconds)),
        publish_body_(PublishRequest(workload.topic_arn, workload.message_body, nullptr,
                                     workload.publish_attributes)),
        publish_batch_body_(PublishBatchRequest(workload.topic_arn, workload.message_body,
                                                kMaxBatchEntries, nullptr,
                                                workload.publish_attributes)),
        fifo_{workload.fifo_groups, FifoPrefix(), 0} {}

  asio::awaitable<void> Run() {
    switch (workload_.scenario) {
      case Scenario::kSend:
        co_await SendLoop();
        break;
      case Scenario::kSendBatch:
        co_await SendBatchLoop();
        break;
      case Scenario::kConsumeCycle:
        co_await ConsumeLoop();
        break;
      case Scenario::kPublish:
        co_await PublishLoop();
        break;
      case Scenario::kPublishBatch:
        co_await PublishBatchLoop();
        break;
    }
    tally_.connects = http_.connects();
  }

  // Aborts the request in flight if it ran past the request timeout.
  void CheckTimeout(Clock::time_point now) { http_.CheckTimeout(now); }

  // Ends the loop from outside, aborting the request in flight, if any.
  void Close() {
    if (in_flight_) ++tally_.abandoned;
    http_.Close();
    backoff_.cancel();
  }
  const Tally& tally() const { return tally_; }
  bool drained() const { return drained_; }

 private:
  asio::awaitable<void> SendLoop() {
    while (window_.Open(Clock::now())) {
      if (window_.Claim(1) == 0) break;
      // The body is chosen before the co_await: GCC 12 destroys a temporary
      // of a conditional expression inside a co_await twice.
      std::string fifo_body;
      if (fifo()) fifo_body = SendMessageRequest(workload_.queue_url, workload_.message_body, &fifo_);
      Answer answer = co_await Call(Action::kSendMessage, fifo() ? fifo_body : send_body_);
      if (!answer.ok) {
        window_.Unclaim(1);
      } else if (answer.counted) {
        ++tally_.messages;
      }
    }
  }

  asio::awaitable<void> SendBatchLoop() {
    while (window_.Open(Clock::now())) {
      const int entries = window_.Claim(kMaxBatchEntries);
      if (entries == 0) break;
      std::string body = entries == kMaxBatchEntries && !fifo()
                             ? batch_body_
                             : SendMessageBatchRequest(workload_.queue_url, workload_.message_body,
                                                       entries, &fifo_);
      Answer answer = co_await Call(Action::kSendMessageBatch, std::move(body));
      if (!answer.ok) {
        window_.Unclaim(entries);
        continue;
      }
      const BatchOutcome outcome = ParseBatchOutcome(answer.body);
      window_.Unclaim(entries - outcome.successful);
      if (answer.counted) {
        tally_.messages += outcome.successful;
        tally_.failed_entries += outcome.failed;
      }
    }
  }

  asio::awaitable<void> PublishLoop() {
    while (window_.Open(Clock::now())) {
      if (window_.Claim(1) == 0) break;
      std::string fifo_body;
      if (fifo()) {
        fifo_body = PublishRequest(workload_.topic_arn, workload_.message_body, &fifo_,
                                   workload_.publish_attributes);
      }
      Answer answer = co_await Call(Action::kPublish, fifo() ? fifo_body : publish_body_);
      if (!answer.ok) {
        window_.Unclaim(1);
      } else if (answer.counted) {
        ++tally_.messages;
      }
    }
  }

  asio::awaitable<void> PublishBatchLoop() {
    while (window_.Open(Clock::now())) {
      const int entries = window_.Claim(kMaxBatchEntries);
      if (entries == 0) break;
      std::string body = entries == kMaxBatchEntries && !fifo()
                             ? publish_batch_body_
                             : PublishBatchRequest(workload_.topic_arn, workload_.message_body,
                                                   entries, &fifo_, workload_.publish_attributes);
      Answer answer = co_await Call(Action::kPublishBatch, std::move(body));
      if (!answer.ok) {
        window_.Unclaim(entries);
        continue;
      }
      const int published = CountPublished(answer.body);
      window_.Unclaim(entries - published);
      if (answer.counted) {
        tally_.messages += published;
        tally_.failed_entries += entries - published;
      }
    }
  }

  asio::awaitable<void> ConsumeLoop() {
    std::vector<std::string> handles;
    while (window_.Open(Clock::now())) {
      Answer received = co_await Call(Action::kReceiveMessage, receive_body_);
      if (!received.ok) continue;
      handles.clear();
      ParseReceiptHandles(received.body, handles);
      if (handles.empty()) {
        drained_ = window_.StopEarly(Clock::now());
        break;
      }
      Answer deleted = co_await Call(Action::kDeleteMessageBatch,
                                     DeleteMessageBatchRequest(workload_.queue_url, handles));
      if (deleted.ok && deleted.counted) {
        const BatchOutcome outcome = ParseBatchOutcome(deleted.body);
        tally_.messages += outcome.successful;
        tally_.failed_entries += outcome.failed;
      }
    }
  }

  asio::awaitable<Answer> Call(Action action, std::string body) {
    const Clock::time_point start = Clock::now();
    in_flight_ = true;
    HttpResult result = co_await http_.Post(ActionName(action), std::move(body));
    in_flight_ = false;
    const Clock::time_point end = Clock::now();
    Answer answer;
    answer.counted = window_.Counts(end);
    if (result.failed()) {
      if (answer.counted) {
        ++tally_.transport_errors;
        NoteError(end, std::string(ActionName(action)) + ": " + result.error);
      }
      backoff_.expires_after(kErrorBackoff);
      co_await backoff_.async_wait(kNoThrow);
      co_return answer;
    }
    if (result.status != 200) {
      if (answer.counted) {
        ++tally_.http_errors;
        if (result.body.size() > kMaxErrorBodyChars) result.body.resize(kMaxErrorBodyChars);
        NoteError(end, std::string(ActionName(action)) + ": HTTP " + std::to_string(result.status) +
                           ": " + result.body);
      }
      co_return answer;
    }
    answer.ok = true;
    if (answer.counted) {
      ++tally_.requests;
      tally_.latency[static_cast<int>(action)].Record(
          std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    }
    answer.body = std::move(result.body);
    co_return answer;
  }

  bool fifo() const { return fifo_.groups > 0; }

  // Deduplication ids must differ across connections and across runs within
  // the queue's 5-minute window: a random run tag and a connection number.
  static std::string FifoPrefix() {
    static const std::string run = std::to_string(std::random_device{}());
    static std::atomic<uint64_t> connection{0};
    return run + "-" + std::to_string(connection++);
  }

  void NoteError(Clock::time_point at, std::string text) {
    if (!tally_.first_error.empty()) return;
    tally_.first_error = std::move(text);
    tally_.first_error_at = at;
  }

  const Workload& workload_;
  Window& window_;
  HttpConnection http_;
  asio::steady_timer backoff_;
  const std::string send_body_;
  const std::string batch_body_;
  const std::string receive_body_;
  const std::string publish_body_;
  const std::string publish_batch_body_;
  // FIFO queues: each message needs its own ids, so bodies are built per request.
  FifoIds fifo_;
  Tally tally_;
  bool drained_ = false;
  bool in_flight_ = false;
};

// How often request timeouts are checked; a timeout fires up to this late.
constexpr std::chrono::milliseconds kTimeoutCheckPeriod{100};

// One io_context, run by one thread, and the connections it drives.
struct Shard {
  asio::io_context io{1};
  asio::steady_timer watchdog{io};
  asio::steady_timer timeouts{io};
  std::vector<std::unique_ptr<LoadConnection>> connections;
  int running = 0;

  // Checks the request timeouts every kTimeoutCheckPeriod while connections run.
  void CheckTimeouts() {
    timeouts.expires_after(kTimeoutCheckPeriod);
    timeouts.async_wait([this](boost::system::error_code ec) {
      if (ec || running == 0) return;
      const Clock::time_point now = Clock::now();
      for (auto& connection : connections) connection->CheckTimeout(now);
      CheckTimeouts();
    });
  }
};

}  // namespace

std::optional<Scenario> ParseScenario(std::string_view name) {
  if (name == "send") return Scenario::kSend;
  if (name == "send-batch") return Scenario::kSendBatch;
  if (name == "consume-cycle") return Scenario::kConsumeCycle;
  if (name == "publish") return Scenario::kPublish;
  if (name == "publish-batch") return Scenario::kPublishBatch;
  return std::nullopt;
}

std::string_view ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::kSend:
      return "send";
    case Scenario::kSendBatch:
      return "send-batch";
    case Scenario::kConsumeCycle:
      return "consume-cycle";
    case Scenario::kPublish:
      return "publish";
    case Scenario::kPublishBatch:
      return "publish-batch";
  }
  return "?";
}

bool IsPublish(Scenario scenario) {
  return scenario == Scenario::kPublish || scenario == Scenario::kPublishBatch;
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kSendMessage:
      return "SendMessage";
    case Action::kSendMessageBatch:
      return "SendMessageBatch";
    case Action::kReceiveMessage:
      return "ReceiveMessage";
    case Action::kDeleteMessageBatch:
      return "DeleteMessageBatch";
    case Action::kPublish:
      return "Publish";
    case Action::kPublishBatch:
      return "PublishBatch";
  }
  return "?";
}

void Tally::Merge(const Tally& other) {
  requests += other.requests;
  messages += other.messages;
  http_errors += other.http_errors;
  transport_errors += other.transport_errors;
  failed_entries += other.failed_entries;
  connects += other.connects;
  abandoned += other.abandoned;
  for (int i = 0; i < kActionCount; ++i) latency[i].Merge(other.latency[i]);
  if (!other.first_error.empty() &&
      (first_error.empty() || other.first_error_at < first_error_at)) {
    first_error = other.first_error;
    first_error_at = other.first_error_at;
  }
}

LatencyHistogram Tally::AllLatency() const {
  LatencyHistogram all;
  for (const LatencyHistogram& one : latency) all.Merge(one);
  return all;
}

RunResult RunLoad(const Endpoint& endpoint, const Workload& workload, const RunPlan& plan) {
  const int thread_count = std::max(1, std::min(plan.threads, plan.connections));
  const double cpu_before = ProcessCpuSeconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_start = start + plan.warmup;
  const Clock::time_point measure_end = measure_start + plan.duration;
  Window window(measure_start, measure_end, plan.message_budget);

  std::vector<std::unique_ptr<Shard>> shards;
  for (int i = 0; i < thread_count; ++i) shards.push_back(std::make_unique<Shard>());
  for (int i = 0; i < plan.connections; ++i) {
    Shard& shard = *shards[i % thread_count];
    shard.connections.push_back(std::make_unique<LoadConnection>(shard.io, endpoint, workload,
                                                                 window, plan.request_timeout));
  }
  for (auto& owned : shards) {
    Shard& shard = *owned;
    shard.running = static_cast<int>(shard.connections.size());
    for (auto& connection : shard.connections) {
      asio::co_spawn(shard.io, connection->Run(), [&shard](std::exception_ptr failure) {
        if (failure) {
          try {
            std::rethrow_exception(failure);
          } catch (const std::exception& e) {
            std::fprintf(stderr, "loadgen: connection stopped: %s\n", e.what());
          }
        }
        if (--shard.running == 0) {
          shard.watchdog.cancel();
          shard.timeouts.cancel();
        }
      });
    }
    shard.CheckTimeouts();
    // Requests still running well past the end would hold the run open.
    shard.watchdog.expires_at(measure_end + kAbandonAfter);
    shard.watchdog.async_wait([&shard](boost::system::error_code ec) {
      if (ec) return;
      for (auto& connection : shard.connections) connection->Close();
    });
  }

  std::vector<std::thread> threads;
  for (auto& shard : shards) threads.emplace_back([&io = shard->io] { io.run(); });
  for (std::thread& thread : threads) thread.join();
  const Clock::time_point finished = Clock::now();

  RunResult result;
  result.client_cpu_seconds = ProcessCpuSeconds() - cpu_before;
  result.wall_seconds = std::chrono::duration<double>(finished - start).count();
  for (const auto& shard : shards) {
    for (const auto& connection : shard->connections) {
      result.tally.Merge(connection->tally());
      result.drained = result.drained || connection->drained();
    }
  }
  const Clock::time_point end =
      plan.message_budget ? std::min(finished, window.stop_at()) : window.stop_at();
  result.drained_in_warmup = result.drained && end <= measure_start;
  result.measured_seconds =
      std::max(0.0, std::chrono::duration<double>(end - measure_start).count());
  return result;
}

HttpResult CallOnce(const Endpoint& endpoint, std::string_view action, std::string body,
                    std::chrono::milliseconds timeout) {
  asio::io_context io{1};
  HttpConnection connection(io, endpoint, timeout);
  HttpResult result;
  asio::steady_timer timeouts(io);
  bool done = false;
  std::function<void()> check = [&] {
    timeouts.expires_after(kTimeoutCheckPeriod);
    timeouts.async_wait([&](boost::system::error_code ec) {
      if (ec || done) return;
      connection.CheckTimeout(Clock::now());
      check();
    });
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result = co_await connection.Post(action, std::move(body));
        done = true;
        timeouts.cancel();
      },
      asio::detached);
  check();
  io.run();
  return result;
}

}  // namespace ferry::bench
