// Long polling: a ReceiveMessage that waits for messages without blocking a
// thread.
//
// StartLongPoll retries `attempt` whenever the queue may have a message for
// it (a Watch wake-up: a send, a visibility change, a delayed message due in
// the engine's Tick) or when the queue's next delayed or in-flight message is
// due (NextWakeMs, via a timer), until `attempt` produces an answer or the
// wait ends; then it answers an empty result. `reply` is called exactly once
// and every watcher it registered is removed by then. If the executor's
// context is shut down before the wait ends, `reply` is destroyed uncalled
// (the connection it belongs to is gone with that context).
//
// Thread-safety: each poll runs on its own strand of `executor`; wake-ups
// arrive from any thread. `clock` must outlive the poll.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "api/call.h"
#include "common/clock.h"
#include "common/status.h"
#include "engine/engine.h"

namespace ferry::sqs {

// One receive attempt: the answer to send now, or nullopt to keep waiting.
using PollAttempt = std::function<std::optional<Result<boost::json::object>>()>;

// Waits up to `wait` (real time) for `attempt` to produce an answer. The
// first attempt runs on the executor after the watch is registered, so a
// message sent between the caller's own attempt and this call is not missed.
void StartLongPoll(boost::asio::any_io_executor executor, std::shared_ptr<engine::Queue> queue,
                   const Clock& clock, std::chrono::milliseconds wait, PollAttempt attempt,
                   api::Reply reply);

}  // namespace ferry::sqs
