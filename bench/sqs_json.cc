#include "sqs_json.h"

#include <boost/json.hpp>
#include <charconv>

namespace ferry::bench {
namespace json = boost::json;

namespace {

std::string Serialize(const json::object& object) { return json::serialize(object); }

// Parses without exceptions; null on malformed input or a non-object root.
const json::object* ParseObject(std::string_view text, json::value& storage) {
  boost::system::error_code ec;
  storage = json::parse(text, ec);
  if (ec) return nullptr;
  return storage.if_object();
}

// Adds the next FIFO ids to one message, when there is a FIFO queue.
void TagFifo(json::object& message, FifoIds* fifo) {
  if (fifo == nullptr || fifo->groups <= 0) return;
  const uint64_t k = fifo->next++;
  message.emplace("MessageGroupId", "g" + std::to_string(k % static_cast<uint64_t>(fifo->groups)));
  message.emplace("MessageDeduplicationId", fifo->prefix + "-" + std::to_string(k));
}

}  // namespace

std::string MakeMessageBody(std::size_t size) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string body(size, ' ');
  for (std::size_t i = 0; i < size; ++i) body[i] = kAlphabet[i % kAlphabet.size()];
  return body;
}

std::string CreateQueueRequest(std::string_view queue_name, bool fifo) {
  json::object request{{"QueueName", queue_name}};
  if (fifo) request.emplace("Attributes", json::object{{"FifoQueue", "true"}});
  return Serialize(request);
}

std::string GetQueueUrlRequest(std::string_view queue_name) {
  return Serialize({{"QueueName", queue_name}});
}

std::string ApproximateCountRequest(std::string_view queue_url) {
  return Serialize(
      {{"QueueUrl", queue_url}, {"AttributeNames", json::array{"ApproximateNumberOfMessages"}}});
}

std::string SendMessageRequest(std::string_view queue_url, std::string_view body, FifoIds* fifo) {
  json::object request{{"QueueUrl", queue_url}, {"MessageBody", body}};
  TagFifo(request, fifo);
  return Serialize(request);
}

std::string SendMessageBatchRequest(std::string_view queue_url, std::string_view body, int entries,
                                    FifoIds* fifo) {
  json::array list;
  for (int i = 0; i < entries; ++i) {
    json::object entry{{"Id", std::to_string(i)}, {"MessageBody", body}};
    TagFifo(entry, fifo);
    list.push_back(std::move(entry));
  }
  return Serialize({{"QueueUrl", queue_url}, {"Entries", std::move(list)}});
}

std::string ReceiveMessageRequest(std::string_view queue_url, int max_messages, int wait_seconds) {
  return Serialize({{"QueueUrl", queue_url},
                    {"MaxNumberOfMessages", max_messages},
                    {"WaitTimeSeconds", wait_seconds}});
}

std::string DeleteMessageBatchRequest(std::string_view queue_url,
                                      const std::vector<std::string>& receipt_handles) {
  json::array list;
  for (std::size_t i = 0; i < receipt_handles.size(); ++i) {
    list.push_back(json::object{{"Id", std::to_string(i)}, {"ReceiptHandle", receipt_handles[i]}});
  }
  return Serialize({{"QueueUrl", queue_url}, {"Entries", std::move(list)}});
}

std::optional<std::string> ParseQueueUrl(std::string_view text) {
  json::value storage;
  const json::object* root = ParseObject(text, storage);
  if (root == nullptr) return std::nullopt;
  const json::value* url = root->if_contains("QueueUrl");
  if (url == nullptr || !url->is_string()) return std::nullopt;
  return std::string(url->get_string());
}

std::optional<int64_t> ParseApproximateCount(std::string_view text) {
  json::value storage;
  const json::object* root = ParseObject(text, storage);
  if (root == nullptr) return std::nullopt;
  const json::value* attributes = root->if_contains("Attributes");
  if (attributes == nullptr || !attributes->is_object()) return std::nullopt;
  const json::value* count = attributes->get_object().if_contains("ApproximateNumberOfMessages");
  if (count == nullptr || !count->is_string()) return std::nullopt;
  const json::string& digits = count->get_string();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

void ParseReceiptHandles(std::string_view text, std::vector<std::string>& out) {
  json::value storage;
  const json::object* root = ParseObject(text, storage);
  if (root == nullptr) return;
  const json::value* messages = root->if_contains("Messages");
  if (messages == nullptr || !messages->is_array()) return;
  for (const json::value& message : messages->get_array()) {
    const json::object* fields = message.if_object();
    if (fields == nullptr) continue;
    const json::value* handle = fields->if_contains("ReceiptHandle");
    if (handle != nullptr && handle->is_string()) out.emplace_back(handle->get_string());
  }
}

BatchOutcome ParseBatchOutcome(std::string_view text) {
  json::value storage;
  const json::object* root = ParseObject(text, storage);
  if (root == nullptr) return {};
  auto size_of = [root](std::string_view key) {
    const json::value* list = root->if_contains(key);
    return list != nullptr && list->is_array() ? static_cast<int>(list->get_array().size()) : 0;
  };
  return {size_of("Successful"), size_of("Failed")};
}

}  // namespace ferry::bench
