// Ferry.CancelMessage (docs/admin-api.md): cancels a scheduled message of a
// queue by the MessageId its send returned (engine Queue::Cancel). The one
// admin action that changes a queue: a cancel is answered only once its
// record is durable, so a {"Cancelled": true} never comes back after a
// crash.
//
// Thread-safety: a function of its arguments; the queue and engine are
// thread-safe.
#pragma once

#include "api/call.h"
#include "engine/engine.h"

namespace ferry::admin {

// Answers `reply` with {"Cancelled": true} or {"Cancelled": false,
// "Reason": "AlreadyVisible" | "NotFound"}; MissingParameter without a
// MessageId, InvalidParameterValue for a malformed one, ServiceUnavailable
// when the change cannot be stored. A cancel is answered after
// Engine::AfterDurable, from the thread that reports durability (the answer
// is small and the action rare, so it is not posted back).
void CancelMessage(engine::Engine& engine, engine::Queue& queue, const api::Call& call,
                   api::Reply reply);

}  // namespace ferry::admin
