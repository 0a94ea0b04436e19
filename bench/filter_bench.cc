// filter_bench: the cost of matching one message against a compiled SNS
// filter policy of five keys (sns/filter_policy.h), for a message that
// matches, one refused by its first key and one refused by its last, in the
// attributes scope and the body scope (parsed body, and body text).
// Usage: filter_bench [iterations]  (default 1,000,000 per case)
#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string_view>

#include "five_key_policy.h"
#include "sns/filter_policy.h"

namespace {

using ferry::sns::FilterAttribute;
using ferry::sns::FilterPolicy;
using ferry::sns::FilterScope;

// The published message matches it.
constexpr std::string_view kPolicy = ferry::bench::kFiveKeyPolicy;

constexpr FilterAttribute kMatching[] = {
    {"customer_interests", "String.Array", R"(["soccer", "rugby", "hockey"])"},
    {"store", "String", "example_corp"},
    {"event", "String", "order_placed"},
    {"price_usd", "Number", "210.75"},
    {"source_ip", "String", "10.0.0.7"},
};
constexpr FilterAttribute kFirstKeyFails[] = {
    {"customer_interests", "String.Array", R"(["soccer", "rugby", "hockey"])"},
    {"store", "String", "other_corp"},
    {"event", "String", "order_placed"},
    {"price_usd", "Number", "210.75"},
    {"source_ip", "String", "10.0.0.7"},
};
constexpr FilterAttribute kLastKeyFails[] = {
    {"customer_interests", "String.Array", R"(["soccer", "rugby", "hockey"])"},
    {"store", "String", "example_corp"},
    {"event", "String", "order_placed"},
    {"price_usd", "Number", "210.75"},
    {"source_ip", "String", "10.0.1.7"},
};

constexpr std::string_view kMatchingBody =
    R"({"customer_interests": ["soccer", "rugby", "hockey"], "store": "example_corp",
        "event": "order_placed", "price_usd": 210.75, "source_ip": "10.0.0.7"})";
constexpr std::string_view kLastKeyFailsBody =
    R"({"customer_interests": ["soccer", "rugby", "hockey"], "store": "example_corp",
        "event": "order_placed", "price_usd": 210.75, "source_ip": "10.0.1.7"})";

volatile bool sink;

double ThreadCpuNanos() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

void Run(const char* name, long iterations, bool expected, const std::function<bool()>& match) {
  if (match() != expected) {
    std::fprintf(stderr, "%s: unexpected answer\n", name);
    std::exit(1);
  }
  // The thread's CPU time, not the wall clock: on a shared machine the
  // figure should not count the time the thread waited for a core.
  const double start = ThreadCpuNanos();
  for (long i = 0; i < iterations; ++i) sink = match();
  const double took = ThreadCpuNanos() - start;
  std::printf("%-32s %8.1f ns/message\n", name, took / static_cast<double>(iterations));
}

FilterPolicy Compile(FilterScope scope) {
  ferry::Result<FilterPolicy> p = ferry::sns::CompileFilterPolicy(kPolicy, scope);
  if (!p.ok()) {
    std::fprintf(stderr, "%s\n", p.status().message().c_str());
    std::exit(1);
  }
  return std::move(*p);
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const FilterPolicy attributes = Compile(FilterScope::kMessageAttributes);
  const FilterPolicy body = Compile(FilterScope::kMessageBody);
  const boost::json::value matching_body = boost::json::parse(kMatchingBody);
  const boost::json::value failing_body = boost::json::parse(kLastKeyFailsBody);

  Run("attributes, match", iterations, true,
      [&] { return ferry::sns::Matches(attributes, {kMatching}); });
  Run("attributes, first key fails", iterations, false,
      [&] { return ferry::sns::Matches(attributes, {kFirstKeyFails}); });
  Run("attributes, last key fails", iterations, false,
      [&] { return ferry::sns::Matches(attributes, {kLastKeyFails}); });
  Run("body (parsed), match", iterations, true,
      [&] { return ferry::sns::MatchesBody(body, matching_body); });
  Run("body (parsed), last key fails", iterations, false,
      [&] { return ferry::sns::MatchesBody(body, failing_body); });
  Run("body (text), match", iterations, true,
      [&] { return ferry::sns::MatchesBodyText(body, kMatchingBody); });
  return 0;
}
