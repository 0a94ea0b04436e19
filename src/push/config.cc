#include "push/config.h"

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "http/client.h"

namespace ferry::push {
namespace {

namespace json = boost::json;

struct IntField {
  std::string_view name;
  int64_t min;
  int64_t max;
  int64_t PushConsumerConfig::*field;
};

constexpr IntField kIntFields[] = {
    {"batchSize", 1, 10'000, &PushConsumerConfig::batch_size},
    {"maximumBatchingWindowSeconds", 0, 300, &PushConsumerConfig::maximum_batching_window_s},
    {"maximumConcurrency", 1, 1'000, &PushConsumerConfig::maximum_concurrency},
    {"timeoutSeconds", 1, 900, &PushConsumerConfig::timeout_s},
};

constexpr size_t kMinSecret = 16;
constexpr size_t kMaxSecret = 256;

Status Invalid(std::string message) { return Status::InvalidArgument(std::move(message)); }

}  // namespace

Result<PushConsumerConfig> ParsePushConsumer(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return Invalid("the value must be a JSON object");
  PushConsumerConfig config;
  bool has_endpoint = false;
  bool has_secret = false;
  for (const auto& [key, value] : doc.get_object()) {
    if (key == "endpoint") {
      if (!value.is_string() || !http::ParseUrl(value.get_string()).ok())
        return Invalid("endpoint must be an http:// or https:// URL with a host");
      config.endpoint = std::string(value.get_string());
      has_endpoint = true;
      continue;
    }
    if (key == "signingSecret") {
      const size_t n = value.is_string() ? value.get_string().size() : 0;
      if (n < kMinSecret || n > kMaxSecret) {
        return Invalid("signingSecret must be a string of 16 to 256 characters");
      }
      config.signing_secret = std::string(value.get_string());
      has_secret = true;
      continue;
    }
    const IntField* field = nullptr;
    for (const IntField& f : kIntFields) {
      if (key == f.name) field = &f;
    }
    if (field == nullptr) return Invalid("unknown field " + std::string(key));
    std::optional<int64_t> n;
    if (value.is_int64()) n = value.get_int64();
    if (!n || *n < field->min || *n > field->max) {
      return Invalid(std::string(field->name) + " must be an integer from " +
                     std::to_string(field->min) + " to " + std::to_string(field->max));
    }
    config.*(field->field) = *n;
  }
  if (!has_endpoint) return Invalid("endpoint is required");
  if (!has_secret) return Invalid("signingSecret is required");
  return config;
}

}  // namespace ferry::push
