#!/usr/bin/env bash
# Builds a backlog of messages in a durable Ferry, then reports RSS per stored
# message, restart (recovery) time after kill -9, and consume-cycle figures on
# top of the backlog.
# Usage: bench/backlog.sh <ferry> <loadgen> [messages, default 10000000] [body bytes, default 1024]
# Needs about 1.1 KiB of disk per 1 KiB message, in $TMPDIR (default /tmp).
set -euo pipefail
ferry="$1"; loadgen="$2"; target="${3:-10000000}"; body="${4:-1024}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-backlog-XXXXXX")
log="$dir/server.log"
pid="" port=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# start N: starts the server and waits for its N-th "listening on" line.
start() {
  local t0 t1 n
  t0=$(date +%s.%N)
  "$ferry" serve --port 0 --data-dir "$dir/data" >>"$log" 2>&1 &
  pid=$!
  while true; do
    n=$(grep -c 'listening on' "$log" || true)
    [ "$n" -ge "$1" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "ferry exited:"; tail "$log"; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  echo "ready after $(echo "$t1 - $t0" | bc) s"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
count() {
  curl -s -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: AmazonSQS.GetQueueAttributes' \
    -d "{\"QueueUrl\":\"http://127.0.0.1:$port/000000000000/backlog\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}" \
    "http://127.0.0.1:$port/" | grep -o '"ApproximateNumberOfMessages":"[0-9]*"' | grep -o '[0-9]*'
}

echo -n "start on an empty data dir: "; start 1
ep="http://127.0.0.1:$port"
"$loadgen" --endpoint "$ep" --queue backlog --scenario send --duration 1 --warmup 0 --connections 1 \
  --body-size "$body" >/dev/null
before=$(rss_kib)
t0=$(date +%s)
while [ "$(count)" -lt "$target" ]; do
  "$loadgen" --endpoint "$ep" --queue backlog --scenario send-batch --connections 32 --duration 20 \
    --warmup 0 --body-size "$body" | grep -E '^\{' | grep -o '"messages_per_s":[0-9.]*'
done
n=$(count)
after=$(rss_kib)
echo "messages stored: $n in $(( $(date +%s) - t0 )) s"
echo "RSS: before ${before} KiB, after ${after} KiB, $(( (after - before) * 1024 / n )) bytes per message"
echo "data dir: $(du -sh "$dir/data" | cut -f1)"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo -n "restart after kill -9 with $n messages: "; start 2
ep="http://127.0.0.1:$port"
grep recovered "$log" | tail -1
echo "messages after restart: $(count); RSS after restart: $(rss_kib) KiB"
echo "consume-cycle on the backlog (receive latency is per ReceiveMessage):"
"$loadgen" --endpoint "$ep" --queue backlog --scenario consume-cycle --connections 32 --duration 10 \
  --warmup 2 --prefill 0 --body-size "$body" | grep -E '^(latency|  Receive|messages)'
