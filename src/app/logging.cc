#include "app/logging.h"

#include <spdlog/formatter.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <ctime>
#include <memory>

#include "common/text_escape.h"

namespace ferry::app {
namespace {

// Today's text pattern, which people and older scripts read.
constexpr char kTextPattern[] = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";

std::atomic<LogFormat> current_format{LogFormat::kText};

// The fields of the record being logged on this thread (LogFields), read by
// the formatter that runs inside the same spdlog call.
thread_local std::span<const LogField> current_fields;

void AppendTimestamp(std::string& out, std::chrono::system_clock::time_point ts) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ts.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  const int frac = static_cast<int>(ms % 1000);
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
  out += 'Z';
}

std::string_view LevelName(spdlog::level::level_enum level) {
  const auto& name = spdlog::level::to_string_view(level);
  return std::string_view(name.data(), name.size());
}

// Writes records as json or logfmt, with the fields of LogFields.
class StructuredFormatter final : public spdlog::formatter {
 public:
  explicit StructuredFormatter(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    FormatRecord(format_, msg.time, msg.level,
                 std::string_view(msg.payload.data(), msg.payload.size()), current_fields, line);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<StructuredFormatter>(format_);
  }

 private:
  const LogFormat format_;
};

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  if (name == "logfmt") return LogFormat::kLogfmt;
  return std::nullopt;
}

void FormatRecord(LogFormat format, std::chrono::system_clock::time_point ts,
                  spdlog::level::level_enum level, std::string_view msg,
                  std::span<const LogField> fields, std::string& out) {
  if (format == LogFormat::kJson) {
    out += R"({"ts":")";
    AppendTimestamp(out, ts);
    out += R"(","level":")";
    out += LevelName(level);
    out += R"(","msg":)";
    AppendJsonString(out, msg);
    for (const LogField& f : fields) {
      out += ",\"";
      out += f.key;
      out += "\":";
      if (f.number) {
        out += f.value;
      } else {
        AppendJsonString(out, f.value);
      }
    }
    out += '}';
    return;
  }
  out += "ts=";
  AppendTimestamp(out, ts);
  out += " level=";
  out += LevelName(level);
  out += " msg=";
  AppendLogfmtValue(out, msg);
  for (const LogField& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    AppendLogfmtValue(out, f.value);
  }
}

void ConfigureLogging(LogFormat format, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
  current_format.store(format, std::memory_order_relaxed);
  if (format == LogFormat::kText && !sink) {
    spdlog::set_pattern(kTextPattern);
  } else {
    // Records for a pipeline go to stderr, so that stdout keeps only the
    // startup line people and test harnesses read.
    if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("ferry", std::move(sink));
    if (format == LogFormat::kText) {
      logger->set_pattern(kTextPattern);
    } else {
      logger->set_formatter(std::make_unique<StructuredFormatter>(format));
    }
    spdlog::set_default_logger(std::move(logger));
  }
  spdlog::set_level(level);
}

LogFormat CurrentLogFormat() { return current_format.load(std::memory_order_relaxed); }

void LogFields(spdlog::level::level_enum level, std::string_view msg,
               std::span<const LogField> fields) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  if (CurrentLogFormat() == LogFormat::kText) {
    std::string line(msg);
    for (const LogField& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      AppendLogfmtValue(line, f.value);
    }
    logger->log(level, spdlog::string_view_t(line.data(), line.size()));
    return;
  }
  current_fields = fields;
  logger->log(level, spdlog::string_view_t(msg.data(), msg.size()));
  current_fields = {};
}

}  // namespace ferry::app
