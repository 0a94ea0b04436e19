#!/usr/bin/env bash
# Server instructions per request (callgrind), for comparing two builds of
# ferry without depending on how busy the machine is.
#
#   bench/instructions.sh FERRY LOADGEN SCENARIO [SECONDS]
#
# SCENARIO publish or publish-batch: the topic of sns_setup.py (10 SQS
# subscriptions) in the mode SNS_MODE names (plain, filtered or raw;
# default plain), 512-byte messages; "per message" is per publish.
#
# SSE=off (send, send-batch, consume-cycle): the load's queue does not
# encrypt its bodies at rest, for comparing against the default.
#
# PROFILE=FILE keeps the callgrind profile there (for callgrind_annotate).
#
# FERRY_FLAGS: more flags for `ferry serve` (split on spaces), e.g.
# "--no-metrics" or "--access-log", for the cost of what they switch.
#
# Starts FERRY under callgrind with instrumentation off, prepares the queue
# with a short loadgen run (consume-cycle: prefills 20,000 messages), turns
# instrumentation on for SECONDS (default 10) of SCENARIO, and prints the
# server's instructions (every thread) divided by the requests and by the
# messages that loadgen completed in that window. Requests in flight when
# instrumentation switches are a rounding error at these counts.
set -euo pipefail
ferry=${1:?ferry binary}
loadgen=${2:?loadgen binary}
scenario=${3:?send, send-batch, consume-cycle, publish or publish-batch}
seconds=${4:-10}

work=$(mktemp -d)
trap 'kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" \
  "$ferry" serve --port 0 --data-dir "$work/data" --threads 2 ${FERRY_FLAGS:-} >"$work/ferry.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  grep -q "listening on" "$work/ferry.log" 2>/dev/null && break
  sleep 0.1
done
endpoint=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/ferry.log" | head -1)
[ -n "$endpoint" ] || { echo "ferry did not start" >&2; cat "$work/ferry.log" >&2; exit 1; }

common=(--endpoint "$endpoint" --scenario "$scenario" --connections 16 --threads 1
        --body-size 1024 --warmup 0)
case "$scenario" in
  publish|publish-batch)
    mode=${SNS_MODE:-plain}
    topic=$(python3 "$(dirname "$0")/sns_setup.py" "$endpoint" "$mode")
    common=(--endpoint "$endpoint" --scenario "$scenario" --connections 16 --threads 1
            --body-size 512 --warmup 0 --topic-arn "$topic")
    [ "$mode" = filtered ] && common+=(--publish-attributes)
    ;;
esac
# SSE=off: the queue of send and consume-cycle is created first with
# SqsManagedSseEnabled=false, so that its bodies are written in plaintext
# (encryption at rest is on by default); loadgen then finds it by name.
if [ "${SSE:-on}" = off ]; then
  python3 - "$endpoint" <<'PY'
import sys
import boto3
boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="x",
             aws_secret_access_key="x").create_queue(
    QueueName="loadgen", Attributes={"SqsManagedSseEnabled": "false"})
PY
fi
prefill=(--prefill 0)
[ "$scenario" = consume-cycle ] && prefill=(--prefill 20000)
"$loadgen" "${common[@]}" "${prefill[@]}" --duration 0.5 >/dev/null
callgrind_control -i on "$pid" >/dev/null 2>&1
"$loadgen" "${common[@]}" --prefill 0 --duration "$seconds" >"$work/load.txt"
callgrind_control -i off "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" || true
trap 'rm -rf "$work"' EXIT
[ -n "${PROFILE:-}" ] && cp "$work/cg.out" "$PROFILE"

requests=$(grep -o '"requests":[0-9]*' "$work/load.txt" | cut -d: -f2)
messages=$(grep -o '"messages":[0-9]*' "$work/load.txt" | cut -d: -f2)
total=$(callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); if (!n++) print $1}')
echo "$scenario: $requests requests, $messages messages, $total instructions;" \
  "$((total / requests)) per request, $((total / messages)) per message"
