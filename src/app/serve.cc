#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "admin/admin_service.h"
#include "admin/queue_history.h"
#include "api/offloaded_service.h"
#include "app/access_log.h"
#include "app/engine_config.h"
#include "app/logging.h"
#include "app/protected_mode.h"
#include "app/serve_engine.h"
#include "app/server_keys.h"
#include "auth/credential_file.h"
#include "auth/credentials.h"
#include "auth/session_token.h"
#include "common/clock.h"
#include "console/console_handler.h"
#include "delivery/worker.h"
#include "http/client.h"
#include "http/health.h"
#include "http/router.h"
#include "http/server.h"
#include "http/server_tls.h"
#include "metrics/admin_listener.h"
#include "metrics/metrics.h"
#include "metrics/metrics_handler.h"
#include "metrics/queue_collector.h"
#include "metrics/request_metrics.h"
#include "metrics/server_collector.h"
#include "metrics/topic_collector.h"
#include "protocol/aws_request.h"
#include "protocol/gateway.h"
#include "push/consumers.h"
#include "resources/background_apply.h"
#include "resources/spec.h"
#include "sns/registry.h"
#include "sns/service.h"
#include "sqs/service.h"
#include "sts/sts_service.h"

namespace ferry::app {
namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(100);
// How long in-flight requests may finish after a stop signal.
constexpr auto kShutdownGrace = std::chrono::milliseconds(500);

// Ticks the engine and what drains it (engine::Engine::Tick) every
// kTickInterval. The timer lives on a strand of the io_context; the tick
// itself runs on `work`: the io threads for the local engine, the blocking
// pool for an engine whose calls wait on the database. The next tick is
// armed only once one is done, so ticks never overlap (Tick is called from
// one thread at a time).
class Ticker {
 public:
  Ticker(boost::asio::io_context& io, boost::asio::any_io_executor work, std::function<void()> tick)
      : strand_(boost::asio::make_strand(io)),
        timer_(strand_),
        work_(std::move(work)),
        tick_(std::move(tick)) {}

  void Start() {
    boost::asio::post(strand_, [this] { Arm(); });
  }
  // No tick starts after this; one running finishes.
  void Stop() {
    boost::asio::post(strand_, [this] {
      stopped_ = true;
      timer_.cancel();
    });
  }

 private:
  void Arm() {
    timer_.expires_after(kTickInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      boost::asio::post(work_, [this] {
        tick_();
        boost::asio::post(strand_, [this] {
          if (!stopped_) Arm();
        });
      });
    });
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;  // on strand_
  boost::asio::any_io_executor work_;
  std::function<void()> tick_;
  bool stopped_ = false;  // on strand_
};

// What the delivery worker drains: every http(s) subscription, pending or
// confirmed, with its topic's DeliveryPolicy.
std::vector<delivery::Target> DeliveryTargets(const sns::Registry& registry) {
  std::vector<delivery::Target> targets;
  for (auto& sub : registry.HttpSubscriptions()) {
    std::string topic_policy;
    std::shared_ptr<sns::TopicCounters> counters;
    if (auto topic = registry.FindTopic(sub->topic_arn)) {
      if (auto it = topic->attributes.find("DeliveryPolicy"); it != topic->attributes.end()) {
        topic_policy = it->second;
      }
      counters = topic->counters;
    }
    targets.push_back(
        delivery::Target{std::move(sub), std::move(topic_policy), std::move(counters)});
  }
  return targets;
}

// Hands requests to a handler made after the server: the server listens
// before the services exist, because SNS's public URL names the port it
// bound. `target` is set before the io_context runs, so no request sees it
// unset.
class LateHandler final : public http::Handler {
 public:
  http::Handler* target = nullptr;
  void Handle(const http::Request& req, http::Responder respond) override {
    target->Handle(req, std::move(respond));
  }
  http::Response Reject(int status, const http::Request& head) override {
    return target->Reject(status, head);
  }
};

// The certificate of the SNS signing key, at SigningCertURL.
class CertificateHandler final : public http::Handler {
 public:
  explicit CertificateHandler(const std::string& pem) : pem_(pem) {}
  void Handle(const http::Request&, http::Responder respond) override {
    http::Response res;
    res.headers.emplace_back("Content-Type", "application/x-pem-file");
    res.body = pem_;
    respond(std::move(res));
  }

 private:
  const std::string& pem_;
};

// --public-url, or <scheme>://<listen>:<port> (127.0.0.1 for a wildcard
// address, which no subscriber can reach), without a trailing slash.
std::string PublicUrl(const ServeConfig& config, std::string_view scheme, uint16_t port) {
  std::string url = config.public_url;
  if (url.empty()) {
    std::string host = config.listen;
    if (host.empty() || host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    url = std::string(scheme) + "://" + host + ":" + std::to_string(port);
  }
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// The HTTPS listener's certificate and key, when one is asked for: null
// without --tls-port; an error for a half-given configuration or a file that
// cannot be used.
Result<std::shared_ptr<http::ServerTlsContext>> LoadTls(const ServeConfig& config) {
  const bool files = !config.tls_cert.empty() || !config.tls_key.empty();
  if (config.tls_port < 0) {
    if (config.tls_only) return Status::InvalidArgument("--tls-only needs --tls-port");
    if (files) {
      return Status::InvalidArgument(
          "--tls-cert and --tls-key need --tls-port (0 picks a free port)");
    }
    return std::shared_ptr<http::ServerTlsContext>();
  }
  if (config.tls_port > 65535) return Status::InvalidArgument("--tls-port is not a port");
  if (config.tls_cert.empty() || config.tls_key.empty()) {
    return Status::InvalidArgument("the HTTPS listener needs both --tls-cert and --tls-key");
  }
  return http::ServerTlsContext::Load(config.tls_cert, config.tls_key);
}

// The host a URL names (without brackets or port), for the certificate.
std::string HostOf(std::string_view url) {
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find('/'));
  if (url.starts_with('[')) return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

}  // namespace

int RunServer(const ServeConfig& config) {
  // Authentication (docs/security.md): the keys of --credentials (loaded
  // below, beside STS's), else open mode, on a loopback address only unless
  // --insecure-open-mode.
  if (auto refusal = OpenModeRefusal(config)) {
    spdlog::error("{}", *refusal);
    return 1;
  }
  if (config.credentials_file.empty()) {
    spdlog::warn(
        "open mode: no --credentials, so any well-formed signature is accepted and its access key "
        "names the caller");
  }

  // The engine (--engine, docs/scale-out.md): what is particular to one
  // stays in ServeEngine; the services see engine::Engine only.
  if (auto refusal = EngineConfigRefusal(config)) {
    spdlog::error("{}", *refusal);
    return 1;
  }
  unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  SystemClock clock;
  const double start_time_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto opened_engine = ServeEngine::Open(config, clock);
  if (!opened_engine.ok()) {
    spdlog::error("{}", opened_engine.status().message());
    return 1;
  }
  ServeEngine& serve_engine = **opened_engine;
  engine::Engine& engine = serve_engine.engine();
  engine.set_queue_reuse_delay(std::chrono::seconds(config.queue_reuse_delay));
  boost::asio::io_context io(static_cast<int>(threads));

  // An engine whose calls block runs the handlers on threads of their own,
  // never on the io threads (docs/architecture.md, "Engines that block").
  std::optional<boost::asio::thread_pool> blocking;
  if (engine.blocking()) blocking.emplace(config.blocking_threads);
  boost::asio::any_io_executor handlers = io.get_executor();
  if (blocking) handlers = blocking->get_executor();
  // The queues' parsed Policy documents: the SQS service keeps them, SNS's
  // fan-out checks each copy it sends to a queue against them.
  auto queue_policies = std::make_shared<auth::PolicyCache>();
  sqs::SqsService sqs(engine, handlers,
                      sqs::SqsOptions{.region = config.region,
                                      .account_id = config.account_id,
                                      .queue_policies = queue_policies});
  std::optional<api::OffloadedService> offloaded_sqs;
  if (blocking) offloaded_sqs.emplace(sqs, blocking->get_executor(), io.get_executor());
  api::Service& sqs_service = offloaded_sqs ? static_cast<api::Service&>(*offloaded_sqs) : sqs;
  LateHandler front;
  auto tls = LoadTls(config);
  if (!tls.ok()) {
    spdlog::error("cannot start the HTTPS listener: {}", tls.status().message());
    return 1;
  }
  http::Server server(io, front,
                      http::Limits{.max_body_bytes = sqs::kMaxRequestBodyBytes,
                                   .max_connections = config.max_connections,
                                   .max_connections_per_client = config.max_connections_per_client});
  // The plain listener's port (none with --tls-only) and the HTTPS one's.
  std::optional<uint16_t> port;
  std::optional<uint16_t> tls_port;
  if (!config.tls_only) {
    auto bound = server.Listen(config.listen, config.port);
    if (!bound.ok()) {
      spdlog::error("cannot listen on {}:{}: {}", config.listen, config.port,
                    bound.status().message());
      return 1;
    }
    port = *bound;
  }
  if (*tls) {
    auto bound = server.ListenTls(config.listen, static_cast<uint16_t>(config.tls_port), *tls);
    if (!bound.ok()) {
      spdlog::error("cannot listen for HTTPS on {}:{}: {}", config.listen, config.tls_port,
                    bound.status().message());
      return 1;
    }
    tls_port = *bound;
  }

  // SNS: the key that signs its messages (kept in the keys directory, so
  // signatures stay verifiable across restarts and on every node), its
  // topics and subscriptions, and the service. Without --public-url, a request that
  // came over TLS gets URLs of the HTTPS listener (tls_public_url).
  const std::string public_url =
      port ? PublicUrl(config, "http", *port) : PublicUrl(config, "https", *tls_port);
  const std::string tls_public_url =
      tls_port && config.public_url.empty() ? PublicUrl(config, "https", *tls_port) : "";
  if (!public_url.starts_with("http://") && !public_url.starts_with("https://")) {
    spdlog::error("--public-url must begin with http:// or https://: {}", config.public_url);
    return 1;
  }
  // The SNS signing key and the STS session key (server_keys.h).
  auto keys = LoadServerKeys(config, HostOf(public_url));
  if (!keys.ok()) {
    spdlog::error("cannot load the server's keys: {}", keys.status().message());
    return 1;
  }
  const sns::SigningKey* signing_key = &keys->signing;
  sns::Registry registry(engine,
                         sns::RegistryOptions{.region = config.region,
                                              .account_id = config.account_id,
                                              .signing_key = signing_key,
                                              .public_url = public_url,
                                              .tls_public_url = tls_public_url,
                                              .refresh_on_miss = config.engine == "postgres"});
  if (Status loaded = registry.Load(); !loaded.ok()) {
    spdlog::error("cannot load the SNS topics and subscriptions: {}", loaded.message());
    return 1;
  }
  // The delivery worker of http(s) subscriptions drains the delivery queues
  // of registry.HttpSubscriptions() and learns of new, changed and removed
  // subscriptions (and topics' DeliveryPolicy) through registry.OnChange. It
  // calls the engine, so it runs where the handlers do.
  delivery::WorkerOptions delivery_options;
  delivery_options.tls_ca_file = config.sns_https_ca_file;
  delivery_options.tls_verify = !config.sns_https_insecure;
  if (config.sns_https_insecure) {
    spdlog::warn("SNS https deliveries do not verify certificates (--insecure-sns-https-no-verify)");
  }
  {
    // Loaded now, off the io threads, so that a bad CA file stops the start.
    http::ClientOptions tls;
    tls.tls_ca_file = delivery_options.tls_ca_file;
    tls.tls_verify = delivery_options.tls_verify;
    auto context = http::MakeTlsContext(tls);
    if (!context.ok()) {
      spdlog::error("--sns-https-ca-file: {}", context.status().message());
      return 1;
    }
    delivery_options.tls_context = std::move(*context);
  }
  // An unsubscribed http(s) subscription lives on until its
  // UnsubscribeConfirmation has been delivered (or given up).
  delivery_options.on_retired_drained = [&registry](const std::string& arn) {
    if (Status s = registry.Forget(arn); !s.ok()) {
      spdlog::warn("cannot forget the unsubscribed {}: {}", arn, s.message());
    }
  };
  delivery::DeliveryWorker deliveries(engine, handlers, delivery_options);
  registry.OnChange([&registry, &deliveries] { deliveries.SetTargets(DeliveryTargets(registry)); });
  deliveries.SetTargets(DeliveryTargets(registry));
  // Push consumers (FerryPushConsumer, src/push): the queues bound to an
  // endpoint, found by its Tick, POSTed with the trust options of SNS https
  // deliveries. Engine calls too, so where the handlers run.
  push::PushConsumers push_consumers(
      engine, handlers,
      push::PushOptions{.region = config.region,
                        .account_id = config.account_id,
                        .tls_ca_file = delivery_options.tls_ca_file,
                        .tls_verify = delivery_options.tls_verify,
                        .tls_context = delivery_options.tls_context});
  sns::SnsService sns(engine, registry, signing_key, handlers,
                      sns::SnsOptions{.region = config.region,
                                      .account_id = config.account_id,
                                      .public_url = public_url,
                                      .tls_public_url = tls_public_url,
                                      .queue_policies = queue_policies});
  std::optional<api::OffloadedService> offloaded_sns;
  if (blocking) offloaded_sns.emplace(sns, blocking->get_executor(), io.get_executor());
  api::Service& sns_service = offloaded_sns ? static_cast<api::Service&>(*offloaded_sns) : sns;

  // Accounts, keys and roles (--credentials), and the key that seals STS's
  // temporary credentials (from the keys directory, so they outlive a
  // restart and open on every node). Without a credentials file AssumeRole
  // admits any role.
  const auth::SessionSealer sealer(keys->session);
  std::unique_ptr<auth::CredentialStore> credentials;
  if (!config.credentials_file.empty()) {
    auto opened = auth::CredentialStore::Open(config.credentials_file, sealer);
    if (!opened.ok()) {
      spdlog::error("--credentials: {}", opened.status().message());
      return 1;
    }
    credentials = std::move(*opened);
  }
  const auth::OpenRoleDirectory open_roles;
  sts::StsService sts(sts::StsOptions{
      .account_id = config.account_id,
      .roles = credentials ? static_cast<const auth::RoleDirectory*>(credentials.get()) : &open_roles,
      .sealer = &sealer,
      .clock = &clock});
  // ---- Admin API (docs/admin-api.md, src/admin): the service on the
  // gateway, and the queue history the tick samples.
  admin::QueueHistory queue_history(engine, clock);
  admin::AdminService admin_api(
      engine, admin::AdminOptions{.region = config.region,
                                  .account_id = config.account_id,
                                  .version = FERRY_VERSION,
                                  .authenticated = credentials != nullptr,
                                  .engine = serve_engine.kind(),
                                  .data_dir = serve_engine.data_dir(),
                                  .in_memory = config.in_memory,
                                  .started_ms = clock.NowMs(),
                                  .ready = [&engine] { return engine.Health().ok(); },
                                  .topics = &registry,
                                  .history = &queue_history,
                                  .delivery_counts =
                                      [&deliveries] {
                                        std::map<std::string, admin::DeliveryCounts> out;
                                        for (const auto& [arn, s] : deliveries.stats()) {
                                          out[arn] = {s.attempts, s.successes,     s.failures,
                                                      s.retries,  s.dead_lettered, s.dropped};
                                        }
                                        return out;
                                      }});
  std::optional<api::OffloadedService> offloaded_admin;
  if (blocking) offloaded_admin.emplace(admin_api, blocking->get_executor(), io.get_executor());
  api::Service& admin_service =
      offloaded_admin ? static_cast<api::Service&>(*offloaded_admin) : admin_api;
  // ---- end of the admin API

  // ---- Metrics (docs/metrics.md): /metrics on the API listeners, or with
  // --metrics-listen only on that second listener; --no-metrics: none.
  // request_metrics is the RequestObserver of the gateway's requests.
  metrics::Metrics metrics_registry;
  auto request_metrics =
      std::make_shared<metrics::RequestMetrics>(std::vector<const api::Service*>{&sqs, &sns, &sts, &admin_api});
  if (config.metrics) {
    metrics_registry.Add(request_metrics);
    metrics_registry.Add(std::make_shared<metrics::QueueCollector>(
        engine,
        metrics::QueueLabelOptions{.account_id = config.account_id, .region = config.region}));
    metrics_registry.Add(std::make_shared<metrics::TopicCollector>(registry));
    metrics::ServerSources sources{
        .version = FERRY_VERSION,
        .start_time_seconds = start_time_s,
        .open_connections = [&server] { return server.open_connections(); }};
    serve_engine.AddMetricSources(sources);
    metrics_registry.Add(std::make_shared<metrics::ServerCollector>(std::move(sources)));
  }
  metrics::MetricsHandler metrics_handler(metrics_registry);
  const bool metrics_on_api = config.metrics && config.metrics_listen.empty();
  // ---- end of metrics

  // Request log (docs/logging.md): with --access-log a record per request,
  // else only server errors and refused signatures, rate-limited.
  AccessLog access_log(config.access_log, clock);
  // With --credentials every request's signature is verified against its
  // keys; without, open mode (protected_mode.h).
  protocol::Gateway gateway(protocol::GatewayOptions{.region = config.region,
                                                    .account_id = config.account_id,
                                                    .resolver = credentials.get(),
                                                    .debug_signatures = config.debug_signatures,
                                                    .clock = &clock,
                                                    .sessions = &sealer,
                                                    .observers = {&access_log, request_metrics.get()}},
                            {&sqs_service, &sns_service, &sts, &admin_service});
  // /health and the SNS signing certificate beside the AWS gateway; every
  // AWS request stays the gateway's (protocol/aws_request.h).
  http::HealthHandler health;
  // /ready: the store recovered (the server listens only after that) and
  // takes durable writes now (docs/health.md).
  http::ReadyHandler ready([&engine] { return engine.Health(); });
  CertificateHandler certificate(signing_key->certificate_pem());
  std::vector<http::Route> routes{
      {.path = "/health", .methods = {"GET", "HEAD"}, .handler = &health},
      {.path = "/ready", .methods = {"GET", "HEAD"}, .handler = &ready},
      {.path = signing_key->certificate_path(),
       .methods = {"GET", "HEAD"},
       .handler = &certificate}};
  if (metrics_on_api) {
    routes.push_back({.path = "/metrics", .methods = {"GET", "HEAD"}, .handler = &metrics_handler});
  }
  // --- web console (docs/console.md): static files under /console/; the
  // page signs its own API calls, so it needs nothing else of the server.
  console::ConsoleHandler console_handler;
  if (config.console) {
    for (std::string_view path : {console::kConsolePath, console::kConsolePrefix}) {
      routes.push_back({.path = std::string(path),
                        .match = path.ends_with('/') ? http::Route::Match::kPrefix
                                                     : http::Route::Match::kExact,
                        .methods = {"GET", "HEAD"},
                        .handler = &console_handler});
    }
  }
  // --- end of web console
  http::Router router(gateway, &protocol::IsAwsRequest, std::move(routes));
  front.target = &router;
  // ---- The operations listener (--metrics-listen): /metrics, /health and /ready only.
  std::optional<metrics::AdminListener> ops_listener;
  if (!config.metrics_listen.empty()) {
    std::vector<http::Route> admin_routes{
        {.path = "/health", .methods = {"GET", "HEAD"}, .handler = &health},
        {.path = "/ready", .methods = {"GET", "HEAD"}, .handler = &ready}};
    if (config.metrics) {
      admin_routes.push_back(
          {.path = "/metrics", .methods = {"GET", "HEAD"}, .handler = &metrics_handler});
    }
    ops_listener.emplace(io, std::move(admin_routes));
    auto bound = ops_listener->Listen(config.metrics_listen);
    if (!bound.ok()) {
      spdlog::error("--metrics-listen {}: {}", config.metrics_listen, bound.status().message());
      return 1;
    }
    spdlog::info("operations listener on {} (port {}): /metrics, /health, /ready", config.metrics_listen,
                 *bound);
  }
  // ---- end of the operations listener
  if (port) gateway.SetListeningPort(*port);
  if (tls_port) gateway.SetTlsListeningPort(*tls_port);

  // The engine's tick, and what drains it, runs where engine calls may:
  // the blocking pool when they block. The registry follows topics and
  // subscriptions other nodes change (after the engine's tick, which reads
  // the catalog's version); a failed read is tried again at the next tick.
  Ticker ticker(io, handlers, [&engine, &registry, &deliveries, &push_consumers, &queue_history] {
    engine.Tick();
    (void)registry.Refresh();
    deliveries.Tick();
    push_consumers.Tick();
    queue_history.Tick();
  });
  ticker.Start();

  // SIGHUP reloads what can change without a restart: each piece that can
  // (credentials, TLS certificates, declared resources) adds its reloader
  // here before the io threads start; they run in order on an io thread.
  std::vector<std::function<void()>> reloaders;
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_hangup =
      [&](boost::system::error_code ec, int) {
        if (ec) return;
        spdlog::info("SIGHUP: reloading");
        for (auto& reload : reloaders) reload();
        hangup.async_wait(on_hangup);
      };
  hangup.async_wait(on_hangup);
  if (*tls) {
    // A certificate that cannot be loaded leaves the one in use.
    reloaders.push_back([tls = *tls] {
      if (Status s = tls->Reload(); !s.ok()) {
        spdlog::error("TLS certificate not reloaded, the old one stays in use: {}", s.message());
      } else {
        spdlog::info("TLS certificate reloaded from {}", tls->cert_file());
      }
    });
  }
  if (credentials) {
    reloaders.push_back([&credentials] {
      Result<auth::ReloadReport> report = credentials->Reload();
      if (!report.ok()) {
        spdlog::error("credentials not reloaded, the previous ones stay: {}",
                      report.status().message());
        return;
      }
      spdlog::info("credentials reloaded from {}: {}", credentials->path(), report->Summary());
    });
  }

  boost::asio::steady_timer grace(io);
  std::atomic<int> stop_io_waits{3};
  auto stop_io = [&io, &stop_io_waits] {
    if (--stop_io_waits == 0) io.stop();
  };
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signo);
    server.Stop();
    if (ops_listener) ops_listener->Stop();
    ticker.Stop();
    hangup.cancel();
    // The io threads stop once the grace period is over and the delivery
    // worker's attempts and the push consumers' batches have ended (their
    // pooled connections live on them).
    deliveries.Stop(stop_io);
    push_consumers.Stop(stop_io);
    grace.expires_after(kShutdownGrace);
    grace.async_wait([&](boost::system::error_code) { stop_io(); });
  });

  // ---- Declarative resources (--resources, docs/resources.md) ----
  // A file that does not validate stops the start; one that does is applied
  // before "listening on" is printed, by BackgroundApply's thread (the
  // services answer on the io threads, which this thread runs meanwhile),
  // and again on each SIGHUP.
  std::optional<api::LocalInvoker> resources_invoker;
  std::optional<resources::BackgroundApply> resources_apply;
  if (!config.resources_file.empty()) {
    if (auto spec = resources::ParseSpecFile(config.resources_file); !spec.ok()) {
      spdlog::error("--resources: {}", spec.status().message());
      return 1;
    }
    resources_invoker.emplace(
        std::vector<api::Service*>{&sqs_service, &sns_service},
        api::LocalInvokerOptions{.account_id = config.account_id,
                                 .region = config.region,
                                 .host = public_url.substr(public_url.find("://") + 3),
                                 .scheme = public_url.substr(0, public_url.find("://"))});
    resources_apply.emplace(config.resources_file, *resources_invoker,
                            [&io] { boost::asio::post(io, [] {}); });
    reloaders.push_back([&resources_apply] { resources_apply->Request(); });
    resources_apply->Request();
    auto work = boost::asio::make_work_guard(io);
    while (resources_apply->applies_done() == 0 && !io.stopped()) io.run_one();
  }
  // ---- end of declarative resources ----

  // "listening on http://h:p (" — the e2e harnesses read it — then the
  // HTTPS listener: "http://h:p, https://h:tp (", or "https://h:tp (" alone.
  std::string host = config.listen.find(':') != std::string::npos ? "[" + config.listen + "]"
                                                                    : config.listen;
  std::string listeners;
  if (port) listeners = "http://" + host + ":" + std::to_string(*port);
  if (tls_port) {
    if (!listeners.empty()) listeners += ", ";
    listeners += "https://" + host + ":" + std::to_string(*tls_port);
  }
  // The engine part: "data <dir>" or "engine postgres host:port/db".
  std::printf("Ferry %s listening on %s (mode %s, region %s, account %s, %s, public %s)\n",
              FERRY_VERSION, listeners.c_str(), credentials ? "authenticated" : "open",
              config.region.c_str(), config.account_id.c_str(), serve_engine.where().c_str(),
              public_url.c_str());
  std::fflush(stdout);
  // The same, as a record of the log stream for pipelines (docs/logging.md).
  if (CurrentLogFormat() != LogFormat::kText) {
    LogFields(spdlog::level::info, "listening",
              {{"version", FERRY_VERSION},
               {"listeners", listeners},
               {"mode", credentials ? "authenticated" : "open"},
               {"region", config.region},
               {"account", config.account_id},
               {"engine", serve_engine.kind()},
               {"data_dir", serve_engine.data_dir()},
               {"public_url", public_url}});
  }

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  if (blocking) {
    // Handlers still running use the services: end them while those live.
    blocking->stop();
    blocking->join();
  }
  serve_engine.LogSummary();
  spdlog::info("stopped");
  return 0;
}

}  // namespace ferry::app
