// AddPermission and RemovePermission: edit the queue's Policy attribute (an
// IAM policy document) one statement per label, as AWS does. The edited
// policy is what ResolveQueue evaluates (auth/policy.h).
#include <algorithm>
#include <array>

#include "api/errors.h"
#include "auth/identity.h"
#include "sqs/handlers.h"
#include "sqs/queue_url.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr size_t kMaxActionsPerStatement = 7;
constexpr size_t kMaxLabelLength = 80;

// The actions AddPermission may grant ("*" is all of them).
constexpr std::array<std::string_view, 9> kGrantable = {
    "*",           "ChangeMessageVisibility",    "DeleteMessage", "GetQueueAttributes",
    "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",    "ReceiveMessage",
    "SendMessage",
};

Status InvalidLabel(std::string_view label, std::string_view reason) {
  return api::InvalidParameterValue("Label", label, reason);
}

Status CheckLabel(std::string_view label) {
  bool ok = !label.empty() && label.size() <= kMaxLabelLength;
  for (char c : label) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return Status::Ok();
  return InvalidLabel(label,
                      "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                      "80 in length.");
}

// The queue's policy document, or a new empty one, with Statement an array.
boost::json::object PolicyOf(const engine::QueueSettings& settings, std::string_view queue_arn) {
  boost::json::object policy;
  if (auto it = settings.extra.find("Policy"); it != settings.extra.end()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(it->second, ec);
    if (!ec && v.is_object()) policy = std::move(v.get_object());
  }
  if (!policy.contains("Version")) policy["Version"] = "2008-10-17";
  if (!policy.contains("Id")) policy["Id"] = std::string(queue_arn) + "/SQSDefaultPolicy";
  boost::json::value& statements = policy["Statement"];
  if (statements.is_object()) {
    boost::json::array one;
    one.push_back(std::move(statements));
    statements = std::move(one);
  } else if (!statements.is_array()) {
    statements = boost::json::array();
  }
  return policy;
}

bool SidIs(const boost::json::value& statement, std::string_view sid) {
  const boost::json::value* id =
      statement.is_object() ? statement.get_object().if_contains("Sid") : nullptr;
  return id != nullptr && id->is_string() && id->get_string() == sid;
}

bool HasSid(const boost::json::array& statements, std::string_view sid) {
  return std::any_of(statements.begin(), statements.end(),
                     [&](const boost::json::value& s) { return SidIs(s, sid); });
}

// A list of one is written as a plain string, as AWS writes it.
boost::json::value OneOrList(const std::vector<std::string>& values) {
  if (values.size() == 1) return boost::json::value(values.front());
  boost::json::array a;
  for (const std::string& v : values) a.emplace_back(v);
  return a;
}

// Lets `edit` change the statements of the queue's policy (under
// permissions_mu, so that concurrent edits do not lose each other), then
// stores the policy, or removes it when no statement is left.
template <typename Edit>
HandlerResult EditStatements(Env& env, const std::shared_ptr<engine::Queue>& queue, Edit edit) {
  const std::string arn = QueueArnOf(env, queue->name());
  std::lock_guard lock(env.permissions_mu);
  engine::QueueSettings settings = queue->settings();
  boost::json::object policy = PolicyOf(settings, arn);
  boost::json::array& statements = policy["Statement"].as_array();
  FERRY_RETURN_IF_ERROR(edit(statements, arn));
  if (statements.empty()) {
    settings.extra.erase("Policy");
  } else {
    settings.extra["Policy"] = boost::json::serialize(policy);
  }
  Status s = queue->SetSettings(settings);
  if (!s.ok()) return EngineError(s);
  RememberPolicy(env, queue, settings);
  return boost::json::object();
}

}  // namespace

HandlerResult AddPermission(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto label = p.RequiredString("Label");
  if (!label.ok()) return label.status();
  auto accounts = p.StringList("AWSAccountIds");
  if (!accounts.ok()) return accounts.status();
  auto actions = p.StringList("Actions");
  if (!actions.ok()) return actions.status();
  FERRY_RETURN_IF_ERROR(CheckLabel(*label));
  if (accounts->empty()) {
    return api::MissingParameter("AWSAccountIds");
  }
  if (actions->empty()) {
    return api::MissingParameter("Actions");
  }
  for (const std::string& id : *accounts) {
    if (!auth::IsAccountId(id)) {
      return api::InvalidParameterValue("PrincipalId", id, "Unable to verify.");
    }
  }
  if (actions->size() > kMaxActionsPerStatement) {
    return api::Error(ErrorId::kOverLimit, std::to_string(actions->size()) +
                                               " Actions were found, maximum allowed is 7.");
  }
  std::vector<std::string> granted;
  for (const std::string& a : *actions) {
    if (std::find(kGrantable.begin(), kGrantable.end(), a) == kGrantable.end()) {
      return api::InvalidParameterValue("ActionName", "SQS:" + a,
                                        "Only the queue owner is allowed to invoke this action.");
    }
    granted.push_back("SQS:" + a);
  }
  std::vector<std::string> principals;
  for (const std::string& id : *accounts) principals.push_back("arn:aws:iam::" + id + ":root");

  return EditStatements(env, *queue, [&](boost::json::array& statements, const std::string& arn) {
    if (HasSid(statements, *label)) return InvalidLabel(*label, "Already exists.");
    boost::json::object statement;
    statement["Sid"] = *label;
    statement["Effect"] = "Allow";
    statement["Principal"] = boost::json::object{{"AWS", OneOrList(principals)}};
    statement["Action"] = OneOrList(granted);
    statement["Resource"] = arn;
    statements.emplace_back(std::move(statement));
    return Status::Ok();
  });
}

HandlerResult RemovePermission(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto label = p.RequiredString("Label");
  if (!label.ok()) return label.status();

  return EditStatements(env, *queue, [&](boost::json::array& statements, const std::string&) {
    if (!HasSid(statements, *label)) {
      return InvalidLabel(*label, "can't find label.");
    }
    statements.erase(std::remove_if(statements.begin(), statements.end(),
                                    [&](const boost::json::value& s) { return SidIs(s, *label); }),
                     statements.end());
    return Status::Ok();
  });
}

}  // namespace ferry::sqs
