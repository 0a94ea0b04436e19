#!/usr/bin/env bash
# Configures and builds Ferry. Usage: scripts/build.sh [release|asan|fuzz]
#   release  build/       RelWithDebInfo, GCC: the server, tests, e2e suites
#   asan     build-asan/  Debug, GCC with ASan/UBSan: the unit tests
#   fuzz     build-fuzz/  clang with libFuzzer and ASan/UBSan: the fuzz targets
#                         only (tests/fuzz, run by scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
# Cache hits across clones in different directories (CI clones afresh).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
target=()
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON) ;;
  fuzz)    dir=build-fuzz
           flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14)
           target=(--target fuzz_targets) ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
[ -f "$dir/build.ninja" ] || cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" "${target[@]}" -- -j"$(nproc)"
