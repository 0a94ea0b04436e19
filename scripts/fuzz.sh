#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz) for a bounded time each, two at a
# time ($FERRY_FUZZ_JOBS), and fails if any of them finds a crash, leak,
# timeout or broken invariant.
#
#   scripts/fuzz.sh [seconds] [target...]   fuzz (default: $FERRY_FUZZ_SECONDS or 60 s, every target)
#   scripts/fuzz.sh merge [target...]       minimise the last run's new inputs into tests/fuzz/corpus
#
# Targets are named as built (http_request_fuzz) or by their corpus folder
# (http_request). Each reads its committed corpus, tests/fuzz/corpus/NAME,
# and writes what it finds to a fresh scratch folder, build-fuzz/fuzz-new/NAME,
# so a run never changes the tree; `merge` keeps only the inputs that add
# coverage. A crashing input is written to build-fuzz/fuzz-crashes/. Builds
# the fuzz kind first (scripts/build.sh fuzz). See tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=build-fuzz/tests/fuzz
new_root=build-fuzz/fuzz-new
crash_root=build-fuzz/fuzz-crashes
log_root=build-fuzz/fuzz-logs
jobs="${FERRY_FUZZ_JOBS:-2}"

mode=run
if [ "${1:-}" = merge ]; then
  mode=merge
  shift
fi
seconds="${FERRY_FUZZ_SECONDS:-60}"
if [ "$mode" = run ] && [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi

bash scripts/build.sh fuzz

names=()
if [ $# -gt 0 ]; then
  for t in "$@"; do names+=("${t%_fuzz}"); done
else
  for b in "$bin_dir"/*_fuzz; do
    [ -x "$b" ] && names+=("$(basename "${b%_fuzz}")")
  done
fi
for n in "${names[@]}"; do
  [ -x "$bin_dir/${n}_fuzz" ] || { echo "fuzz: no target ${n}_fuzz in $bin_dir" >&2; exit 2; }
  mkdir -p "tests/fuzz/corpus/$n"
done

mkdir -p "$crash_root" "$log_root"
if [ "$mode" = merge ]; then
  for n in "${names[@]}"; do
    if [ -d "$new_root/$n" ] && [ -n "$(ls -A "$new_root/$n")" ]; then
      before=$(ls "tests/fuzz/corpus/$n" | wc -l)
      "$bin_dir/${n}_fuzz" -merge=1 "tests/fuzz/corpus/$n" "$new_root/$n" >"$log_root/$n.merge.log" 2>&1
      after=$(ls "tests/fuzz/corpus/$n" | wc -l)
      echo "fuzz: $n: $((after - before)) inputs added to tests/fuzz/corpus/$n"
    else
      echo "fuzz: $n: nothing new to merge"
    fi
  done
  exit 0
fi

# One target: fuzz for $seconds from the committed corpus into a fresh
# scratch folder. Prints one line; exits non-zero on any finding.
fuzz_one() {
  local n="$1" new="$new_root/$1" log="$log_root/$1.log"
  rm -rf "$new"
  mkdir -p "$new"
  set +e
  "$bin_dir/${n}_fuzz" "$new" "tests/fuzz/corpus/$n" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crash_root/$n-" >"$log" 2>&1
  local rc=$?
  set -e
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $n FAILED (exit $rc); log $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -n 5 | sed 's/^/  /'
    return 1
  fi
  echo "fuzz: $n: ${runs:-0} runs in ${seconds} s, ${cov:-cov: ?}, $(ls "$new" | wc -l) new inputs"
}
export -f fuzz_one
export bin_dir new_root crash_root log_root seconds

echo "fuzz: ${#names[@]} targets, ${seconds} s each, ${jobs} at a time"
if ! printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {}; then
  echo "fuzz: FAILED; replay an input with $bin_dir/NAME_fuzz FILE (tests/fuzz/README.md)"
  exit 1
fi
