#!/usr/bin/env bash
# Long fuzzing runs, by hand (CI runs scripts/fuzz.sh): fuzzes each target
# (tests/fuzz) for a given time, keeps what the runs find, and writes a
# markdown table of the figures (docs/security.md, "Fuzzing figures").
#
#   scripts/fuzz_long.sh [--seconds N] [--jobs J] [--dir D] [target...]
#
#   --seconds N  fuzzing time per target (default 3600)
#   --jobs J     targets fuzzed at a time, one process each (default 1)
#   --dir D      where corpora, crashes, logs and the summary go
#                (default build-fuzz/long)
#
# Targets are named as built (http_request_fuzz) or by their corpus folder
# (http_request); none named means every target built. Each target keeps
# its corpus in D/NAME/corpus across runs (seeded from tests/fuzz/corpus/NAME,
# which is only read) and its crashing inputs in D/NAME/crashes. A crash
# does not end a target's time: the fuzzer is started again from the corpus
# for what remains (at most 20 times), so the table counts every crash found
# in the time. The summary, D/summary.md, has one row per target: seconds
# fuzzed, executions, executions per second, corpus size (inputs), the
# coverage libFuzzer last reported (cov: edges, ft: features), crashes, and
# timeouts not reproduced: libFuzzer's timeout is wall-clock time, so an
# input starved of CPU by other work can pass it; one that then runs within
# the limit alone, three times, is moved to D/NAME/slow and not counted as
# a crash.
# Exits 1 when any target crashed; replay an input as tests/fuzz/README.md
# says, and merge a corpus into the tree with
#   build-fuzz/tests/fuzz/NAME_fuzz -merge=1 tests/fuzz/corpus/NAME D/NAME/corpus
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=3600
jobs=1
root=build-fuzz/long
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --dir) root="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz_long: unknown option $1" >&2; exit 2 ;;
    *) names+=("${1%_fuzz}"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "fuzz_long: --seconds takes a positive number" >&2; exit 2; }
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -gt 0 ]] || { echo "fuzz_long: --jobs takes a positive number" >&2; exit 2; }

# The sources fuzzed: the commit the run started from, and whether the
# tree had changes beyond it.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit with local changes"
bin_dir=build-fuzz/tests/fuzz
bash scripts/build.sh fuzz

if [ ${#names[@]} -eq 0 ]; then
  for b in "$bin_dir"/*_fuzz; do
    [ -x "$b" ] && names+=("$(basename "${b%_fuzz}")")
  done
fi
for n in "${names[@]}"; do
  [ -x "$bin_dir/${n}_fuzz" ] || { echo "fuzz_long: no target ${n}_fuzz in $bin_dir" >&2; exit 2; }
done

# Whether target $1 runs input $2 within the timeout, alone, three times.
replays_in_time() {
  local i
  for i in 1 2 3; do
    "$bin_dir/${1}_fuzz" -timeout=10 -rss_limit_mb=2048 "$2" >/dev/null 2>&1 || return 1
  done
}
export -f replays_in_time

# One target: fuzzes for $seconds in all, restarting after a crash, then
# writes its table row to $root/NAME/row.md.
fuzz_target() {
  local n="$1" dir="$root/$1"
  mkdir -p "$dir/corpus" "$dir/crashes" "$dir/logs"
  local seeds=()
  [ -d "tests/fuzz/corpus/$n" ] && seeds=("tests/fuzz/corpus/$n")
  local left="$seconds" runs=0 crashes=0 slow=0 execs=0 round=0 cov="" ft=""
  while [ "$left" -gt 0 ] && [ "$round" -lt 21 ]; do
    round=$((round + 1))
    local log="$dir/logs/run$round.log" start end rc
    start=$(date +%s)
    set +e
    "$bin_dir/${n}_fuzz" "$dir/corpus" "${seeds[@]}" \
      -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$dir/crashes/" >"$log" 2>&1
    rc=$?
    set -e
    end=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    execs=$((execs + ${runs:-0}))
    local last
    last=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
    if [ -n "$last" ]; then
      cov=$(echo "$last" | awk '{print $2}')
      ft=$(echo "$last" | awk '{print $4}')
    fi
    left=$((left - (end - start)))
    local unit
    unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ] && [[ "$(basename "${unit:-x}")" == timeout-* ]] &&
      replays_in_time "$n" "$unit"; then
      # libFuzzer's timeout is wall-clock time: on a machine whose cores
      # are busy with other work an input can be starved past it. One that
      # runs within the limit alone, three times, is not a finding; it is
      # counted apart, and the fuzzer goes on with the time left.
      slow=$((slow + 1))
      mkdir -p "$dir/slow"
      mv "$unit" "$dir/slow/"
      echo "fuzz_long: $n: timeout not reproduced alone (kept in $dir/slow), log $log" >&2
    elif [ "$rc" -ne 0 ]; then
      crashes=$((crashes + 1))
      echo "fuzz_long: $n: finding (exit $rc), log $log" >&2
      grep -E '^(==[0-9]+==ERROR|SUMMARY|Test unit written)' "$log" | head -n 3 | sed 's/^/  /' >&2
      # A finding in under a second, again and again, would spin: stop.
      [ $((end - start)) -eq 0 ] && [ "$crashes" -ge 3 ] && break
    fi
    if [ "$rc" -eq 0 ]; then break; fi
  done
  local spent=$((seconds - (left > 0 ? left : 0)))
  [ "$spent" -gt 0 ] || spent=1
  local corpus
  corpus=$(find "$dir/corpus" -type f | wc -l)
  printf '| %s | %d | %d | %d | %d | %s / %s | %d | %d |\n' "$n" "$spent" "$execs" \
    $((execs / spent)) "$corpus" "${cov:-?}" "${ft:-?}" "$crashes" "$slow" >"$dir/row.md"
  echo "fuzz_long: $n: $execs executions in $spent s, corpus $corpus, cov ${cov:-?} ft ${ft:-?}, $crashes crashes, $slow timeouts not reproduced"
}
export -f fuzz_target
export bin_dir root seconds

mkdir -p "$root"
for n in "${names[@]}"; do rm -f "$root/$n/row.md"; done
echo "fuzz_long: ${#names[@]} targets, ${seconds} s each, ${jobs} at a time, into $root"
started=$(date -u +%Y-%m-%dT%H:%MZ)
printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_target "$1"' _ {} || true

summary="$root/summary.md"
total_crashes=0
{
  echo "Fuzzing run of $started: ${seconds} s per target, ${jobs} at a time, $(nproc) cores; commit $commit."
  echo
  echo "| target | seconds | executions | exec/s | corpus (inputs) | coverage (cov / ft) | crashes | timeouts not reproduced |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  for n in "${names[@]}"; do
    if [ -f "$root/$n/row.md" ]; then
      cat "$root/$n/row.md"
      c=$(awk -F'|' '{gsub(/ /, "", $8); print $8}' "$root/$n/row.md")
      total_crashes=$((total_crashes + c))
    else
      echo "| $n | – | – | – | – | – | did not run | – |"
      total_crashes=$((total_crashes + 1))
    fi
  done
} >"$summary"
cat "$summary"
echo "fuzz_long: summary in $summary"
[ "$total_crashes" -eq 0 ]
