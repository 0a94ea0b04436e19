#include "sns/service.h"

#include <array>
#include <boost/asio/post.hpp>
#include <utility>

#include "api/action_table.h"
#include "sns/handlers.h"
#include "sns/publish.h"

namespace ferry::sns {
namespace {

using api::Durability;
using SnsAction = api::Action<Env>;

template <HandlerResult (*F)(Env&, const api::Call&)>
constexpr SnsAction::Handler Now = &api::AnswerNow<Env, F>;

const PublishContext& PublishContextOf(const Env& env, const api::Call& call) {
  return call.ctx.secure_transport && env.publish_tls ? *env.publish_tls : env.publish;
}
HandlerResult PublishOne(Env& env, const api::Call& call) {
  return Publish(PublishContextOf(env, call), call);
}
HandlerResult PublishMany(Env& env, const api::Call& call) {
  return PublishBatch(PublishContextOf(env, call), call);
}

// Every action of the SNS model, sorted by name. Those that change state are
// answered only once the change is durable; the refused ones change nothing.
constexpr std::array kActions = {
    SnsAction{"AddPermission", Now<AddPermission>, Durability::kDurable},
    SnsAction{"CheckIfPhoneNumberIsOptedOut", Now<Refused>},
    SnsAction{"ConfirmSubscription", Now<ConfirmSubscription>, Durability::kDurable},
    SnsAction{"CreatePlatformApplication", Now<Refused>},
    SnsAction{"CreatePlatformEndpoint", Now<Refused>},
    SnsAction{"CreateSMSSandboxPhoneNumber", Now<Refused>},
    SnsAction{"CreateTopic", Now<CreateTopic>, Durability::kDurable},
    SnsAction{"DeleteEndpoint", Now<Refused>},
    SnsAction{"DeletePlatformApplication", Now<Refused>},
    SnsAction{"DeleteSMSSandboxPhoneNumber", Now<Refused>},
    SnsAction{"DeleteTopic", Now<DeleteTopic>, Durability::kDurable},
    SnsAction{"GetDataProtectionPolicy", Now<Refused>},
    SnsAction{"GetEndpointAttributes", Now<Refused>},
    SnsAction{"GetPlatformApplicationAttributes", Now<Refused>},
    SnsAction{"GetSMSAttributes", Now<Refused>},
    SnsAction{"GetSMSSandboxAccountStatus", Now<Refused>},
    SnsAction{"GetSubscriptionAttributes", Now<GetSubscriptionAttributes>},
    SnsAction{"GetTopicAttributes", Now<GetTopicAttributes>},
    SnsAction{"ListEndpointsByPlatformApplication", Now<Refused>},
    SnsAction{"ListOriginationNumbers", Now<Refused>},
    SnsAction{"ListPhoneNumbersOptedOut", Now<Refused>},
    SnsAction{"ListPlatformApplications", Now<Refused>},
    SnsAction{"ListSMSSandboxPhoneNumbers", Now<Refused>},
    SnsAction{"ListSubscriptions", Now<ListSubscriptions>},
    SnsAction{"ListSubscriptionsByTopic", Now<ListSubscriptionsByTopic>},
    SnsAction{"ListTagsForResource", Now<ListTagsForResource>},
    SnsAction{"ListTopics", Now<ListTopics>},
    SnsAction{"OptInPhoneNumber", Now<Refused>},
    SnsAction{"Publish", Now<PublishOne>, Durability::kDurable},
    SnsAction{"PublishBatch", Now<PublishMany>, Durability::kDurable},
    SnsAction{"PutDataProtectionPolicy", Now<Refused>},
    SnsAction{"RemovePermission", Now<RemovePermission>, Durability::kDurable},
    SnsAction{"SetEndpointAttributes", Now<Refused>},
    SnsAction{"SetPlatformApplicationAttributes", Now<Refused>},
    SnsAction{"SetSMSAttributes", Now<Refused>},
    SnsAction{"SetSubscriptionAttributes", Now<SetSubscriptionAttributes>, Durability::kDurable},
    SnsAction{"SetTopicAttributes", Now<SetTopicAttributes>, Durability::kDurable},
    SnsAction{"Subscribe", Now<Subscribe>, Durability::kDurable},
    SnsAction{"TagResource", Now<TagResource>, Durability::kDurable},
    SnsAction{"Unsubscribe", Now<Unsubscribe>, Durability::kDurable},
    SnsAction{"UntagResource", Now<UntagResource>, Durability::kDurable},
    SnsAction{"VerifySMSSandboxPhoneNumber", Now<Refused>},
};
static_assert(api::SortedByName(kActions), "kActions must be sorted by name");
static_assert(kActions.size() == 42, "the SNS model has 42 actions");

constexpr api::ActionTable<Env> kTable{kActions};

}  // namespace

SnsService::SnsService(engine::Engine& engine, Registry& registry, const SigningKey* signing_key,
                       boost::asio::any_io_executor executor, SnsOptions options)
    : counters_(std::make_unique<PublishCounters>()),
      env_(new Env{.engine = engine,
                   .registry = registry,
                   .signing_key = signing_key,
                   .executor = std::move(executor),
                   .options = std::move(options),
                   .publish =
                       PublishContext{
                           .engine = engine,
                           .signing_key = signing_key,
                           .public_url = {},
                           .find_topic = [&registry](std::string_view arn) {
                             return registry.LookupTopic(arn);
                           },
                           .authorize = {},
                           .counters = nullptr,
                           .queue_policies = nullptr},
                   .publish_tls = std::nullopt}),
      durable_(api::DurableWaitOn(engine, env_->executor)) {
  env_->publish.public_url = env_->options.public_url;
  env_->publish.counters = counters_.get();
  env_->publish.queue_policies = env_->options.queue_policies;
  env_->publish.authorize = [env = env_.get()](const api::Call& call, std::string_view arn,
                                               const Topic* topic) {
    return AuthorizeTopic(*env, call, arn, topic);
  };
  if (!env_->options.tls_public_url.empty()) {
    env_->publish_tls.emplace(env_->publish);
    env_->publish_tls->public_url = env_->options.tls_public_url;
  }
}

SnsService::~SnsService() = default;

bool SnsService::Knows(std::string_view action) const { return kTable.Find(action) != nullptr; }

void SnsService::Invoke(api::Call call, api::Reply reply) {
  kTable.Invoke(*env_, call, std::move(reply), durable_);
}

}  // namespace ferry::sns
