#!/usr/bin/env bash
# Ferry on PostgreSQL under load: a throwaway PostgreSQL 15 (initdb in a
# temporary directory, a free loopback port, durable settings: fsync and
# synchronous_commit on, so a 200 means committed to disk), 1 or 3 Ferry
# nodes on one database of it, and loadgen spread over the nodes (one loadgen
# per node, the connections split between them) for each scenario. Prints
# each scenario's msgs/s summed over the nodes, and a table at the end.
#
# Usage: bench/postgres.sh FERRY LOADGEN [options]
#   --nodes N          Ferry nodes on the database (default 1; 3 for scale-out)
#   --local            run the same scenarios on one Ferry on the local engine
#                      (a data directory) instead, for the side-by-side figure
#   --scenarios LIST   comma-separated, from send,send-batch,consume-cycle,
#                      fifo-send-batch,fifo-consume-cycle (default: all)
#   --duration S       measured seconds per scenario (default 10)
#   --warmup S         seconds of load before measuring (default 2)
#   --connections N    connections in all, split over the nodes (default 32;
#                      the FIFO consume-cycle uses at most one per group)
#   --groups N         FIFO message groups (default 10)
#   --prefill N        consume-cycle: messages queued first (default 200000)
#   --pool N           each node's --postgres-pool (default 16)
#   --out DIR          keep the reports, the JSON lines and the logs there
# Everything it starts is stopped on exit, Ctrl-C included.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
ferry=$(realpath "$1"); loadgen=$(realpath "$2"); shift 2
nodes=1; local_engine=0; duration=10; warmup=2; connections=32; groups=10
prefill=200000; pool=16; out=""
scenarios="send,send-batch,consume-cycle,fifo-send-batch,fifo-consume-cycle"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --local) local_engine=1; shift ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --groups) groups="$2"; shift 2 ;;
    --prefill) prefill="$2"; shift 2 ;;
    --pool) pool="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ "$local_engine" = 1 ] && nodes=1

dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pgbench-XXXXXX")
chmod 755 "$dir"
pg_bin=/usr/lib/postgresql/15/bin
pg_data="$dir/pg/data"
as_postgres=()
[ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
cleanup() {
  # start_ferry runs in a command substitution (a subshell): its pids are
  # kept in a file, not in a variable of this shell.
  [ -f "$dir/pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$dir/pids"
  if [ -f "$pg_data/postmaster.pid" ]; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" stop -D "$pg_data" -m immediate -w >/dev/null 2>&1 || true
  fi
  if [ -n "$out" ]; then
    mkdir -p "$out"
    cp "$dir"/*.log "$dir"/*.txt "$dir"/results.jsonl "$out"/ 2>/dev/null || true
    cp "$dir/pg/postgres.log" "$out"/ 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts `ferry serve ARGS...` logging to $dir/ferry-N.log; prints its endpoint.
start_ferry() {
  local n="$1"; shift
  local log="$dir/ferry-$n.log"
  "$ferry" serve --listen 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
  local pid=$!
  echo "$pid" >>"$dir/pids"
  until grep -q 'listening on' "$log"; do
    kill -0 "$pid" 2>/dev/null || { echo "ferry node $n exited:" >&2; tail "$log" >&2; exit 1; }
    sleep 0.05
  done
  grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/listening on //'
}

endpoints=()
if [ "$local_engine" = 1 ]; then
  label="local"
  endpoints+=("$(start_ferry 1 --data-dir "$dir/data")")
else
  [ -x "$pg_bin/initdb" ] || { echo "no PostgreSQL 15 here (apt-get install postgresql-15)" >&2; exit 1; }
  label="postgres-${nodes}n"
  mkdir -p "$dir/pg/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir/pg"
  "${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres -E UTF8 --locale C \
    >"$dir/initdb.log"
  port=$(free_port)
  # Durable, as in production; room for every node's pool; checkpoints rare
  # enough not to land in a short window.
  "${as_postgres[@]}" "$pg_bin/pg_ctl" start -D "$pg_data" -w -l "$dir/pg/postgres.log" \
    -o "-p $port -k $dir/pg/sock -c listen_addresses=127.0.0.1 -c max_connections=300 \
        -c shared_buffers=1GB -c max_wal_size=8GB -c synchronous_commit=on -c fsync=on" \
    >/dev/null
  "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'CREATE DATABASE ferry'
  url="postgresql://postgres@127.0.0.1:$port/ferry"
  for n in $(seq 1 "$nodes"); do
    endpoints+=("$(start_ferry "$n" --engine postgres --postgres-url "$url" \
                  --postgres-pool "$pool" --blocking-threads "$pool" --keys-dir "$dir/keys")")
  done
fi
echo "$label: ${endpoints[*]}"

per_node=$(( (connections + nodes - 1) / nodes ))
summary=()
IFS=, read -r -a wanted <<<"$scenarios"
for scenario in "${wanted[@]}"; do
  args=(--threads 1)
  conns="$per_node"
  queue="pgbench-$scenario"
  case "$scenario" in
    send|send-batch|consume-cycle) args+=(--scenario "$scenario") ;;
    fifo-send-batch) args+=(--scenario send-batch --fifo --groups "$groups") ;;
    fifo-consume-cycle)
      args+=(--scenario consume-cycle --fifo --groups "$groups")
      # Half a connection per group: a receive finding every group in flight
      # (or locked by a concurrent receive: SKIP LOCKED) comes back empty,
      # which ends the window.
      conns=$(( groups / (2 * nodes) )); [ "$conns" -ge 1 ] || conns=1 ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  if [[ "$scenario" == *consume-cycle ]]; then
    # Filled once, through the first node, before every node consumes; the
    # filling loadgen consumes nothing (--prefill-only). It used to run a
    # 0.1 s consume-cycle after filling, which on the local engine took
    # thousands of messages (all of a small --prefill: the measured run
    # then found the queue empty and reported 0 msgs/s).
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test python3 - "${endpoints[0]}" "$queue" \
        "$([[ "$scenario" == fifo-* ]] && echo fifo)" <<'PY'
import sys, boto3
endpoint, name, kind = sys.argv[1], sys.argv[2], sys.argv[3]
attributes = {}
if kind == "fifo":
    name += ".fifo"
    attributes["FifoQueue"] = "true"
boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1").create_queue(
    QueueName=name, Attributes=attributes)
PY
    timeout 900 "$loadgen" --endpoint "${endpoints[0]}" --queue "$queue" "${args[@]}" \
      --connections "$conns" --prefill "$prefill" --prefill-timeout 600 --prefill-only \
      >"$dir/prefill-$scenario.txt" || true
    args+=(--prefill 0)
  fi
  lg_pids=()
  for i in "${!endpoints[@]}"; do
    timeout $(( ${duration%.*} + ${warmup%.*} + 60 )) "$loadgen" --endpoint "${endpoints[$i]}" \
      --queue "$queue" --label "$label-node$((i + 1))" --connections "$conns" "${args[@]}" \
      --duration "$duration" --warmup "$warmup" \
      >"$dir/$scenario-node$((i + 1)).txt" &
    lg_pids+=("$!")
  done
  for p in "${lg_pids[@]}"; do wait "$p" || true; done
  total=0
  for i in "${!endpoints[@]}"; do
    line=$(grep '^{' "$dir/$scenario-node$((i + 1)).txt" || true)
    [ -n "$line" ] || { echo "$scenario: node $((i + 1)): no report"; cat "$dir/$scenario-node$((i + 1)).txt"; continue; }
    echo "$line" >>"$dir/results.jsonl"
    rate=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["messages_per_s"])' "$line")
    errors=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["errors"] + r["transport_errors"], "drained" if r["drained"] else "")' "$line")
    echo "$scenario node $((i + 1)): ${rate} msgs/s (errors: $errors)"
    total=$(python3 -c "print(round($total + $rate, 1))")
  done
  echo "$scenario: $total msgs/s over ${#endpoints[@]} node(s)"
  summary+=("$(printf '%-20s %-14s %5s %12s' "$scenario" "$label" "$(( conns * ${#endpoints[@]} ))" "$total")")
done

echo
printf '%-20s %-14s %5s %12s\n' scenario target conns msgs/s
printf '%s\n' "----------------------------------------------------"
printf '%s\n' "${summary[@]}"
