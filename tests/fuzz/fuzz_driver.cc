// A stand-in for libFuzzer's main when building with GCC: replays each file
// given on the command line, then feeds a fixed number of deterministic
// pseudo-random mutations of them, so that every fuzz target also runs in
// the ordinary test suite. Build with -DFERRY_FUZZ=ON under clang for real
// coverage-guided fuzzing.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) seeds.emplace_back();
  std::mt19937_64 rng(20261122);
  size_t runs = 0;
  for (const auto& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  for (int round = 0; round < 20000; ++round) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0: s.insert(s.begin() + pos, static_cast<char>(rng())); break;
        case 1: if (pos < s.size()) s.erase(pos, 1 + rng() % 4); break;
        case 2: if (pos < s.size()) s[pos] = static_cast<char>(rng()); break;
        default: if (!s.empty()) s.insert(pos, s.substr(rng() % s.size(), 1 + rng() % 16)); break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::printf("%zu inputs ran without a crash\n", runs);
  return 0;
}
