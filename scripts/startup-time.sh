#!/usr/bin/env bash
# How long a node takes to become ready on an existing data dir, after kill -9.
#
#   scripts/startup-time.sh SOUK_BINARY DATA_DIR [RUNS] [FILL]
#
# With FILL (a number), first runs FILL flash sales of 10 s at concurrency 256
# (`souk-bench --flash-sale --target`, the one beside SOUK_BINARY) against a
# node on DATA_DIR, so the store grows by about 130,000 paid orders each.
# Then RUNS times (default 5): starts `souk serve --demo` on DATA_DIR with the
# bench's settings, times from the start until /health/ready answers 200,
# reads what the process had read by then (/proc/PID/io: bytes and calls,
# from the page cache or the disk), and kills it
# with SIGKILL, so every start recovers from a crash. Prints one line per run
# and the store's size. The assistant is off unless SOUK__ASSISTANT__ENABLED=true
# is set in the environment.
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 2 "$@"
bin=$1 data=$2 runs=${3:-5} fill=${4:-0}
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"
mkdir -p "$data"

for ((i = 1; i <= fill; i++)); do
    start_server "$bin" "$data"
    "$souk_bench" --flash-sale --concurrency 256 --duration 10 \
        --target "http://127.0.0.1:$port" | grep -E '^\|' | tail -1
    kill -9 "$server"
    wait "$server" 2>/dev/null || true
    server=""
done

echo "store: $(du -sh "$data/store" | cut -f1)"
for ((i = 1; i <= runs; i++)); do
    started=$(date +%s%N)
    SOUK__RATE_LIMIT__ENABLED=false SOUK__LOG__LEVEL=warn \
    SOUK__ASSISTANT__ENABLED=${SOUK__ASSISTANT__ENABLED:-false} \
        "$bin" serve --demo --data-dir "$data" --listen "127.0.0.1:$port" \
        >>"$data.log" 2>&1 &
    server=$!
    ready=""
    for _ in $(seq 30000); do
        if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
            ready=$(date +%s%N)
            break
        fi
        kill -0 "$server" 2>/dev/null || break
    done
    [[ -n $ready ]] || { echo "run $i: the node never became ready (see $data.log)" >&2; exit 1; }
    read_bytes=$(awk '/^rchar/ { print $2 }' "/proc/$server/io")
    reads=$(awk '/^syscr/ { print $2 }' "/proc/$server/io")
    rss=$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$server/status")
    printf 'run %d: ready in %d ms, read %d MiB in %d read calls, RSS %d MiB\n' \
        "$i" $(((ready - started) / 1000000)) $((read_bytes / 1048576)) "$reads" "$rss"
    kill -9 "$server"
    wait "$server" 2>/dev/null || true
    server=""
done
