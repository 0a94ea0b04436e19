// AddPermission and RemovePermission: edit the topic's Policy (an IAM policy
// document), one statement per label, as AWS does. Ferry keeps and returns
// the policy; it does not evaluate it (docs/compatibility.md).
#include <algorithm>
#include <array>

#include "sns/handlers.h"

namespace ferry::sns {
namespace {

// The actions AddPermission may grant.
constexpr std::array<std::string_view, 9> kGrantable = {
    "AddPermission", "DeleteTopic",        "GetTopicAttributes",       "ListSubscriptionsByTopic",
    "Publish",       "Receive",            "RemovePermission",         "SetTopicAttributes",
    "Subscribe",
};

boost::json::value OneOrList(const std::vector<std::string>& values) {
  if (values.size() == 1) return boost::json::value(values.front());
  boost::json::array a;
  for (const std::string& v : values) a.emplace_back(v);
  return a;
}

bool SidIs(const boost::json::value& statement, std::string_view sid) {
  const boost::json::value* id =
      statement.is_object() ? statement.get_object().if_contains("Sid") : nullptr;
  return id != nullptr && id->is_string() && id->get_string() == sid;
}

// Lets `edit` change the statements of the topic's policy, then stores it.
template <typename Edit>
HandlerResult EditStatements(Env& env, const Topic& topic, Edit edit) {
  auto updated = env.registry.UpdateTopic(topic.arn, [&](Topic& t) -> Status {
    boost::json::value policy = boost::json::parse(PolicyOf(t));
    boost::json::value& statements = policy.as_object()["Statement"];
    if (!statements.is_array()) {
      boost::json::array one;
      if (statements.is_object()) one.push_back(std::move(statements));
      statements = std::move(one);
    }
    FERRY_RETURN_IF_ERROR(edit(statements.as_array()));
    t.attributes["Policy"] = boost::json::serialize(policy);
    return Status::Ok();
  });
  if (!updated.ok()) return RegistryError(updated.status());
  return boost::json::object();
}

}  // namespace

std::string PolicyOf(const Topic& topic) {
  if (auto it = topic.attributes.find("Policy"); it != topic.attributes.end()) return it->second;
  boost::json::array actions;
  for (const char* a : {"GetTopicAttributes", "SetTopicAttributes", "AddPermission",
                        "RemovePermission", "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic",
                        "Publish"}) {
    actions.emplace_back(std::string("SNS:") + a);
  }
  boost::json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", boost::json::object{{"AWS", "*"}}},
      {"Action", std::move(actions)},
      {"Resource", topic.arn},
      {"Condition",
       boost::json::object{
           {"StringEquals", boost::json::object{{"AWS:SourceOwner", topic.account}}}}},
  };
  boost::json::object policy{{"Version", "2008-10-17"},
                             {"Id", "__default_policy_ID"},
                             {"Statement", boost::json::array{std::move(statement)}}};
  return boost::json::serialize(policy);
}

HandlerResult AddPermission(Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call);
  if (!topic.ok()) return topic.status();
  const api::Params p(call.params, call.ctx.wire);
  auto label = p.RequiredString("Label");
  if (!label.ok()) return label.status();
  if (!p.Has("AWSAccountId")) return api::MissingParameter("AWSAccountId");
  auto accounts = p.StringList("AWSAccountId");
  if (!accounts.ok()) return accounts.status();
  if (!p.Has("ActionName")) return api::MissingParameter("ActionName");
  auto actions = p.StringList("ActionName");
  if (!actions.ok()) return actions.status();
  if (accounts->empty()) return InvalidParameter("AWSAccountId");
  if (actions->empty()) return InvalidParameter("ActionName");
  std::vector<std::string> principals;
  for (const std::string& account : *accounts) {
    principals.push_back("arn:aws:iam::" + account + ":root");
  }
  std::vector<std::string> granted;
  for (const std::string& action : *actions) {
    if (std::find(kGrantable.begin(), kGrantable.end(), action) == kGrantable.end()) {
      return InvalidParameter("Policy statement action out of service scope!");
    }
    granted.push_back("SNS:" + action);
  }
  return EditStatements(env, **topic, [&](boost::json::array& statements) -> Status {
    if (std::any_of(statements.begin(), statements.end(),
                    [&](const boost::json::value& s) { return SidIs(s, *label); })) {
      return InvalidParameter("Statement already exists");
    }
    statements.push_back(boost::json::object{
        {"Sid", *label},
        {"Effect", "Allow"},
        {"Principal", boost::json::object{{"AWS", OneOrList(principals)}}},
        {"Action", OneOrList(granted)},
        {"Resource", (*topic)->arn},
    });
    return Status::Ok();
  });
}

HandlerResult RemovePermission(Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call);
  if (!topic.ok()) return topic.status();
  const api::Params p(call.params, call.ctx.wire);
  auto label = p.RequiredString("Label");
  if (!label.ok()) return label.status();
  // A label no statement has is removed without complaint, as AWS does.
  return EditStatements(env, **topic, [&](boost::json::array& statements) -> Status {
    auto kept = std::remove_if(statements.begin(), statements.end(),
                               [&](const boost::json::value& s) { return SidIs(s, *label); });
    statements.erase(kept, statements.end());
    return Status::Ok();
  });
}

}  // namespace ferry::sns
