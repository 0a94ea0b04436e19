// Fuzzes what a publisher controls of an SNS Publish (sns/publish.h): the
// input is the message of a MessageStructure=json publish and, cut in two at
// its first NUL byte, the Subject and a String.Array attribute's value, then
// again as the body of a message whose subscriptions filter on the body
// (FilterPolicyScope MessageBody). The topic has a raw and an enveloped SQS
// subscription and an http one, in an in-memory engine, unsigned. Every
// publish must either succeed, leaving one decodable copy in each queue it
// reached, or be refused with a client error; the same input published again
// must get the same answer.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "common/clock.h"
#include "engine/local_engine.h"
#include "message/payload.h"
#include "sns/delivery_item.h"
#include "sns/filter_policy.h"
#include "sns/model.h"
#include "sns/publish.h"

namespace {

using namespace ferry;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kTopicArn = "arn:aws:sns:us-east-1:000000000000:fuzz";

struct World {
  FakeClock clock;
  engine::LocalEngine engine{clock, engine::NewMemoryBodyStore()};
  std::shared_ptr<sns::Topic> topic = std::make_shared<sns::Topic>();

  World() {
    clock.Set(1548909424321);
    topic->arn = std::string(kTopicArn);
    topic->name = "fuzz";
    topic->account = "000000000000";
    topic->region = "us-east-1";
    Add(sns::Protocol::kSqs, "raw", true);
    Add(sns::Protocol::kSqs, "enveloped", false);
    Add(sns::Protocol::kHttp, "hook", false);
    auto filtered = Add(sns::Protocol::kSqs, "filtered", false);
    auto policy = sns::CompileFilterPolicy(R"({"kind": [{"prefix": "a"}], "n": [{"numeric": [">", 1]}]})",
                                           sns::FilterScope::kMessageBody);
    Check(policy.ok());
    filtered->filter = std::make_shared<const sns::FilterPolicy>(std::move(policy).value());
  }

  std::shared_ptr<sns::Subscription> Add(sns::Protocol p, const std::string& name, bool raw) {
    auto sub = std::make_shared<sns::Subscription>();
    sub->id = name;
    sub->arn = topic->arn + ":" + name;
    sub->topic_arn = topic->arn;
    sub->protocol = p;
    sub->confirmed = true;
    sub->raw = raw;
    sub->queue_key = p == sns::Protocol::kSqs ? name : sns::DeliveryQueueKey(name);
    Check(engine.CreateQueue(sub->queue_key, {}, {}).ok());
    topic->subscriptions.push_back(sub);
    return sub;
  }

  sns::PublishContext Context() {
    sns::PublishContext ctx{.engine = engine, .signing_key = nullptr,
                            .public_url = "http://localhost:9324"};
    ctx.find_topic = [this](std::string_view arn) -> std::shared_ptr<const sns::Topic> {
      return arn == topic->arn ? topic : nullptr;
    };
    return ctx;
  }

  // Publishes, checks the answer's kind, and drains every queue, checking
  // each copy decodes. Returns whether the publish succeeded.
  bool Publish(const boost::json::object& params) {
    api::Call call;
    call.service = "sns";
    call.action = "Publish";
    call.params = params;
    call.ctx.wire = api::Wire::kJson;
    Result<boost::json::object> r = sns::Publish(Context(), call);
    if (!r.ok()) {
      // A refusal of the caller's input, never a server error.
      Check(r.status().code() != Code::kInternal && r.status().code() != Code::kUnavailable);
      return false;
    }
    Check(r->contains("MessageId"));
    for (const auto& sub : topic->subscriptions) {
      auto queue = engine.FindQueue(sub->queue_key);
      engine::ReceiveRequest req;
      req.max_messages = 10;
      auto got = queue->Receive(req);
      Check(got.ok() && got->size() <= 1);
      for (const auto& m : *got) {
        if (sub->protocol == sns::Protocol::kSqs) {
          Check(message::DecodePayload(m.payload).has_value());
        } else {
          Check(sns::DecodeDeliveryItem(m.payload).has_value());
        }
        Check(queue->Delete(m.receipt_handle).ok());
      }
    }
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  const std::string input(reinterpret_cast<const char*>(data), size);

  boost::json::object structured{{"TopicArn", kTopicArn},
                                 {"Message", input},
                                 {"MessageStructure", "json"}};
  const bool first = world->Publish(structured);
  Check(world->Publish(structured) == first);

  const size_t cut = input.find('\0');
  const std::string subject = input.substr(0, cut);
  const std::string value = cut == std::string::npos ? std::string() : input.substr(cut + 1);
  boost::json::object attributed{
      {"TopicArn", kTopicArn},
      {"Message", "body"},
      {"Subject", subject},
      {"MessageAttributes",
       boost::json::object{{"list", boost::json::object{{"DataType", "String.Array"},
                                                        {"StringValue", value}}},
                           {"n", boost::json::object{{"DataType", "Number"},
                                                     {"StringValue", value}}}}}};
  world->Publish(attributed);

  boost::json::object plain{{"TopicArn", kTopicArn}, {"Message", input}};
  world->Publish(plain);
  return 0;
}
