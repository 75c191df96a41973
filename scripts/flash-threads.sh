#!/usr/bin/env bash
# CPU per completed checkout, by server thread and for the load generator.
#
#   scripts/flash-threads.sh SOUK_BINARY [CONCURRENCY]
#
# Starts `souk serve --demo` on a fresh data dir (the bench's settings), runs
# a 10 s `souk-bench --flash-sale --sustained-only` (the one beside
# SOUK_BINARY) against it and, over 4 s in the middle, reads each thread's CPU
# time from /proc/<pid>/task/*/stat and the completed checkouts from /metrics.
# Prints ms of CPU per checkout for each kind of server thread (tokio workers,
# store writer, the store engine's flush and compaction workers), their total,
# the load generator's, and the steal the host took meanwhile (`st` in
# vmstat: CPU the hypervisor gave to others).
# Run two builds alternately, a few times each, to compare their costs on a
# drifting host.
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 1 "$@"
bin=$1 concurrency=${2:-64}
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"

start_server "$bin" "$work/data"
"$souk_bench" --flash-sale --sustained-only --concurrency "$concurrency" \
    --duration 10 --target "http://127.0.0.1:$port" >"$work/bench.txt" 2>&1 &
bench=$!

# "<thread name> <clock ticks>" per thread kind of the server.
threads() {
    for task in /proc/"$server"/task/*; do
        echo "$(cat "$task/comm") $(awk '{print $14 + $15}' "$task/stat")"
    done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}' | sort
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
completed() {
    curl -s -H "authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:$port/metrics" |
        awk '/^souk_checkouts_total/ && /outcome="completed"/ {s += $2} END {print s + 0}'
}
steal() { awk '/^cpu / {print $9}' /proc/stat; }
total() { awk '/^cpu / {s = 0; for (i = 2; i <= NF; i++) s += $i; print s}' /proc/stat; }

sleep 5
c0=$(completed) g0=$(ticks "$bench") s0=$(steal) a0=$(total)
threads >"$work/before"
sleep 4
c1=$(completed) g1=$(ticks "$bench") s1=$(steal) a1=$(total)
threads >"$work/after"
wait "$bench" || true
stop_server

n=$((c1 - c0))
hz=$(getconf CLK_TCK)
echo "checkouts completed in 4 s: $n"
join "$work/before" "$work/after" | awk -v n="$n" -v hz="$hz" '
    { ms = ($3 - $2) * 1000 / hz; total += ms; if (ms > 0) printf "%-22s %.3f ms/checkout\n", $1, ms / n }
    END { printf "%-22s %.3f ms/checkout\n", "server total", total / n }'
awk -v n="$n" -v hz="$hz" -v g=$((g1 - g0)) 'BEGIN { printf "%-22s %.3f ms/checkout\n", "load generator", g * 1000 / hz / n }'
awk -v s=$((s1 - s0)) -v a=$((a1 - a0)) 'BEGIN { printf "%-22s %.1f %%\n", "host steal", a ? 100 * s / a : 0 }'
