#include "sns/handlers.h"

#include <algorithm>

#include "auth/sigv4.h"
#include "sns/arn.h"

namespace ferry::sns {

using api::ErrorId;

std::string RequestAccount(const Env& env, const api::Call& call) {
  return call.ctx.account_id.empty() ? env.options.account_id : call.ctx.account_id;
}

std::string RequestRegion(const Env& env, const api::Call& call) {
  return auth::IsRegionName(call.ctx.region) ? call.ctx.region : env.options.region;
}

Status InvalidParameter(std::string_view what) {
  return api::Error(ErrorId::kSnsInvalidParameter, "Invalid parameter: " + std::string(what));
}

Status TopicNotFound() { return api::Error(ErrorId::kSnsNotFound, "Topic does not exist"); }

Status SubscriptionNotFound() {
  return api::Error(ErrorId::kSnsNotFound, "Subscription does not exist");
}

Status RegistryError(const Status& status) {
  // Already an AWS error (an edit's refusal): as it is.
  if (status.detail() != 0) return status;
  switch (status.code()) {
    case Code::kNotFound:
      return api::Error(ErrorId::kSnsNotFound, status.message());
    case Code::kInvalidArgument:
      return InvalidParameter(status.message());
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return api::Error(ErrorId::kServiceUnavailable,
                        "The service is temporarily unavailable: " + status.message());
    default:
      return api::Error(ErrorId::kSnsInternalError, status.message());
  }
}

std::optional<std::string> BooleanText(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "false") return lower;
  return std::nullopt;
}

Result<AttributeChange> ReadAttributeChange(const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto name = p.RequiredString("AttributeName");
  if (!name.ok()) return name.status();
  auto value = p.OptionalString("AttributeValue");
  if (!value.ok()) return value.status();
  return AttributeChange{std::move(*name), value->value_or("")};
}

void SetOrErase(std::map<std::string, std::string>& attributes, const std::string& name,
                const std::string& value) {
  if (value.empty()) {
    attributes.erase(name);
  } else {
    attributes[name] = value;
  }
}

namespace {

bool OwnerAlways(std::string_view action) {
  return action == "GetTopicAttributes" || action == "SetTopicAttributes" ||
         action == "AddPermission" || action == "RemovePermission" || action == "DeleteTopic";
}

}  // namespace

Status AuthorizeTopic(const Env& env, const api::Call& call, std::string_view topic_arn,
                      const Topic* topic) {
  std::optional<Arn> parsed = ParseTopicArn(topic_arn);
  if (!parsed) return Status::Ok();
  const std::string account = RequestAccount(env, call);
  const bool owner = parsed->account == account;
  // The owner of a topic without a policy (SNS's default grants only the
  // owner): nothing to evaluate. No policy refuses the owner the actions
  // that read and change the policy, or delete the topic, so that a Deny
  // can always be taken back.
  if (owner && (topic == nullptr || topic->policy == nullptr || OwnerAlways(call.action))) {
    return Status::Ok();
  }
  const std::string root = "arn:aws:iam::" + account + ":root";
  const std::string_view principal =
      call.ctx.principal_arn.empty() ? std::string_view(root) : std::string_view(call.ctx.principal_arn);
  if (topic != nullptr) {
    std::string action = "sns:";
    action.append(call.action == "PublishBatch" ? std::string_view("Publish")
                                                : std::string_view(call.action));
    const auth::PolicyRequest request{
        .caller = {.account = account, .arn = principal},
        .action = action,
        .resource = topic->arn,
        .context = {.source_ip = call.ctx.source_ip,
                    .secure_transport = call.ctx.secure_transport}};
    if (auth::IsAllowed(topic->policy.get(), request, topic->account)) return Status::Ok();
  }
  return api::Error(ErrorId::kSnsAuthorizationError,
                    "User: " + std::string(principal) + " is not authorized to perform: SNS:" +
                        call.action + " on resource: " + std::string(topic_arn));
}

Result<std::shared_ptr<const Topic>> ResolveTopic(const Env& env, const api::Call& call,
                                                  std::string_view parameter) {
  const api::Params p(call.params, call.ctx.wire);
  auto arn = p.RequiredString(parameter);
  if (!arn.ok()) return arn.status();
  if (!ParseTopicArn(*arn)) return InvalidParameter(parameter);
  std::shared_ptr<const Topic> topic = env.registry.LookupTopic(*arn);
  FERRY_RETURN_IF_ERROR(AuthorizeTopic(env, call, *arn, topic.get()));
  if (!topic) return TopicNotFound();
  return topic;
}

std::pair<size_t, size_t> PageOf(const std::vector<std::string_view>& arns,
                                 std::string_view next_token, std::string* next) {
  const size_t first = static_cast<size_t>(
      std::lower_bound(arns.begin(), arns.end(), next_token) - arns.begin());
  const size_t last = std::min(arns.size(), first + kPageSize);
  if (last < arns.size()) *next = std::string(arns[last]);
  return {first, last};
}

}  // namespace ferry::sns
