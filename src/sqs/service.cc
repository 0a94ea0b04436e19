#include "sqs/service.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <utility>

#include "api/errors.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

using HandlerFn = void (*)(Env&, const api::Call&, api::Reply&&);

// Adapts a handler that answers at once. Nothing below throws on bad input;
// this only keeps an allocation failure from escaping the service.
template <HandlerResult (*F)(Env&, const api::Call&)>
void Now(Env& env, const api::Call& call, api::Reply&& reply) {
  std::optional<HandlerResult> result;
  try {
    result.emplace(F(env, call));
  } catch (const std::exception& e) {
    result.emplace(api::Error(api::ErrorId::kInternalError, e.what()));
  }
  reply(std::move(*result));
}

void Receive(Env& env, const api::Call& call, api::Reply&& reply) {
  ReceiveMessage(env, call, std::move(reply));
}

struct Entry {
  std::string_view action;
  HandlerFn fn;
  // Changes state: answered only once the change is durable.
  bool writes = false;
};

// True on a thread inside Engine::AfterDurable: a callback that runs there
// ran at once (nothing was pending, or the engine is in memory).
thread_local bool t_in_after_durable = false;

// Every action of the SQS model, sorted by name.
constexpr std::array kHandlers = {
    Entry{"AddPermission", Now<AddPermission>, true},
    Entry{"CancelMessageMoveTask", Now<CancelMessageMoveTask>, true},
    Entry{"ChangeMessageVisibility", Now<ChangeMessageVisibility>, true},
    Entry{"ChangeMessageVisibilityBatch", Now<ChangeMessageVisibilityBatch>, true},
    Entry{"CreateQueue", Now<CreateQueue>, true},
    Entry{"DeleteMessage", Now<DeleteMessage>, true},
    Entry{"DeleteMessageBatch", Now<DeleteMessageBatch>, true},
    Entry{"DeleteQueue", Now<DeleteQueue>, true},
    Entry{"GetQueueAttributes", Now<GetQueueAttributes>},
    Entry{"GetQueueUrl", Now<GetQueueUrl>},
    Entry{"ListDeadLetterSourceQueues", Now<ListDeadLetterSourceQueues>},
    Entry{"ListMessageMoveTasks", Now<ListMessageMoveTasks>},
    Entry{"ListQueueTags", Now<ListQueueTags>},
    Entry{"ListQueues", Now<ListQueues>},
    Entry{"PurgeQueue", Now<PurgeQueue>, true},
    Entry{"ReceiveMessage", Receive, true},
    Entry{"RemovePermission", Now<RemovePermission>, true},
    Entry{"SendMessage", Now<SendMessage>, true},
    Entry{"SendMessageBatch", Now<SendMessageBatch>, true},
    Entry{"SetQueueAttributes", Now<SetQueueAttributes>, true},
    Entry{"StartMessageMoveTask", Now<StartMessageMoveTask>, true},
    Entry{"TagQueue", Now<TagQueue>, true},
    Entry{"UntagQueue", Now<UntagQueue>, true},
};

constexpr bool SortedByAction() {
  for (size_t i = 1; i < kHandlers.size(); ++i) {
    if (!(kHandlers[i - 1].action < kHandlers[i].action)) return false;
  }
  return true;
}
static_assert(SortedByAction(), "kHandlers must be sorted by action for binary search");

const Entry* FindHandler(std::string_view action) {
  auto it = std::lower_bound(kHandlers.begin(), kHandlers.end(), action,
                             [](const Entry& e, std::string_view a) { return e.action < a; });
  return it != kHandlers.end() && it->action == action ? &*it : nullptr;
}

}  // namespace

SqsService::SqsService(engine::Engine& engine, boost::asio::any_io_executor executor,
                       SqsOptions options)
    : env_(new Env{.engine = engine,
                   .executor = std::move(executor),
                   .options = std::move(options),
                   .purges = {},
                   .permissions_mu = {}}) {}

SqsService::~SqsService() = default;

bool SqsService::Knows(std::string_view action) const { return FindHandler(action) != nullptr; }

void SqsService::Invoke(api::Call call, api::Reply reply) {
  const Entry* entry = FindHandler(call.action);
  if (entry == nullptr) {
    reply(api::InvalidAction(call.action));
    return;
  }
  if (!entry->writes) return entry->fn(*env_, call, std::move(reply));
  // A success is answered once its records are durable: a 200 survives a
  // crash. A failure changed nothing and is answered at once.
  //
  // The durability callback runs on the log's writer thread, which must get
  // back to writing the next batch: the answer (shaping, encoding, sending)
  // is posted to the request threads, unless the callback ran at once.
  Env& env = *env_;
  entry->fn(env, call, [&env, reply = std::move(reply)](HandlerResult result) mutable {
    if (!result.ok()) return reply(std::move(result));
    struct Pending {
      api::Reply reply;
      HandlerResult result;
    };
    auto pending = std::make_shared<Pending>(Pending{std::move(reply), std::move(result)});
    auto answer = [pending](Status st) {
      pending->reply(st.ok() ? std::move(pending->result) : HandlerResult(std::move(st)));
    };
    const bool outer = std::exchange(t_in_after_durable, true);
    env.engine.AfterDurable([&env, answer = std::move(answer)](Status st) mutable {
      if (t_in_after_durable) return answer(std::move(st));
      boost::asio::post(env.executor, [answer = std::move(answer), st = std::move(st)]() mutable {
        answer(std::move(st));
      });
    });
    t_in_after_durable = outer;
  });
}

}  // namespace ferry::sqs
