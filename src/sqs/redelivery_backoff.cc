#include "sqs/redelivery_backoff.h"

#include <boost/json.hpp>
#include <optional>

#include "api/errors.h"

namespace ferry::sqs {
namespace {

using engine::BackoffFunction;
using engine::BackoffJitter;
using engine::kMaxVisibilityS;

constexpr std::string_view kFunction = "function";
constexpr std::string_view kBase = "baseSeconds";
constexpr std::string_view kMax = "maxSeconds";
constexpr std::string_view kJitter = "jitter";

Status Invalid(std::string_view reason) {
  return api::Error(api::ErrorId::kInvalidAttributeValue, "Invalid value for the parameter " +
                                                              std::string(kRedeliveryBackoff) +
                                                              ". Reason: " + std::string(reason));
}

// A JSON integer (not a fraction, not a string) within [min, max].
std::optional<int64_t> IntegerIn(const boost::json::value& v, int64_t min, int64_t max) {
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(max)) {
    n = static_cast<int64_t>(v.get_uint64());
  } else {
    return std::nullopt;
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

std::string_view FunctionName(BackoffFunction f) {
  return f == BackoffFunction::kLinear ? "linear" : "exponential";
}

std::string_view JitterName(BackoffJitter j) {
  switch (j) {
    case BackoffJitter::kFull:
      return "full";
    case BackoffJitter::kEqual:
      return "equal";
    case BackoffJitter::kNone:
      break;
  }
  return "none";
}

}  // namespace

Result<engine::RedeliveryBackoff> ParseRedeliveryBackoff(std::string_view value) {
  engine::RedeliveryBackoff b;
  if (value.empty()) return b;  // removes the backoff
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Invalid("the value is not a JSON object.");
  const boost::json::object& doc = v.get_object();
  for (const auto& kv : doc) {
    const std::string_view key = kv.key();
    if (key != kFunction && key != kBase && key != kMax && key != kJitter) {
      return Invalid("unknown field " + std::string(key) +
                     "; the fields are function, baseSeconds, maxSeconds and jitter.");
    }
  }

  const boost::json::value* function = doc.if_contains(kFunction);
  if (function == nullptr) return Invalid("function is required: exponential or linear.");
  if (function->is_string() && function->get_string() == "exponential") {
    b.function = BackoffFunction::kExponential;
  } else if (function->is_string() && function->get_string() == "linear") {
    b.function = BackoffFunction::kLinear;
  } else {
    return Invalid("function must be exponential or linear.");
  }

  const std::string base_rule =
      "baseSeconds must be an integer from 1 to " + std::to_string(kMaxVisibilityS) + ".";
  const boost::json::value* base = doc.if_contains(kBase);
  if (base == nullptr) return Invalid("baseSeconds is required; " + base_rule);
  std::optional<int64_t> base_s = IntegerIn(*base, 1, kMaxVisibilityS);
  if (!base_s) return Invalid(base_rule);
  b.base_s = *base_s;

  b.max_s = kMaxVisibilityS;
  if (const boost::json::value* max = doc.if_contains(kMax)) {
    std::optional<int64_t> max_s = IntegerIn(*max, b.base_s, kMaxVisibilityS);
    if (!max_s) {
      return Invalid("maxSeconds must be an integer from baseSeconds (" + std::to_string(b.base_s) +
                     ") to " + std::to_string(kMaxVisibilityS) + ".");
    }
    b.max_s = *max_s;
  }

  if (const boost::json::value* jitter = doc.if_contains(kJitter)) {
    const std::string_view j = jitter->is_string() ? std::string_view(jitter->get_string()) : "";
    if (j == "full") {
      b.jitter = BackoffJitter::kFull;
    } else if (j == "equal") {
      b.jitter = BackoffJitter::kEqual;
    } else if (j != "none") {
      return Invalid("jitter must be none, full or equal.");
    }
  }
  return b;
}

std::string RenderRedeliveryBackoff(const engine::RedeliveryBackoff& b) {
  if (!b.enabled()) return "";
  boost::json::object doc;
  doc[kFunction] = FunctionName(b.function);
  doc[kBase] = b.base_s;
  doc[kMax] = b.max_s;
  doc[kJitter] = JitterName(b.jitter);
  return boost::json::serialize(doc);
}

}  // namespace ferry::sqs
