#include "protocol/form.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

namespace ferry::protocol {

Result<FormPairs> ParseForm(std::string_view text, size_t max_pairs) {
  FormPairs out;
  if (text.empty()) return out;
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return Status::InvalidArgument("malformed form encoding");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : *parsed) {
    if (out.size() >= max_pairs) return Status::InvalidArgument("too many parameters");
    if (p.key.empty() && !p.has_value) continue;
    out.emplace_back(p.key.decode(opts), p.has_value ? p.value.decode(opts) : std::string());
  }
  return out;
}

}  // namespace ferry::protocol
