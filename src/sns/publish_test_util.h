// Test fixture for publish and fan-out: an in-memory engine, a signing key,
// topics and subscriptions built from model.h (no registry), and reads of
// what landed in a queue.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/call.h"
#include "common/clock.h"
#include "engine/body_store.h"
#include "engine/local_engine.h"
#include "message/payload.h"
#include "sns/model.h"
#include "sns/publish.h"
#include "sns/signing_key.h"

namespace ferry::sns::testing {

inline constexpr std::string_view kAccount = "123456789012";
inline constexpr std::string_view kPublicUrl = "http://localhost:9324";

// One message as a consumer of the queue sees it.
struct Stored {
  std::string payload;
  std::string body;
  std::string group_id;
  std::vector<message::MessageAttribute> attributes;
  std::vector<message::MessageAttribute> system_attributes;
};

class PublishTest : public ::testing::Test {
 protected:
  // One RSA key for the suite: generating one takes a noticeable moment.
  static void SetUpTestSuite() {
    if (key_ != nullptr) return;
    Result<SigningKey> k = CreateSigningKey("localhost");
    ASSERT_TRUE(k.ok()) << k.status().message();
    key_ = new SigningKey(std::move(k).value());
  }
  static const SigningKey& key() { return *key_; }

  PublishTest() : engine_(clock_, engine::NewMemoryBodyStore()) {
    clock_.Set(1548909424321);  // 2019-01-31T04:37:04.321Z
  }

  PublishContext Context() {
    PublishContext ctx{.engine = engine_, .signing_key = key_, .public_url = std::string(kPublicUrl)};
    ctx.find_topic = [this](std::string_view arn) -> std::shared_ptr<const Topic> {
      auto it = topics_.find(std::string(arn));
      return it == topics_.end() ? nullptr : it->second;
    };
    ctx.counters = &counters_;
    return ctx;
  }

  // A topic (FIFO when the name ends in ".fifo"), with its deduplication
  // queue for FIFO topics.
  std::shared_ptr<Topic> MakeTopic(const std::string& name) {
    auto t = std::make_shared<Topic>();
    t->name = name;
    t->account = std::string(kAccount);
    t->region = "us-east-1";
    t->arn = "arn:aws:sns:us-east-1:" + t->account + ":" + name;
    t->fifo = name.ends_with(".fifo");
    if (t->fifo) {
      t->dedup_queue_key = DedupQueueKey(name);
      engine::QueueSettings s;
      s.fifo = true;
      EXPECT_TRUE(engine_.CreateQueue(t->dedup_queue_key, s, {}).ok());
    }
    topics_[t->arn] = t;
    return t;
  }

  // A confirmed sqs subscription of `topic` to a new queue named `queue`.
  std::shared_ptr<Subscription> SubscribeQueue(Topic& topic, const std::string& queue,
                                               bool raw = false) {
    engine::QueueSettings s;
    s.fifo = queue.ends_with(".fifo");
    EXPECT_TRUE(engine_.CreateQueue(queue, s, {}).ok());
    auto sub = NewSubscription(topic, Protocol::kSqs);
    sub->endpoint = "arn:aws:sqs:us-east-1:123456789012:" + queue;
    sub->queue_key = queue;
    sub->raw = raw;
    topic.subscriptions.push_back(sub);
    return sub;
  }

  // A confirmed http subscription with its delivery queue.
  std::shared_ptr<Subscription> SubscribeHttp(Topic& topic, bool raw = false) {
    auto sub = NewSubscription(topic, Protocol::kHttp);
    sub->endpoint = "http://example.com/hook";
    sub->queue_key = DeliveryQueueKey(sub->id);
    sub->raw = raw;
    EXPECT_TRUE(engine_.CreateQueue(sub->queue_key, {}, {}).ok());
    topic.subscriptions.push_back(sub);
    return sub;
  }

  std::shared_ptr<Subscription> NewSubscription(const Topic& topic, Protocol p) {
    auto sub = std::make_shared<Subscription>();
    sub->id = "00000000-0000-0000-0000-" + std::to_string(100000000000 + ++subscriptions_);
    sub->arn = topic.arn + ":" + sub->id;
    sub->topic_arn = topic.arn;
    sub->protocol = p;
    sub->confirmed = true;
    return sub;
  }

  static api::Call MakeCall(std::string_view action, std::string_view params_json) {
    api::Call call;
    call.service = "sns";
    call.action = std::string(action);
    call.params = boost::json::parse(params_json).as_object();
    call.ctx.wire = api::Wire::kJson;
    return call;
  }

  Result<boost::json::object> Publish(std::string_view params_json) {
    return sns::Publish(Context(), MakeCall("Publish", params_json));
  }
  Result<boost::json::object> PublishBatch(std::string_view params_json) {
    return sns::PublishBatch(Context(), MakeCall("PublishBatch", params_json));
  }

  // Receives (and leaves in flight) every visible message of `queue`.
  std::vector<Stored> Drain(const std::string& queue) {
    std::vector<Stored> out;
    auto q = engine_.FindQueue(queue);
    EXPECT_NE(q, nullptr) << queue;
    if (q == nullptr) return out;
    for (;;) {
      engine::ReceiveRequest req;
      req.max_messages = 10;
      auto got = q->Receive(req);
      EXPECT_TRUE(got.ok());
      if (!got.ok() || got->empty()) return out;
      for (engine::ReceivedMessage& m : *got) {
        Stored s;
        s.payload = m.payload;
        s.group_id = m.group_id;
        auto p = message::DecodePayload(m.payload);
        if (p) {
          s.body = std::string(p->body);
          for (const auto& a : p->attributes) {
            s.attributes.push_back(
                {std::string(a.name), std::string(a.data_type), a.binary, std::string(a.value)});
          }
          for (const auto& a : p->system_attributes) {
            s.system_attributes.push_back(
                {std::string(a.name), std::string(a.data_type), a.binary, std::string(a.value)});
          }
        }
        out.push_back(std::move(s));
      }
    }
  }

  inline static SigningKey* key_ = nullptr;
  FakeClock clock_;
  engine::LocalEngine engine_;
  std::map<std::string, std::shared_ptr<const Topic>> topics_;
  PublishCounters counters_;
  int subscriptions_ = 0;
};

}  // namespace ferry::sns::testing
