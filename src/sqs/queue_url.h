// Queue URLs, ARNs and names: the URL a client uses for a queue, the queue
// name read back from a URL or request path, and the rules for queue names.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "common/status.h"

namespace ferry::sqs {

// scheme://host/account/name, with the scheme and Host the client used, so
// that the URL works from wherever the client reached us; with a non-empty
// `region` (a queue of a region other than the server's own)
// scheme://host/queue/region/account/name, so that equal names of two
// regions have distinct URLs.
std::string MakeQueueUrl(const api::CallContext& ctx, std::string_view account_id,
                         std::string_view name, std::string_view region = {});

// arn:aws:sqs:region:account:name
std::string MakeQueueArn(std::string_view region, std::string_view account_id,
                         std::string_view name);

// The parts of an SQS queue ARN, arn:<partition>:sqs:<region>:<account>:<name>;
// nullopt for anything else.
struct QueueArn {
  std::string_view region;
  std::string_view account_id;
  std::string_view name;
};
std::optional<QueueArn> ParseQueueArn(std::string_view arn);

// The queue name a URL names: its last path segment, ignoring scheme, host,
// account, query string and trailing slashes (any host is accepted). Also
// takes a bare path ("/000000000000/q") or a bare name. nullopt when there is
// no segment.
std::optional<std::string_view> QueueNameFromUrl(std::string_view url);

// The region a queue URL names by its path, /queue/<region>/<account>/<name>
// (as MakeQueueUrl writes it for other regions than the server's); nullopt
// for any other URL, which names a queue of the server's own region.
std::optional<std::string_view> QueueRegionFromUrl(std::string_view url);

// The account a queue URL names: the path segment before the queue name,
// when it is an account id (12 digits: /<account>/<name>,
// /queue/<region>/<account>/<name>); nullopt for a URL with no such segment
// (a bare name, "/0/q"), which names a queue of the caller's account.
std::optional<std::string_view> QueueAccountFromUrl(std::string_view url);

// 1 to 80 characters of [A-Za-z0-9_-]; for a FIFO queue, those followed by
// ".fifo" (which CheckQueueKind, attributes.h, checked), 80 in all.
Status ValidateQueueName(std::string_view name, bool fifo = false);

}  // namespace ferry::sqs
