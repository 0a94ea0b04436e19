// Queue and topic names wherever URLs and ARNs are expected: the admin CLI
// takes `orders`, its queue URL or its ARN alike, and a topic by name or ARN.
//
// Thread-safety: pure functions of the invoker they are given.
#pragma once

#include <string>
#include <string_view>

#include "api/invoker.h"
#include "common/status.h"

namespace ferry::cli {

// The last ':'- or '/'-separated part of an ARN or URL: the resource's name.
std::string_view NameOf(std::string_view arn_or_url);

// A queue's URL: a URL as given, an ARN's or a name's by GetQueueUrl.
Result<std::string> ResolveQueueUrl(api::ActionInvoker& api, std::string_view queue);

// A queue's ARN: an ARN as given, else its URL's QueueArn attribute.
Result<std::string> ResolveQueueArn(api::ActionInvoker& api, std::string_view queue);

// A topic's ARN: an ARN as given, else the listed topic of that name
// (kNotFound "NotFound: Topic does not exist: <name>").
Result<std::string> ResolveTopicArn(api::ActionInvoker& api, std::string_view topic);

}  // namespace ferry::cli
