#!/usr/bin/env bash
# Compares the checkout throughput of two `souk` builds on this machine.
#
#   scripts/compare-flash.sh OLD_BINARY NEW_BINARY [ROUNDS] [CONCURRENCY]
#
# Runs `souk-bench --flash-sale --sustained-only` against each build in turn,
# ROUNDS times (default 5), each on a fresh data dir, and prints every run and
# each build's median. Runs alternate because a shared VM's speed drifts: only
# builds measured together compare. The load generator is the souk-bench
# beside NEW_BINARY (cargo build --release --bin souk --bin souk-bench).
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 2 "$@"
old=$1 new=$2 rounds=${3:-5} concurrency=${4:-64}
souk_bench=$(dirname "$new")/souk-bench
require_executables "$old" "$new" "$souk_bench"

# One measured run of build $1: sets `rate` (checkouts/s), `row` (the bench's
# result row) and `header` (its column names).
run() {
    local bin=$1 data=$work/data output
    rm -rf "$data"
    start_server "$bin" "$data"
    output=$("$souk_bench" --flash-sale --sustained-only --concurrency "$concurrency" \
        --duration 10 --target "http://127.0.0.1:$port" 2>"$work/bench.log") || true
    stop_server
    header=$(grep -E '^\| completed' <<<"$output" | tail -1) || true
    row=$(grep -E '^\| [0-9]' <<<"$output" | tail -1) || true
    if [[ -z $row ]]; then
        echo "the bench against $bin gave no result:" >&2
        tail -n 5 "$work/bench.log" "$data.log" >&2
        return 1
    fi
    rate=$(awk -F'|' '{print $3}' <<<"$row" | tr -d ' ')
}

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
