#include "sqs/scheduling.h"

#include <charconv>
#include <string>

#include "api/errors.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

constexpr std::string_view kSqsDelayReason = "DelaySeconds must be >= 0 and <= 900.";

// The attribute's base data type: "Number" of "Number.int".
std::string_view BaseType(const message::MessageAttribute& a) {
  std::string_view t = a.data_type;
  return t.substr(0, t.find('.'));
}

std::optional<int64_t> ParseWhole(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Unix epoch seconds, whole or with a fraction (kept to the millisecond).
std::optional<TimeMs> ParseEpochSeconds(std::string_view s) {
  const size_t dot = s.find('.');
  std::optional<int64_t> whole = ParseWhole(s.substr(0, dot));
  if (!whole || *whole < 0 || *whole > int64_t{1} << 40) return std::nullopt;
  TimeMs ms = *whole * 1000;
  if (dot == std::string_view::npos) return ms;
  const std::string_view fraction = s.substr(dot + 1);
  if (fraction.empty()) return std::nullopt;
  int64_t scale = 100;
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    ms += (c - '0') * scale;
    scale /= 10;
  }
  return ms;
}

// Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Status Refused(std::string_view name, std::string_view value, std::string_view reason) {
  return api::InvalidParameterValue(name, value, reason);
}

}  // namespace

bool ScheduledDelivery(const engine::QueueSettings& settings) {
  auto it = settings.extra.find(std::string(kScheduledDelivery));
  return it != settings.extra.end() && it->second == "true";
}

Status ApplyScheduledDelivery(std::string_view value, engine::QueueSettings* settings) {
  const std::string name(kScheduledDelivery);
  if (value == "false") {
    settings->extra.erase(name);  // the default: no entry, as equal queues need
    return Status::Ok();
  }
  if (value != "true") {
    return api::Error(api::ErrorId::kInvalidAttributeValue,
                      "Invalid value for the parameter " + name + ".");
  }
  if (settings->fifo) {
    return api::Error(api::ErrorId::kInvalidAttributeValue,
                      "Invalid value for the parameter " + name +
                          ". Reason: a FIFO queue has no per-message delay, so it cannot "
                          "schedule deliveries.");
  }
  settings->extra[name] = "true";
  return Status::Ok();
}

Result<Schedule> ResolveSchedule(const std::optional<int64_t>& delay_s,
                                 const std::vector<message::MessageAttribute>& attributes,
                                 const engine::Queue& queue, TimeMs now) {
  const message::MessageAttribute* scheduling = nullptr;
  for (const message::MessageAttribute& a : attributes) {
    if (a.name != kDelayAttribute && a.name != kDeliverAtAttribute) continue;
    if (scheduling != nullptr) {
      return Refused(a.name, a.value,
                     "A message takes one of Ferry.DelaySeconds and Ferry.DeliverAt, not both.");
    }
    scheduling = &a;
  }
  if (delay_s && *delay_s < 0) {
    return CheckRange("DelaySeconds", delay_s, 0, kMaxSqsDelaySeconds, kSqsDelayReason);
  }
  const bool beyond_sqs = delay_s && *delay_s > kMaxSqsDelaySeconds;
  if (scheduling == nullptr && !beyond_sqs) return Schedule{delay_s.value_or(-1), 0};

  // Only a send asking for more than SQS allows reads the queue's settings.
  const engine::QueueSettings settings = queue.settings();
  if (!ScheduledDelivery(settings)) {
    if (scheduling == nullptr) {
      return CheckRange("DelaySeconds", delay_s, 0, kMaxSqsDelaySeconds, kSqsDelayReason);
    }
    return Refused(scheduling->name, scheduling->value,
                   "The message attribute " + scheduling->name +
                       " needs a queue whose FerryScheduledDelivery attribute is true.");
  }
  const int64_t max_s = settings.retention_s;
  const std::string longest = "the queue's MessageRetentionPeriod (" + std::to_string(max_s) + ")";
  if (scheduling == nullptr) {
    if (*delay_s > max_s) {
      return Refused("DelaySeconds", std::to_string(*delay_s),
                     "DelaySeconds must be >= 0 and <= " + longest + ".");
    }
    return Schedule{*delay_s, 0};
  }
  if (delay_s) {
    return Refused("DelaySeconds", std::to_string(*delay_s),
                   "A message takes DelaySeconds or the message attribute " + scheduling->name +
                       ", not both.");
  }

  const std::string_view type = BaseType(*scheduling);
  if (scheduling->name == kDelayAttribute) {
    std::optional<int64_t> v = type == "Number" ? ParseWhole(scheduling->value) : std::nullopt;
    if (!v || *v < 0 || *v > max_s) {
      return Refused(
          scheduling->name, scheduling->value,
          "Ferry.DelaySeconds must be a Number of whole seconds >= 0 and <= " + longest + ".");
    }
    return Schedule{*v, 0};
  }
  std::optional<TimeMs> at;
  if (type == "String") at = ParseRfc3339(scheduling->value);
  if (type == "Number") at = ParseEpochSeconds(scheduling->value);
  if (!at) {
    return Refused(scheduling->name, scheduling->value,
                   "Ferry.DeliverAt must be a String holding an RFC 3339 time (such as "
                   "2026-12-08T09:30:00Z) or a Number of Unix epoch seconds.");
  }
  if (*at > now + SecondsToMs(max_s)) {
    return Refused(scheduling->name, scheduling->value,
                   "Ferry.DeliverAt is later than " + longest +
                       " allows: the message would expire before it is delivered.");
  }
  if (*at <= now) return Schedule{0, 0};  // past: now
  return Schedule{-1, *at};
}

std::optional<TimeMs> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto digits = [&](size_t at, size_t n) -> std::optional<int64_t> {
    if (at + n > s.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto is = [&](size_t at, std::string_view chars) {
    return at < s.size() && chars.find(s[at]) != std::string_view::npos;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !is(4, "-") || !is(7, "-") ||
      !is(10, "Tt") || !is(13, ":") || !is(16, ":")) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  size_t at = 19;
  int64_t ms = 0;
  if (is(at, ".")) {
    ++at;
    int64_t scale = 100;
    const size_t first = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      ms += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (is(at, "Zz")) {
    ++at;
  } else if (is(at, "+-")) {
    const auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om || !is(at + 3, ":") || *oh > 23 || *om > 59) return std::nullopt;
    offset_min = (*oh * 60 + *om) * (s[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  // A leap second (:60) is read as the next second.
  const int64_t seconds = DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                          *second - offset_min * 60;
  return seconds * 1000 + ms;
}

}  // namespace ferry::sqs
