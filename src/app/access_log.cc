#include "app/access_log.h"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "app/logging.h"

namespace ferry::app {
namespace {

constexpr TimeMs kWindowMs = 1000;

// The codes of a request refused for its signature or credentials
// (auth::AuthError's rows of the catalog).
bool IsAuthRefusal(std::string_view code) {
  static constexpr std::array<std::string_view, 7> kCodes = {
      "SignatureDoesNotMatch", "IncompleteSignature", "InvalidClientTokenId",
      "MissingAuthenticationToken", "RequestExpired", "ExpiredToken", "AccessDenied"};
  for (std::string_view c : kCodes) {
    if (code == c) return true;
  }
  return false;
}

// A number as text in `buf`, for a field.
std::string_view Number(std::array<char, 24>& buf, uint64_t v) {
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string_view(buf.data(), end - buf.data());
}

// Milliseconds with three decimals (microsecond resolution).
std::string_view Millis(std::array<char, 24>& buf, std::chrono::nanoseconds latency) {
  const uint64_t us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size() - 4, us / 1000);
  const uint64_t frac = us % 1000;
  *end++ = '.';
  *end++ = static_cast<char>('0' + frac / 100);
  *end++ = static_cast<char>('0' + frac / 10 % 10);
  *end++ = static_cast<char>('0' + frac % 10);
  return std::string_view(buf.data(), end - buf.data());
}

void Write(spdlog::level::level_enum level, const api::RequestRecord& r) {
  std::array<char, 24> status, latency, in, out;
  LogFields(level, "request",
            {{"request_id", r.request_id},
             {"account", r.account_id},
             {"access_key", r.access_key},
             {"source_ip", r.source_ip},
             {"service", r.service},
             {"action", r.action},
             {"wire", r.wire},
             {"status", Number(status, static_cast<uint64_t>(r.http_status)), true},
             {"error", r.error_code},
             {"latency_ms", Millis(latency, r.latency), true},
             {"bytes_in", Number(in, r.request_bytes), true},
             {"bytes_out", Number(out, r.response_bytes), true}});
}

}  // namespace

bool AccessLog::Notable(const api::RequestRecord& record) {
  return record.http_status >= 500 ||
         (record.http_status >= 400 && IsAuthRefusal(record.error_code));
}

bool AccessLog::Admit(uint64_t* suppressed) {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.NowMs();
  *suppressed = 0;
  if (now - window_start_ms_ >= kWindowMs || now < window_start_ms_) {
    *suppressed = suppressed_;
    suppressed_ = 0;
    window_start_ms_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= kBurst) {
    ++suppressed_;
    return false;
  }
  ++in_window_;
  return true;
}

void AccessLog::OnRequest(const api::RequestRecord& record) {
  const bool notable = Notable(record);
  if (all_) return Write(notable ? spdlog::level::warn : spdlog::level::info, record);
  if (!notable) return;
  uint64_t suppressed = 0;
  const bool admitted = Admit(&suppressed);
  if (suppressed > 0) {
    std::array<char, 24> n;
    LogFields(spdlog::level::warn, "request warnings suppressed",
              {{"suppressed", Number(n, suppressed), true}});
  }
  if (admitted) Write(spdlog::level::warn, record);
}

}  // namespace ferry::app
