#include "sqs/service.h"

#include <array>
#include <boost/asio/post.hpp>
#include <utility>

#include "api/action_table.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

using api::Durability;
using SqsAction = api::Action<Env>;

template <HandlerResult (*F)(Env&, const api::Call&)>
constexpr SqsAction::Handler Now = &api::AnswerNow<Env, F>;

void Receive(Env& env, const api::Call& call, api::Reply&& reply) {
  ReceiveMessage(env, call, std::move(reply));
}

// Every action of the SQS model, sorted by name. Those that change state are
// answered only once the change is durable.
constexpr std::array kActions = {
    SqsAction{"AddPermission", Now<AddPermission>, Durability::kDurable},
    SqsAction{"CancelMessageMoveTask", Now<CancelMessageMoveTask>, Durability::kDurable},
    SqsAction{"ChangeMessageVisibility", Now<ChangeMessageVisibility>, Durability::kDurable},
    SqsAction{"ChangeMessageVisibilityBatch", Now<ChangeMessageVisibilityBatch>,
              Durability::kDurable},
    SqsAction{"CreateQueue", Now<CreateQueue>, Durability::kDurable},
    SqsAction{"DeleteMessage", Now<DeleteMessage>, Durability::kDurable},
    SqsAction{"DeleteMessageBatch", Now<DeleteMessageBatch>, Durability::kDurable},
    SqsAction{"DeleteQueue", Now<DeleteQueue>, Durability::kDurable},
    SqsAction{"GetQueueAttributes", Now<GetQueueAttributes>},
    SqsAction{"GetQueueUrl", Now<GetQueueUrl>},
    SqsAction{"ListDeadLetterSourceQueues", Now<ListDeadLetterSourceQueues>},
    SqsAction{"ListMessageMoveTasks", Now<ListMessageMoveTasks>},
    SqsAction{"ListQueueTags", Now<ListQueueTags>},
    SqsAction{"ListQueues", Now<ListQueues>},
    SqsAction{"PurgeQueue", Now<PurgeQueue>, Durability::kDurable},
    SqsAction{"ReceiveMessage", Receive, Durability::kDurable},
    SqsAction{"RemovePermission", Now<RemovePermission>, Durability::kDurable},
    SqsAction{"SendMessage", Now<SendMessage>, Durability::kDurable},
    SqsAction{"SendMessageBatch", Now<SendMessageBatch>, Durability::kDurable},
    SqsAction{"SetQueueAttributes", Now<SetQueueAttributes>, Durability::kDurable},
    SqsAction{"StartMessageMoveTask", Now<StartMessageMoveTask>, Durability::kDurable},
    SqsAction{"TagQueue", Now<TagQueue>, Durability::kDurable},
    SqsAction{"UntagQueue", Now<UntagQueue>, Durability::kDurable},
};
static_assert(api::SortedByName(kActions), "kActions must be sorted by name");

constexpr api::ActionTable<Env> kTable{kActions};

}  // namespace

SqsService::SqsService(engine::Engine& engine, boost::asio::any_io_executor executor,
                       SqsOptions options)
    : env_(new Env{.engine = engine,
                   .executor = std::move(executor),
                   .options = std::move(options),
                   .purges = {},
                   .permissions_mu = {},
                   .policies = {}}),
      durable_(api::DurableWaitOn(engine, env_->executor)) {
  env_->policies = env_->options.queue_policies;
  if (env_->policies == nullptr) env_->policies = std::make_shared<auth::PolicyCache>();
}

SqsService::~SqsService() = default;

bool SqsService::Knows(std::string_view action) const { return kTable.Find(action) != nullptr; }

void SqsService::Invoke(api::Call call, api::Reply reply) {
  kTable.Invoke(*env_, call, std::move(reply), durable_);
}

}  // namespace ferry::sqs
