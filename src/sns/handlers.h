// The handlers of the SNS actions and what they share: the service
// environment, topic and subscription lookup, and SNS's error texts.
// Internal to src/sns; service.cc lists every handler in its one table.
//
// A handler validates its input in the order AWS does (the resource's ARN,
// then the resource, then the other parameters), changes the registry
// (which writes the catalog), and returns the model's output shape.
//
// Thread-safety: handlers run concurrently on any thread; Env is immutable
// but for the registry, which guards itself.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "api/errors.h"
#include "api/params.h"
#include "engine/engine.h"
#include "sns/model.h"
#include "sns/publish.h"
#include "sns/registry.h"
#include "sns/service.h"
#include "sns/signing_key.h"

namespace ferry::sns {

struct Env {
  engine::Engine& engine;
  Registry& registry;
  const SigningKey* signing_key;
  boost::asio::any_io_executor executor;
  SnsOptions options;
  PublishContext publish;
  // For a publish that came over TLS: `publish` with options.tls_public_url
  // (none when that is empty).
  std::optional<PublishContext> publish_tls;
};

using HandlerResult = Result<boost::json::object>;

// AWS pages ListTopics, ListSubscriptions and ListSubscriptionsByTopic by 100.
inline constexpr size_t kPageSize = 100;

// The account a request acts in (its caller's, else the default) and its
// region (its credential scope's, else the server's), as src/sqs reads them.
std::string RequestAccount(const Env& env, const api::Call& call);
std::string RequestRegion(const Env& env, const api::Call& call);

// InvalidParameter: "Invalid parameter: <what>".
Status InvalidParameter(std::string_view what);
// NotFound: "Topic does not exist".
Status TopicNotFound();
// NotFound: "Subscription does not exist".
Status SubscriptionNotFound();
// The AWS error of a registry or engine failure (one that already names an
// AWS error is kept as it is): kNotFound → NotFound with
// its message, kInvalidArgument → InvalidParameter, else ServiceUnavailable
// or InternalError.
Status RegistryError(const Status& status);
// "true"/"false" in any case, as SNS reads its boolean attributes, written
// back in lower case; nullopt for anything else.
std::optional<std::string> BooleanText(std::string_view value);

// SetTopicAttributes' and SetSubscriptionAttributes' AttributeName and
// AttributeValue (absent: empty). Errors: MissingParameter, ill-typed.
struct AttributeChange {
  std::string name;
  std::string value;
};
Result<AttributeChange> ReadAttributeChange(const api::Call& call);
// Sets `name` to `value`, or removes it when `value` is empty (an empty
// value clears an attribute, as in SNS).
void SetOrErase(std::map<std::string, std::string>& attributes, const std::string& name,
                const std::string& value);

// Whether the caller may call the request's action (sns:<Action>;
// PublishBatch is sns:Publish) on the topic `topic_arn` (well-formed), which
// is `topic` (null when there is none), by its Policy and the owner rule
// (auth/policy.h): AuthorizationError for another account's topic that its
// policy does not open to the caller (or that does not exist: nothing is
// learnt of another account's topics), and for the owner's call that a
// statement denies; ok otherwise.
Status AuthorizeTopic(const Env& env, const api::Call& call, std::string_view topic_arn,
                      const Topic* topic);

// The topic the request's `parameter` (TopicArn) names, if the caller may
// act on it (AuthorizeTopic). Errors: MissingParameter, InvalidParameter
// "<parameter>" for a malformed ARN, AuthorizationError, NotFound.
Result<std::shared_ptr<const Topic>> ResolveTopic(const Env& env, const api::Call& call,
                                                  std::string_view parameter = "TopicArn");

// One page of `arns` (sorted), as indices [first, last), starting at the
// request's NextToken (the first ARN of the page, as the previous page gave
// it). Sets `*next` to the token of the following page, or leaves it empty.
std::pair<size_t, size_t> PageOf(const std::vector<std::string_view>& arns,
                                 std::string_view next_token, std::string* next);

// topics.cc
HandlerResult CreateTopic(Env& env, const api::Call& call);
HandlerResult DeleteTopic(Env& env, const api::Call& call);
HandlerResult ListTopics(Env& env, const api::Call& call);
HandlerResult GetTopicAttributes(Env& env, const api::Call& call);
HandlerResult SetTopicAttributes(Env& env, const api::Call& call);

// tags.cc
HandlerResult TagResource(Env& env, const api::Call& call);
HandlerResult UntagResource(Env& env, const api::Call& call);
HandlerResult ListTagsForResource(Env& env, const api::Call& call);
// Reads a Tags list ([{Key, Value}]) and checks AWS's limits against the
// `existing` tags. Errors: InvalidParameter, TagLimitExceeded.
Result<std::map<std::string, std::string>> ReadTags(const api::Params& p,
                                                    const std::map<std::string, std::string>& existing);

// permissions.cc
HandlerResult AddPermission(Env& env, const api::Call& call);
HandlerResult RemovePermission(Env& env, const api::Call& call);
// The topic's Policy: the one set, else AWS's default policy document.
std::string PolicyOf(const Topic& topic);

// subscriptions.cc
HandlerResult Subscribe(Env& env, const api::Call& call);
HandlerResult ConfirmSubscription(Env& env, const api::Call& call);
HandlerResult Unsubscribe(Env& env, const api::Call& call);
HandlerResult ListSubscriptions(Env& env, const api::Call& call);
HandlerResult ListSubscriptionsByTopic(Env& env, const api::Call& call);
HandlerResult GetSubscriptionAttributes(Env& env, const api::Call& call);
HandlerResult SetSubscriptionAttributes(Env& env, const api::Call& call);

// refused.cc: the SMS, mobile push and data protection actions.
HandlerResult Refused(Env& env, const api::Call& call);

}  // namespace ferry::sns
