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

// AWS's AuthorizationError for the caller and `resource`.
Status NotAuthorized(const Env& env, const api::Call& call, std::string_view resource) {
  const std::string principal = call.ctx.principal_arn.empty()
                                    ? "arn:aws:iam::" + RequestAccount(env, call) + ":root"
                                    : call.ctx.principal_arn;
  return api::Error(ErrorId::kSnsAuthorizationError,
                    "User: " + principal + " is not authorized to perform: SNS:" + call.action +
                        " on resource: " + std::string(resource));
}

}  // namespace

Status AuthorizeTopic(const Env& env, const api::Call& call, std::string_view topic_arn) {
  std::optional<Arn> parsed = ParseTopicArn(topic_arn);
  if (!parsed || parsed->account == RequestAccount(env, call)) return Status::Ok();
  // Topic policies are kept, not evaluated (docs/compatibility.md): another
  // account's topic is refused as AWS refuses it without a grant.
  return NotAuthorized(env, call, topic_arn);
}

Status AuthorizeQueueEndpoint(const Env& env, const api::Call& call, std::string_view queue_arn) {
  std::optional<Arn> parsed = ParseQueueArn(queue_arn);
  if (!parsed || parsed->account == RequestAccount(env, call)) return Status::Ok();
  // Queue policies are not evaluated: without one, SNS could not deliver to
  // another account's queue, so the subscription is refused at once.
  return NotAuthorized(env, call, queue_arn);
}

Result<std::shared_ptr<const Topic>> ResolveTopic(const Env& env, const api::Call& call,
                                                  std::string_view parameter) {
  const api::Params p(call.params, call.ctx.wire);
  auto arn = p.RequiredString(parameter);
  if (!arn.ok()) return arn.status();
  if (!ParseTopicArn(*arn)) return InvalidParameter(parameter);
  FERRY_RETURN_IF_ERROR(AuthorizeTopic(env, call, *arn));
  std::shared_ptr<const Topic> topic = env.registry.FindTopic(*arn);
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
