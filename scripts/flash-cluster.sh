#!/usr/bin/env bash
# The flash-sale bench against a cluster of N souk nodes on this machine:
# a fresh PostgreSQL database, a redis-server of its own, N nodes
# (`cluster.enabled`; node 1 seeds the demo), and `souk-bench --flash-sale`
# (the one beside SOUK_BINARY) spreading its buyers over the nodes. Prints
# the bench's table, each node's CPU and the PostgreSQL server's over the
# whole run, and each node's forwarded calls (souk_cluster_forwarded_total)
# and HTTP requests.
#
#   scripts/flash-cluster.sh SOUK_BINARY NODES [CONCURRENCY] [SECONDS] [SERVER_URL] [BENCH_ARGS...]
#
# SERVER_URL is a database the user may connect to with a role that may
# create databases (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 2 "$@"
bin=$1 nodes=$2 concurrency=${3:-64} seconds=${4:-10}
server_url=${5:-postgres://postgres@127.0.0.1:5432/postgres}
shift $(( $# < 5 ? $# : 5 ))
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"
for tool in psql redis-server; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
done

database="souk_cluster_bench_$$"
psql -q "$server_url" -c "CREATE DATABASE $database"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    >"$work/redis.log" 2>&1 &
redis=$!
pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    kill "$redis" 2>/dev/null || true
    psql -q "$server_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    cleanup
}
trap stop_all EXIT
secret=flash-cluster-bench-secret-of-32-bytes-at-least

start_node() {
    local n=$1 at=$2 demo=$3
    mkdir -p "$work/node$n"
    SOUK__STORE__URL="${server_url%/*}/$database" SOUK__STORE__POOL_SIZE=${SOUK_POOL_SIZE:-16} \
    SOUK__CLUSTER__ENABLED=true SOUK__CLUSTER__REDIS_URL="redis://127.0.0.1:$redis_port/0" \
    SOUK__CLUSTER__NODE_ID="node-$n" SOUK__CLUSTER__SECRET=$secret \
    SOUK__AUTH__JWT_SECRET=$secret \
    SOUK__RATE_LIMIT__ENABLED=false SOUK__CHECKOUT__WAIT_MS=10000 \
    SOUK__CHECKOUT__MAX_IN_FLIGHT=256 SOUK__LOG__LEVEL=warn \
    SOUK__ASSISTANT__ENABLED=false SOUK__METRICS__LISTEN= \
    SOUK__METRICS__TOKEN=$METRICS_TOKEN \
    SOUK__SERVER__MAX_CONNECTIONS_PER_IP=1000000 \
        "$bin" serve $demo --data-dir "$work/node$n" --listen "127.0.0.1:$at" \
        >"$work/node$n.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$at/health/ready" >/dev/null && return
        sleep 0.2
    done
    echo "node $n did not start: $(tail -5 "$work/node$n.log")" >&2
    exit 1
}

ports=() targets=()
for n in $(seq 1 "$nodes"); do
    at=$(free_port)
    ports+=("$at")
    targets+=("http://127.0.0.1:$at")
    if (( n == 1 )); then start_node "$n" "$at" --demo; else start_node "$n" "$at" ""; fi
done
# Every node's share placed (handed over a few names per round).
sleep $(( nodes > 1 ? 8 : 2 ))

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
postgres_ticks() {
    local pid total=0
    for pid in $(pgrep -x postgres || true); do
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}
before=() ; for pid in "${pids[@]}"; do before+=("$(ticks "$pid")"); done
pg_before=$(postgres_ticks)
"$souk_bench" --flash-sale --concurrency "$concurrency" --duration "$seconds" \
    --target "$(IFS=,; echo "${targets[*]}")" "$@" | tee "$work/bench.txt"
hz=$(getconf CLK_TCK)
for i in "${!pids[@]}"; do
    used=$(( $(ticks "${pids[$i]}") - before[i] ))
    metrics=$(curl -sf -H "Authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:${ports[$i]}/metrics" || true)
    forwarded=$(awk '/^souk_cluster_forwarded_total/ { s += $NF } END { print s + 0 }' <<<"$metrics")
    requests=$(awk '/^souk_http_requests_total/ { s += $NF } END { print s + 0 }' <<<"$metrics")
    printf 'node %d: CPU %.2f s, HTTP requests %d, forwarded calls %d\n' \
        "$(( i + 1 ))" "$(echo "$used / $hz" | bc -l)" "$requests" "$forwarded"
done
printf 'PostgreSQL CPU during the run: %.2f s (processes alive at the end)\n' \
    "$(echo "($(postgres_ticks) - $pg_before) / $hz" | bc -l)"
