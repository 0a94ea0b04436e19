// Whether a topic may deliver into an SQS queue: the queue's Policy decides,
// as on AWS, for the principal sns.amazonaws.com calling sqs:SendMessage
// with aws:SourceArn the topic's ARN and aws:SourceAccount and
// aws:SourceOwner the topic's account. A queue without a policy takes only
// its own account's topics (the owner rule of auth/policy.h); an explicit
// Deny refuses any topic.
//
// Fan-out asks once per copy, so the check reads the queue's policy parsed
// (PublishContext::queue_policies, shared with the SQS service that sets
// them) and allocates nothing when the queue has none.
//
// Thread-safety: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "engine/engine.h"
#include "sns/model.h"
#include "sns/publish.h"

namespace ferry::sns {

// The principal a topic delivers as.
inline constexpr std::string_view kSnsServicePrincipal = "sns.amazonaws.com";

// Whether `topic` may send its copy for `sub` into `queue`, whose ARN is
// `queue_arn` (the subscribed queue, or its subscription's dead-letter
// queue).
bool TopicMayDeliver(const PublishContext& ctx, const Topic& topic, std::string_view queue_arn,
                     const std::shared_ptr<engine::Queue>& queue);

// Logs a copy that `queue_arn`'s policy refused, naming the topic, the
// subscription and the queue: at most one line every 10 s (by `now_ms`) in
// the whole process, saying how many more were refused since the last one.
void LogRefusedCopy(TimeMs now_ms, const Topic& topic, const Subscription& sub,
                    std::string_view queue_arn);

}  // namespace ferry::sns
