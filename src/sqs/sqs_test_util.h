// Test fixture for the SQS handlers: a real engine over a memory body store
// with a FakeClock, an io_context for long polls, and helpers that call
// SqsService::Invoke with params written as JSON text, on either wire.
//
// Thread-safety: single-threaded, like the tests that use it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "common/clock.h"
#include "engine/local_engine.h"
#include "sqs/service.h"

namespace ferry::sqs {

// The form a Query request gives params: every scalar as text.
inline boost::json::value ToQueryForm(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      boost::json::object out;
      for (const auto& kv : v.get_object()) out.emplace(kv.key(), ToQueryForm(kv.value()));
      return out;
    }
    case boost::json::kind::array: {
      boost::json::array out;
      for (const auto& e : v.get_array()) out.push_back(ToQueryForm(e));
      return out;
    }
    case boost::json::kind::string:
    case boost::json::kind::null:
      return v;
    default:
      return boost::json::value(boost::json::serialize(v));
  }
}

// An engine factory for SqsFixture: a durable LocalEngine with 1 MiB
// segments in `dir`, opened on the fixture's clock; `ops` and `retry` as in
// engine::DurableOptions (fault tests).
inline std::function<std::unique_ptr<engine::Engine>(const Clock&)> DurableEngineIn(
    const std::string& dir, storage::FileOps* ops = nullptr,
    std::chrono::milliseconds retry = engine::DurableOptions{}.retry_interval) {
  engine::DurableOptions options;
  options.dir = dir;
  options.segment_bytes = 1u << 20;
  options.file_ops = ops;
  options.retry_interval = retry;
  return [options](const Clock& clock) -> std::unique_ptr<engine::Engine> {
    auto opened = engine::LocalEngine::OpenDurable(clock, options);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  };
}

class SqsFixture {
 public:
  using Answer = Result<boost::json::object>;
  // Makes the engine the service runs on; by default an in-memory one.
  using EngineFactory = std::function<std::unique_ptr<engine::Engine>(const Clock&)>;

  explicit SqsFixture(const EngineFactory& make = {})
      : owned_engine(
            make ? make(clock)
                 : std::make_unique<engine::LocalEngine>(clock, engine::NewMemoryBodyStore())),
        engine(*owned_engine),
        service(engine, io.get_executor(), SqsOptions{}) {}

  FakeClock clock;
  std::unique_ptr<engine::Engine> owned_engine;
  engine::Engine& engine;
  boost::asio::io_context io;
  SqsService service;
  api::Wire wire = api::Wire::kJson;

  api::Call MakeCall(std::string_view action, std::string_view params_json) const {
    api::Call call;
    call.service = "sqs";
    call.action = std::string(action);
    boost::json::value v = boost::json::parse(params_json.empty() ? "{}" : params_json);
    if (wire == api::Wire::kQuery) v = ToQueryForm(v);
    call.params = std::move(v.as_object());
    call.ctx.request_id = "test";
    call.ctx.wire = wire;
    call.ctx.host = "localhost:9324";
    call.ctx.path = "/";
    call.ctx.region = "us-east-1";
    call.ctx.account_id = "000000000000";
    return call;
  }

  // Starts a call; the answer appears in the returned slot when it is given.
  std::shared_ptr<std::optional<Answer>> Start(api::Call call) {
    auto slot = std::make_shared<std::optional<Answer>>();
    auto replies = std::make_shared<int>(0);
    service.Invoke(std::move(call), [slot, replies](Answer a) {
      ++*replies;
      EXPECT_EQ(*replies, 1) << "replied more than once";
      *slot = std::move(a);
    });
    return slot;
  }
  std::shared_ptr<std::optional<Answer>> Start(std::string_view action, std::string_view json) {
    return Start(MakeCall(action, json));
  }

  // Runs the io_context until `slot` is filled or `limit` passes.
  void RunUntil(const std::shared_ptr<std::optional<Answer>>& slot,
                std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto end = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!slot->has_value() && std::chrono::steady_clock::now() < end) {
      io.run_one_for(std::chrono::milliseconds(10));
      io.restart();
    }
  }

  Answer Call(api::Call call) {
    auto slot = Start(std::move(call));
    RunUntil(slot);
    if (!slot->has_value()) return Status::Internal("no reply");
    return std::move(**slot);
  }
  Answer Call(std::string_view action, std::string_view json) {
    return Call(MakeCall(action, json));
  }

  // The result of a call that must succeed.
  boost::json::object Ok(std::string_view action, std::string_view json) {
    Answer a = Call(action, json);
    EXPECT_TRUE(a.ok()) << action << ": " << a.status().message();
    return a.ok() ? std::move(a).value() : boost::json::object();
  }

  // The AWS error code (JSON form) of a call that must fail, and its message.
  std::string Fails(std::string_view action, std::string_view json,
                    std::string* message = nullptr) {
    Answer a = Call(action, json);
    EXPECT_FALSE(a.ok()) << action << " succeeded: " << boost::json::serialize(a.value());
    if (a.ok()) return "";
    if (message) *message = a.status().message();
    return std::string(api::ErrorFor(a.status()).code);
  }

  std::string CreateQueue(std::string_view name, std::string_view attributes_json = "{}") {
    boost::json::object params;
    params["QueueName"] = name;
    params["Attributes"] = boost::json::parse(attributes_json);
    auto out = Ok("CreateQueue", boost::json::serialize(params));
    return out.contains("QueueUrl") ? std::string(out["QueueUrl"].as_string()) : "";
  }
};

// Runs a test body on both wires.
class SqsTest : public ::testing::TestWithParam<api::Wire>, public SqsFixture {
 public:
  SqsTest() { wire = GetParam(); }

  static std::string WireName(const ::testing::TestParamInfo<api::Wire>& info) {
    return info.param == api::Wire::kJson ? "Json" : "Query";
  }
};

#define FERRY_SQS_BOTH_WIRES(suite)                                                              \
  INSTANTIATE_TEST_SUITE_P(Wires, suite, ::testing::Values(api::Wire::kJson, api::Wire::kQuery), \
                           suite::WireName)

// Shorthand for JSON text in tests.
inline std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

}  // namespace ferry::sqs
