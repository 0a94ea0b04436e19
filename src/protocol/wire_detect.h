// Which SQS wire protocol a request speaks.
//
// The Content-Type decides; the X-Amz-Target header alone does not, because
// some Query clients send it with a form body. Stateless and thread-safe.
#pragma once

#include <string_view>

#include "api/call.h"

namespace ferry::protocol {

// application/x-www-form-urlencoded          → Query, whatever the headers
// application/x-amz-json-1.0 (or -1.1)       → JSON
// anything else (none, text/plain, ...)       → JSON when X-Amz-Target is set
//                                               and the body is no form with
//                                               an Action, else Query
api::Wire DetectWire(std::string_view content_type, std::string_view amz_target,
                     std::string_view body);

}  // namespace ferry::protocol
