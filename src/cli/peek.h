// `ferry peek`: the PeekMessages request a PeekOptions asks for, and the
// table people see. RunPeek (commands.h) pages with them.
//
// Thread-safety: pure functions; a PeekTable is a value owned by one thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/status.h"

namespace ferry::cli {

// The request's fields for the options' states, filters and queue choice
// (without QueueUrl, MaxNumberOfMessages and StartAfterSequence, which
// paging sets); InvalidArgument for an unknown state or a malformed filter.
Result<boost::json::object> PeekParams(const PeekOptions& options);

// --filter specs as a MessageAttributeFilter: "NAME=VALUE" equals,
// "NAME^=PREFIX" a prefix, a bare "NAME" the attribute's presence (only
// with `exists`, so that a forgotten value is not taken for one).
Result<boost::json::object> AttributeFilter(const std::vector<std::string>& specs, bool exists);

// "41s ago", "in 2m05s", "now"; "-" for a missing time (negative).
std::string RelativeTime(int64_t at_ms, int64_t now_ms);

// One row per peeked message: sequence, message id, state, sent, receives,
// visible at, group, size and a one-line preview of the body (control
// characters escaped). Times are relative to `now_ms`.
class PeekTable {
 public:
  explicit PeekTable(int64_t now_ms);
  void Add(const boost::json::object& m);
  void Print(std::ostream& out) const;

 private:
  int64_t now_ms_;
  Table table_;
};

}  // namespace ferry::cli
