// The few SQS actions the load generator uses, in the AWS JSON 1.0 protocol:
// request bodies to send and the fields read back from the answers. Shapes
// follow botocore's sqs/2012-11-05 service model.
//
// Parsers never throw: a body that is not the expected JSON reads as "nothing
// found" (no URL, no messages, no successful entries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::bench {

inline constexpr int kMaxBatchEntries = 10;  // SQS's limit for every *Batch action

// A message body of exactly `size` printable ASCII bytes that needs no JSON
// escaping, so the bytes on the wire match --body-size.
std::string MakeMessageBody(std::size_t size);

// FIFO queues: what makes each message a sender sends distinct. Its k-th
// message gets MessageGroupId "g<k mod groups>" (round robin over the groups)
// and MessageDeduplicationId "<prefix>-<k>", so nothing is a duplicate.
struct FifoIds {
  int groups = 0;      // 0: a standard queue, no ids
  std::string prefix;  // unique per sender and run
  uint64_t next = 0;
};

// `fifo`: create a FIFO queue (FifoQueue=true; the name must end in .fifo).
std::string CreateQueueRequest(std::string_view queue_name, bool fifo = false);
std::string GetQueueUrlRequest(std::string_view queue_name);
std::string ApproximateCountRequest(std::string_view queue_url);
// With `fifo` (groups > 0), the message carries the next FIFO ids.
std::string SendMessageRequest(std::string_view queue_url, std::string_view body,
                               FifoIds* fifo = nullptr);
// `entries` entries with Ids "0".."entries-1", all carrying `body` (and, with
// `fifo`, the next FIFO ids each).
std::string SendMessageBatchRequest(std::string_view queue_url, std::string_view body, int entries,
                                    FifoIds* fifo = nullptr);
std::string ReceiveMessageRequest(std::string_view queue_url, int max_messages, int wait_seconds);
std::string DeleteMessageBatchRequest(std::string_view queue_url,
                                      const std::vector<std::string>& receipt_handles);

// QueueUrl of a CreateQueue or GetQueueUrl answer.
std::optional<std::string> ParseQueueUrl(std::string_view json);
// Attributes.ApproximateNumberOfMessages of a GetQueueAttributes answer.
std::optional<int64_t> ParseApproximateCount(std::string_view json);
// The ReceiptHandle of every message of a ReceiveMessage answer, appended to `out`.
void ParseReceiptHandles(std::string_view json, std::vector<std::string>& out);

// Entry counts of a *Batch answer.
struct BatchOutcome {
  int successful = 0;
  int failed = 0;
};
BatchOutcome ParseBatchOutcome(std::string_view json);

}  // namespace ferry::bench
