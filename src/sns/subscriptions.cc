// Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions,
// ListSubscriptionsByTopic, GetSubscriptionAttributes and
// SetSubscriptionAttributes.
#include <array>

#include "delivery/delivery_policy.h"
#include "sns/arn.h"
#include "sns/handlers.h"

namespace ferry::sns {
namespace {

using api::ErrorId;

// What Subscribe answers for a pending subscription unless asked for its ARN.
constexpr std::string_view kPendingArn = "pending confirmation";
// What the list actions show as the ARN of a pending subscription.
constexpr std::string_view kPendingListArn = "PendingConfirmation";

// Protocols of SNS this server does not deliver to.
constexpr std::array<std::string_view, 6> kOtherProtocols = {
    "email", "email-json", "sms", "lambda", "application", "firehose"};

// Checks one subscription attribute and normalizes its value; a refusal is
// kInvalidArgument with AWS's text after "Invalid parameter: " (Subscribe
// and SetSubscriptionAttributes put different words before it).
Status CheckSubscriptionAttribute(const std::string& name, std::string* value, Protocol protocol) {
  if (name == "RawMessageDelivery") {
    auto b = BooleanText(*value);
    if (!b) {
      return Status::InvalidArgument("RawMessageDelivery: Invalid value [" + *value +
                                     "]. Must be true or false.");
    }
    *value = *b;
  } else if (name == "FilterPolicyScope") {
    if (*value != "MessageAttributes" && *value != "MessageBody") {
      return Status::InvalidArgument("FilterPolicyScope: Invalid value [" + *value +
                                     "]. Please use either MessageBody or MessageAttributes");
    }
  } else if (name == "RedrivePolicy") {
    if (value->empty()) return Status::Ok();
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(*value, ec);
    if (ec || !v.is_object()) return Status::InvalidArgument("RedrivePolicy: Invalid json");
    const boost::json::value* target = v.get_object().if_contains("deadLetterTargetArn");
    if (target == nullptr) {
      return Status::InvalidArgument("RedrivePolicy: deadLetterTargetArn is missing");
    }
    if (!target->is_string() || !ParseQueueArn(target->get_string())) {
      return Status::InvalidArgument("RedrivePolicy: Invalid deadLetterTargetArn");
    }
  } else if (name == "DeliveryPolicy") {
    if (protocol == Protocol::kSqs) {
      return Status::InvalidArgument(
          "DeliveryPolicy: Delivery protocol [sqs] does not support delivery policies");
    }
    if (!value->empty()) return delivery::ValidateSubscriptionDeliveryPolicy(*value);
  } else if (name != "FilterPolicy" && name != "SubscriptionRoleArn") {
    return Status::InvalidArgument("AttributeName");
  }
  // FilterPolicy is compiled by Registry::Derive, with its scope.
  return Status::Ok();
}

std::optional<Protocol> ProtocolOf(std::string_view name) {
  if (name == "sqs") return Protocol::kSqs;
  if (name == "http") return Protocol::kHttp;
  if (name == "https") return Protocol::kHttps;
  return std::nullopt;
}

bool IsFifoQueueArn(std::string_view arn) { return arn.ends_with(".fifo"); }

// The subscription SubscriptionArn names. Errors: InvalidParameter for a
// malformed ARN, NotFound.
Result<std::shared_ptr<const Subscription>> ResolveSubscription(const Env& env,
                                                                const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto arn = p.RequiredString("SubscriptionArn");
  if (!arn.ok()) return arn.status();
  std::string topic_arn;
  if (!ParseSubscriptionArn(*arn, &topic_arn)) return InvalidParameter("SubscriptionArn");
  FERRY_RETURN_IF_ERROR(AuthorizeTopic(env, call, topic_arn, nullptr));
  std::shared_ptr<const Subscription> sub = env.registry.LookupSubscription(*arn);
  if (!sub) return SubscriptionNotFound();
  return sub;
}

boost::json::object Summary(const Subscription& s) {
  return boost::json::object{
      {"SubscriptionArn", s.confirmed ? std::string_view(s.arn) : kPendingListArn},
      {"Owner", s.owner},
      {"Protocol", ProtocolName(s.protocol)},
      {"Endpoint", s.endpoint},
      {"TopicArn", s.topic_arn},
  };
}

// A page of `subs` (in ARN order) as the list actions answer it.
HandlerResult ListPage(const api::Call& call,
                       const std::vector<std::shared_ptr<const Subscription>>& subs) {
  const api::Params p(call.params, call.ctx.wire);
  auto token = p.OptionalString("NextToken");
  if (!token.ok()) return token.status();
  std::vector<std::string_view> arns;
  for (const auto& s : subs) arns.push_back(s->arn);
  std::string next;
  const auto [first, last] = PageOf(arns, token->value_or(""), &next);
  boost::json::array out;
  for (size_t i = first; i < last; ++i) out.push_back(Summary(*subs[i]));
  boost::json::object result{{"Subscriptions", std::move(out)}};
  if (!next.empty()) result["NextToken"] = next;
  return result;
}

}  // namespace

HandlerResult Subscribe(Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call);
  if (!topic.ok()) return topic.status();
  const api::Params p(call.params, call.ctx.wire);
  auto protocol_name = p.RequiredString("Protocol");
  if (!protocol_name.ok()) return protocol_name.status();
  auto endpoint = p.OptionalString("Endpoint");
  if (!endpoint.ok()) return endpoint.status();
  auto attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  auto return_arn = p.OptionalBool("ReturnSubscriptionArn");
  if (!return_arn.ok()) return return_arn.status();

  std::optional<Protocol> protocol = ProtocolOf(*protocol_name);
  if (!protocol) {
    if (std::find(kOtherProtocols.begin(), kOtherProtocols.end(), *protocol_name) !=
        kOtherProtocols.end()) {
      return InvalidParameter("Protocol Reason: the " + *protocol_name +
                              " protocol is not supported by this server (Ferry delivers to sqs, "
                              "http and https endpoints)");
    }
    return InvalidParameter("Amazon SNS does not support this protocol string: " +
                            *protocol_name);
  }
  const std::string target = endpoint->value_or("");
  if (*protocol == Protocol::kSqs) {
    if (!ParseQueueArn(target)) return InvalidParameter("SQS endpoint ARN");
    if (IsFifoQueueArn(target) && !(*topic)->fifo) {
      return InvalidParameter(
          "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
          "SNS topics");
    }
  } else {
    const std::string_view scheme = *protocol == Protocol::kHttp ? "http://" : "https://";
    if (!target.starts_with(scheme) || target.size() == scheme.size()) {
      return InvalidParameter("Endpoint must match the specified protocol");
    }
    if ((*topic)->fifo) {
      return InvalidParameter(
          "Invalid parameter: Endpoint Reason: FIFO topics deliver only to Amazon SQS queues");
    }
  }
  for (auto& [name, value] : *attributes) {
    Status s = CheckSubscriptionAttribute(name, &value, *protocol);
    if (!s.ok()) {
      return InvalidParameter(s.message() == "AttributeName"
                                  ? "Attributes Reason: Unknown attribute: " + name
                                  : "Attributes Reason: " + s.message());
    }
  }

  Subscription sub;
  sub.topic_arn = (*topic)->arn;
  sub.owner = RequestAccount(env, call);
  sub.protocol = *protocol;
  sub.endpoint = target;
  // Queue subscriptions need no confirmation: Ferry does not evaluate queue
  // policies, so the owner of the queue has nothing to approve.
  sub.confirmed = *protocol == Protocol::kSqs;
  for (auto& [name, value] : *attributes) {
    if (!value.empty()) sub.attributes[name] = value;
  }
  auto made = env.registry.Subscribe(sub, call.ctx.secure_transport);
  if (!made.ok()) {
    return made.status().code() == Code::kInvalidArgument
               ? InvalidParameter("Attributes Reason: " + made.status().message())
               : RegistryError(made.status());
  }
  const Subscription& result = *made->subscription;
  if (!made->created && result.attributes != sub.attributes && !attributes->empty()) {
    return InvalidParameter("Attributes Reason: Subscription already exists with different attributes");
  }
  const bool show_arn = result.confirmed || return_arn->value_or(false);
  return boost::json::object{
      {"SubscriptionArn", show_arn ? std::string_view(result.arn) : kPendingArn}};
}

HandlerResult ConfirmSubscription(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto topic_arn = p.RequiredString("TopicArn");
  if (!topic_arn.ok()) return topic_arn.status();
  auto token = p.RequiredString("Token");
  if (!token.ok()) return token.status();
  auto authenticate = p.OptionalString("AuthenticateOnUnsubscribe");
  if (!authenticate.ok()) return authenticate.status();
  if (!ParseTopicArn(*topic_arn)) return InvalidParameter("TopicArn");
  // The token is the proof: the SubscribeURL is opened unsigned, by whoever
  // received the confirmation, so no account is checked here.
  auto confirmed = env.registry.Confirm(*topic_arn, *token, !call.ctx.access_key.empty());
  if (!confirmed.ok()) {
    if (confirmed.status().code() == Code::kNotFound) return TopicNotFound();
    if (confirmed.status().code() == Code::kInvalidArgument) return InvalidParameter("Token");
    return RegistryError(confirmed.status());
  }
  return boost::json::object{{"SubscriptionArn", (*confirmed)->arn}};
}

HandlerResult Unsubscribe(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto arn = p.RequiredString("SubscriptionArn");
  if (!arn.ok()) return arn.status();
  std::string topic_arn;
  if (!ParseSubscriptionArn(*arn, &topic_arn)) return InvalidParameter("SubscriptionArn");
  FERRY_RETURN_IF_ERROR(AuthorizeTopic(env, call, topic_arn, nullptr));
  // SNS answers 200 for a well-formed ARN of no subscription (one already
  // removed, or never made), so that a retried clean-up does not fail.
  Status s = env.registry.Unsubscribe(*arn, call.ctx.secure_transport);
  if (!s.ok() && s.code() != Code::kNotFound) return RegistryError(s);
  return boost::json::object();
}

HandlerResult ListSubscriptions(Env& env, const api::Call& call) {
  const std::string account = RequestAccount(env, call);
  const std::string region = RequestRegion(env, call);
  std::vector<std::shared_ptr<const Subscription>> mine;
  for (auto& s : env.registry.Subscriptions()) {
    std::optional<Arn> arn = ParseArn(s->arn);
    if (s->owner == account && arn && arn->region == region) mine.push_back(std::move(s));
  }
  return ListPage(call, mine);
}

HandlerResult ListSubscriptionsByTopic(Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call);
  if (!topic.ok()) return topic.status();
  std::vector<std::shared_ptr<const Subscription>> subs = (*topic)->subscriptions;
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a->arn < b->arn; });
  return ListPage(call, subs);
}

HandlerResult GetSubscriptionAttributes(Env& env, const api::Call& call) {
  auto resolved = ResolveSubscription(env, call);
  if (!resolved.ok()) return resolved.status();
  const Subscription& s = **resolved;
  boost::json::object a;
  for (const auto& [key, value] : s.attributes) a[key] = value;
  a["SubscriptionArn"] = s.arn;
  a["TopicArn"] = s.topic_arn;
  a["Owner"] = s.owner;
  a["Protocol"] = ProtocolName(s.protocol);
  a["Endpoint"] = s.endpoint;
  a["PendingConfirmation"] = s.confirmed ? "false" : "true";
  a["ConfirmationWasAuthenticated"] =
      s.protocol == Protocol::kSqs || s.confirmation_authenticated ? "true" : "false";
  a["SubscriptionPrincipal"] = "arn:aws:iam::" + s.owner + ":root";
  if (!a.contains("RawMessageDelivery")) a["RawMessageDelivery"] = "false";
  if (a.contains("FilterPolicy") && !a.contains("FilterPolicyScope")) {
    a["FilterPolicyScope"] = "MessageAttributes";
  }
  if (s.protocol != Protocol::kSqs) {
    std::string topic_policy;
    if (auto topic = env.registry.FindTopic(s.topic_arn)) {
      if (auto it = topic->attributes.find("DeliveryPolicy"); it != topic->attributes.end()) {
        topic_policy = it->second;
      }
    }
    auto own = s.attributes.find("DeliveryPolicy");
    a["EffectiveDeliveryPolicy"] = delivery::EffectiveSubscriptionDeliveryPolicy(
        topic_policy, own == s.attributes.end() ? std::string_view() : own->second);
  }
  return boost::json::object{{"Attributes", std::move(a)}};
}

HandlerResult SetSubscriptionAttributes(Env& env, const api::Call& call) {
  auto resolved = ResolveSubscription(env, call);
  if (!resolved.ok()) return resolved.status();
  auto change = ReadAttributeChange(call);
  if (!change.ok()) return change.status();
  Status checked = CheckSubscriptionAttribute(change->name, &change->value, (*resolved)->protocol);
  if (!checked.ok()) return InvalidParameter(checked.message());
  auto updated = env.registry.UpdateSubscription((*resolved)->arn, [&](Subscription& s) {
    SetOrErase(s.attributes, change->name, change->value);
    return Status::Ok();
  });
  if (!updated.ok()) {
    if (updated.status().code() == Code::kNotFound) return SubscriptionNotFound();
    return RegistryError(updated.status());
  }
  return boost::json::object();
}

}  // namespace ferry::sns
