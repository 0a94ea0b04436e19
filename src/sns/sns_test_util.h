// Test fixture for the SNS handlers: a real engine (in memory by default)
// with a FakeClock, the registry over it, the service, and functions that call
// SnsService::Invoke with params written as JSON text, on either wire.
//
// Thread-safety: single-threaded, like the tests that use it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "common/clock.h"
#include "engine/local_engine.h"
#include "sns/delivery_item.h"
#include "sns/registry.h"
#include "sns/service.h"
#include "sqs/sqs_test_util.h"

namespace ferry::sns {

class SnsFixture {
 public:
  using Answer = Result<boost::json::object>;
  using EngineFactory = sqs::SqsFixture::EngineFactory;

  explicit SnsFixture(const EngineFactory& make = {})
      : owned_engine(
            make ? make(clock)
                 : std::make_unique<engine::LocalEngine>(clock, engine::NewMemoryBodyStore())),
        engine(*owned_engine),
        registry(engine, RegistryOptions{}),
        service(engine, registry, nullptr, io.get_executor(), SnsOptions{}) {
    EXPECT_TRUE(registry.Load().ok());
  }

  FakeClock clock;
  std::unique_ptr<engine::Engine> owned_engine;
  engine::Engine& engine;
  boost::asio::io_context io;
  Registry registry;
  SnsService service;
  api::Wire wire = api::Wire::kQuery;
  std::string account = "000000000000";
  std::string access_key = "AKIDEXAMPLE";

  api::Call MakeCall(std::string_view action, std::string_view params_json) const {
    api::Call call;
    call.service = "sns";
    call.action = std::string(action);
    boost::json::value v = boost::json::parse(params_json.empty() ? "{}" : params_json);
    if (wire == api::Wire::kQuery) v = sqs::ToQueryForm(v);
    call.params = std::move(v.as_object());
    call.ctx.request_id = "test";
    call.ctx.wire = wire;
    call.ctx.host = "localhost:9324";
    call.ctx.path = "/";
    call.ctx.region = "us-east-1";
    call.ctx.account_id = account;
    call.ctx.access_key = access_key;
    return call;
  }

  Answer Call(std::string_view action, std::string_view json) {
    std::optional<Answer> slot;
    int replies = 0;
    service.Invoke(MakeCall(action, json), [&](Answer a) {
      ++replies;
      slot = std::move(a);
    });
    // A durable engine's answers are posted to the executor.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!slot.has_value() && std::chrono::steady_clock::now() < end) {
      io.restart();
      io.run_one_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(replies, 1);
    if (!slot) return Status::Internal("no reply");
    return std::move(*slot);
  }

  boost::json::object Ok(std::string_view action, std::string_view json) {
    Answer a = Call(action, json);
    EXPECT_TRUE(a.ok()) << action << ": " << a.status().message();
    return a.ok() ? std::move(a).value() : boost::json::object();
  }

  // The AWS error code of a call that must fail; its message in `*message`.
  std::string Fails(std::string_view action, std::string_view json,
                    std::string* message = nullptr) {
    Answer a = Call(action, json);
    EXPECT_FALSE(a.ok()) << action << " succeeded: " << boost::json::serialize(a.value());
    if (a.ok()) return "";
    if (message) *message = a.status().message();
    return std::string(api::ErrorFor(a.status()).code);
  }

  std::string CreateTopic(std::string_view name, std::string_view attributes_json = "{}") {
    boost::json::object params{{"Name", name}, {"Attributes", boost::json::parse(attributes_json)}};
    auto out = Ok("CreateTopic", boost::json::serialize(params));
    return out.contains("TopicArn") ? std::string(out["TopicArn"].as_string()) : "";
  }

  // Subscribes and answers the subscription's ARN (ReturnSubscriptionArn).
  std::string Subscribe(std::string_view topic, std::string_view protocol,
                        std::string_view endpoint, std::string_view attributes_json = "{}") {
    boost::json::object params{{"TopicArn", topic},
                               {"Protocol", protocol},
                               {"Endpoint", endpoint},
                               {"ReturnSubscriptionArn", true},
                               {"Attributes", boost::json::parse(attributes_json)}};
    auto out = Ok("Subscribe", boost::json::serialize(params));
    return out.contains("SubscriptionArn") ? std::string(out["SubscriptionArn"].as_string()) : "";
  }

  // The attributes GetTopicAttributes / GetSubscriptionAttributes answer.
  boost::json::object TopicAttributes(std::string_view topic) {
    auto out = Ok("GetTopicAttributes", boost::json::serialize(boost::json::object{{"TopicArn", topic}}));
    return out.contains("Attributes") ? out["Attributes"].as_object() : boost::json::object();
  }
  boost::json::object SubscriptionAttributes(std::string_view sub) {
    auto out = Ok("GetSubscriptionAttributes",
                  boost::json::serialize(boost::json::object{{"SubscriptionArn", sub}}));
    return out.contains("Attributes") ? out["Attributes"].as_object() : boost::json::object();
  }

  // The delivery items waiting in an internal queue, received (and so
  // hidden for the visibility timeout).
  std::vector<std::string> ReceiveItems(const std::string& queue_key, std::string* types = nullptr) {
    std::vector<std::string> bodies;
    auto queue = engine.FindQueue(queue_key);
    if (!queue) return bodies;
    engine::ReceiveRequest req;
    req.max_messages = 10;
    auto got = queue->Receive(req);
    if (!got.ok()) return bodies;
    for (const auto& m : *got) {
      auto item = DecodeDeliveryItem(m.payload);
      if (!item) continue;
      if (types) types->append(item->type).append(";");
      bodies.emplace_back(item->body);
    }
    return bodies;
  }
};

// Params written as a JSON object, as the JSON text the calls take.
inline std::string Json(const boost::json::object& o) { return boost::json::serialize(o); }

// Shorthand: a string member of a JSON object.
inline std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

// A JSON string as std::string (empty for anything else), for comparisons.
inline std::string S(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "";
}

}  // namespace ferry::sns
