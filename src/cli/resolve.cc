#include "cli/resolve.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

bool IsUrl(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

// arn:partition:service:region:account:resource
std::string_view ArnPart(std::string_view arn, int index) {
  for (int i = 0; i < index; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    arn.remove_prefix(colon + 1);
  }
  return arn.substr(0, arn.find(':'));
}

}  // namespace

std::string_view NameOf(std::string_view arn_or_url) {
  size_t at = arn_or_url.find_last_of(IsUrl(arn_or_url) ? "/" : ":");
  return at == std::string_view::npos ? arn_or_url : arn_or_url.substr(at + 1);
}

Result<std::string> ResolveQueueUrl(api::ActionInvoker& api, std::string_view queue) {
  if (IsUrl(queue)) return std::string(queue);
  json::object params{{"QueueName", NameOf(queue)}};
  if (queue.starts_with("arn:")) params["QueueOwnerAWSAccountId"] = ArnPart(queue, 4);
  auto answer = api.Invoke("sqs", "GetQueueUrl", std::move(params));
  if (!answer.ok()) return answer.status();
  const json::value* url = answer->if_contains("QueueUrl");
  if (url == nullptr || !url->is_string()) {
    return Status::Internal("GetQueueUrl answered without a QueueUrl");
  }
  return std::string(url->get_string());
}

Result<std::string> ResolveQueueArn(api::ActionInvoker& api, std::string_view queue) {
  if (queue.starts_with("arn:")) return std::string(queue);
  auto url = ResolveQueueUrl(api, queue);
  if (!url.ok()) return url.status();
  auto answer = api.Invoke("sqs", "GetQueueAttributes",
                           {{"QueueUrl", *url}, {"AttributeNames", json::array{"QueueArn"}}});
  if (!answer.ok()) return answer.status();
  const json::value* arn = answer->if_contains("Attributes");
  if (arn != nullptr && arn->is_object()) arn = arn->as_object().if_contains("QueueArn");
  if (arn == nullptr || !arn->is_string()) {
    return Status::Internal("GetQueueAttributes answered without a QueueArn");
  }
  return std::string(arn->get_string());
}

Result<std::string> ResolveTopicArn(api::ActionInvoker& api, std::string_view topic) {
  if (topic.starts_with("arn:")) return std::string(topic);
  std::string next_token;
  do {
    json::object params;
    if (!next_token.empty()) params["NextToken"] = next_token;
    auto answer = api.Invoke("sns", "ListTopics", std::move(params));
    if (!answer.ok()) return answer.status();
    if (const json::value* topics = answer->if_contains("Topics"); topics && topics->is_array()) {
      for (const json::value& t : topics->get_array()) {
        const json::value* arn = t.is_object() ? t.as_object().if_contains("TopicArn") : nullptr;
        if (arn != nullptr && arn->is_string() && NameOf(arn->get_string()) == topic) {
          return std::string(arn->get_string());
        }
      }
    }
    const json::value* token = answer->if_contains("NextToken");
    next_token = token != nullptr && token->is_string() ? std::string(token->get_string()) : "";
  } while (!next_token.empty());
  return Status::NotFound("NotFound: Topic does not exist: " + std::string(topic));
}

}  // namespace ferry::cli
