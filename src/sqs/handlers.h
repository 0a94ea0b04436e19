// The handlers of the SQS actions and what they share: the service
// environment, queue lookup and the mapping of engine errors. Internal to
// src/sqs; service.cc lists every handler in its one dispatch table.
//
// A handler validates its input in the order AWS does (queue first, then
// parameters), calls the engine, and returns the model's output shape.
// Synchronous handlers return it; ReceiveMessage answers through its Reply,
// possibly later (long polling).
//
// Thread-safety: handlers run concurrently on any thread; Env is shared and
// its mutable parts guard themselves.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/call.h"
#include "api/params.h"
#include "engine/engine.h"
#include "engine/queue_key.h"
#include "sqs/attributes.h"
#include "sqs/service.h"

namespace ferry::sqs {

// AWS allows one PurgeQueue per queue every 60 seconds.
class PurgeLimiter {
 public:
  static constexpr TimeMs kIntervalMs = 60'000;
  // True, and remembers `now_ms`, when the queue may be purged now. A queue
  // created after its name's last purge starts afresh.
  bool TryPurge(const std::string& queue, TimeMs created_ms, TimeMs now_ms);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, TimeMs> last_purge_ms_;  // guarded by mu_
};

struct Env {
  engine::Engine& engine;
  boost::asio::any_io_executor executor;
  SqsOptions options;
  PurgeLimiter purges;
  // Serializes AddPermission and RemovePermission, which read, change and
  // write back a queue's Policy.
  std::mutex permissions_mu;
  // options.queue_policies, or the service's own.
  std::shared_ptr<auth::PolicyCache> policies;
};

using HandlerResult = Result<boost::json::object>;

// The SenderId of messages sent by callers without an access key.
inline constexpr std::string_view kAnonymousSenderId = "AIDAIT2UOQQY3AUEKVGXU";

// QueueDoesNotExist, with AWS's message for the wire (Query clients are told
// "... for this wsdl version.").
Status QueueDoesNotExist(api::Wire wire);

// Accounts and regions. Queues are kept apart per account and per region
// (engine::QueueKey); the server's default account (options.account_id) is
// the key's empty account and its own region (options.region) the key's
// empty region, so the default account's queues of that region keep their
// plain names, URLs and log records.
//
// The account a request acts in: its caller's (ctx.account_id, which the
// gateway reads from the access key, auth/identity.h), else the default.
std::string RequestAccount(const Env& env, const api::Call& call);
// The region a request acts in: its credential scope's (ctx.region, set by
// the gateway), else the server's.
std::string RequestRegion(const Env& env, const api::Call& call);
// The registry key of queue `name` of `account` in `region`.
engine::QueueKey KeyIn(const Env& env, std::string_view account, std::string_view region,
                       std::string_view name);
// The account and the region a queue's registry name places it in (never
// empty).
std::string AccountOf(const Env& env, std::string_view registry_name);
std::string RegionOf(const Env& env, std::string_view registry_name);
// The ARN and the URL of the queue with this registry name (Queue::name()).
std::string QueueArnOf(const Env& env, std::string_view registry_name);
std::string QueueUrlOf(const Env& env, const api::Call& call, std::string_view registry_name);
// The plain queue name of a registry name, as messages show it.
std::string PlainName(std::string_view registry_name);

// The queue a request names: by its QueueUrl parameter, else by the request
// path (Query clients may post to the queue URL), in the region the URL
// names (/queue/<region>/...) or else the server's own, and in the account
// the URL names (queue_url.h, QueueAccountFromUrl) or else the caller's;
// and the caller may call the request's action on it (AuthorizeQueue).
// Errors: QueueDoesNotExist, AccessDenied.
Result<std::shared_ptr<engine::Queue>> ResolveQueue(const Env& env, const api::Call& call);
// Whether the caller of `call` may call `action` (an SQS action name, e.g.
// "SendMessage"; a batch action is its single action's) on `queue` of
// `owner` (an account), by the queue's Policy and the owner rule
// (auth/policy.h). Another account's queue that does not allow it is
// answered QueueDoesNotExist, as if it were not there (nothing is learnt of
// it); the owner refused by an explicit Deny gets AccessDenied.
Status AuthorizeQueue(const Env& env, const api::Call& call, std::string_view action,
                      const std::shared_ptr<engine::Queue>& queue, std::string_view owner);
// Keeps the parsed form of `queue`'s Policy (in `settings`, as just stored)
// for the checks above. Called by every handler that sets a Policy.
void RememberPolicy(const Env& env, const std::shared_ptr<engine::Queue>& queue,
                    const engine::QueueSettings& settings);
// The AWS error of an engine failure that has no more specific meaning.
Status EngineError(const Status& status);
// "Value <v> for parameter <name> is invalid. Reason: <reason>" when `value`
// is set and outside [min, max].
Status CheckRange(std::string_view name, const std::optional<int64_t>& value, int64_t min,
                  int64_t max, std::string_view reason);

// queues.cc
// The queue URLs of `names` (sorted), paged by the request's MaxResults
// (1-1000) and NextToken, under `key`; `always`: the key even when empty.
HandlerResult PageOfQueueUrls(const Env& env, const api::Call& call,
                              const std::vector<std::string>& names, std::string_view key,
                              bool always);
HandlerResult CreateQueue(Env& env, const api::Call& call);
HandlerResult GetQueueUrl(Env& env, const api::Call& call);
HandlerResult ListQueues(Env& env, const api::Call& call);
HandlerResult DeleteQueue(Env& env, const api::Call& call);
HandlerResult GetQueueAttributes(Env& env, const api::Call& call);
HandlerResult SetQueueAttributes(Env& env, const api::Call& call);
HandlerResult PurgeQueue(Env& env, const api::Call& call);

// tags.cc
HandlerResult TagQueue(Env& env, const api::Call& call);
HandlerResult UntagQueue(Env& env, const api::Call& call);
HandlerResult ListQueueTags(Env& env, const api::Call& call);
// Tag limits: at most 50 per queue (`existing` of them kept), keys of 1 to
// 128 characters, values of at most 256. Errors: InvalidParameterValue.
Status ValidateTags(const std::map<std::string, std::string>& tags,
                    const std::map<std::string, std::string>& existing);

// dead_letters.cc
// When `attributes` set a RedrivePolicy for the queue `source` (a registry
// name): places the target ApplyQueueAttributes read (a plain name) in the
// source's account and region, where AWS requires a dead-letter queue to be.
void PlaceRedriveTarget(const Env& env, std::string_view source, const AttributeMap& attributes,
                        engine::QueueSettings* settings);
// When `attributes` set a RedrivePolicy for the queue `source`: its target
// must exist (in the source's region and account), be of the same kind
// (FIFO when `source_fifo`, standard otherwise), and allow `source` by its
// RedriveAllowPolicy. Errors: InvalidParameterValue.
Status CheckRedriveTarget(const Env& env, std::string_view source, bool source_fifo,
                          const AttributeMap& attributes);
HandlerResult ListDeadLetterSourceQueues(Env& env, const api::Call& call);
HandlerResult StartMessageMoveTask(Env& env, const api::Call& call);
HandlerResult CancelMessageMoveTask(Env& env, const api::Call& call);
HandlerResult ListMessageMoveTasks(Env& env, const api::Call& call);

// permissions.cc
HandlerResult AddPermission(Env& env, const api::Call& call);
HandlerResult RemovePermission(Env& env, const api::Call& call);

// messages.cc
HandlerResult SendMessage(Env& env, const api::Call& call);
void ReceiveMessage(Env& env, const api::Call& call, api::Reply reply);
HandlerResult DeleteMessage(Env& env, const api::Call& call);
HandlerResult ChangeMessageVisibility(Env& env, const api::Call& call);

// batch.cc
HandlerResult SendMessageBatch(Env& env, const api::Call& call);
HandlerResult DeleteMessageBatch(Env& env, const api::Call& call);
HandlerResult ChangeMessageVisibilityBatch(Env& env, const api::Call& call);

// What SendMessage and each SendMessageBatch entry share (messages.cc).
struct PreparedSend {
  engine::SendRequest request;  // payload encoded, delay and group set
  std::string body_md5_hex;
  std::string attributes_md5_hex;         // empty without attributes
  std::string system_attributes_md5_hex;  // empty without system attributes
  size_t size = 0;                        // as counted against MaximumMessageSize
};
// What a send must satisfy on its queue, read once per request.
struct SendRules {
  bool fifo = false;  // MessageGroupId and a deduplication id required, no per-message delay
  bool content_based_dedup = false;  // FIFO: the deduplication id may come from the body
  // Scheduled delivery (scheduling.h): the queue, whose settings are read
  // only for a message asking for more than SQS allows, and the engine's now.
  const engine::Queue* queue = nullptr;
  TimeMs now = 0;
};
SendRules SendRulesOf(const engine::Queue& queue, const Clock& clock);
// The FIFO ids a send must carry: MissingParameter without MessageGroupId,
// InvalidParameterValue without a deduplication id unless the queue derives
// it from the body. Ok on a standard queue.
Status CheckFifoIdsPresent(const SendRules& rules, bool has_group, bool has_dedup);
// Validates one message (body, delay, attributes, FIFO ids) and encodes its
// payload. `message` holds MessageBody, DelaySeconds, MessageAttributes, ...
// (the request, or one batch entry); the body is read in place, not copied.
Result<PreparedSend> PrepareSend(const boost::json::object& message, const api::CallContext& ctx,
                                 std::string_view action, const SendRules& rules);
// Sends a prepared message, enforcing the queue's MaximumMessageSize, and
// returns the SendMessage result members (a FIFO duplicate answers with the
// original's MessageId and SequenceNumber).
HandlerResult SendPrepared(engine::Queue& queue, PreparedSend prepared);
// The two halves of SendPrepared, for a batch sent in one engine call: the
// queue's MaximumMessageSize, and the result members of a stored message.
Status CheckMessageSize(const engine::Queue& queue, const PreparedSend& prepared);
boost::json::object SentMembers(const engine::Queue& queue, PreparedSend& prepared,
                                engine::SendResult sent);
// DeleteMessage / ChangeMessageVisibility of one receipt handle, with AWS's
// errors.
Status DeleteOne(engine::Queue& queue, std::string_view receipt_handle);
// The error DeleteOne answers for the engine's failure `s` of that handle.
Status DeleteError(const Status& s, std::string_view receipt_handle);
Status ChangeVisibilityOne(engine::Queue& queue, std::string_view receipt_handle,
                           const std::optional<int64_t>& timeout_s);

}  // namespace ferry::sqs
