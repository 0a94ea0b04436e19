// Test helper: a real http::Server on a free loopback port and an io thread
// of its own, whose answers the test scripts. For the tests of what speaks
// HTTP outbound: the pooled client, SNS deliveries, push consumers.
//
// Thread-safety: every method may be called from the test's thread while
// the server's thread answers; mu_ guards the script and what was seen.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/server.h"

namespace ferry::http::testing {

class ScriptedServer : public Handler {
 public:
  // The answer to a request; nullopt holds it unanswered while the test runs.
  using Script = std::function<std::optional<Response>(const Request&)>;

  ScriptedServer() : server_(io_, *this) {
    auto port = server_.Listen("127.0.0.1", 0);
    EXPECT_TRUE(port.ok());
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedServer() override {
    server_.Stop();
    {
      std::lock_guard lock(mu_);
      held_.clear();
    }
    work_.reset();
    io_.stop();
    thread_.join();
  }

  void Handle(const Request& req, Responder respond) override {
    std::lock_guard lock(mu_);
    requests_.push_back(req);
    std::optional<Response> r = script_ ? script_(req) : Response{};
    if (!r) {
      held_.push_back(std::move(respond));
      return;
    }
    respond(std::move(*r));
  }

  // How to answer from now on; by default an empty 200.
  void Answer(Script script) {
    std::lock_guard lock(mu_);
    script_ = std::move(script);
  }
  // Answers nothing more while the test runs.
  void Hold() {
    Answer([](const Request&) { return std::nullopt; });
  }

  size_t request_count() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  Request request(size_t i) {
    std::lock_guard lock(mu_);
    return requests_.at(i);
  }
  uint16_t port() const { return port_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  Server server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  Script script_;                  // guarded by mu_
  std::vector<Request> requests_;  // guarded by mu_
  std::vector<Responder> held_;    // guarded by mu_
};

}  // namespace ferry::http::testing
