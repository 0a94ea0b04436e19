#include "cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ferry::cli {
namespace {

// Characters, not bytes, so that a cell with "…" or "é" lines up: every
// byte but UTF-8 continuation bytes starts one.
size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Printf(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace

std::string FormatAge(int64_t seconds) {
  if (seconds < 0) return "-";
  auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m" + two(seconds % 60) + "s";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h" + two(seconds % 3600 / 60) + "m";
  return std::to_string(seconds / 86400) + "d" + two(seconds % 86400 / 3600) + "h";
}

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return Printf("%.1f ", value) + kUnits[unit];
}

std::string OneLine(std::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    len = std::min(len, text.size() - i);
    std::string piece(text.substr(i, len));
    size_t width = 1;
    if (piece == "\n" || piece == "\r" || piece == "\t") {
      piece = piece == "\n" ? "\\n" : piece == "\r" ? "\\r" : "\\t";
      width = 2;
    } else if (lead < 0x20 || lead == 0x7F) {
      // Other control characters would act on the terminal: shown as \xNN.
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", lead);
      piece = hex;
      width = 4;
    } else if (lead == 0xC2 && len == 2 && static_cast<unsigned char>(piece[1]) < 0xA0) {
      // The C1 controls (U+0080-U+009F: CSI is U+009B) as \u00NN.
      char hex[7];
      std::snprintf(hex, sizeof hex, "\\u%04X", static_cast<unsigned char>(piece[1]));
      piece = hex;
      width = 6;
    }
    if (chars + width > max_chars || (chars + width == max_chars && i + len < text.size())) {
      out += "…";
      return out;
    }
    out += piece;
    chars += width;
    i += len;
  }
  return out;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out, bool header) const {
  std::vector<size_t> widths;
  for (const Column& c : columns_) widths.push_back(DisplayWidth(c.title));
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  auto print_row = [&](auto cell_at) {
    std::string line;
    for (size_t i = 0; i < columns_.size(); ++i) {
      std::string_view cell = cell_at(i);
      const std::string pad(widths[i] - DisplayWidth(cell), ' ');
      if (i > 0) line += "  ";
      if (columns_[i].right_aligned) {
        line += pad;
        line += cell;
      } else {
        line += cell;
        line += pad;
      }
    }
    line.erase(line.find_last_not_of(' ') + 1);  // no trailing blanks
    out << line << '\n';
  };
  if (header) print_row([&](size_t i) -> std::string_view { return columns_[i].title; });
  for (const auto& row : rows_) print_row([&](size_t i) -> std::string_view { return row[i]; });
}

void PrintJsonLine(std::ostream& out, const boost::json::value& doc) {
  out << boost::json::serialize(doc) << '\n';
}

std::string RenderProgress(uint64_t done, uint64_t total, std::optional<double> rate,
                           size_t bar_width) {
  std::string line;
  if (total > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const size_t filled = static_cast<size_t>(fraction * static_cast<double>(bar_width));
    line = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] " +
           std::to_string(done) + "/" + std::to_string(total) + " " +
           std::to_string(static_cast<int>(fraction * 100)) + "%";
  } else {
    line = std::to_string(done) + " moved";
  }
  if (rate) {
    line += " " + Printf("%.0f", *rate) + " msg/s";
    if (total > done && *rate > 0) {
      const double eta = std::max(1.0, std::round(static_cast<double>(total - done) / *rate));
      line += " ETA " + FormatAge(static_cast<int64_t>(eta));
    }
  }
  return line;
}

}  // namespace ferry::cli
