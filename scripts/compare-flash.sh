#!/usr/bin/env bash
# Compares the checkout throughput of two `souk` builds on this machine.
#
#   scripts/compare-flash.sh OLD_BINARY NEW_BINARY [ROUNDS] [CONCURRENCY]
#
# Runs `souk bench --flash-sale --sustained-only` against each build in turn,
# ROUNDS times (default 5), each on a fresh data dir, and prints every run and
# each build's median. Runs alternate because a shared VM's speed drifts: only
# builds measured together compare. The load generator is NEW_BINARY's bench.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
old=$1 new=$2 rounds=${3:-5} concurrency=${4:-64}
for bin in "$old" "$new"; do
    [[ -x $bin ]] || { echo "not an executable: $bin" >&2; exit 2; }
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
server=""
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# One measured run of build $1: sets `rate` (checkouts/s), `row` (the bench's
# result row) and `header` (its column names).
run() {
    local bin=$1 data=$work/data output
    rm -rf "$data"
    SOUK__RATE_LIMIT__ENABLED=false SOUK__CHECKOUT__WAIT_MS=10000 \
    SOUK__CHECKOUT__MAX_IN_FLIGHT=256 SOUK__LOG__LEVEL=warn \
    SOUK__ASSISTANT__ENABLED=false \
        "$bin" serve --demo --data-dir "$data" --listen "127.0.0.1:$port" \
        >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 300); do
        curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
        sleep 0.2
    done
    output=$("$new" bench --flash-sale --sustained-only --concurrency "$concurrency" \
        --duration 10 --target "http://127.0.0.1:$port" 2>"$work/bench.log") || true
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
    header=$(grep -E '^\| completed' <<<"$output" | tail -1) || true
    row=$(grep -E '^\| [0-9]' <<<"$output" | tail -1) || true
    if [[ -z $row ]]; then
        echo "the bench against $bin gave no result:" >&2
        tail -n 5 "$work/bench.log" "$work/server.log" >&2
        return 1
    fi
    rate=$(awk -F'|' '{print $3}' <<<"$row" | tr -d ' ')
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

: >"$work/old"
: >"$work/new"
for round in $(seq "$rounds"); do
    for side in old new; do
        if [[ $side == old ]]; then bin=$old; else bin=$new; fi
        run "$bin"
        if [[ $round == 1 && $side == old ]]; then
            echo "| build | run $header"
            awk -F'|' '{s = "|"; for (i = 2; i < NF; i++) s = s "---:|"; print s}' \
                <<<"| build | run $header"
        fi
        echo "$rate" >>"$work/$side"
        echo "| $side | $round $row"
    done
done
echo
echo "median checkouts/s: old $(median <"$work/old"), new $(median <"$work/new")"
