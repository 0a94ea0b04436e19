// Fuzzes the incremental HTTP/1.1 request parser. The first byte picks how
// the rest arrives (its low six bits: in pieces of 1 to 63 bytes, or at once)
// and the parser's limits (its top two bits: the server's sizes scaled down
// so that inputs of libFuzzer's default length reach them); every request on
// the connection is parsed until the input is used up or the parser fails.
// The outcome must not depend on how the bytes were split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_parser.h"

namespace {

using ferry::http::Request;
using ferry::http::RequestParser;

struct Limits {
  size_t header;
  size_t body;
};
constexpr Limits kLimits[4] = {{4096, 64 * 1024}, {128, 256}, {512, 1024}, {1536, 3000}};

// Everything the parser reported, for comparing two ways of feeding it.
std::string Run(std::string_view input, size_t step, Limits limits) {
  RequestParser parser(limits.header, limits.body);
  Request req;
  std::string log;
  std::string buffer;
  size_t fed = 0;
  bool more = true;
  while (more) {
    parser.Start(req);
    while (true) {
      size_t consumed = 0;
      RequestParser::State state = parser.Feed(buffer, consumed);
      if (consumed > buffer.size()) std::abort();
      buffer.erase(0, consumed);
      if (state == RequestParser::State::kHeaderDone) continue;
      if (state == RequestParser::State::kDone) {
        log += req.method + ' ' + req.target + ' ' + std::to_string(parser.version()) + '\n';
        for (const auto& [name, value] : req.headers) {
          if (!ferry::http::IsToken(name) || !ferry::http::IsFieldValue(value)) std::abort();
          log += name + ": " + value + '\n';
        }
        if (req.body.size() > limits.body) std::abort();
        log += std::to_string(req.body.size()) + ':' + req.body + '\n';
        break;
      }
      if (state == RequestParser::State::kError) {
        log += "error " + std::to_string(static_cast<int>(parser.error())) + '\n';
        more = false;
        break;
      }
      // kNeedMore: give it the next piece, if any.
      if (fed == input.size()) {
        more = false;
        break;
      }
      const size_t n = std::min(step, input.size() - fed);
      buffer.append(input.substr(fed, n));
      fed += n;
    }
  }
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = data[0] % 64;
  const Limits limits = kLimits[data[0] >> 6];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string whole = Run(input, input.size() + 1, limits);
  if (step != 0 && Run(input, step, limits) != whole) std::abort();
  return 0;
}
