#!/usr/bin/env bash
# Measures Ferry side by side with the SQS emulators moto and fauxqs: starts
# each server in turn on a free loopback port (one at a time, so they never
# share the CPU), runs the same loadgen scenarios against it, stops it, and
# prints one table with Ferry's throughput ratio to each.
#
# Usage: bench/run_compare.sh [options] <ferry-binary>
#   --loadgen PATH        loadgen binary (default: the newer of build/ and build-bench/ bench/loadgen)
#   --targets LIST        comma-separated, from ferry,fauxqs,moto (default: all three)
#   --scenarios LIST      comma-separated (default: send,send-batch,consume-cycle)
#   --duration S          measured seconds per run (default 10)
#   --warmup S            unmeasured seconds before each run (default 2)
#   --connections N       (default 32)   --threads N  loadgen threads (default 2)
#   --body-size B         (default 1024)
#   --prefill N           consume-cycle prefill (default 300000)
#   --moto-duration S     moto is ~100x slower: shorter, lighter runs (default 5)
#   --moto-warmup S       (default 1)
#   --moto-connections N  (default 2)
#   --moto-prefill N      (default 300; moto's ReceiveMessage slows with queue depth)
#   --fauxqs-dir DIR      where `npm install fauxqs` was run (default /tmp/fauxqs)
#   --out DIR             keep the raw reports and server logs there (default: temp, removed)
#
# A target whose server is not installed is skipped with a note. Every run is
# bounded by `timeout`; every server started here is stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

loadgen=""
targets="ferry,fauxqs,moto"
scenarios="send,send-batch,consume-cycle"
duration=10 warmup=2 connections=32 threads=2 body_size=1024 prefill=300000
moto_duration=5 moto_warmup=1 moto_connections=2 moto_prefill=300
fauxqs_dir=/tmp/fauxqs
out=""

usage() { sed -n '/^# Usage:/,/^# A target/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --loadgen) loadgen="$2"; shift 2 ;;
    --targets) targets="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --body-size) body_size="$2"; shift 2 ;;
    --prefill) prefill="$2"; shift 2 ;;
    --moto-duration) moto_duration="$2"; shift 2 ;;
    --moto-warmup) moto_warmup="$2"; shift 2 ;;
    --moto-connections) moto_connections="$2"; shift 2 ;;
    --moto-prefill) moto_prefill="$2"; shift 2 ;;
    --fauxqs-dir) fauxqs_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "run_compare: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
ferry="$(realpath "$1")"
if [[ ",$targets," == *,ferry,* ]] && [ ! -x "$ferry" ]; then
  echo "run_compare: $ferry is not an executable" >&2; exit 2
fi

if [ -z "$loadgen" ]; then
  # The most recently built of the usual build directories.
  loadgen="$(ls -t "$repo"/build/bench/loadgen "$repo"/build-bench/bench/loadgen 2>/dev/null |
             head -n1)" || true
fi
if [ -z "$loadgen" ] || [ ! -x "$loadgen" ]; then
  echo "run_compare: no loadgen binary; build it (ninja -C build loadgen) or pass --loadgen" >&2
  exit 2
fi

scratch="$(mktemp -d /tmp/ferry-compare.XXXXXX)"
if [ -n "$out" ]; then mkdir -p "$out"; else out="$scratch/out"; mkdir -p "$out"; fi
results="$out/results.jsonl"
: > "$results"
server_pid=""
endpoint=""

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    # Give it a few seconds to exit cleanly, then insist.
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_line LOG PATTERN: prints the first match of PATTERN in LOG within 30 s.
wait_for_line() {
  for _ in $(seq 300); do
    if grep -Eo "$2" "$1" 2>/dev/null | head -n1 | grep .; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "run_compare: server exited:" >&2; cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "run_compare: server did not start in 30 s:" >&2; cat "$1" >&2; return 1
}

# wait_for_port PORT: until something accepts on 127.0.0.1:PORT, 30 s at most.
wait_for_port() {
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_<target> sets server_pid and endpoint, or fails (3: not installed).
start_ferry() {
  local log="$out/ferry.log"
  mkdir -p "$scratch/ferry-data"
  "$ferry" serve --port 0 --data-dir "$scratch/ferry-data" > "$log" 2>&1 &
  server_pid=$!
  local line
  line="$(wait_for_line "$log" 'listening on http://127\.0\.0\.1:[0-9]+')" || return 1
  endpoint="${line#listening on }"
}

start_moto() {
  python3 -c 'import moto.server' 2>/dev/null || { echo "moto is not installed (pip install 'moto[server]')" >&2; return 3; }
  local port
  port="$(free_port)"
  python3 -m moto.server -H 127.0.0.1 -p "$port" > "$out/moto.log" 2>&1 &
  server_pid=$!
  wait_for_port "$port" || { cat "$out/moto.log" >&2; return 1; }
  endpoint="http://127.0.0.1:$port"
}

# fauxqs's own CLI listens on 0.0.0.0 and logs every request; its buildApp()
# lets us bind loopback only, without the logger.
start_fauxqs() {
  local app="$fauxqs_dir/node_modules/fauxqs/dist/app.js"
  [ -f "$app" ] || { echo "fauxqs is not installed in $fauxqs_dir (npm install fauxqs there)" >&2; return 3; }
  local log="$out/fauxqs.log"
  node --input-type=module -e "
    const { buildApp } = await import(process.argv[1]);
    const app = buildApp({ logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log('listening on http://127.0.0.1:' + app.server.address().port);
  " "$app" > "$log" 2>&1 &
  server_pid=$!
  local line
  line="$(wait_for_line "$log" 'listening on http://127\.0\.0\.1:[0-9]+')" || return 1
  endpoint="${line#listening on }"
}

run_target() {
  local target="$1" status=0
  endpoint=""
  local d="$duration" w="$warmup" c="$connections" p="$prefill"
  if [ "$target" = moto ]; then
    d="$moto_duration" w="$moto_warmup" c="$moto_connections" p="$moto_prefill"
  fi
  "start_$target" || status=$?
  if [ "$status" -ne 0 ]; then
    stop_server
    [ "$status" -eq 3 ] && echo "== $target: skipped" || echo "== $target: failed to start"
    echo "{\"label\":\"$target\",\"skipped\":true}" >> "$results"
    return 0
  fi
  echo "== $target at $endpoint"
  local scenario
  for scenario in ${scenarios//,/ }; do
    local report="$out/$target-$scenario.txt"
    # Prefill at moto's pace can take minutes; everything else is seconds.
    local limit
    limit="$(python3 -c "print(int($d + $w + 180))")"
    timeout --kill-after=5 "$limit" "$loadgen" --endpoint "$endpoint" --label "$target" \
      --scenario "$scenario" --queue "compare-$scenario" --duration "$d" --warmup "$w" \
      --connections "$c" --threads "$threads" --body-size "$body_size" --prefill "$p" \
      --prefill-timeout 150 > "$report" 2>&1 || true
    if grep -q '^{' "$report"; then
      grep '^{' "$report" | tail -n1 >> "$results"
      grep -E '^(measured|messages|latency ms|errors|first error)' "$report" | sed 's/^/   /'
    else
      echo "   $scenario: no result (see below)"; sed 's/^/   | /' "$report" | tail -n5
      echo "{\"label\":\"$target\",\"scenario\":\"$scenario\",\"failed\":true}" >> "$results"
    fi
  done
  stop_server
}

for target in ${targets//,/ }; do
  case "$target" in
    ferry|moto|fauxqs) run_target "$target" ;;
    *) echo "run_compare: unknown target $target" >&2; exit 2 ;;
  esac
done

echo
python3 - "$results" <<'EOF'
import json, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {(r.get("label"), r.get("scenario")): r for r in rows if "messages_per_s" in r}
scenarios = []
for r in rows:
    if "scenario" in r and r["scenario"] not in scenarios:
        scenarios.append(r["scenario"])
targets = []
for r in rows:
    if r.get("label") not in targets:
        targets.append(r.get("label"))

head = f"{'scenario':<14} {'target':<7} {'conns':>5} {'secs':>6} {'msgs/s':>10} {'req/s':>10} " \
       f"{'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'max ms':>8} {'errors':>6} {'ferry/x':>8}"
print(head)
print("-" * len(head))
for s in scenarios:
    ferry = by.get(("ferry", s))
    for t in targets:
        r = by.get((t, s))
        if r is None:
            print(f"{s:<14} {t:<7} {'(no result)':>24}")
            continue
        lat = r["latency_ms"]
        ratio = "-"
        if ferry and r["messages_per_s"] > 0:
            ratio = f"{ferry['messages_per_s'] / r['messages_per_s']:.2f}"
        note = " drained" if r.get("drained") else ""
        print(f"{s:<14} {t:<7} {r['connections']:>5} {r['seconds']:>6.1f} "
              f"{r['messages_per_s']:>10.1f} {r['requests_per_s']:>10.1f} "
              f"{lat['p50']:>8.2f} {lat['p99']:>8.2f} {lat['p99_9']:>9.2f} {lat['max']:>8.2f} "
              f"{r['errors'] + r['transport_errors']:>6} {ratio:>8}{note}")
print("\nferry/x = Ferry's messages/s divided by the target's; moto runs use "
      "fewer connections and shorter windows (see --moto-*).")
EOF
