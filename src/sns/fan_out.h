// Fan-out: one validated message (publish_params.h) into every matching
// confirmed subscription of a topic, before the publish answers.
//
// Per message, whatever the number of subscriptions: one signature per
// distinct body (the string to sign holds no per-subscription field), one
// envelope per distinct body, split around the one field that differs by
// subscription (UnsubscribeURL), one raw payload per distinct body, one
// parse of a body for body-scoped filter policies. Per subscription: the
// filter match, a concatenation and an MD5 (a raw copy: nothing, its
// payload is encoded once per body); then one engine call stores every
// copy (Engine::SendCopies: one transaction on the PostgreSQL engine).
//
// FIFO topics first pass the message through the topic's deduplication
// queue (model.h): a duplicate within 5 minutes answers with the original's
// message id and sequence number and fans out nothing. The entry and the
// copies are one engine call (Engine::SendDedupedCopies: one transaction on
// the PostgreSQL engine); the queues are looked up before it.
//
// Thread-safety: as publish.h.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "sns/model.h"
#include "sns/publish.h"
#include "sns/publish_params.h"

namespace ferry::sns {

struct Published {
  std::string message_id;
  std::string sequence_number;  // FIFO topics only
  bool duplicate = false;       // a FIFO duplicate: nothing fanned out
};

// Publishes `message` to `topic`'s subscriptions. `sender_id` is the
// SenderId the stored SQS copies carry. Fails only when the engine cannot
// store (kUnavailable: on the local engine, whose log then fails, the
// copies stored before the failure stay; on the PostgreSQL engine none
// does), when a FIFO topic's deduplication queue is missing, or when
// signing fails.
Result<Published> FanOut(const PublishContext& ctx, const Topic& topic,
                         const PublishMessage& message, std::string_view sender_id);

// "<public_url>/?Action=Unsubscribe&SubscriptionArn=", to which a
// subscription's URL-encoded ARN (arn.h) is appended.
std::string UnsubscribeUrlPrefix(std::string_view public_url);

}  // namespace ferry::sns
