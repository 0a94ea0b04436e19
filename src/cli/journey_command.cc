// `ferry journey MESSAGE_ID`: a message's journey (Ferry.GetMessageJourney,
// docs/admin-api.md) as a table in time order, or with --json the answer.
#include <cstdio>
#include <ctime>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/resolve.h"

namespace ferry::cli {
namespace json = boost::json;
namespace {

// A JSON number of milliseconds since the epoch, or "" without one.
std::string MillisOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return "";
  return FormatUtcMillis(v->to_number<int64_t>());
}

std::string TextOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_number()) return std::to_string(v->to_number<int64_t>());
  return "";
}

}  // namespace

std::string FormatUtcMillis(int64_t ms) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

Status RunJourney(Context& ctx, const JourneyOptions& options) {
  json::object params{{"MessageId", options.message_id}};
  if (!options.queue.empty()) {
    auto url = ResolveQueueUrl(ctx.api, options.queue);
    if (!url.ok()) return url.status();
    params["QueueUrl"] = *url;
  }
  auto answer = ctx.api.Invoke("ferry", "GetMessageJourney", std::move(params));
  if (!answer.ok()) return answer.status();
  const json::value* listed = answer->if_contains("Events");
  const json::array empty;
  const json::array& events = listed != nullptr && listed->is_array() ? listed->get_array() : empty;
  if (ctx.json) {
    PrintJsonLine(ctx.out, *answer);
  } else if (!events.empty()) {
    Table table({{"TIME (UTC)"},
                 {"QUEUE"},
                 {"EVENT"},
                 {"RECEIVES", true},
                 {"VISIBLE UNTIL (UTC)"},
                 {"DETAIL"}});
    for (const json::value& e : events) {
      if (!e.is_object()) continue;
      const json::object& o = e.as_object();
      table.AddRow({MillisOf(o, "Timestamp"), TextOf(o, "Queue"), TextOf(o, "Event"),
                    TextOf(o, "ReceiveCount"), MillisOf(o, "VisibleUntil"),
                    OneLine(TextOf(o, "Detail"), 80)});
    }
    table.Print(ctx.out);
  }
  if (events.empty()) {
    ctx.err << "ferry: no journey is known for message " << options.message_id
            << " (its queue keeps none: FerryMessageJourney, or it is older than the "
               "queue's journey retention)\n";
    ctx.exit_status = kExitNothingKnown;
  }
  return Status::Ok();
}

}  // namespace ferry::cli
