#!/usr/bin/env bash
# Builds a backlog of messages in a durable Ferry, then reports RSS per stored
# message, restart (recovery) time, and consume-cycle figures on top of the
# backlog. Usage: bench/backlog.sh <ferry> <loadgen> [seconds of send-batch load]
set -euo pipefail
ferry="$1"; loadgen="$2"; secs="${3:-30}"
dir=$(mktemp -d /tmp/ferry-backlog-XXXXXX)
log="$dir/server.log"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

start() {
  local t0=$(date +%s.%N)
  "$ferry" serve --port 0 --data-dir "$dir/data" >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    if [ -n "$port" ] && [ "$(grep -c 'listening on' "$log")" -ge "$1" ]; then break; fi
    sleep 0.01
  done
  echo "startup $(echo "$(date +%s.%N) - $t0" | bc) s"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
count() {
  curl -s -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: AmazonSQS.GetQueueAttributes' \
    -d "{\"QueueUrl\":\"http://127.0.0.1:$port/000000000000/backlog\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}" \
    "http://127.0.0.1:$port/" | grep -o '"ApproximateNumberOfMessages":"[0-9]*"' | grep -o '[0-9]*'
}

start 1
ep="http://127.0.0.1:$port"
"$loadgen" --endpoint "$ep" --queue backlog --scenario send --duration 1 --warmup 0 --connections 1 >/dev/null
before=$(rss_kib)
"$loadgen" --endpoint "$ep" --queue backlog --scenario send-batch --connections 32 --duration "$secs" --warmup 0 | grep -E '^\{'
n=$(count)
after=$(rss_kib)
echo "messages stored: $n"
echo "RSS: before ${before} KiB, after ${after} KiB, $(( (after - before) * 1024 / n )) bytes per message"
echo "data dir: $(du -sh "$dir/data" | cut -f1)"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo -n "restart after kill -9 with $n messages: "; start 2
ep="http://127.0.0.1:$port"
grep recovered "$log" | tail -1
echo "RSS after restart: $(rss_kib) KiB"
echo "endpoint $ep"
"$loadgen" --endpoint "$ep" --queue backlog --scenario consume-cycle --connections 32 --duration 10 --warmup 2 --prefill 0 | grep -E '^\{'
