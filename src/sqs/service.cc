#include "sqs/service.h"

#include <algorithm>
#include <array>
#include <exception>
#include <optional>

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

// Actions of the model that arrive in a later version.
void NotYet(Env&, const api::Call& call, api::Reply&& reply) {
  reply(api::Error(api::ErrorId::kUnsupportedOperation,
                   call.action + " is not supported by this version of Ferry yet."));
}

struct Entry {
  std::string_view action;
  HandlerFn fn;
};

// Every action of the SQS model, sorted by name.
constexpr std::array kHandlers = {
    Entry{"AddPermission", NotYet},
    Entry{"CancelMessageMoveTask", NotYet},
    Entry{"ChangeMessageVisibility", Now<ChangeMessageVisibility>},
    Entry{"ChangeMessageVisibilityBatch", Now<ChangeMessageVisibilityBatch>},
    Entry{"CreateQueue", Now<CreateQueue>},
    Entry{"DeleteMessage", Now<DeleteMessage>},
    Entry{"DeleteMessageBatch", Now<DeleteMessageBatch>},
    Entry{"DeleteQueue", Now<DeleteQueue>},
    Entry{"GetQueueAttributes", Now<GetQueueAttributes>},
    Entry{"GetQueueUrl", Now<GetQueueUrl>},
    Entry{"ListDeadLetterSourceQueues", NotYet},
    Entry{"ListMessageMoveTasks", NotYet},
    Entry{"ListQueueTags", Now<ListQueueTags>},
    Entry{"ListQueues", Now<ListQueues>},
    Entry{"PurgeQueue", Now<PurgeQueue>},
    Entry{"ReceiveMessage", Receive},
    Entry{"RemovePermission", NotYet},
    Entry{"SendMessage", Now<SendMessage>},
    Entry{"SendMessageBatch", Now<SendMessageBatch>},
    Entry{"SetQueueAttributes", Now<SetQueueAttributes>},
    Entry{"StartMessageMoveTask", NotYet},
    Entry{"TagQueue", Now<TagQueue>},
    Entry{"UntagQueue", Now<UntagQueue>},
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
    : env_(new Env{engine, std::move(executor), std::move(options), {}}) {}

SqsService::~SqsService() = default;

bool SqsService::Knows(std::string_view action) const { return FindHandler(action) != nullptr; }

void SqsService::Invoke(api::Call call, api::Reply reply) {
  const Entry* entry = FindHandler(call.action);
  if (entry == nullptr) {
    reply(api::Error(api::ErrorId::kInvalidAction,
                     "The action " + call.action + " is not valid for this web service."));
    return;
  }
  entry->fn(*env_, call, std::move(reply));
}

}  // namespace ferry::sqs
