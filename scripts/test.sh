#!/usr/bin/env bash
# Installs, builds and runs every test: unit tests under ASan/UBSan, every
# fuzz target under libFuzzer for FERRY_FUZZ_SECONDS (60 s) each, then the
# whole suite (unit and end-to-end through real AWS clients) on the release
# build, whose ctest summary is the last thing printed. A failed test is run
# once more before it counts: the full-disk tests of src/storage time the log's
# helper thread in real time and can miss on a loaded machine; their move to
# the fake clock is still to do.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L unit -j"$(nproc)" --output-on-failure --repeat until-pass:2
bash scripts/fuzz.sh
bash scripts/build.sh release
ctest --test-dir build -j"$(nproc)" --output-on-failure --repeat until-pass:2
