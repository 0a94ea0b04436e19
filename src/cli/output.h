// What the admin CLI prints: aligned tables and human-friendly figures for
// people, one JSON document per line for scripts (--json), and the redrive
// progress line. Everything renders to strings or a given stream, so tests
// compare text.
//
// Thread-safety: pure functions; a Table is a value owned by one thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::cli {

// "41s", "3m12s", "2h05m", "3d04h"; "-" for a negative age (none).
std::string FormatAge(int64_t seconds);

// "512 B", "4.2 KiB", "1.0 MiB", "3.5 GiB".
std::string FormatBytes(uint64_t bytes);

// The text on one line for a table cell: line breaks and tabs shown as \n
// and \t, other control characters as \xNN (ESC, DEL) or \u00NN (C1: CSI), at most `max_chars`
// characters (whole UTF-8 sequences), a cut marked "…". Full bodies are what --json is for.
std::string OneLine(std::string_view text, size_t max_chars);

// A table with a header row, columns padded to their widest cell and two
// spaces apart; numeric columns are right-aligned.
class Table {
 public:
  struct Column {
    std::string title;
    bool right_aligned = false;
  };
  explicit Table(std::vector<Column> columns);
  // Missing cells print empty; extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  void Print(std::ostream& out, bool header = true) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// One JSON document on one line, as scripts read the output of --json.
void PrintJsonLine(std::ostream& out, const boost::json::value& doc);

// The progress of a message move task:
//   "[#####.....] 512/1000 51% 480 msg/s ETA 1s"
// `total` 0 (unknown) prints the count and rate alone; `rate` in messages a
// second, nullopt before there are two samples to derive it from.
std::string RenderProgress(uint64_t done, uint64_t total, std::optional<double> rate,
                           size_t bar_width = 20);

}  // namespace ferry::cli
