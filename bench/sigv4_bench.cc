// Cost of verifying one SigV4-signed SendMessage (JSON, a 1 KiB body) as
// the gateway does: with the signing-key cache warm (a client signing
// request after request with one key), and cold (every request a key, day,
// region or service the cache has not seen: four more HMACs). Also the
// cost of signing the same request, for comparison.
//   build/bench/sigv4_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_sign.h"
#include "auth/sigv4_verify.h"
#include "auth/static_resolver_test_util.h"

namespace {

constexpr int64_t kNowMs = int64_t{1'700'000'000} * 1000;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct SignedSend {
  std::string body;
  Headers headers;
  ferry::auth::SignedRequest view() const { return {"POST", "/", "", headers, body}; }
};

ferry::auth::SigningCredentials Alice() {
  return ferry::auth::SigningCredentials{
      .access_key_id = "AKIAFERRYBENCHALICE1", .secret_access_key = "alice-secret", .session_token = {}};
}

SignedSend MakeSend() {
  SignedSend s;
  s.body = R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/bench","MessageBody":")" +
           std::string(1024, 'x') + R"("})";
  s.headers = {{"host", "127.0.0.1:9324"},
               {"content-type", "application/x-amz-json-1.0"},
               {"x-amz-target", "AmazonSQS.SendMessage"},
               {"user-agent", "Boto3/1.43 md/Botocore#1.43"},
               {"content-length", std::to_string(s.body.size())}};
  std::string auth = ferry::auth::SignRequest(Alice(), "POST", "/", "", s.headers, s.body, kNowMs);
  s.headers.emplace_back("authorization", std::move(auth));
  return s;
}

ferry::auth::StaticResolver& Keys() {
  static ferry::auth::StaticResolver keys = [] {
    ferry::auth::StaticResolver r;
    r.Add(ferry::auth::TestUser("AKIAFERRYBENCHALICE1", "alice-secret"));
    return r;
  }();
  return keys;
}

void BM_VerifyWarmKeyCache(benchmark::State& state) {
  const SignedSend send = MakeSend();
  ferry::auth::Verifier verifier;
  for (auto _ : state) {
    auto v = verifier.Verify(Keys(), send.view(), "sqs", kNowMs);
    if (!v.caller) state.SkipWithError(v.failure.message.c_str());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_VerifyWarmKeyCache);

void BM_VerifyColdKeyCache(benchmark::State& state) {
  const SignedSend send = MakeSend();
  for (auto _ : state) {
    // A cache that keeps nothing: the signing key is derived every time.
    ferry::auth::Verifier verifier(ferry::auth::VerifierOptions{.key_cache_capacity = 0});
    auto v = verifier.Verify(Keys(), send.view(), "sqs", kNowMs);
    if (!v.caller) state.SkipWithError(v.failure.message.c_str());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_VerifyColdKeyCache);

void BM_SignSendMessage(benchmark::State& state) {
  const SignedSend send = MakeSend();
  for (auto _ : state) {
    Headers headers(send.headers.begin(), send.headers.end() - 2);
    benchmark::DoNotOptimize(
        ferry::auth::SignRequest(Alice(), "POST", "/", "", headers, send.body, kNowMs));
  }
}
BENCHMARK(BM_SignSendMessage);

}  // namespace

BENCHMARK_MAIN();
