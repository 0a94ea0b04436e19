#include "protocol/form.h"

namespace ferry::protocol {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoded form of one key or value to `out`; false on a '%'
// that is not followed by two hex digits.
bool DecodeComponent(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  while (true) {
    // Runs of plain bytes are copied whole: message bodies are mostly such.
    size_t special = 0;
    while (special < in.size() && in[special] != '+' && in[special] != '%') ++special;
    out.append(in.substr(0, special));
    if (special == in.size()) return true;
    if (in[special] == '+') {
      out.push_back(' ');
      in.remove_prefix(special + 1);
      continue;
    }
    int hi = special + 1 < in.size() ? HexValue(in[special + 1]) : -1;
    int lo = special + 2 < in.size() ? HexValue(in[special + 2]) : -1;
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    in.remove_prefix(special + 3);
  }
}

}  // namespace

Result<FormPairs> ParseForm(std::string_view text, size_t max_pairs) {
  FormPairs out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view piece = text.substr(start, amp - start);
    start = amp + 1;
    if (piece.empty()) continue;
    if (out.size() >= max_pairs) return Status::InvalidArgument("too many parameters");
    size_t eq = piece.find('=');
    std::string key;
    std::string value;
    bool ok = DecodeComponent(piece.substr(0, eq), key);
    if (eq != std::string_view::npos) ok = ok && DecodeComponent(piece.substr(eq + 1), value);
    if (!ok) return Status::InvalidArgument("malformed percent-escape");
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace ferry::protocol
