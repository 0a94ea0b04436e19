// CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes,
// SetQueueAttributes, PurgeQueue.
#include <algorithm>

#include "api/errors.h"
#include "auth/identity.h"
#include "common/crypto.h"
#include "sqs/attributes.h"
#include "sqs/handlers.h"
#include "sqs/queue_keys.h"
#include "sqs/queue_url.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr int64_t kMaxListResults = 1000;

boost::json::object UrlResult(const Env& env, const api::Call& call,
                              std::string_view registry_name) {
  boost::json::object out;
  out.emplace("QueueUrl", QueueUrlOf(env, call, registry_name));
  return out;
}

// CreateQueue and ListQueues act on the account, not a queue: AWS refuses
// them when sent to a queue's URL.
Status CheckServiceEndpoint(const api::Call& call) {
  if (call.ctx.path.empty() || call.ctx.path == "/") return Status::Ok();
  return api::InvalidAction(call.action);
}

}  // namespace

HandlerResult CreateQueue(Env& env, const api::Call& call) {
  FERRY_RETURN_IF_ERROR(CheckServiceEndpoint(call));
  const api::Params p(call.params, call.ctx.wire);
  auto name = p.RequiredString("QueueName");
  if (!name.ok()) return name.status();
  auto attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  auto tags = p.StringMap("tags");
  if (!tags.ok()) return tags.status();
  Result<bool> fifo = CheckQueueKind(*name, *attributes);
  if (!fifo.ok()) return fifo.status();
  FERRY_RETURN_IF_ERROR(ValidateQueueName(*name, *fifo));
  FERRY_RETURN_IF_ERROR(ValidateTags(*tags, {}));
  const std::string key =
      KeyIn(env, RequestAccount(env, call), RequestRegion(env, call), *name).Encode();

  // An existing queue is returned when every attribute the request names has
  // the value the request gives; attributes it leaves out are not compared.
  if (std::shared_ptr<engine::Queue> existing = env.engine.FindQueue(key)) {
    const engine::QueueSettings current = existing->settings();
    engine::QueueSettings desired = current;
    FERRY_RETURN_IF_ERROR(ApplyQueueAttributes(*attributes, &desired));
    PlaceRedriveTarget(env, key, *attributes, &desired);
    if (auto differing = FirstDifferingAttribute(*attributes, current, desired)) {
      return api::Error(ErrorId::kQueueNameExists,
                        "A queue already exists with the same name and a different value for "
                        "attribute " +
                            *differing);
    }
    return UrlResult(env, call, key);
  }

  engine::QueueSettings settings = DefaultQueueSettings();
  settings.fifo = *fifo;
  FERRY_RETURN_IF_ERROR(ApplyQueueAttributes(*attributes, &settings));
  PlaceRedriveTarget(env, key, *attributes, &settings);
  FERRY_RETURN_IF_ERROR(CheckRedriveTarget(env, key, *fifo, *attributes));
  auto created = env.engine.CreateQueue(key, std::move(settings), std::move(*tags));
  if (!created.ok()) {
    switch (created.status().code()) {
      case Code::kAlreadyExists:  // created concurrently with other attributes
        return api::Error(ErrorId::kQueueNameExists,
                          "A queue already exists with the same name and different attributes.");
      case Code::kFailedPrecondition:
        return api::Error(
            ErrorId::kQueueDeletedRecently,
            "You must wait " + std::to_string(env.engine.queue_reuse_delay().count() / 1000) +
                " seconds after deleting a queue before you can create another with the same "
                "name.");
      default:
        return EngineError(created.status());
    }
  }
  RememberPolicy(env, *created, (*created)->settings());
  return UrlResult(env, call, key);
}

HandlerResult GetQueueUrl(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto name = p.RequiredString("QueueName");
  if (!name.ok()) return name.status();
  auto owner_param = p.OptionalString("QueueOwnerAWSAccountId");
  if (!owner_param.ok()) return owner_param.status();
  const std::string account = RequestAccount(env, call);
  // Another account's queue is found when its policy lets the caller
  // GetQueueUrl; otherwise it does not exist for the caller.
  std::string owner = account;
  if (owner_param->has_value() && !(*owner_param)->empty()) {
    if (!auth::IsAccountId(**owner_param)) return QueueDoesNotExist(call.ctx.wire);
    owner = **owner_param;
  }
  const std::string key = KeyIn(env, owner, RequestRegion(env, call), *name).Encode();
  std::shared_ptr<engine::Queue> queue = env.engine.FindQueue(key);
  if (!queue) return QueueDoesNotExist(call.ctx.wire);
  FERRY_RETURN_IF_ERROR(AuthorizeQueue(env, call, call.action, queue, owner));
  return UrlResult(env, call, key);
}

HandlerResult PageOfQueueUrls(const Env& env, const api::Call& call,
                              const std::vector<std::string>& names, std::string_view key,
                              bool always) {
  const api::Params p(call.params, call.ctx.wire);
  auto max = p.OptionalInt("MaxResults");
  if (!max.ok()) return max.status();
  FERRY_RETURN_IF_ERROR(CheckRange("MaxResults", *max, 1, kMaxListResults,
                                   "MaxResults must be an integer between 1 and 1000."));
  auto token = p.OptionalString("NextToken");
  if (!token.ok()) return token.status();
  // The token is the base64 of the last name of the previous page.
  std::optional<std::string> after;
  if (token->has_value() && !(*token)->empty()) {
    after = Base64Decode(**token);
    if (!after) return api::Error(ErrorId::kInvalidParameterValue, "Invalid NextToken value.");
  }

  auto begin = after ? std::upper_bound(names.begin(), names.end(), *after) : names.begin();
  const auto limit = static_cast<size_t>(max->value_or(kMaxListResults));
  const size_t n = std::min(limit, static_cast<size_t>(names.end() - begin));

  boost::json::object out;
  if (n > 0 || always) {
    boost::json::array urls;
    urls.reserve(n);
    for (auto it = begin; it != begin + n; ++it) {
      urls.emplace_back(QueueUrlOf(env, call, *it));
    }
    out.emplace(key, std::move(urls));
  }
  if (max->has_value() && begin + n != names.end()) {
    out.emplace("NextToken", Base64Encode(*(begin + n - 1)));
  }
  return out;
}

HandlerResult ListQueues(Env& env, const api::Call& call) {
  FERRY_RETURN_IF_ERROR(CheckServiceEndpoint(call));
  const api::Params p(call.params, call.ctx.wire);
  auto prefix = p.OptionalString("QueueNamePrefix");
  if (!prefix.ok()) return prefix.status();
  const std::vector<std::string> names =
      ListQueueKeys(env.engine, {env.options.region, env.options.account_id},
                    RequestAccount(env, call), RequestRegion(env, call), prefix->value_or(""));
  return PageOfQueueUrls(env, call, names, "QueueUrls", false);
}

HandlerResult DeleteQueue(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  Status s = env.engine.DeleteQueue((*queue)->name());
  if (s.code() == Code::kNotFound) return QueueDoesNotExist(call.ctx.wire);
  if (!s.ok()) return EngineError(s);
  env.policies->Erase((*queue)->name());
  return boost::json::object();
}

HandlerResult GetQueueAttributes(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto names = p.StringList("AttributeNames");
  if (!names.ok()) return names.status();
  boost::json::object out;
  if (names->empty()) return out;
  auto attributes = RenderQueueAttributes(*names, **queue, QueueArnOf(env, (*queue)->name()));
  if (!attributes.ok()) return attributes.status();
  if (!attributes->empty()) out.emplace("Attributes", std::move(attributes).value());
  return out;
}

HandlerResult SetQueueAttributes(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  if (!p.Has("Attributes")) {
    return api::MissingParameter("Attributes");
  }
  auto attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  FERRY_RETURN_IF_ERROR(CheckSettableKind(**queue, *attributes));
  const engine::QueueSettings current = (*queue)->settings();
  engine::QueueSettings desired = current;
  FERRY_RETURN_IF_ERROR(ApplyQueueAttributes(*attributes, &desired));
  PlaceRedriveTarget(env, (*queue)->name(), *attributes, &desired);
  FERRY_RETURN_IF_ERROR(CheckRedriveTarget(env, (*queue)->name(), (*queue)->fifo(), *attributes));
  if (!(desired == current)) FERRY_RETURN_IF_ERROR((*queue)->SetSettings(desired));
  if (attributes->contains("Policy")) RememberPolicy(env, *queue, desired);
  return boost::json::object();
}

HandlerResult PurgeQueue(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  engine::Queue& q = **queue;
  if (!env.purges.TryPurge(q.name(), q.created_ms(), env.engine.clock().NowMs())) {
    return api::Error(
        ErrorId::kPurgeQueueInProgress,
        "Only one PurgeQueue operation on " + PlainName(q.name()) +
            " is allowed every 60 seconds.");
  }
  FERRY_RETURN_IF_ERROR(q.Purge());
  return boost::json::object();
}

}  // namespace ferry::sqs
