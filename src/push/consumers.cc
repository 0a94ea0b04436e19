#include "push/consumers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "engine/queue_key.h"
#include "push/config.h"
#include "push/event.h"

namespace ferry::push {
namespace {

namespace asio = boost::asio;
using Strand = asio::strand<asio::any_io_executor>;

constexpr std::string_view kUserAgent = "Ferry-Push/1";
// Messages asked of one engine receive while a batch fills.
constexpr int kReceiveChunk = 10;
// An endpoint's answer longer than this fails the batch.
constexpr uint64_t kMaxAnswerBytes = 1 << 20;

// A consumer's counters. A batch's outcome is added in one step, so that a
// reader (stats(), the tests) never sees a batch counted without what became
// of its messages.
class Counters {
 public:
  void Add(const ConsumerStats& d) {
    std::lock_guard lock(mu_);
    values_.batches += d.batches;
    values_.delivered += d.delivered;
    values_.failed += d.failed;
    values_.dead_lettered += d.dead_lettered;
  }
  ConsumerStats Load() const {
    std::lock_guard lock(mu_);
    return values_;
  }

 private:
  mutable std::mutex mu_;
  ConsumerStats values_;  // guarded by mu_
};

// A resolution done on the resolver's threads; Endpoint has no error state.
struct Resolved {
  Status status;
  http::Endpoint endpoint;
};

asio::awaitable<Resolved> ResolveBlocking(http::Url url) {
  Result<http::Endpoint> r = http::ResolveEndpoint(url);
  if (!r.ok()) co_return Resolved{r.status(), {}};
  co_return Resolved{Status::Ok(), std::move(r).value()};
}

// A batch: its messages' ids in event order and their rendered records.
struct Batch {
  std::vector<std::string> ids;
  std::vector<std::string> records;
  size_t bytes = 0;  // of the records
  TimeMs started_ms = 0;
  bool full = false;  // one more message would pass the event's size limit
};

// One queue's consumer. Lives on its own strand; batches in flight keep it
// alive after it was stopped.
class Consumer : public std::enable_shared_from_this<Consumer> {
 public:
  Consumer(engine::Engine& engine, std::shared_ptr<engine::Queue> queue, std::string key,
           PushConsumerConfig config, const PushOptions& options, asio::any_io_executor executor,
           std::shared_ptr<asio::thread_pool> resolver)
      : engine_(engine),
        queue_(std::move(queue)),
        key_(std::move(key)),
        config_(std::move(config)),
        max_event_bytes_(options.max_event_bytes),
        strand_(asio::make_strand(std::move(executor))),
        client_(strand_, ClientOptionsOf(config_, options), options.tls_context),
        resolver_(std::move(resolver)),
        source_(SourceOf(key_, options)),
        arn_prefix_(source_.arn.substr(0, source_.arn.rfind(':') + 1)),
        fifo_(queue_->fifo()) {
    if (auto url = http::ParseUrl(config_.endpoint); url.ok()) url_ = std::move(url).value();
  }

  const std::string& key() const { return key_; }
  const std::shared_ptr<engine::Queue>& queue() const { return queue_; }
  std::shared_ptr<Counters> counters() const { return counters_; }
  Strand& strand() { return strand_; }

  // ---------------------------------------------------------- on the strand

  void Start() {
    spdlog::info("push consumer of queue {} started: {}", key_, config_.endpoint);
    Pump();
  }

  // Stops receiving; gathered messages go back; `idle` once no batch is in
  // flight. `shutdown` also fails the batches in flight.
  void Stop(bool shutdown, std::function<void()> idle) {
    if (active_) {
      active_ = false;
      if (watching_) queue_->Unwatch(watch_token_);
      watching_ = false;
      for (const std::string& id : collecting_.ids) Release(id);
      collecting_ = Batch{};
      const ConsumerStats s = counters_->Load();
      spdlog::info(
          "push consumer of queue {} stopped: {} batches, {} messages delivered, {} failed, {} "
          "dead-lettered",
          key_, s.batches, s.delivered, s.failed, s.dead_lettered);
    }
    if (shutdown) client_.Shutdown();
    if (idle) idle_.push_back(std::move(idle));
    MaybeIdle();
  }

  void OnTick(TimeMs now) {
    if (!active_) return;
    if (!collecting_.ids.empty() && WindowClosed(now)) {
      Pump();
      return;
    }
    // A watcher wakes it for sends and for messages coming back; this
    // catches the rest (a failed receive, a watcher lost to a race).
    if (!watching_ || queue_->NextWakeMs() <= now) Pump();
  }

  // Starts as many batches as the limits allow.
  void Pump() {
    while (active_ && in_flight_batches_ < static_cast<size_t>(config_.maximum_concurrency)) {
      Fill();
      if (collecting_.ids.empty()) {
        if (watching_) return;
        Watch();
        Fill();  // what arrived between the receive and the watch
        if (collecting_.ids.empty()) return;
      }
      const bool ready = collecting_.full ||
                         collecting_.ids.size() >= static_cast<size_t>(config_.batch_size) ||
                         WindowClosed(engine_.clock().NowMs());
      if (!ready) {
        if (!watching_) Watch();
        return;  // more may come; Tick closes the window
      }
      Dispatch();
    }
  }

 private:
  static http::ClientOptions ClientOptionsOf(const PushConsumerConfig& c, const PushOptions& o) {
    http::ClientOptions out;
    out.request_timeout = std::chrono::seconds(c.timeout_s);
    out.connect_timeout =
        std::min<std::chrono::milliseconds>(o.connect_timeout, std::chrono::seconds(c.timeout_s));
    out.max_connections = static_cast<size_t>(c.maximum_concurrency);
    out.max_connections_per_endpoint = static_cast<size_t>(c.maximum_concurrency);
    out.keep_headers = false;
    out.max_response_bytes = kMaxAnswerBytes;
    out.default_headers = {{"User-Agent", std::string(kUserAgent)}};
    out.tls_ca_file = o.tls_ca_file;
    out.tls_verify = o.tls_verify;
    return out;
  }

  static EventSource SourceOf(std::string_view key, const PushOptions& o) {
    engine::QueueKey k = engine::QueueKey::Decode(key);
    EventSource s;
    s.region = k.region.empty() ? o.region : k.region;
    const std::string& account = k.account.empty() ? o.account_id : k.account;
    s.arn = "arn:aws:sqs:" + s.region + ":" + account + ":" + k.name;
    return s;
  }

  bool WindowClosed(TimeMs now) const {
    return now - collecting_.started_ms >= config_.maximum_batching_window_s * 1000;
  }

  // Receives into the batch being gathered until it is full or the queue
  // has nothing visible.
  void Fill() {
    const size_t want = static_cast<size_t>(config_.batch_size);
    while (!collecting_.full && collecting_.ids.size() < want) {
      engine::ReceiveRequest req;
      req.max_messages =
          static_cast<int>(std::min<size_t>(kReceiveChunk, want - collecting_.ids.size()));
      Result<std::vector<engine::ReceivedMessage>> got = queue_->Receive(req);
      if (!got.ok() || got->empty()) return;
      for (engine::ReceivedMessage& m : *got) Add(std::move(m));
    }
  }

  void Add(engine::ReceivedMessage m) {
    auto [held, fresh] = handles_.try_emplace(m.message_id, m.receipt_handle);
    if (!fresh) {
      // Received again while its batch runs (the batch outlived the
      // visibility timeout): that batch settles it, with the newest handle.
      held->second = m.receipt_handle;
      return;
    }
    std::string dlq_source_arn;
    if (!m.dead_letter_source.empty()) {
      dlq_source_arn = arn_prefix_ + engine::QueueKey::Decode(m.dead_letter_source).name;
    }
    Result<std::string> record = RenderRecord(m, fifo_, source_, dlq_source_arn);
    if (!record.ok()) {
      // Left in flight: it comes back, and its DLQ takes it after
      // maxReceiveCount receives.
      spdlog::warn("push consumer of queue {}: {}", key_, record.status().message());
      handles_.erase(held);
      counters_->Add({.failed = 1});
      return;
    }
    const size_t n = collecting_.ids.size();
    if (n > 0 && EventBodySize(collecting_.bytes + record->size(), n + 1) > max_event_bytes_) {
      collecting_.full = true;
      Release(m.message_id);
      return;
    }
    if (n == 0) collecting_.started_ms = engine_.clock().NowMs();
    collecting_.bytes += record->size();
    collecting_.ids.push_back(m.message_id);
    collecting_.records.push_back(std::move(record).value());
  }

  // A message received but not sent: visible again at once.
  void Release(const std::string& id) {
    auto it = handles_.find(id);
    if (it == handles_.end()) return;
    (void)queue_->ChangeVisibility(it->second, 0);
    handles_.erase(it);
  }

  void Watch() {
    watching_ = true;
    std::weak_ptr<Consumer> weak = weak_from_this();
    watch_token_ = queue_->Watch([weak, strand = strand_] {
      asio::post(strand, [weak] {
        auto self = weak.lock();
        if (!self) return;
        self->watching_ = false;
        self->Pump();
      });
    });
  }

  void Dispatch() {
    Batch batch = std::exchange(collecting_, Batch{});
    ++in_flight_batches_;
    asio::co_spawn(strand_, Deliver(shared_from_this(), std::move(batch)), asio::detached);
  }

  static asio::awaitable<void> Deliver(std::shared_ptr<Consumer> self, Batch batch) {
    const std::set<std::string> ids(batch.ids.begin(), batch.ids.end());
    const Result<http::InboundResponse> answer = co_await self->Post(EventBody(batch.records));
    self->Settle(batch, Classify(answer, ids));
    for (const std::string& id : batch.ids) self->handles_.erase(id);
    --self->in_flight_batches_;
    self->Pump();
    self->MaybeIdle();
  }

  asio::awaitable<Result<http::InboundResponse>> Post(std::string body) {
    if (!url_) co_return Status::InvalidArgument("not an endpoint: " + config_.endpoint);
    if (!endpoint_) {
      Resolved resolved = co_await asio::co_spawn(resolver_->get_executor(), ResolveBlocking(*url_),
                                                  asio::use_awaitable);
      if (!resolved.status.ok()) co_return resolved.status;
      endpoint_ = std::move(resolved.endpoint);
    }
    const http::Endpoint endpoint = *endpoint_;
    const std::string timestamp = std::to_string(engine_.clock().NowMs() / 1000);
    const std::string signature = Signature(config_.signing_secret, timestamp, body);
    const http::Header headers[] = {
        {"Content-Type", "application/json"},
        {"X-Ferry-Timestamp", timestamp},
        {"X-Ferry-Signature", signature},
    };
    const http::OutboundRequest request{
        .method = "POST", .target = url_->target, .headers = headers, .body = body};
    Result<http::InboundResponse> answer = co_await client_.Send(endpoint, request);
    if (!answer.ok()) endpoint_.reset();  // resolved again next time
    co_return answer;
  }

  const std::string& Handle(const std::string& id) const { return handles_.at(id); }

  void Settle(const Batch& batch, const Verdict& verdict) {
    const size_t n = batch.ids.size();
    switch (verdict.outcome) {
      case Outcome::kDelivered:
        for (const std::string& id : batch.ids) {
          if (verdict.failed.count(id) == 0) (void)queue_->Delete(Handle(id));
        }
        counters_->Add({.batches = 1,
                        .delivered = n - verdict.failed.size(),
                        .failed = verdict.failed.size()});
        if (!verdict.failed.empty()) {
          spdlog::info("push consumer of queue {}: {} of {} messages reported failed", key_,
                       verdict.failed.size(), n);
        }
        return;
      case Outcome::kRetry:
        counters_->Add({.batches = 1, .failed = n});
        spdlog::warn("push consumer of queue {}: batch of {} failed, retried: {}", key_, n,
                     verdict.reason);
        return;
      case Outcome::kDeadLetter:
        break;
    }
    size_t moved = 0;
    size_t kept = 0;
    for (const std::string& id : batch.ids) {
      const Status st = queue_->DeadLetter(Handle(id));
      if (st.ok()) {
        ++moved;
      } else if (st.code() != Code::kNotFound) {
        ++kept;  // no DLQ, or it could not take it: retried instead
      }
    }
    counters_->Add({.batches = 1, .failed = kept, .dead_lettered = moved});
    if (kept > 0) {
      spdlog::warn(
          "push consumer of queue {}: {}; {} messages have no dead-letter queue to go to and are "
          "retried",
          key_, verdict.reason, kept);
    } else {
      spdlog::info("push consumer of queue {}: {}; {} messages dead-lettered", key_, verdict.reason,
                   moved);
    }
  }

  void MaybeIdle() {
    if (in_flight_batches_ > 0 || active_) return;
    for (auto& fn : std::exchange(idle_, {})) fn();
  }

  engine::Engine& engine_;
  const std::shared_ptr<engine::Queue> queue_;
  const std::string key_;
  const PushConsumerConfig config_;
  const size_t max_event_bytes_;
  Strand strand_;
  http::HttpClient client_;
  std::shared_ptr<asio::thread_pool> resolver_;
  const EventSource source_;
  const std::string arn_prefix_;  // "arn:aws:sqs:<region>:<account>:"
  const bool fifo_;
  std::optional<http::Url> url_;            // nullopt: not a URL (validation forbids it)
  std::optional<http::Endpoint> endpoint_;  // resolved lazily, forgotten on failures
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();

  // Everything below on the strand.
  bool active_ = true;
  bool watching_ = false;
  uint64_t watch_token_ = 0;
  Batch collecting_;
  size_t in_flight_batches_ = 0;
  // Message id → its newest receipt handle, for every message gathered or
  // in a batch in flight.
  std::map<std::string, std::string> handles_;
  std::vector<std::function<void()>> idle_;
};

}  // namespace

struct PushConsumers::Impl : std::enable_shared_from_this<PushConsumers::Impl> {
  Impl(engine::Engine& e, asio::any_io_executor ex, PushOptions o)
      : engine(e), executor(ex), options(std::move(o)), strand(asio::make_strand(ex)) {}

  // What a rescan found for one queue.
  struct Bound {
    std::shared_ptr<Consumer> consumer;
    std::string raw;  // the attribute's value it runs with
  };

  // -------------------------------------------------------- on the strand

  void DoRescan() {
    if (shutting_down) return;
    std::map<std::string, Bound> next;
    for (const std::string& key : engine.ListQueues("")) {
      std::shared_ptr<engine::Queue> queue = engine.FindQueue(key);
      if (!queue) continue;
      const engine::QueueSettings settings = queue->settings();
      auto attr = settings.extra.find(std::string(kPushConsumerAttribute));
      if (attr == settings.extra.end()) continue;
      auto it = bound.find(key);
      if (it != bound.end() && it->second.raw == attr->second &&
          it->second.consumer->queue() == queue) {
        next.emplace(key, std::move(it->second));
        bound.erase(it);
        continue;
      }
      Result<PushConsumerConfig> config = ParsePushConsumer(attr->second);
      if (!config.ok()) {
        // Validated when set: only a value stored by another version gets here.
        spdlog::warn("queue {}: {} is not valid: {}", key, kPushConsumerAttribute,
                     config.status().message());
        continue;
      }
      auto consumer = std::make_shared<Consumer>(engine, queue, key, std::move(config).value(),
                                                 options, executor, resolver);
      asio::post(consumer->strand(), [consumer] { consumer->Start(); });
      next.emplace(key, Bound{std::move(consumer), attr->second});
    }
    for (auto& [key, b] : bound) Retire(b.consumer);  // removed, changed, or queue gone
    bound = std::move(next);
    std::lock_guard lock(stats_mu);
    counters.clear();
    for (auto& [key, b] : bound) counters[key] = b.consumer->counters();
  }

  // Stops a consumer; it is kept until its batches in flight ended.
  void Retire(const std::shared_ptr<Consumer>& consumer, bool shutdown = false) {
    retiring.insert(consumer);
    std::weak_ptr<Impl> weak = weak_from_this();
    asio::post(consumer->strand(), [weak, consumer, shutdown, strand = strand] {
      consumer->Stop(shutdown, [weak, consumer, strand] {
        asio::post(strand, [weak, consumer] {
          if (auto self = weak.lock()) self->Retired(consumer);
        });
      });
    });
  }

  void Retired(const std::shared_ptr<Consumer>& consumer) {
    retiring.erase(consumer);
    // Its client is released on its own strand, the client's.
    asio::post(consumer->strand(), [consumer] {});
    MaybeStopped();
  }

  void OnTick() {
    if (shutting_down) return;
    const TimeMs now = engine.clock().NowMs();
    if (now >= next_rescan_ms) {
      next_rescan_ms = now + options.rescan_interval.count();
      DoRescan();
    }
    for (auto& [key, b] : bound) {
      asio::post(b.consumer->strand(), [c = b.consumer, now] { c->OnTick(now); });
    }
  }

  void BeginShutdown() {
    if (shutting_down) return;
    shutting_down = true;
    for (auto& [key, b] : bound) Retire(b.consumer, /*shutdown=*/true);
    // Those stopped earlier may still have batches in flight: fail them too.
    for (const std::shared_ptr<Consumer>& c : retiring) {
      asio::post(c->strand(), [c] { c->Stop(/*shutdown=*/true, nullptr); });
    }
    bound.clear();
    std::lock_guard lock(stats_mu);
    counters.clear();
  }

  void OnStopped(std::function<void()> fn) {
    stopped.push_back(std::move(fn));
    MaybeStopped();
  }

  void MaybeStopped() {
    if (!shutting_down || !retiring.empty()) return;
    for (auto& fn : std::exchange(stopped, {})) fn();
  }

  engine::Engine& engine;
  asio::any_io_executor executor;
  const PushOptions options;
  Strand strand;
  // Name resolution blocks: a slow name server holds one of these threads.
  std::shared_ptr<asio::thread_pool> resolver = std::make_shared<asio::thread_pool>(2);
  // On the strand:
  std::map<std::string, Bound> bound;  // by queue key
  std::set<std::shared_ptr<Consumer>> retiring;
  TimeMs next_rescan_ms = 0;
  bool shutting_down = false;
  std::vector<std::function<void()>> stopped;
  std::atomic<bool> shut_down{false};

  mutable std::mutex stats_mu;
  std::map<std::string, std::shared_ptr<Counters>> counters;  // by queue key; stats_mu
};

PushConsumers::PushConsumers(engine::Engine& engine, asio::any_io_executor executor,
                             PushOptions options)
    : impl_(std::make_shared<Impl>(engine, std::move(executor), std::move(options))) {}

PushConsumers::~PushConsumers() { Stop(); }

void PushConsumers::Rescan() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->strand, [weak] {
    if (auto self = weak.lock()) self->DoRescan();
  });
}

void PushConsumers::Tick() {
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->strand, [weak] {
    if (auto self = weak.lock()) self->OnTick();
  });
}

void PushConsumers::Stop(std::function<void()> stopped) {
  asio::post(impl_->strand, [self = impl_, stopped = std::move(stopped)]() mutable {
    self->BeginShutdown();
    if (stopped) self->OnStopped(std::move(stopped));
  });
}

void PushConsumers::Shutdown() {
  if (impl_->shut_down.exchange(true)) return;
  std::promise<void> done;
  Stop([&done] { done.set_value(); });
  done.get_future().wait();
  impl_->resolver->join();
}

std::map<std::string, ConsumerStats> PushConsumers::stats() const {
  std::lock_guard lock(impl_->stats_mu);
  std::map<std::string, ConsumerStats> out;
  for (const auto& [key, c] : impl_->counters) out[key] = c->Load();
  return out;
}

}  // namespace ferry::push
