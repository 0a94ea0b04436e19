#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "engine/engine.h"
#include "http/server.h"
#include "protocol/gateway.h"
#include "sqs/service.h"
#include "sts/sts_service.h"

namespace ferry::app {
namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(100);
// How long in-flight requests may finish after a stop signal.
constexpr auto kShutdownGrace = std::chrono::milliseconds(500);

void ScheduleTick(boost::asio::steady_timer& timer, engine::Engine& engine) {
  timer.expires_after(kTickInterval);
  timer.async_wait([&timer, &engine](boost::system::error_code ec) {
    if (ec) return;
    engine.Tick();
    ScheduleTick(timer, engine);
  });
}

}  // namespace

int RunServer(const ServeConfig& config) {
  std::error_code fs_ec;
  std::filesystem::create_directories(config.data_dir, fs_ec);
  if (fs_ec) {
    spdlog::error("cannot create data directory {}: {}", config.data_dir, fs_ec.message());
    return 1;
  }

  unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  SystemClock clock;
  engine::Engine engine(clock, engine::NewMemoryBodyStore());
  boost::asio::io_context io(static_cast<int>(threads));

  sqs::SqsService sqs(engine, io.get_executor(),
                      sqs::SqsOptions{.region = config.region, .account_id = config.account_id});
  sts::StsService sts(config.account_id);
  protocol::Gateway gateway(
      protocol::GatewayOptions{.region = config.region, .account_id = config.account_id},
      {&sqs, &sts});
  http::Server server(io, gateway);
  auto port = server.Listen(config.listen, config.port);
  if (!port.ok()) {
    spdlog::error("cannot listen on {}:{}: {}", config.listen, config.port, port.status().message());
    return 1;
  }

  boost::asio::steady_timer tick(io);
  ScheduleTick(tick, engine);

  boost::asio::steady_timer grace(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signo);
    server.Stop();
    tick.cancel();
    grace.expires_after(kShutdownGrace);
    grace.async_wait([&](boost::system::error_code) { io.stop(); });
  });

  std::string host = config.listen.find(':') != std::string::npos ? "[" + config.listen + "]"
                                                                    : config.listen;
  std::printf("Ferry %s listening on http://%s:%u (region %s, account %s, data %s)\n",
              FERRY_VERSION, host.c_str(), static_cast<unsigned>(*port), config.region.c_str(),
              config.account_id.c_str(), config.data_dir.c_str());
  std::fflush(stdout);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace ferry::app
