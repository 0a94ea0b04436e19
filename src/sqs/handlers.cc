#include "sqs/handlers.h"

#include "api/errors.h"
#include "auth/sigv4.h"
#include "sqs/queue_keys.h"
#include "sqs/queue_url.h"

namespace ferry::sqs {

bool PurgeLimiter::TryPurge(const std::string& queue, TimeMs created_ms, TimeMs now_ms) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = last_purge_ms_.try_emplace(queue, now_ms);
  if (inserted) return true;
  if (it->second >= created_ms && now_ms - it->second < kIntervalMs) return false;
  it->second = now_ms;
  // Forget purges too old to matter, so the map tracks recently purged queues.
  if (last_purge_ms_.size() > 1024) {
    std::erase_if(last_purge_ms_, [&](const auto& e) { return now_ms - e.second >= kIntervalMs; });
  }
  return true;
}

Status QueueDoesNotExist(api::Wire wire) {
  return api::Error(api::ErrorId::kQueueDoesNotExist,
                    wire == api::Wire::kQuery
                        ? "The specified queue does not exist for this wsdl version."
                        : "The specified queue does not exist.");
}

std::string RequestAccount(const Env& env, const api::Call& call) {
  return call.ctx.account_id.empty() ? env.options.account_id : call.ctx.account_id;
}

std::string RequestRegion(const Env& env, const api::Call& call) {
  return auth::IsRegionName(call.ctx.region) ? call.ctx.region : env.options.region;
}

namespace {

QueueHome HomeOf(const Env& env) { return {env.options.region, env.options.account_id}; }

}  // namespace

engine::QueueKey KeyIn(const Env& env, std::string_view account, std::string_view region,
                       std::string_view name) {
  return QueueKeyIn(HomeOf(env), account, region, name);
}

std::string AccountOf(const Env& env, std::string_view registry_name) {
  return AccountOfKey(HomeOf(env), registry_name);
}

std::string RegionOf(const Env& env, std::string_view registry_name) {
  return RegionOfKey(HomeOf(env), registry_name);
}

std::string QueueArnOf(const Env& env, std::string_view registry_name) {
  return QueueArnOfKey(HomeOf(env), registry_name);
}

std::string QueueUrlOf(const Env& env, const api::Call& call, std::string_view registry_name) {
  return QueueUrlOfKey(HomeOf(env), call.ctx, registry_name);
}

std::string PlainName(std::string_view registry_name) {
  return engine::QueueKey::Decode(registry_name).name;
}

namespace {

// The action a policy names for an SQS action: a batch is authorized as its
// single action, as AWS does.
std::string_view PolicyActionOf(std::string_view action) {
  for (std::string_view batch :
       {"SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"}) {
    if (action == batch) return action.substr(0, action.size() - 5);
  }
  return action;
}

// What only the owner may do, whatever a policy says (AWS: "Only the queue
// owner is allowed to invoke this action").
bool OwnerOnly(std::string_view action) {
  return action == "AddPermission" || action == "RemovePermission";
}

// What no policy refuses the owner, so that a Deny can always be taken back:
// reading and changing the policy, and deleting the queue.
bool OwnerAlways(std::string_view action) {
  return OwnerOnly(action) || action == "GetQueueAttributes" || action == "SetQueueAttributes" ||
         action == "DeleteQueue";
}

}  // namespace

Status AuthorizeQueue(const Env& env, const api::Call& call, std::string_view action,
                      const std::shared_ptr<engine::Queue>& queue, std::string_view owner) {
  const std::string account = RequestAccount(env, call);
  if (account == owner ? OwnerAlways(action) : OwnerOnly(action)) {
    return account == owner ? Status::Ok() : QueueDoesNotExist(call.ctx.wire);
  }
  std::shared_ptr<const auth::Policy> policy =
      env.policies->Find(queue->name(), queue, [&queue]() -> std::optional<std::string> {
        engine::QueueSettings settings = queue->settings();
        auto it = settings.extra.find("Policy");
        if (it == settings.extra.end()) return std::nullopt;
        return std::move(it->second);
      });
  // No policy: the owner only, without building the request.
  if (policy == nullptr) {
    if (account == owner) return Status::Ok();
    return QueueDoesNotExist(call.ctx.wire);
  }
  const std::string arn = QueueArnOf(env, queue->name());
  const std::string root = "arn:aws:iam::" + account + ":root";
  std::string qualified = "sqs:";
  qualified.append(PolicyActionOf(action));
  const auth::PolicyRequest request{
      .caller = {.account = account,
                 .arn = call.ctx.principal_arn.empty() ? std::string_view(root)
                                                       : std::string_view(call.ctx.principal_arn)},
      .action = qualified,
      .resource = arn,
      .context = {.source_ip = call.ctx.source_ip,
                  .secure_transport = call.ctx.secure_transport}};
  if (auth::IsAllowed(policy.get(), request, owner)) return Status::Ok();
  if (account != owner) return QueueDoesNotExist(call.ctx.wire);
  return api::Error(api::ErrorId::kAccessDenied,
                    "Access to the resource " + QueueUrlOf(env, call, queue->name()) +
                        " is denied.");
}

void RememberPolicy(const Env& env, const std::shared_ptr<engine::Queue>& queue,
                    const engine::QueueSettings& settings) {
  auto it = settings.extra.find("Policy");
  env.policies->Store(queue->name(), queue,
                      it == settings.extra.end() ? nullptr : auth::PolicyCache::Parse(it->second));
}

Result<std::shared_ptr<engine::Queue>> ResolveQueue(const Env& env, const api::Call& call) {
  std::string_view url = call.ctx.path;
  auto it = call.params.find("QueueUrl");
  if (it != call.params.end() && !it->value().is_null()) {
    if (!it->value().is_string()) return QueueDoesNotExist(call.ctx.wire);
    url = it->value().get_string();
  }
  std::optional<std::string_view> name = QueueNameFromUrl(url);
  if (!name) return QueueDoesNotExist(call.ctx.wire);
  // The queue is looked up in the account its URL names; whether the caller
  // may use it is its policy's question.
  const std::string account = RequestAccount(env, call);
  const std::string_view owner = QueueAccountFromUrl(url).value_or(account);
  std::optional<std::string_view> region = QueueRegionFromUrl(url);
  std::shared_ptr<engine::Queue> queue = env.engine.FindQueue(
      KeyIn(env, owner, region.value_or(env.options.region), *name).Encode());
  if (!queue) return QueueDoesNotExist(call.ctx.wire);
  FERRY_RETURN_IF_ERROR(AuthorizeQueue(env, call, call.action, queue, owner));
  return queue;
}

Status EngineError(const Status& status) {
  switch (status.code()) {
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return api::Error(api::ErrorId::kServiceUnavailable,
                        "The service is temporarily unavailable: " + status.message());
    default:
      return api::Error(api::ErrorId::kInternalError,
                        "The service encountered an internal error: " + status.message());
  }
}

Status CheckRange(std::string_view name, const std::optional<int64_t>& value, int64_t min,
                  int64_t max, std::string_view reason) {
  if (!value || (*value >= min && *value <= max)) return Status::Ok();
  return api::InvalidParameterValue(name, std::to_string(*value), reason);
}

}  // namespace ferry::sqs
