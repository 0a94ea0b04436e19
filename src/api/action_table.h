// ActionTable: a service's actions, each with its handler and whether its
// answer waits for durability, written once for every service.
//
// A service lists its actions in one constexpr array sorted by name
// (`SortedByName` checks it at compile time) and answers a Call with
// `ActionTable::Invoke`. An action of kind kDurable is answered only once
// everything its handler wrote is durable: the table wraps the handler's
// Reply (AnswerWhenDurable), so no handler waits by itself. The wait itself
// is the service's (its engine's); this layer knows nothing of engines.
//
// Thread-safety: a table is immutable; Invoke runs on any thread, as many at
// once as the service allows. DurableWait's functions must be callable from
// any thread.
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <array>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "api/call.h"
#include "api/errors.h"
#include "common/status.h"

namespace ferry::api {

// What an action's success waits for before it is answered.
enum class Durability {
  kNone,     // reads: answered at once
  kDurable,  // writes: answered after the records the handler wrote are durable
};

// How a service learns that its writes are durable, and where answers go
// after the wait.
struct DurableWait {
  // Calls `done` once every change made before the call is durable, with
  // the wait's failure if it fails; from any thread, or at once on the
  // calling one.
  std::function<void(std::function<void(Status)>)> after_durable;
  // Runs a task on the service's request threads.
  std::function<void(std::function<void()>)> post;
};

// The DurableWait of a service over `store` (its engine: anything with
// AfterDurable(std::function<void(Status)>)), answering on `executor`.
template <typename Store>
DurableWait DurableWaitOn(Store& store, boost::asio::any_io_executor executor) {
  return DurableWait{
      .after_durable = [&store](std::function<void(Status)> done) {
        store.AfterDurable(std::move(done));
      },
      .post = [executor = std::move(executor)](std::function<void()> task) {
        boost::asio::post(executor, std::move(task));
      }};
}

// Wraps `reply` for a kDurable action. A failure changed nothing and is
// answered at once. A success is answered once `wait` says the changes are
// durable (a 200 survives a crash), or with the wait's failure instead. The
// durability callback usually runs on the log's writer thread, which must get
// back to writing the next batch: the answer (shaping, encoding, sending) is
// posted to the request threads, unless the callback ran at once.
Reply AnswerWhenDurable(const DurableWait& wait, Reply reply);

template <typename Env>
struct Action {
  // Answers through the Reply exactly once, now or later, from any thread.
  using Handler = void (*)(Env&, const Call&, Reply&&);
  std::string_view name;
  Handler handler;
  Durability durability = Durability::kNone;
};

// Adapts a handler that returns its answer as a table Handler. Handlers
// report bad input as a Status and never throw on it; this only keeps an
// allocation failure from escaping the service.
template <typename Env, Result<boost::json::object> (*F)(Env&, const Call&)>
void AnswerNow(Env& env, const Call& call, Reply&& reply) {
  std::optional<Result<boost::json::object>> result;
  try {
    result.emplace(F(env, call));
  } catch (const std::exception& e) {
    result.emplace(Error(ErrorId::kInternalError, e.what()));
  }
  reply(std::move(*result));
}

template <typename Env, size_t N>
constexpr bool SortedByName(const std::array<Action<Env>, N>& actions) {
  for (size_t i = 1; i < N; ++i) {
    if (!(actions[i - 1].name < actions[i].name)) return false;
  }
  return true;
}

template <typename Env>
class ActionTable {
 public:
  // `actions` sorted by name (static_assert SortedByName on it).
  constexpr explicit ActionTable(std::span<const Action<Env>> actions) : actions_(actions) {}

  const Action<Env>* Find(std::string_view name) const {
    auto it = std::lower_bound(actions_.begin(), actions_.end(), name,
                               [](const Action<Env>& a, std::string_view n) { return a.name < n; });
    return it != actions_.end() && it->name == name ? &*it : nullptr;
  }

  // Runs the handler of `call.action`, answering InvalidAction when the
  // table has none; a kDurable action's success waits for `wait`.
  void Invoke(Env& env, const Call& call, Reply reply, const DurableWait& wait) const {
    const Action<Env>* action = Find(call.action);
    if (action == nullptr) return reply(InvalidAction(call.action));
    if (action->durability == Durability::kNone)
      return action->handler(env, call, std::move(reply));
    action->handler(env, call, AnswerWhenDurable(wait, std::move(reply)));
  }

 private:
  std::span<const Action<Env>> actions_;
};

}  // namespace ferry::api
