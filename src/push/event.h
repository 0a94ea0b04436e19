// The wire of a push consumer: the event a batch is POSTed as (the event
// Lambda's SQS event source mapping passes a function, byte for byte in its
// field names), its signature, and what the endpoint's answer means for the
// batch. See docs/extensions/push.md.
//
// Thread-safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/types.h"
#include "http/client.h"

namespace ferry::push {

// Where a record says it comes from: eventSourceARN and awsRegion.
struct EventSource {
  std::string arn;
  std::string region;
};

// One element of the event's "Records": messageId, receiptHandle, body,
// attributes (ApproximateReceiveCount, SentTimestamp, SenderId,
// ApproximateFirstReceiveTimestamp; AWSTraceHeader and
// DeadLetterQueueSourceArn when the message has them; SequenceNumber,
// MessageGroupId and MessageDeduplicationId in FIFO queues),
// messageAttributes, md5OfBody, md5OfMessageAttributes (only with
// attributes), eventSource, eventSourceARN, awsRegion; as compact JSON.
// `dead_letter_source_arn` is the ARN of m.dead_letter_source (empty when
// it has none). Errors: kInternal when the stored payload cannot be decoded.
Result<std::string> RenderRecord(const engine::ReceivedMessage& m, bool fifo,
                                 const EventSource& source,
                                 std::string_view dead_letter_source_arn);

// {"Records":[<records>]}: the request's body.
std::string EventBody(const std::vector<std::string>& records);
// The size EventBody would have.
size_t EventBodySize(size_t records_bytes, size_t records);

// X-Ferry-Signature's value: "v1=" and the hex HMAC-SHA256, keyed with the
// signing secret, of the X-Ferry-Timestamp value, ".", and the body.
std::string Signature(std::string_view secret, std::string_view timestamp, std::string_view body);

// What an answer means for a batch.
enum class Outcome {
  kDelivered,   // 2xx: delete every message but `failed`
  kRetry,       // leave the whole batch in flight (5xx, 429, timeout, transport, bad answer)
  kDeadLetter,  // another 4xx: move the batch to the dead-letter queue
};

struct Verdict {
  Outcome outcome = Outcome::kRetry;
  std::set<std::string> failed;  // kDelivered: the ids the endpoint reported failed
  std::string reason;            // why, when it is not a plain success: for the log
};

// Classifies an answer to a batch whose message ids are `ids`. A 2xx body
// that is empty, not JSON, not an object, or has no (or a null or empty)
// batchItemFailures is a success of the whole batch; with batchItemFailures
// the listed messages failed, and any entry whose itemIdentifier is missing,
// not a string, empty or not in the batch (or a batchItemFailures that is not
// an array) fails the whole batch, as Lambda does. 5xx, 429, a failed request
// (timeout, refused, reset) and 1xx/3xx retry; every other 4xx dead-letters.
Verdict Classify(const Result<http::InboundResponse>& answer, const std::set<std::string>& ids);

}  // namespace ferry::push
