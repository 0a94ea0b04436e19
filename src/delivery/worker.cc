#include "delivery/worker.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <utility>

#include "common/crypto.h"
#include "delivery/delivery_policy.h"
#include "http/client.h"
#include "message/payload.h"
#include "sns/delivery_item.h"

namespace ferry::delivery {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kUserAgent = "Amazon Simple Notification Service Agent";
constexpr std::string_view kSubscriptionConfirmation = "SubscriptionConfirmation";
constexpr std::string_view kNotification = "Notification";
// Added to the longest an attempt can take, for the item's visibility.
constexpr int64_t kVisibilityMarginS = 5;
constexpr int kMaxBatch = 10;
// An endpoint's answer longer than this fails the attempt.
constexpr uint64_t kMaxAnswerBytes = 1 << 20;

enum class Outcome { kDelivered, kRetryable, kPermanent };

Outcome Classify(const Result<http::InboundResponse>& answer) {
  if (!answer.ok()) return Outcome::kRetryable;  // timeout, refused, reset, no route
  const unsigned status = answer->status;
  if (status >= 200 && status < 300) return Outcome::kDelivered;
  if (status == 429 || (status >= 500 && status < 600)) return Outcome::kRetryable;
  return Outcome::kPermanent;
}

struct Counters {
  std::atomic<uint64_t> attempts{0};
  std::atomic<uint64_t> successes{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> dropped{0};

  SubscriptionStats Load() const {
    return SubscriptionStats{attempts.load(), successes.load(), failures.load(),
                             retries.load(),  dead_lettered.load(), dropped.load()};
  }
};

// An attempt's share of its topic's counters (sns/topic_counters.h), by the
// subscription's protocol; does nothing without counters.
class TopicProbe {
 public:
  TopicProbe(std::shared_ptr<sns::TopicCounters> counters, sns::Protocol protocol)
      : counters_(std::move(counters)), protocol_(static_cast<size_t>(protocol)) {}

  void Attempted(std::chrono::steady_clock::duration took) {
    if (counters_ == nullptr) return;
    Add(&sns::DeliveryCounters::attempted);
    if (protocol_ == 0) return;  // sqs: no POST to time
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
    counters_->http_latency[protocol_ - 1].Observe(ns > 0 ? static_cast<uint64_t>(ns) : 0);
  }
  void Add(std::atomic<uint64_t> sns::DeliveryCounters::*counter) {
    if (counters_ != nullptr) {
      (counters_->deliveries[protocol_].*counter).fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  std::shared_ptr<sns::TopicCounters> counters_;
  size_t protocol_;
};

// A resolution done on the resolver's thread; Endpoint has no error state.
struct Resolved {
  Status status;
  http::Endpoint endpoint;
};

// One subscription being drained. Lives on the strand; attempts in flight
// keep it alive after it was removed.
struct TargetState {
  std::string key;  // its delivery queue
  std::shared_ptr<const sns::Subscription> subscription;
  std::shared_ptr<sns::TopicCounters> topic_counters;  // of its topic; null: not counted
  DeliveryPolicy policy;
  std::shared_ptr<engine::Queue> queue;  // null until the queue exists
  std::optional<http::Url> url;          // nullopt: the endpoint is not a URL we can reach
  std::optional<http::Endpoint> endpoint;  // resolved lazily, forgotten on transport errors
  std::shared_ptr<Counters> counters = std::make_shared<Counters>();
  bool active = true;
  // Message id → its latest receipt handle, for the attempts in flight: an
  // item received again while its attempt still runs (the attempt outlived
  // its visibility) gets no second attempt, and the first settles it with
  // the newest handle.
  std::map<std::string, std::string> in_flight;
  double tokens = 0;
  TimeMs refilled_ms = 0;
  bool watching = false;
  uint64_t watch_token = 0;
  // A retired subscription drained: on_retired_drained was called.
  bool drained_reported = false;
};

}  // namespace

struct DeliveryWorker::Impl : std::enable_shared_from_this<DeliveryWorker::Impl> {
  Impl(engine::Engine& e, asio::any_io_executor executor, WorkerOptions o)
      : engine(e),
        options(o),
        strand(asio::make_strand(std::move(executor))),
        client(strand, ClientOptionsOf(o), o.tls_context),
        visibility_s(VisibilityOf(o)),
        rng(std::random_device{}()) {}

  static http::ClientOptions ClientOptionsOf(const WorkerOptions& o) {
    http::ClientOptions c;
    c.connect_timeout = o.connect_timeout;
    c.request_timeout = o.request_timeout;
    c.max_connections = o.max_connections;
    c.max_connections_per_endpoint = o.max_connections_per_endpoint;
    c.keep_headers = false;
    c.max_response_bytes = kMaxAnswerBytes;  // the answer is read and ignored
    c.default_headers = {{"User-Agent", std::string(kUserAgent)}};
    c.tls_ca_file = o.tls_ca_file;
    c.tls_verify = o.tls_verify;
    return c;
  }

  // Waiting for a pooled connection (at most the request timeout), then
  // connecting and the request itself, and a margin: an item's attempt is
  // over before its visibility lapses unless the process died.
  static int64_t VisibilityOf(const WorkerOptions& o) {
    const int64_t ms = (o.connect_timeout + 2 * o.request_timeout).count();
    return (ms + 999) / 1000 + kVisibilityMarginS;
  }

  // ------------------------------------------------------------ on the strand

  void ApplyTargets(std::vector<Target> list) {
    if (shutting_down) return;
    std::map<std::string, std::shared_ptr<TargetState>> next;
    const TimeMs now = engine.clock().NowMs();
    for (Target& target : list) {
      if (!target.subscription) continue;
      const sns::Subscription& sub = *target.subscription;
      std::string key = sub.queue_key.empty() ? sns::DeliveryQueueKey(sub.id) : sub.queue_key;
      std::shared_ptr<TargetState> t;
      if (auto it = targets.find(key); it != targets.end()) {
        t = it->second;
      } else {
        t = std::make_shared<TargetState>();
        t->key = key;
        t->refilled_ms = now;
      }
      auto policy_text = sub.attributes.find("DeliveryPolicy");
      t->policy = EffectiveDeliveryPolicy(
          target.topic_delivery_policy,
          policy_text == sub.attributes.end() ? std::string_view() : policy_text->second);
      const double rate = static_cast<double>(t->policy.max_receives_per_second);
      if (t->subscription == nullptr) {
        t->tokens = rate;
      } else {
        t->tokens = std::min(t->tokens, rate);
      }
      if (t->subscription == nullptr || t->subscription->endpoint != sub.endpoint) {
        auto url = http::ParseUrl(sub.endpoint);
        t->url = url.ok() ? std::optional<http::Url>(*url) : std::nullopt;
        t->endpoint.reset();
      }
      t->subscription = std::move(target.subscription);
      t->topic_counters = std::move(target.topic_counters);
      next[key] = std::move(t);
    }
    for (auto& [key, t] : targets) {
      if (next.count(key) == 0) Stop(*t);
    }
    targets = std::move(next);
    {
      std::lock_guard lock(stats_mu);
      counters.clear();
      for (auto& [key, t] : targets) counters[t->subscription->arn] = t->counters;
    }
    for (auto& [key, t] : targets) {
      if (!t->queue) t->queue = engine.FindQueue(key);
      Pump(t);
    }
  }

  void Stop(TargetState& t) {
    t.active = false;
    if (t.watching && t.queue) t.queue->Unwatch(t.watch_token);
    t.watching = false;
  }

  void OnTick() {
    if (shutting_down) return;
    const TimeMs now = engine.clock().NowMs();
    for (auto& [key, t] : targets) {
      const double rate = static_cast<double>(t->policy.max_receives_per_second);
      if (rate > 0 && now > t->refilled_ms) {
        t->tokens = std::min(rate, t->tokens + rate * static_cast<double>(now - t->refilled_ms) / 1000.0);
      }
      t->refilled_ms = now;
      if (!t->queue) t->queue = engine.FindQueue(key);
      if (t->subscription->retired) ReportIfDrained(*t);
      if (!t->queue) continue;
      // A watcher wakes it for arrivals and for retries the engine's Tick
      // makes visible; this catches the rest (throttled, a failed receive).
      if (!t->watching || t->queue->NextWakeMs() <= now) Pump(t);
    }
  }

  // A retired subscription whose queue holds nothing more (or is gone),
  // with no attempt in flight, is reported once.
  void ReportIfDrained(TargetState& t) {
    if (t.drained_reported || !t.in_flight.empty() || !options.on_retired_drained) return;
    if (t.queue) {
      const engine::QueueStats s = t.queue->Stats();
      if (s.visible + s.in_flight + s.delayed > 0) return;
    }
    t.drained_reported = true;
    options.on_retired_drained(t.subscription->arn);
  }

  std::vector<engine::ReceivedMessage> Receive(TargetState& t, int max) {
    engine::ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout_s = visibility_s;
    auto got = t.queue->Receive(req);
    if (!got.ok()) return {};
    return std::move(got).value();
  }

  // Starts as many attempts as the target's limits allow.
  void Pump(const std::shared_ptr<TargetState>& t) {
    if (shutting_down || !t->active || !t->queue) return;
    const bool throttled = t->policy.max_receives_per_second > 0;
    while (t->in_flight.size() < options.max_in_flight) {
      int want = static_cast<int>(std::min<size_t>(kMaxBatch, options.max_in_flight - t->in_flight.size()));
      if (throttled) want = std::min(want, static_cast<int>(std::floor(t->tokens)));
      if (want <= 0) return;  // Tick refills and pumps again
      std::vector<engine::ReceivedMessage> got = Receive(*t, want);
      if (got.empty()) {
        if (t->watching) return;
        Watch(t);
        // What arrived between the receive and the watch.
        got = Receive(*t, want);
        if (got.empty()) return;
      }
      for (engine::ReceivedMessage& m : got) Start(t, std::move(m));
    }
  }

  void Watch(const std::shared_ptr<TargetState>& t) {
    t->watching = true;
    std::weak_ptr<Impl> weak_self = weak_from_this();
    std::weak_ptr<TargetState> weak_target = t;
    t->watch_token = t->queue->Watch([weak_self, weak_target, strand = strand] {
      asio::post(strand, [weak_self, weak_target] {
        auto self = weak_self.lock();
        auto target = weak_target.lock();
        if (!self || !target) return;
        target->watching = false;
        self->Pump(target);
      });
    });
  }

  void Start(const std::shared_ptr<TargetState>& t, engine::ReceivedMessage m) {
    if (auto it = t->in_flight.find(m.message_id); it != t->in_flight.end()) {
      it->second = m.receipt_handle;
      (void)t->queue->ChangeVisibility(m.receipt_handle, visibility_s);
      return;
    }
    t->in_flight.emplace(m.message_id, m.receipt_handle);
    ++total_in_flight;
    if (t->policy.max_receives_per_second > 0) t->tokens -= 1;
    asio::co_spawn(strand, Attempt(shared_from_this(), t, t->queue, std::move(m)),
                   asio::detached);
  }

  static asio::awaitable<void> Attempt(std::shared_ptr<Impl> self,
                                       std::shared_ptr<TargetState> t,
                                       std::shared_ptr<engine::Queue> queue,
                                       engine::ReceivedMessage m) {
    co_await self->Deliver(*t, *queue, m);
    t->in_flight.erase(m.message_id);
    --self->total_in_flight;
    self->Pump(t);
    self->MaybeIdle();
  }

  asio::awaitable<void> Deliver(TargetState& t, engine::Queue& queue,
                                const engine::ReceivedMessage& m) {
    // Copies: SetTargets may replace them while the attempt waits.
    const std::shared_ptr<const sns::Subscription> sub = t.subscription;
    const DeliveryPolicy policy = t.policy;
    Counters& counters = *t.counters;
    std::optional<sns::DeliveryItem> item = sns::DecodeDeliveryItem(m.payload);
    if (!item) {
      (void)queue.Delete(Handle(t, m));
      ++counters.dropped;
      co_return;
    }
    // Attempts used up already (a crash after the last one, or a policy
    // that now allows fewer).
    if (m.receive_count > 1 + policy.retry.num_retries) {
      DeadLetter(t, queue, m, *sub, *item);
      co_return;
    }
    ++counters.attempts;
    TopicProbe topic(t.topic_counters, sub->protocol);
    const auto started = std::chrono::steady_clock::now();
    const Result<http::InboundResponse> answer = co_await Post(t, *sub, policy, *item);
    if (shutting_down) co_return;  // the item comes back when its visibility lapses
    topic.Attempted(std::chrono::steady_clock::now() - started);
    switch (Classify(answer)) {
      case Outcome::kDelivered:
        (void)queue.Delete(Handle(t, m));
        ++counters.successes;
        topic.Add(&sns::DeliveryCounters::succeeded);
        co_return;
      case Outcome::kRetryable:
        ++counters.failures;
        topic.Add(&sns::DeliveryCounters::failed);
        if (!answer.ok()) t.endpoint.reset();
        if (m.receive_count <= policy.retry.num_retries) {
          const int64_t delay_s = RetryDelayS(policy.retry, m.receive_count, unit(rng));
          if (queue.ChangeVisibility(Handle(t, m), delay_s).ok()) {
            ++counters.retries;
            topic.Add(&sns::DeliveryCounters::retried);
          }
          co_return;
        }
        break;
      case Outcome::kPermanent:
        ++counters.failures;
        topic.Add(&sns::DeliveryCounters::failed);
        break;
    }
    DeadLetter(t, queue, m, *sub, *item);
  }

  asio::awaitable<Result<http::InboundResponse>> Post(TargetState& t,
                                                      const sns::Subscription& sub,
                                                      const DeliveryPolicy& policy,
                                                      const sns::DeliveryItem& item) {
    if (!t.url) co_return Status::InvalidArgument("not an endpoint this server can reach: " + sub.endpoint);
    const http::Url url = *t.url;
    if (!t.endpoint) {
      Resolved resolved = co_await Resolve(url);
      if (!resolved.status.ok()) co_return resolved.status;
      t.endpoint = std::move(resolved.endpoint);
    }
    const http::Endpoint endpoint = *t.endpoint;
    // The headers SNS sends; a confirmation names no subscription yet.
    std::vector<http::Header> headers = {
        {"Content-Type", policy.content_type},
        {"x-amz-sns-message-type", item.type},
        {"x-amz-sns-message-id", item.message_id},
        {"x-amz-sns-topic-arn", sub.topic_arn},
    };
    if (item.type != kSubscriptionConfirmation) {
      headers.emplace_back("x-amz-sns-subscription-arn", sub.arn);
    }
    if (sub.raw && item.type == kNotification) headers.emplace_back("x-amz-sns-rawdelivery", "true");
    const http::OutboundRequest request{
        .method = "POST", .target = url.target, .headers = headers, .body = item.body};
    co_return co_await client.Send(endpoint, request);
  }

  // Resolution blocks, so it runs on a thread of its own, never the strand.
  asio::awaitable<Resolved> Resolve(http::Url url) {
    asio::awaitable<Resolved> job = ResolveBlocking(std::move(url));
    Resolved resolved =
        co_await asio::co_spawn(resolver.get_executor(), std::move(job), asio::use_awaitable);
    co_return resolved;
  }

  static asio::awaitable<Resolved> ResolveBlocking(http::Url url) {
    Result<http::Endpoint> r = http::ResolveEndpoint(url);
    if (!r.ok()) co_return Resolved{r.status(), {}};
    co_return Resolved{Status::Ok(), std::move(r).value()};
  }

  // The item's body as a new message of the subscription's dead-letter
  // queue, then the item is deleted. Stored first and deleted after: a crash
  // between the two dead-letters it twice rather than never.
  void DeadLetter(TargetState& t, engine::Queue& queue, const engine::ReceivedMessage& m,
                  const sns::Subscription& sub, const sns::DeliveryItem& item) {
    Counters& counters = *t.counters;
    std::shared_ptr<engine::Queue> dlq =
        sub.dead_letter_key.empty() ? nullptr : engine.FindQueue(sub.dead_letter_key);
    if (!dlq) {
      (void)queue.Delete(Handle(t, m));
      ++counters.dropped;
      return;
    }
    message::OutgoingMessage out;
    out.body = item.body;
    out.body_md5 = Md5(item.body);
    engine::SendRequest req;
    req.payload = message::EncodePayload(out);
    if (dlq->fifo()) {
      req.group_id = sub.arn;
      req.dedup_id = std::string(item.message_id);
    }
    // Not stored: the item stays in flight and is dead-lettered when it
    // comes back, its attempts being used up.
    if (!dlq->Send(std::move(req)).ok()) return;
    (void)queue.Delete(Handle(t, m));
    ++counters.dead_lettered;
  }

  static const std::string& Handle(const TargetState& t, const engine::ReceivedMessage& m) {
    auto it = t.in_flight.find(m.message_id);
    return it == t.in_flight.end() ? m.receipt_handle : it->second;
  }

  // Stops draining and fails the attempts in flight. Idempotent.
  void BeginShutdown() {
    if (shutting_down) return;
    shutting_down = true;
    for (auto& [key, t] : targets) Stop(*t);
    client.Shutdown();
  }

  // `fn` once no attempt is in flight.
  void OnIdle(std::function<void()> fn) {
    idle.push_back(std::move(fn));
    MaybeIdle();
  }

  void MaybeIdle() {
    if (total_in_flight > 0) return;
    for (auto& fn : std::exchange(idle, {})) fn();
  }

  // Everything below is touched only on `strand`, except the counters map
  // (stats_mu) and shut_down (the callers of Shutdown).
  engine::Engine& engine;
  const WorkerOptions options;
  asio::strand<asio::any_io_executor> strand;
  // A slow name server holds one of these, not the strand.
  asio::thread_pool resolver{4};
  http::HttpClient client;
  const int64_t visibility_s;
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  std::map<std::string, std::shared_ptr<TargetState>> targets;  // by queue key
  size_t total_in_flight = 0;
  bool shutting_down = false;
  std::vector<std::function<void()>> idle;  // OnIdle's
  std::atomic<bool> shut_down{false};

  mutable std::mutex stats_mu;
  std::map<std::string, std::shared_ptr<Counters>> counters;  // by subscription ARN; stats_mu
};

DeliveryWorker::DeliveryWorker(engine::Engine& engine, asio::any_io_executor executor,
                               WorkerOptions options)
    : impl_(std::make_shared<Impl>(engine, std::move(executor), options)) {}

// The state is released on the strand, or with the executor's context when
// that no longer runs: the client's cancelled timers complete there, later,
// and must find it alive or gone, never going.
DeliveryWorker::~DeliveryWorker() {
  Stop();
  auto strand = impl_->strand;
  asio::post(strand, [impl = std::move(impl_)]() mutable { impl.reset(); });
}

void DeliveryWorker::SetTargets(std::vector<Target> targets) {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->strand, [weak, targets = std::move(targets)]() mutable {
    if (auto self = weak.lock()) self->ApplyTargets(std::move(targets));
  });
}

void DeliveryWorker::Tick() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->strand, [weak] {
    if (auto self = weak.lock()) self->OnTick();
  });
}

void DeliveryWorker::Stop(std::function<void()> stopped) {
  asio::post(impl_->strand, [self = impl_, stopped = std::move(stopped)]() mutable {
    self->BeginShutdown();
    if (stopped) self->OnIdle(std::move(stopped));
  });
}

void DeliveryWorker::Shutdown() {
  if (impl_->shut_down.exchange(true)) return;
  std::promise<void> idle;
  Stop([&idle] { idle.set_value(); });
  idle.get_future().wait();
  impl_->resolver.join();
}

std::map<std::string, SubscriptionStats> DeliveryWorker::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  std::map<std::string, SubscriptionStats> out;
  for (const auto& [arn, c] : impl_->counters) out[arn] = c->Load();
  return out;
}

}  // namespace ferry::delivery
