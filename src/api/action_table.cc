#include "api/action_table.h"

#include <memory>

namespace ferry::api {
namespace {

// True on a thread inside DurableWait::after_durable: a callback that runs
// there ran at once (nothing was pending, or the store is in memory).
thread_local bool t_in_after_durable = false;

}  // namespace

Reply AnswerWhenDurable(const DurableWait& wait, Reply reply) {
  return [&wait, reply = std::move(reply)](Result<boost::json::object> result) mutable {
    if (!result.ok()) return reply(std::move(result));
    struct Pending {
      Reply reply;
      Result<boost::json::object> result;
    };
    auto pending = std::make_shared<Pending>(Pending{std::move(reply), std::move(result)});
    auto answer = [pending](Status st) {
      pending->reply(st.ok() ? std::move(pending->result)
                             : Result<boost::json::object>(std::move(st)));
    };
    const bool outer = std::exchange(t_in_after_durable, true);
    wait.after_durable([&wait, answer = std::move(answer)](Status st) mutable {
      if (t_in_after_durable) return answer(std::move(st));
      wait.post(
          [answer = std::move(answer), st = std::move(st)]() mutable { answer(std::move(st)); });
    });
    t_in_after_durable = outer;
  };
}

}  // namespace ferry::api
