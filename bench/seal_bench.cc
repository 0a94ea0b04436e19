// seal_bench: the cost of encryption at rest per message body: sealing a
// payload as a durable queue's send does (storage::Keyring::Seal: AES-256-GCM
// under the data key, a counter nonce, the queue and sequence as AAD) and
// opening it as a receive does (Keyring::Unseal), for 1 KiB and 256 KiB.
// Usage: seal_bench [Google Benchmark flags]. The keys live in a temporary
// directory removed at exit.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/keyring.h"

namespace {

ferry::storage::Keyring& Ring() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "seal-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  static const std::unique_ptr<ferry::storage::Keyring> ring = [] {
    auto loaded = ferry::storage::Keyring::Load({.dir = dir});
    if (!loaded.ok() || !(*loaded)->StartSealing().ok()) {
      std::fprintf(stderr, "seal_bench: cannot make keys in %s\n", dir.c_str());
      std::abort();
    }
    std::atexit([] { std::filesystem::remove_all(dir); });
    return std::move(*loaded);
  }();
  return *ring;
}

void BM_Seal(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'm');
  std::string sealed;
  uint64_t seq = 0;
  for (auto _ : state) {
    if (!Ring().Seal(1, ++seq, body, &sealed).ok()) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(sealed.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_Open(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'm');
  std::string sealed;
  if (!Ring().Seal(1, 7, body, &sealed).ok()) state.SkipWithError("seal failed");
  std::string opened;
  for (auto _ : state) {
    if (!Ring().Unseal(1, 7, sealed, &opened).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(opened.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Seal)->Arg(1024)->Arg(256 * 1024);
BENCHMARK(BM_Open)->Arg(1024)->Arg(256 * 1024);

}  // namespace

BENCHMARK_MAIN();
