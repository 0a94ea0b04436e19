// Fuzzes the resources file parser (resources/spec.h): any text as a YAML
// resources file. A refusal is kInvalidArgument whose every line names a
// place ("FILE:LINE:COLUMN: ..."); nothing escapes as an exception, however
// deep the nesting or however many aliases. A file that parses gives the
// same spec when read again, its policies are JSON, and the dependency order
// lists each queue once with each declared dead-letter queue before the
// queues that name it.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "resources/spec.h"

namespace {

using ferry::resources::ParseSpec;
using ferry::resources::QueueSpec;
using ferry::resources::Spec;

constexpr std::string_view kFile = "fuzz.yaml";

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "fuzz.yaml:LINE:COLUMN: text", LINE and COLUMN 1 or more.
bool NamesAPlace(std::string_view line) {
  if (!line.starts_with(kFile) || line.size() <= kFile.size() || line[kFile.size()] != ':') {
    return false;
  }
  line.remove_prefix(kFile.size() + 1);
  const size_t line_end = line.find(':');
  if (line_end == std::string_view::npos) return false;
  const size_t column_end = line.find(": ", line_end + 1);
  if (column_end == std::string_view::npos) return false;
  const std::string_view row = line.substr(0, line_end);
  const std::string_view column = line.substr(line_end + 1, column_end - line_end - 1);
  return IsDigits(row) && IsDigits(column) && row != "0" && column != "0";
}

bool IsJson(const std::string& text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

void CheckSpec(const Spec& spec) {
  for (const QueueSpec& q : spec.queues) {
    Check(q.at.file == kFile && q.at.line > 0 && q.at.column > 0);
    for (const char* key : {"Policy", "RedriveAllowPolicy"}) {
      if (auto it = q.attributes.find(key); it != q.attributes.end()) Check(IsJson(it->second));
    }
  }
  for (const auto& t : spec.topics) {
    Check(t.at.file == kFile && t.at.line > 0);
    for (const char* key : {"Policy", "DeliveryPolicy"}) {
      if (auto it = t.attributes.find(key); it != t.attributes.end()) Check(IsJson(it->second));
    }
    for (const auto& s : t.subscriptions) {
      for (const char* key : {"FilterPolicy", "DeliveryPolicy"}) {
        if (auto it = s.attributes.find(key); it != s.attributes.end()) Check(IsJson(it->second));
      }
    }
  }
  const auto order = ferry::resources::QueuesInDependencyOrder(spec);
  Check(order.size() == spec.queues.size());
  std::set<std::string> placed;
  for (const QueueSpec* q : order) {
    Check(placed.insert(q->name).second);
    if (q->dead_letter && spec.FindQueue(q->dead_letter->queue) != nullptr) {
      Check(placed.count(q->dead_letter->queue) == 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = ParseSpec(text, std::string(kFile));
  auto second = ParseSpec(text, std::string(kFile));
  Check(first.ok() == second.ok());
  if (!first.ok()) {
    Check(first.status().code() == ferry::Code::kInvalidArgument);
    const std::string& message = first.status().message();
    Check(message == second.status().message());
    Check(!message.empty());
    size_t start = 0;
    while (start <= message.size()) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      Check(NamesAPlace(std::string_view(message).substr(start, end - start)));
      start = end + 1;
    }
    return 0;
  }
  Check(*first == *second);
  CheckSpec(*first);
  return 0;
}
