// How the resources file is read as YAML, apart from what it declares
// (spec.cc): the bounds on a file checked before and after yaml-cpp reads
// it, the problem list every reader reports into, the scalar grammars
// (integers, booleans, JSON numbers, Prometheus durations), and a mapping's
// entries in file order. Separate so that spec.cc reads as the schema
// (queues, topics, subscriptions and their references). Internal to
// ferry_resources.
#pragma once

#include <yaml-cpp/yaml.h>

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "resources/spec.h"

namespace ferry::resources::internal {

// Bounds on what a file may be, checked before and after yaml-cpp reads it.
// yaml-cpp recurses once per level of nesting (and its own guard allows
// 2,000 levels, too deep for a small stack), and an alias is the node it
// names, so a few lines of anchors can stand for billions of nodes, or for
// a node that contains itself. A resources file needs a few levels (a
// policy's Condition is the deepest, at 6) and some thousands of nodes.
constexpr size_t kMaxFileBytes = 1 << 20;
constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 200'000;

// `text` with each control character written as \xNN, so that a problem
// stays on its one line whatever the file's names or yaml-cpp's messages
// quote (a key may hold a line break, and yaml-cpp quotes the character it
// could not read).
std::string OneLine(std::string_view text);

// Collects the problems of one file, each with its place.
class Problems {
 public:
  explicit Problems(const std::string& file) : file_(file) {}

  Location At(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    return Location{file_, mark.line + 1, mark.column + 1};
  }
  void Add(const YAML::Node& node, std::string message) { Add(At(node), std::move(message)); }
  void Add(const Location& at, std::string message) {
    lines_.push_back(at.ToString() + ": " + OneLine(message));
  }
  bool empty() const { return lines_.empty(); }
  Status ToStatus() const {
    std::string text;
    for (const std::string& line : lines_) {
      if (!text.empty()) text += '\n';
      text += line;
    }
    return Status::InvalidArgument(std::move(text));
  }

 private:
  const std::string& file_;
  std::vector<std::string> lines_;
};

bool IsInteger(std::string_view s);

// YAML 1.2's core schema booleans.
std::optional<bool> BoolOf(std::string_view s);

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
// Matched by hand: std::regex recurses once per character and overflows
// the stack on a long scalar.
bool IsJsonNumber(std::string_view s);

// A Prometheus duration, ([0-9]+(ms|s|m|h|d|w|y))+, matched by hand for the
// same reason.
bool IsPrometheusDuration(std::string_view s);

// The deepest nesting of flow collections ([ and {) in the text, skipping
// quoted scalars and comments as YAML does, so that yaml-cpp is not asked
// to recurse far past kMaxDepth (its own guard, at 2,000 levels, backs this
// up). Block nesting needs indentation or a "- " per level, which that
// guard and CheckTree bound.
int FlowDepth(std::string_view text);

// Checks the tree under `node`, aliases followed, before it is read: it is
// at most kMaxDepth deep (a node that contains itself through an alias is
// too deep) and kMaxNodes large. Adds the problem and returns false.
bool CheckTree(const YAML::Node& node, int depth, size_t& budget, Problems& problems);

// Where the first byte of `text` that is not UTF-8 is, for the error.
Location FirstNonUtf8(std::string_view text, const std::string& file);

// A YAML value as JSON, for policies: plain scalars that read as numbers,
// booleans or null become those (filter policies need `numeric` bounds as
// numbers and `exists: true` as a boolean), everything else text.
boost::json::value ToJson(const YAML::Node& node);

struct Entry {
  std::string key;
  YAML::Node key_node;  // where problems with the key itself are reported
  YAML::Node value;
};

// A mapping's entries in file order, refusing repeated keys and keys that
// are not text.
std::vector<Entry> Entries(const YAML::Node& map, Problems& problems);

// A mapping, or null (an entry written with nothing after its colon).
bool IsMapOrNull(const YAML::Node& node);

}  // namespace ferry::resources::internal
