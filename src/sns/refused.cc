// The SMS, mobile push (platform applications and endpoints) and data
// protection actions. Ferry has no SMS gateway, no push credentials and no
// message scanning, so rather than pretend, each of these answers
// InvalidAction with a text that says so (docs/compatibility.md, "SNS
// topics and subscriptions").
#include "sns/handlers.h"

namespace ferry::sns {

HandlerResult Refused(Env&, const api::Call& call) {
  return api::Error(api::ErrorId::kInvalidAction,
                    "The action " + call.action +
                        " is not supported by this server: Ferry delivers SNS messages to "
                        "Amazon SQS queues and HTTP(S) endpoints only (no SMS, mobile push or "
                        "data protection policies).");
}

}  // namespace ferry::sns
