#include "cli/peek.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "cli/json_fields.h"
#include "cli/resolve.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

constexpr size_t kPreviewChars = 40;
constexpr int kMaxPeekPage = 100;
constexpr std::string_view kStates[] = {"visible", "inflight", "delayed"};

Result<json::array> States(const std::vector<std::string>& entries) {
  json::array states;
  for (const std::string& entry : entries) {
    std::string_view rest = entry;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view state = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (std::find(std::begin(kStates), std::end(kStates), state) == std::end(kStates)) {
        return Status::InvalidArgument("--state: unknown state '" + std::string(state) +
                                       "' (visible, inflight, delayed)");
      }
      if (std::find(states.begin(), states.end(), json::value(state)) == states.end()) {
        states.emplace_back(state);
      }
    }
  }
  return states;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<json::object> AttributeFilter(const std::vector<std::string>& specs, bool exists) {
  json::object filter;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      if (!exists) {
        return Status::InvalidArgument("--filter " + spec +
                                       ": give NAME=VALUE, NAME^=PREFIX, or NAME with --exists");
      }
      if (spec.empty()) return Status::InvalidArgument("--filter: an attribute name is missing");
      filter[spec] = json::object{{"Exists", true}};
      continue;
    }
    const bool prefix = eq > 0 && spec[eq - 1] == '^';
    const std::string name = spec.substr(0, prefix ? eq - 1 : eq);
    if (name.empty()) {
      return Status::InvalidArgument("--filter " + spec + ": an attribute name is missing");
    }
    const std::string value = spec.substr(eq + 1);
    if (prefix) {
      filter[name] = json::object{{"Prefix", value}};
    } else {
      filter[name] = value;
    }
  }
  return filter;
}

Result<json::object> PeekParams(const PeekOptions& options) {
  json::object params;
  if (options.states.empty()) {
    params["IncludeInFlight"] = options.include_in_flight;
    params["IncludeDelayed"] = options.include_delayed;
  } else {
    Result<json::array> states = States(options.states);
    if (!states.ok()) return states.status();
    params["States"] = std::move(states).value();
  }
  Result<json::object> filter = AttributeFilter(options.filters, options.exists);
  if (!filter.ok()) return filter.status();
  if (!filter->empty()) params["MessageAttributeFilter"] = std::move(filter).value();
  if (!options.contains.empty()) params["BodyContains"] = options.contains;
  if (options.dead_letter_queue) params["DeadLetterQueue"] = true;
  return params;
}

std::string RelativeTime(int64_t at_ms, int64_t now_ms) {
  if (at_ms < 0) return "-";
  const int64_t seconds = (at_ms - now_ms) / 1000;
  if (seconds == 0) return "now";
  return seconds > 0 ? "in " + FormatAge(seconds) : FormatAge(-seconds) + " ago";
}

PeekTable::PeekTable(int64_t now_ms)
    : now_ms_(now_ms),
      table_({{"SEQ", true},
              {"MESSAGE ID"},
              {"STATE"},
              {"SENT"},
              {"RECEIVES", true},
              {"VISIBLE AT"},
              {"GROUP"},
              {"SIZE", true},
              {"BODY"}}) {}

void PeekTable::Add(const json::object& m) {
  const std::string body = Str(m, "Body");
  const std::string group = Str(m, "MessageGroupId");
  const int64_t receives = Int(m, "ApproximateReceiveCount");
  table_.AddRow({Str(m, "SequenceNumber"), Str(m, "MessageId"), Str(m, "State"),
                 RelativeTime(Int(m, "SentTimestamp"), now_ms_),
                 receives < 0 ? "-" : std::to_string(receives),
                 RelativeTime(Int(m, "VisibleAtTimestamp"), now_ms_), group.empty() ? "-" : group,
                 FormatBytes(body.size()), OneLine(body, kPreviewChars)});
}

void PeekTable::Print(std::ostream& out) const {
  if (table_.rows() == 0) {
    out << "no messages\n";
  } else {
    table_.Print(out);
  }
}

Status RunPeek(Context& ctx, const PeekOptions& options) {
  Result<json::object> base = PeekParams(options);
  if (!base.ok()) return base.status();
  auto url = ResolveQueueUrl(ctx.api, options.queue);
  if (!url.ok()) return url.status();
  PeekTable table(NowMs());
  std::string start = options.after;
  std::string read_url;
  int seen = 0;
  for (;;) {
    const int want = options.all ? kMaxPeekPage : std::min(kMaxPeekPage, options.max - seen);
    if (want <= 0) break;
    json::object params = *base;
    params["QueueUrl"] = *url;
    params["MaxNumberOfMessages"] = want;
    if (!start.empty()) params["StartAfterSequence"] = start;
    auto answer = ctx.api.Invoke("ferry", "PeekMessages", std::move(params));
    if (!answer.ok()) return answer.status();
    read_url = Str(*answer, "QueueUrl");
    for (const json::value& m : ArrayOf(*answer, "Messages")) {
      if (!m.is_object()) continue;
      ++seen;
      if (ctx.json) {
        PrintJsonLine(ctx.out, m);
      } else {
        table.Add(m.as_object());
      }
    }
    // A filtered page may be short, or empty, with more after it.
    start = Str(*answer, "NextSequence");
    if (start.empty()) break;
  }
  if (ctx.json) return Status::Ok();
  if (options.dead_letter_queue && !read_url.empty()) {
    ctx.out << "dead-letter queue " << read_url << '\n';
  }
  table.Print(ctx.out);
  if (!start.empty()) ctx.out << "more after sequence " << start << ": --after " << start << '\n';
  return Status::Ok();
}

}  // namespace ferry::cli
