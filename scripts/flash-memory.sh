#!/usr/bin/env bash
# Watches a server's memory through a long sustained flash sale.
#
#   scripts/flash-memory.sh SOUK_BINARY [SECONDS] [CONCURRENCY]
#
# Starts `souk serve --demo` on a fresh data dir (the bench's settings: rate
# limits off, checkout.wait_ms 10000, max_in_flight 256), runs
# `souk-bench --flash-sale --sustained-only` (the one beside SOUK_BINARY)
# against it for SECONDS (default 45) and prints, every 5 s, the server's RSS,
# the store's block cache and memtables, its live order actors and the topics
# the event bus keeps; then the bench's result row.
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 1 "$@"
bin=$1 seconds=${2:-45} concurrency=${3:-64}
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"

start_server "$bin" "$work/data"
"$souk_bench" --flash-sale --sustained-only --concurrency "$concurrency" \
    --duration "$seconds" --target "http://127.0.0.1:$port" >"$work/bench.txt" 2>&1 &
bench=$!
elapsed=0
while kill -0 "$bench" 2>/dev/null; do
    sleep 5
    elapsed=$((elapsed + 5))
    rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$server/status")
    metrics=$(curl -s -H "authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:$port/metrics")
    orders=$(grep '^souk_actors_alive{kind="order"}' <<<"$metrics" | awk '{ print $2 }')
    topics=$(grep '^souk_ws_topics ' <<<"$metrics" | awk '{ print $2 }')
    cache=$(grep '^souk_store_cache_bytes ' <<<"$metrics" | awk '{ printf "%d", $2 / 1048576 }')
    memtables=$(grep '^souk_store_memtable_bytes ' <<<"$metrics" | awk '{ printf "%d", $2 / 1048576 }')
    echo "${elapsed} s: RSS ${rss} MiB, store cache ${cache:-0} MiB, memtables ${memtables:-0} MiB, order actors ${orders:-0}, bus topics ${topics:-0}"
done
wait "$bench" || { cat "$work/bench.txt" >&2; exit 1; }
grep -E '^\|' "$work/bench.txt" | tail -1
