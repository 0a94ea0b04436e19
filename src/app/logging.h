// Logging: Ferry's log records in the format --log-format chooses.
//
//   text    for people: "2026-12-07T06:00:00.123 info message k=v ..." on
//           stdout, as Ferry always wrote (spdlog's pattern, colour on a tty)
//   json    JSON lines on stderr: {"ts":...,"level":...,"msg":..., fields}
//   logfmt  key=value lines on stderr: ts=... level=... msg=... fields
//
// Every spdlog call anywhere in Ferry becomes a record with ts, level and
// msg. A record with structured fields (a request's id, account, action,
// outcome) is logged with LogFields: in json and logfmt they are fields of
// their own, never part of msg; in text they follow the message as k=v.
// Values are escaped (common/text_escape.h), so no field can break a line
// or forge another record. docs/logging.md describes the records.
//
// Thread-safety: ConfigureLogging runs once, before any thread logs.
// LogFields and the formatters run on any thread, concurrently: fields
// reach the formatter through a thread-local pointer, which works because
// spdlog's loggers here are synchronous (the sink formats on the caller's
// thread, under the sink's own lock).
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ferry::app {

enum class LogFormat { kText, kJson, kLogfmt };

// "text", "json" or "logfmt"; nullopt for anything else.
std::optional<LogFormat> ParseLogFormat(std::string_view name);

struct LogField {
  std::string_view key;  // a plain token: [a-z_]+
  std::string_view value;
  // JSON writes a number unquoted; the caller guarantees `value` is one.
  bool number = false;
};

// Makes the default logger write `format` at `level` and above, to `sink`
// (tests) or, when null, to stdout (text) or stderr (json, logfmt).
void ConfigureLogging(LogFormat format, spdlog::level::level_enum level,
                      spdlog::sink_ptr sink = nullptr);

// The format ConfigureLogging chose (text until it is called).
LogFormat CurrentLogFormat();

// Logs `msg` with `fields` through the default logger.
void LogFields(spdlog::level::level_enum level, std::string_view msg,
               std::span<const LogField> fields);
inline void LogFields(spdlog::level::level_enum level, std::string_view msg,
                      std::initializer_list<LogField> fields) {
  LogFields(level, msg, std::span<const LogField>(fields.begin(), fields.size()));
}

// One json or logfmt record, without its line end: what the formatters
// write. `ts` is written in UTC with milliseconds (2026-12-07T06:00:00.123Z).
void FormatRecord(LogFormat format, std::chrono::system_clock::time_point ts,
                  spdlog::level::level_enum level, std::string_view msg,
                  std::span<const LogField> fields, std::string& out);

}  // namespace ferry::app
