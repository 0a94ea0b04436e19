#!/usr/bin/env bash
# SNS fan-out to SQS through a real, durable Ferry: a topic with 10 SQS
# subscriptions (optionally each with a five-key filter policy that the
# messages match, or with raw delivery, whose copies carry no signed
# envelope), loaded with Publish or PublishBatch by loadgen; then checks that
# every queue holds one copy of every acknowledged publish.
# Usage: bench/sns_fanout.sh <ferry> <loadgen> [publish|publish-batch] [plain|filtered|raw]
#        [seconds, default 10] [connections, default 32]
# Prints loadgen's report and the deliveries per second (publishes x 10).
set -euo pipefail
ferry="$1"; loadgen="$2"; scenario="${3:-publish}"; filters="${4:-plain}"
seconds="${5:-10}"; connections="${6:-32}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-fanout-XXXXXX")
log="$dir/server.log"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

# FERRY_FLAGS: more flags for `ferry serve` (split on spaces), e.g. "--fsync never".
# shellcheck disable=SC2086
"$ferry" serve --port 0 --data-dir "$dir/data" ${FERRY_FLAGS:-} >>"$log" 2>&1 &
pid=$!
until grep -q 'listening on' "$log"; do
  kill -0 "$pid" 2>/dev/null || { echo "ferry exited:"; tail "$log"; exit 1; }
  sleep 0.02
done
ep=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/listening on //')

# Setup (sns_setup.py) and the final count through boto3 (the python3 on PATH).
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
topic=$(python3 "$(dirname "$0")/sns_setup.py" "$ep" "$filters")
extra=()
if [ "$filters" = filtered ]; then
  # The messages carry the five attributes the policy asks about.
  extra=(--publish-attributes)
fi
"$loadgen" --endpoint "$ep" --scenario "$scenario" --topic-arn "$topic" --connections "$connections" \
  --duration "$seconds" --warmup 2 --body-size 512 "${extra[@]}" | tee "$dir/report.txt" | grep -v '^{'
python3 - "$ep" "$dir/report.txt" <<'PY'
import json, sys, boto3
ep = sys.argv[1]
line = [l for l in open(sys.argv[2]) if l.startswith("{")][0]
report = json.loads(line)
sqs = boto3.client("sqs", endpoint_url=ep)
depths = []
for i in range(10):
    url = sqs.get_queue_url(QueueName=f"fanout-{i}")["QueueUrl"]
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    depths.append(int(a["Attributes"]["ApproximateNumberOfMessages"]))
print(f"deliveries/s (measured publishes x 10): {report['messages_per_s'] * 10:.0f}")
print(f"queue depths: min {min(depths)} max {max(depths)} (every acknowledged publish, warmup included)")
if min(depths) != max(depths):
    sys.exit("queues disagree: a publish reached some subscriptions and not others")
PY
