#include "admin/cancel_message.h"

#include <memory>
#include <string>

#include "api/errors.h"
#include "api/params.h"

namespace ferry::admin {

void CancelMessage(engine::Engine& engine, engine::Queue& queue, const api::Call& call,
                   api::Reply reply) {
  const api::Params p(call.params, call.ctx.wire);
  Result<std::string> id = p.RequiredString("MessageId");
  if (!id.ok()) return reply(id.status());
  Result<engine::CancelOutcome> outcome = queue.Cancel(*id);
  if (!outcome.ok()) {
    if (outcome.status().code() == Code::kInvalidArgument) {
      return reply(api::InvalidParameterValue("MessageId", *id, "Must be a message id."));
    }
    return reply(
        api::Error(api::ErrorId::kServiceUnavailable,
                   "The service is temporarily unavailable: " + outcome.status().message()));
  }
  boost::json::object answer;
  switch (*outcome) {
    case engine::CancelOutcome::kCancelled:
      answer.emplace("Cancelled", true);
      break;
    case engine::CancelOutcome::kAlreadyVisible:
      answer.emplace("Cancelled", false);
      answer.emplace("Reason", "AlreadyVisible");
      break;
    case engine::CancelOutcome::kNotFound:
      answer.emplace("Cancelled", false);
      answer.emplace("Reason", "NotFound");
      break;
  }
  // Every answer waits: a NotFound may be the answer to a retry of a cancel
  // whose record is not durable yet.
  auto shared = std::make_shared<api::Reply>(std::move(reply));
  engine.AfterDurable([shared, answer = std::move(answer)](Status st) mutable {
    if (!st.ok()) {
      return (*shared)(api::Error(api::ErrorId::kServiceUnavailable,
                                  "The service is temporarily unavailable: " + st.message()));
    }
    (*shared)(std::move(answer));
  });
}

}  // namespace ferry::admin
