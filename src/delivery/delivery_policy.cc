#include "delivery/delivery_policy.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <optional>

#include "common/ascii.h"

namespace ferry::delivery {
namespace {

namespace json = boost::json;

// The media types AWS lists for headerContentType (the raw-delivery list;
// application/json and text/plain, the list for enveloped messages, are in
// it). Parameters after ';' are allowed, so that the effective policy's
// "text/plain; charset=UTF-8" can be set back.
constexpr std::array<std::string_view, 12> kContentTypes = {
    "application/atom+xml",     "application/json",
    "application/octet-stream", "application/soap+xml",
    "application/x-www-form-urlencoded",
    "application/xhtml+xml",    "application/xml",
    "text/css",                 "text/csv",
    "text/html",                "text/plain",
    "text/xml",
};

// A policy's parts as one level sets them; nullopt: not set.
struct Parts {
  std::optional<RetryPolicy> retry;
  std::optional<int64_t> max_receives_per_second;
  std::optional<std::string> content_type;
  bool disable_overrides = false;
};

Status Invalid(std::string_view message) {
  return Status::InvalidArgument("DeliveryPolicy: " + std::string(message));
}
Status Invalid(std::string_view path, std::string_view what) {
  return Invalid(std::string(path) + " " + std::string(what));
}

std::string Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// An integer as AWS takes one: a JSON number without a fraction, or a string
// of one (templates that stringify every value).
std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    return v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)
               ? std::optional<int64_t>(static_cast<int64_t>(v.get_uint64()))
               : std::nullopt;
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::trunc(d) != d || std::fabs(d) > 1e15) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (v.is_string()) {
    const json::string& s = v.get_string();
    if (s.empty() || s.size() > 15) return std::nullopt;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    int64_t n = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      n = n * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -n : n;
  }
  return std::nullopt;
}

std::optional<bool> AsBool(const json::value& v) {
  if (v.is_bool()) return v.get_bool();
  if (v.is_string()) {
    if (v.get_string() == "true") return true;
    if (v.get_string() == "false") return false;
  }
  return std::nullopt;
}

// The member `key` of `obj` as an object; nullopt when absent or null.
Result<const json::object*> PartObject(const json::object& obj, std::string_view key,
                                       std::string_view path) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return Invalid(path, "must be a JSON object");
  return &v->get_object();
}

Status RejectUnknown(const json::object& obj, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj) {
    if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
      return Invalid("Unexpected JSON member: " + std::string(key));
    }
  }
  return Status::Ok();
}

// An integer member; `fallback` when absent or null and not required.
Result<int64_t> IntegerMember(const json::object& obj, std::string_view key,
                              std::string_view path, bool required, int64_t fallback) {
  const json::value* v = obj.if_contains(key);
  const std::string where = Join(path, key);
  if (v == nullptr || v->is_null()) {
    if (required) return Invalid(where, "must be specified");
    return fallback;
  }
  std::optional<int64_t> n = AsInteger(*v);
  if (!n) return Invalid(where, "must be an integer");
  return *n;
}

std::string AtLeast(int64_t n) { return "must be greater than or equal to " + std::to_string(n); }
std::string AtMost(int64_t n) { return "must be less than or equal to " + std::to_string(n); }

Result<RetryPolicy> ParseRetry(const json::object& obj, std::string_view path) {
  FERRY_RETURN_IF_ERROR(RejectUnknown(
      obj, {"minDelayTarget", "maxDelayTarget", "numRetries", "numNoDelayRetries",
            "numMinDelayRetries", "numMaxDelayRetries", "backoffFunction"}));
  RetryPolicy p;
  // minDelayTarget, maxDelayTarget and numRetries: SNS refuses a retry
  // policy without them, whatever its guide's one-field example shows.
  auto min_delay = IntegerMember(obj, "minDelayTarget", path, true, 0);
  if (!min_delay.ok()) return min_delay.status();
  auto max_delay = IntegerMember(obj, "maxDelayTarget", path, true, 0);
  if (!max_delay.ok()) return max_delay.status();
  auto retries = IntegerMember(obj, "numRetries", path, true, 0);
  if (!retries.ok()) return retries.status();
  auto no_delay = IntegerMember(obj, "numNoDelayRetries", path, false, 0);
  if (!no_delay.ok()) return no_delay.status();
  auto min_retries = IntegerMember(obj, "numMinDelayRetries", path, false, 0);
  if (!min_retries.ok()) return min_retries.status();
  auto max_retries = IntegerMember(obj, "numMaxDelayRetries", path, false, 0);
  if (!max_retries.ok()) return max_retries.status();
  p.min_delay_s = *min_delay;
  p.max_delay_s = *max_delay;
  p.num_retries = *retries;
  p.num_no_delay = *no_delay;
  p.num_min_delay = *min_retries;
  p.num_max_delay = *max_retries;

  if (const json::value* f = obj.if_contains("backoffFunction"); f != nullptr && !f->is_null()) {
    const std::string where = Join(path, "backoffFunction");
    if (!f->is_string()) return Invalid(where, "must be a string");
    const std::string_view name = f->get_string();
    bool found = false;
    for (Backoff b : {Backoff::kLinear, Backoff::kArithmetic, Backoff::kGeometric,
                      Backoff::kExponential}) {
      if (name == BackoffName(b)) {
        p.backoff = b;
        found = true;
      }
    }
    if (!found) return Invalid(where, "must be one of linear, arithmetic, geometric, exponential");
  }

  if (p.min_delay_s < 1) return Invalid(Join(path, "minDelayTarget"), AtLeast(1));
  if (p.max_delay_s > kMaxDelayTargetS) {
    return Invalid(Join(path, "maxDelayTarget"), AtMost(kMaxDelayTargetS));
  }
  if (p.max_delay_s < p.min_delay_s) {
    return Invalid(Join(path, "maxDelayTarget"), "must be greater than or equal to minDelayTarget");
  }
  if (p.num_retries < 0) return Invalid(Join(path, "numRetries"), AtLeast(0));
  if (p.num_retries > kMaxRetries) return Invalid(Join(path, "numRetries"), AtMost(kMaxRetries));
  if (p.num_no_delay < 0) return Invalid(Join(path, "numNoDelayRetries"), AtLeast(0));
  if (p.num_min_delay < 0) return Invalid(Join(path, "numMinDelayRetries"), AtLeast(0));
  if (p.num_max_delay < 0) return Invalid(Join(path, "numMaxDelayRetries"), AtLeast(0));
  if (p.num_backoff() < 0) {
    return Invalid(Join(path, "numRetries"),
                   "must be greater than or equal to total of numMinDelayRetries, "
                   "numNoDelayRetries and numMaxDelayRetries");
  }
  if (TotalRetryTimeS(p) > kMaxTotalRetryTimeS) {
    return Invalid(path, "total retry time must be less than or equal to " +
                             std::to_string(kMaxTotalRetryTimeS) + " seconds");
  }
  return p;
}

Result<int64_t> ParseThrottle(const json::object& obj, std::string_view path) {
  FERRY_RETURN_IF_ERROR(RejectUnknown(obj, {"maxReceivesPerSecond"}));
  auto n = IntegerMember(obj, "maxReceivesPerSecond", path, true, 0);
  if (!n.ok()) return n.status();
  if (*n < 1) return Invalid(Join(path, "maxReceivesPerSecond"), AtLeast(1));
  return *n;
}

Result<std::string> ParseRequest(const json::object& obj, std::string_view path) {
  FERRY_RETURN_IF_ERROR(RejectUnknown(obj, {"headerContentType"}));
  const std::string where = Join(path, "headerContentType");
  const json::value* v = obj.if_contains("headerContentType");
  if (v == nullptr || v->is_null()) return Invalid(where, "must be specified");
  if (!v->is_string()) return Invalid(where, "must be a string");
  const std::string_view text = v->get_string();
  std::string_view media = text.substr(0, text.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  const bool known = std::any_of(kContentTypes.begin(), kContentTypes.end(),
                                 [&](std::string_view t) {
                                   return media.size() == t.size() &&
                                          StartsWithIgnoringAsciiCase(media, t);
                                 });
  if (!known) return Invalid(where, "is not a supported content type: " + std::string(text));
  return std::string(text);
}

// One part of a level: parsed by `parse` into `out` when present.
template <class T, class Parse>
Status ParsePart(const json::object& obj, std::string_view path, std::string_view key,
                 Parse parse, std::optional<T>& out) {
  const std::string where = Join(path, key);
  auto part = PartObject(obj, key, where);
  if (!part.ok()) return part.status();
  if (*part == nullptr) return Status::Ok();
  Result<T> value = parse(**part, where);
  if (!value.ok()) return value.status();
  out = std::move(*value);
  return Status::Ok();
}

// The three parts of one level: `retry_key` etc. name them in `obj`.
Status ParseParts(const json::object& obj, std::string_view path, std::string_view retry_key,
                  std::string_view throttle_key, std::string_view request_key, Parts& out) {
  FERRY_RETURN_IF_ERROR(ParsePart(obj, path, retry_key, ParseRetry, out.retry));
  FERRY_RETURN_IF_ERROR(
      ParsePart(obj, path, throttle_key, ParseThrottle, out.max_receives_per_second));
  return ParsePart(obj, path, request_key, ParseRequest, out.content_type);
}

Result<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Invalid("Invalid JSON");
  return std::move(v.get_object());
}

// The sicklyRetryPolicy and guaranteed members are what SNS itself shows
// in EffectiveDeliveryPolicy; they are accepted (so that an effective
// policy can be set back) and mean nothing.
Result<Parts> ParseSubscription(std::string_view text) {
  Parts parts;
  if (text.empty()) return parts;
  auto obj = ParseObject(text);
  if (!obj.ok()) return obj.status();
  FERRY_RETURN_IF_ERROR(RejectUnknown(*obj, {"healthyRetryPolicy", "throttlePolicy",
                                             "requestPolicy", "sicklyRetryPolicy",
                                             "guaranteed"}));
  FERRY_RETURN_IF_ERROR(
      ParseParts(*obj, "", "healthyRetryPolicy", "throttlePolicy", "requestPolicy", parts));
  return parts;
}

Result<Parts> ParseTopic(std::string_view text) {
  Parts parts;
  if (text.empty()) return parts;
  auto obj = ParseObject(text);
  if (!obj.ok()) return obj.status();
  FERRY_RETURN_IF_ERROR(RejectUnknown(*obj, {"http"}));
  auto http = PartObject(*obj, "http", "http");
  if (!http.ok()) return http.status();
  if (*http == nullptr) return parts;
  const json::object& h = **http;
  FERRY_RETURN_IF_ERROR(RejectUnknown(
      h, {"defaultHealthyRetryPolicy", "defaultSicklyRetryPolicy", "disableSubscriptionOverrides",
          "defaultThrottlePolicy", "defaultRequestPolicy"}));
  FERRY_RETURN_IF_ERROR(ParseParts(h, "http", "defaultHealthyRetryPolicy",
                                   "defaultThrottlePolicy", "defaultRequestPolicy", parts));
  if (const json::value* d = h.if_contains("disableSubscriptionOverrides");
      d != nullptr && !d->is_null()) {
    std::optional<bool> b = AsBool(*d);
    if (!b) return Invalid("http.disableSubscriptionOverrides", "must be a boolean");
    parts.disable_overrides = *b;
  }
  return parts;
}

// Invalid stored text counts as none (see EffectiveDeliveryPolicy).
Parts PartsOr(Result<Parts> parsed) { return parsed.ok() ? *parsed : Parts{}; }

// Each part from the subscription unless the topic forbids overrides, else
// from the topic, else SNS's default.
DeliveryPolicy Resolve(const Parts& topic, const Parts& sub) {
  const Parts none;
  const Parts& own = topic.disable_overrides ? none : sub;
  DeliveryPolicy p;
  if (own.retry) {
    p.retry = *own.retry;
  } else if (topic.retry) {
    p.retry = *topic.retry;
  }
  p.max_receives_per_second =
      own.max_receives_per_second.value_or(topic.max_receives_per_second.value_or(0));
  if (own.content_type) {
    p.content_type = *own.content_type;
  } else if (topic.content_type) {
    p.content_type = *topic.content_type;
  }
  return p;
}

std::string RetryJson(const RetryPolicy& p) {
  // SNS's member order.
  json::object o;
  o["minDelayTarget"] = p.min_delay_s;
  o["maxDelayTarget"] = p.max_delay_s;
  o["numRetries"] = p.num_retries;
  o["numMaxDelayRetries"] = p.num_max_delay;
  o["numNoDelayRetries"] = p.num_no_delay;
  o["numMinDelayRetries"] = p.num_min_delay;
  o["backoffFunction"] = BackoffName(p.backoff);
  return json::serialize(o);
}

std::string ThrottleJson(int64_t n) {
  return R"({"maxReceivesPerSecond":)" + std::to_string(n) + "}";
}

std::string RequestJson(std::string_view content_type) {
  return R"({"headerContentType":)" + json::serialize(json::string(content_type)) + "}";
}

// Where retry `i` (1-based) of `n` backoff retries sits between min (0) and
// max (1).
double BackoffFraction(Backoff b, int64_t i, int64_t n, double min_s, double max_s) {
  if (n <= 1) return 0;
  const double t = static_cast<double>(i - 1) / static_cast<double>(n - 1);
  switch (b) {
    case Backoff::kLinear:
      return t;
    case Backoff::kArithmetic:
      return t * t;
    case Backoff::kGeometric:
      // Each delay a fixed multiple of the one before: min·(max/min)^t.
      return max_s == min_s ? 0 : (min_s * std::pow(max_s / min_s, t) - min_s) / (max_s - min_s);
    case Backoff::kExponential:
      // The step over min doubles with each retry.
      return (std::exp2(static_cast<double>(i - 1)) - 1) / (std::exp2(static_cast<double>(n - 1)) - 1);
  }
  return t;
}

}  // namespace

std::string_view BackoffName(Backoff b) {
  switch (b) {
    case Backoff::kLinear:
      return "linear";
    case Backoff::kArithmetic:
      return "arithmetic";
    case Backoff::kGeometric:
      return "geometric";
    case Backoff::kExponential:
      return "exponential";
  }
  return "linear";
}

Status ValidateTopicDeliveryPolicy(std::string_view json) { return ParseTopic(json).status(); }

Status ValidateSubscriptionDeliveryPolicy(std::string_view json) {
  return ParseSubscription(json).status();
}

std::string EffectiveTopicDeliveryPolicy(std::string_view topic_json) {
  const Parts topic = PartsOr(ParseTopic(topic_json));
  const DeliveryPolicy p = Resolve(topic, Parts{});
  std::string out = R"({"http":{"defaultHealthyRetryPolicy":)" + RetryJson(p.retry);
  out += R"(,"disableSubscriptionOverrides":)";
  out += topic.disable_overrides ? "true" : "false";
  if (topic.max_receives_per_second) {
    out += R"(,"defaultThrottlePolicy":)" + ThrottleJson(*topic.max_receives_per_second);
  }
  out += R"(,"defaultRequestPolicy":)" + RequestJson(p.content_type) + "}}";
  return out;
}

std::string EffectiveSubscriptionDeliveryPolicy(std::string_view topic_json,
                                                std::string_view subscription_json) {
  const Parts topic = PartsOr(ParseTopic(topic_json));
  const Parts sub = PartsOr(ParseSubscription(subscription_json));
  const DeliveryPolicy p = Resolve(topic, sub);
  std::string out = R"({"healthyRetryPolicy":)" + RetryJson(p.retry);
  out += R"(,"sicklyRetryPolicy":null,"throttlePolicy":)";
  out += p.max_receives_per_second > 0 ? ThrottleJson(p.max_receives_per_second) : "null";
  const bool request_set = (!topic.disable_overrides && sub.content_type) || topic.content_type;
  if (request_set) out += R"(,"requestPolicy":)" + RequestJson(p.content_type);
  out += R"(,"guaranteed":false})";
  return out;
}

DeliveryPolicy EffectiveDeliveryPolicy(std::string_view topic_json,
                                       std::string_view subscription_json) {
  return Resolve(PartsOr(ParseTopic(topic_json)), PartsOr(ParseSubscription(subscription_json)));
}

int64_t NominalRetryDelayS(const RetryPolicy& p, int64_t retry) {
  if (p.num_retries <= 0) return 0;
  int64_t n = std::clamp<int64_t>(retry, 1, p.num_retries);
  if (n <= p.num_no_delay) return 0;
  n -= p.num_no_delay;
  if (n <= p.num_min_delay) return p.min_delay_s;
  n -= p.num_min_delay;
  const int64_t backoff = p.num_backoff();
  if (n > backoff) return p.max_delay_s;
  const double min_s = static_cast<double>(p.min_delay_s);
  const double max_s = static_cast<double>(p.max_delay_s);
  const double f = BackoffFraction(p.backoff, n, backoff, min_s, max_s);
  return std::clamp<int64_t>(std::llround(min_s + (max_s - min_s) * f), p.min_delay_s,
                             p.max_delay_s);
}

int64_t RetryDelayS(const RetryPolicy& policy, int64_t retry, double unit) {
  const double nominal = static_cast<double>(NominalRetryDelayS(policy, retry));
  const double u = std::clamp(unit, 0.0, 1.0);
  return std::llround(nominal * (0.9 + 0.2 * u));
}

int64_t TotalRetryTimeS(const RetryPolicy& policy) {
  int64_t total = 0;
  for (int64_t r = 1; r <= policy.num_retries; ++r) total += NominalRetryDelayS(policy, r);
  return total;
}

}  // namespace ferry::delivery
