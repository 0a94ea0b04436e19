// ARNs as SNS reads and writes them: topics (arn:aws:sns:<region>:<account>:
// <name>), subscriptions (<topic arn>:<id>) and the SQS queues subscriptions
// name (arn:aws:sqs:<region>:<account>:<name>).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::sns {

// The parts of arn:<partition>:<service>:<region>:<account>:<resource>; the
// resource may itself hold ':' (a subscription's topic name and id).
struct Arn {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;
};
// nullopt unless all six parts are there and none but the resource is empty.
std::optional<Arn> ParseArn(std::string_view arn);

std::string MakeTopicArn(std::string_view region, std::string_view account,
                         std::string_view name);

// A topic ARN: service sns, a resource without ':'.
std::optional<Arn> ParseTopicArn(std::string_view arn);
// A subscription ARN: service sns, resource <topic name>:<id>. `topic_arn`
// receives the ARN of its topic.
std::optional<Arn> ParseSubscriptionArn(std::string_view arn, std::string* topic_arn = nullptr);
// An SQS queue ARN: service sqs, a resource without ':'.
std::optional<Arn> ParseQueueArn(std::string_view arn);

// Appends `value` percent-encoded for a URL's query: all but RFC 3986's
// unreserved characters and ':' (which a query may hold as it is), so an
// ARN is written in a SubscribeURL or an UnsubscribeURL as SNS writes it,
// colons and all.
void AppendUrlEncoded(std::string_view value, std::string* out);
inline std::string UrlEncode(std::string_view value) {
  std::string out;
  AppendUrlEncoded(value, &out);
  return out;
}

// 1 to 256 characters of [A-Za-z0-9_-], followed by ".fifo" for a FIFO
// topic (which counts toward the 256).
bool ValidTopicName(std::string_view name, bool fifo);

}  // namespace ferry::sns
