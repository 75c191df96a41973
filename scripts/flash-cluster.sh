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
source "$(dirname "$0")/cluster-nodes.sh"
require_args 2 "$@"
bin=$1 nodes=$2 concurrency=${3:-64} seconds=${4:-10}
server_url=${5:-postgres://postgres@127.0.0.1:5432/postgres}
shift $(( $# < 5 ? $# : 5 ))
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"
start_cluster "$bin" "$nodes" "$server_url"

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
