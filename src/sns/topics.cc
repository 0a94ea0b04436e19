// CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes and
// SetTopicAttributes.
#include <array>

#include "delivery/delivery_policy.h"
#include "sns/arn.h"
#include "sns/handlers.h"

namespace ferry::sns {
namespace {

// The attributes a topic keeps as they are set, beyond those checked one by
// one below: delivery status logging (Terraform's aws_sns_topic sets them).
bool IsFeedbackAttribute(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kProtocols = {"Application", "Firehose", "HTTP",
                                                                 "Lambda", "SQS"};
  static constexpr std::array<std::string_view, 3> kSuffixes = {
      "SuccessFeedbackRoleArn", "FailureFeedbackRoleArn", "SuccessFeedbackSampleRate"};
  for (std::string_view protocol : kProtocols) {
    if (!name.starts_with(protocol)) continue;
    for (std::string_view suffix : kSuffixes) {
      if (name.substr(protocol.size()) == suffix) return true;
    }
  }
  return false;
}

// What an attribute of a topic reads as when it was never set, for
// CreateTopic's comparison with an existing topic.
std::string_view DefaultOf(std::string_view name) {
  if (name == "SignatureVersion") return "1";
  if (name == "TracingConfig") return "PassThrough";
  if (name == "ContentBasedDeduplication") return "false";
  return "";
}

// Checks one settable attribute and normalizes its value. FifoTopic is
// CreateTopic's alone (its caller handles it).
Status CheckTopicAttribute(const std::string& name, std::string* value, bool fifo) {
  if (name == "DisplayName") {
    if (value->size() > 100) return InvalidParameter("DisplayName");
  } else if (name == "Policy") {
    if (!value->empty()) {
      Result<auth::Policy> policy = auth::ParsePolicy(*value, "sns");
      if (!policy.ok()) return InvalidParameter("Policy Error: " + policy.status().message());
    }
  } else if (name == "DeliveryPolicy") {
    if (!value->empty()) {
      Status s = delivery::ValidateTopicDeliveryPolicy(*value);
      if (!s.ok()) return InvalidParameter(s.message());
    }
  } else if (name == "ContentBasedDeduplication") {
    auto b = BooleanText(*value);
    if (!b) return InvalidParameter("ContentBasedDeduplication");
    if (!fifo) {
      return InvalidParameter(
          "ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO "
          "topics");
    }
    *value = *b;
  } else if (name == "SignatureVersion") {
    if (*value != "1" && *value != "2") return InvalidParameter("SignatureVersion");
  } else if (name == "TracingConfig") {
    if (*value != "PassThrough" && *value != "Active") return InvalidParameter("TracingConfig");
  } else if (name == "FifoThroughputScope") {
    if (!fifo) return InvalidParameter("FifoThroughputScope");
    if (*value != "Topic" && *value != "MessageGroup") {
      return InvalidParameter("FifoThroughputScope");
    }
  } else if (name == "ArchivePolicy") {
    if (!fifo) return InvalidParameter("ArchivePolicy");
  } else if (name != "KmsMasterKeyId" && !IsFeedbackAttribute(name)) {
    return InvalidParameter("AttributeName");
  }
  return Status::Ok();
}

std::string CountOf(const Topic& topic, bool confirmed) {
  int64_t n = 0;
  for (const auto& s : topic.subscriptions) n += s->confirmed == confirmed ? 1 : 0;
  return std::to_string(n);
}

}  // namespace

HandlerResult CreateTopic(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto name = p.RequiredString("Name");
  if (!name.ok()) return name.status();
  auto attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  bool fifo = false;
  if (auto it = attributes->find("FifoTopic"); it != attributes->end()) {
    auto b = BooleanText(it->second);
    if (!b) return InvalidParameter("FifoTopic");
    fifo = *b == "true";
    attributes->erase(it);
  }
  if (!ValidTopicName(*name, fifo)) return InvalidParameter("Topic Name");
  for (auto& [key, value] : *attributes) {
    FERRY_RETURN_IF_ERROR(CheckTopicAttribute(key, &value, fifo));
  }
  auto tags = ReadTags(p, {});
  if (!tags.ok()) return tags.status();

  Topic topic;
  topic.account = RequestAccount(env, call);
  topic.region = RequestRegion(env, call);
  topic.name = *name;
  topic.arn = MakeTopicArn(topic.region, topic.account, topic.name);
  topic.fifo = fifo;
  for (auto& [key, value] : *attributes) {
    if (!value.empty()) topic.attributes[key] = value;
  }
  topic.tags = *tags;
  auto created = env.registry.CreateTopic(topic);
  if (!created.ok()) return RegistryError(created.status());
  if (!created->created) {
    // AWS answers an existing topic's ARN only when nothing asked differs.
    const Topic& existing = *created->topic;
    for (const auto& [key, value] : *attributes) {
      auto it = existing.attributes.find(key);
      const std::string_view now = it == existing.attributes.end() ? DefaultOf(key)
                                                                    : std::string_view(it->second);
      if (now != value) {
        return InvalidParameter(
            "Attributes Reason: Topic already exists with different attributes");
      }
    }
    for (const auto& [key, value] : *tags) {
      auto it = existing.tags.find(key);
      if (it == existing.tags.end() || it->second != value) {
        return InvalidParameter("Tags Reason: Topic already exists with different tags");
      }
    }
  }
  return boost::json::object{{"TopicArn", created->topic->arn}};
}

HandlerResult DeleteTopic(Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call);
  // Deleting a topic that is gone succeeds, as AWS's does.
  if (!topic.ok()) {
    return api::ErrorFor(topic.status()).id == api::ErrorId::kSnsNotFound
               ? HandlerResult(boost::json::object())
               : HandlerResult(topic.status());
  }
  Status s = env.registry.DeleteTopic((*topic)->arn);
  if (!s.ok()) return RegistryError(s);
  return boost::json::object();
}

HandlerResult ListTopics(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto token = p.OptionalString("NextToken");
  if (!token.ok()) return token.status();
  const std::string account = RequestAccount(env, call);
  const std::string region = RequestRegion(env, call);
  const auto topics = env.registry.Topics();
  std::vector<std::string_view> arns;
  for (const auto& t : topics) {
    if (t->account == account && t->region == region) arns.push_back(t->arn);
  }
  std::string next;
  boost::json::array out;
  const auto [first, last] = PageOf(arns, token->value_or(""), &next);
  for (size_t i = first; i < last; ++i) out.push_back(boost::json::object{{"TopicArn", arns[i]}});
  boost::json::object result{{"Topics", std::move(out)}};
  if (!next.empty()) result["NextToken"] = next;
  return result;
}

HandlerResult GetTopicAttributes(Env& env, const api::Call& call) {
  auto resolved = ResolveTopic(env, call);
  if (!resolved.ok()) return resolved.status();
  const Topic& topic = **resolved;
  boost::json::object a;
  // Whatever was set, then what SNS computes or always shows.
  for (const auto& [key, value] : topic.attributes) a[key] = value;
  a["TopicArn"] = topic.arn;
  a["Owner"] = topic.account;
  a["Policy"] = PolicyOf(topic);
  if (!a.contains("DisplayName")) a["DisplayName"] = "";
  a["SubscriptionsConfirmed"] = CountOf(topic, true);
  a["SubscriptionsPending"] = CountOf(topic, false);
  a["SubscriptionsDeleted"] = std::to_string(topic.subscriptions_deleted);
  auto delivery_policy = topic.attributes.find("DeliveryPolicy");
  a["EffectiveDeliveryPolicy"] = delivery::EffectiveTopicDeliveryPolicy(
      delivery_policy == topic.attributes.end() ? std::string_view() : delivery_policy->second);
  a["SignatureVersion"] = std::to_string(topic.signature_version);
  if (!a.contains("TracingConfig")) a["TracingConfig"] = "PassThrough";
  if (topic.fifo) {
    a["FifoTopic"] = "true";
    a["ContentBasedDeduplication"] = topic.content_based_dedup ? "true" : "false";
  }
  return boost::json::object{{"Attributes", std::move(a)}};
}

HandlerResult SetTopicAttributes(Env& env, const api::Call& call) {
  auto resolved = ResolveTopic(env, call);
  if (!resolved.ok()) return resolved.status();
  auto change = ReadAttributeChange(call);
  if (!change.ok()) return change.status();
  // FifoTopic is fixed when the topic is made.
  if (change->name == "FifoTopic") return InvalidParameter("AttributeName");
  FERRY_RETURN_IF_ERROR(CheckTopicAttribute(change->name, &change->value, (*resolved)->fifo));
  auto updated = env.registry.UpdateTopic((*resolved)->arn, [&](Topic& t) {
    SetOrErase(t.attributes, change->name, change->value);
    return Status::Ok();
  });
  if (!updated.ok()) return RegistryError(updated.status());
  return boost::json::object();
}

}  // namespace ferry::sns
