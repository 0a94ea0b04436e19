// Publish and PublishBatch: validate a publish, fan it out to the topic's
// subscriptions that match it, and say what was published.
//
// Every matching confirmed subscription gets its copy in the engine before
// the handler returns: an sqs subscription in its queue (the SNS envelope,
// or the raw message with its attributes), an http(s) one as a delivery
// item (delivery_item.h) in its internal delivery queue. The action is
// durable (api::Durability::kDurable), so one durability wait covers every
// copy and a 200 means they are all on disk.
//
// Thread-safety: any number of publishes may run at once; the context's
// members must be safe to call from any thread.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/call.h"
#include "auth/policy_cache.h"
#include "common/status.h"
#include "engine/engine.h"
#include "sns/model.h"
#include "sns/signing_key.h"

namespace ferry::sns {

// What fan-out did, summed over every publish that counts into it.
struct PublishCounters {
  std::atomic<uint64_t> copies{0};  // copies stored in a queue
  // Copies that reached no queue: the subscribed queue (and its dead-letter
  // queue, if any) is gone, a FIFO queue is subscribed to a standard topic,
  // or a raw copy has more than 10 attributes.
  std::atomic<uint64_t> dropped{0};
  // Copies the queue's policy refused (queue_access.h): not stored, logged.
  std::atomic<uint64_t> refused{0};
};

struct PublishContext {
  engine::Engine& engine;
  // Signs envelopes; null leaves them unsigned (tests only).
  const SigningKey* signing_key = nullptr;
  // Ferry's own base URL (scheme://host[:port], no trailing slash), for
  // SigningCertURL and UnsubscribeURL.
  std::string public_url;
  // The topic an ARN names, null when there is none.
  std::function<std::shared_ptr<const Topic>(std::string_view arn)> find_topic;
  // Whether the caller may publish to the topic `arn` (well-formed), which
  // is `topic` (null: there is none), before anything else is checked: the
  // service evaluates the topic's policy (AuthorizationError). Null: every
  // caller may.
  std::function<Status(const api::Call& call, std::string_view arn, const Topic* topic)>
      authorize;
  // Where fan-out counts what it did; null: not counted.
  PublishCounters* counters = nullptr;
  // The SQS queues' parsed policies (the SQS service's, which keeps them
  // exact), for the check of each copy (queue_access.h); null: each check
  // parses the queue's policy (tests).
  std::shared_ptr<auth::PolicyCache> queue_policies{};
};

// The Publish action: {"MessageId", "SequenceNumber" (FIFO topics)}.
Result<boost::json::object> Publish(const PublishContext& ctx, const api::Call& call);
// The PublishBatch action: {"Successful": [...], "Failed": [...]}.
Result<boost::json::object> PublishBatch(const PublishContext& ctx, const api::Call& call);

}  // namespace ferry::sns
