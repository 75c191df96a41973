#!/usr/bin/env bash
# Compares two `souk` builds by running them at the same time.
#
#   scripts/pair-flash.sh OLD_BINARY NEW_BINARY [ROUNDS] [CONCURRENCY]
#
# Each round starts both builds on fresh data dirs and runs a
# `souk-bench --flash-sale --sustained-only` (the one beside NEW_BINARY)
# against each at once, so both see the same host speed and share its two
# cores. Which build starts first alternates from round to round. It prints
# each round's checkouts/s, server CPU per checkout and NEW/OLD ratio, then the
# median ratio. A build that needs less CPU per checkout completes more of them.
# On a VM whose speed drifts this resolves differences of a few per cent
# that runs one after another (`scripts/compare-flash.sh`) cannot.
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 2 "$@"
old=$1 new=$2 rounds=${3:-5} concurrency=${4:-64}
souk_bench=$(dirname "$new")/souk-bench
require_executables "$old" "$new" "$souk_bench"
other=""
trap 'cleanup; [[ -n $other ]] && kill "$other" 2>/dev/null || true' EXIT

# Field $2 (1-based after the leading `|`) of the bench's result row in file $1.
field() { grep -E '^\| [0-9]' "$1" | tail -1 | awk -F'|' -v f="$2" '{gsub(/ /, "", $f); print $f}'; }

: >"$work/ratios"
for round in $(seq "$rounds"); do
    rm -rf "$work/old" "$work/new"
    # Odd rounds start and bench OLD first, even rounds NEW first, so an edge
    # from the order (an A/A run with a fixed order gave a median of 1.041)
    # cancels out.
    if (( round % 2 )); then order=(old new); else order=(new old); fi
    declare -A at=()
    for side in "${order[@]}"; do
        if [[ $side == old ]]; then bin=$old; else bin=$new; fi
        at[$side]=$(free_port)
        start_server "$bin" "$work/$side" "${at[$side]}"
        if [[ -z $other ]]; then other=$server; server=""; fi
    done
    benches=()
    for side in "${order[@]}"; do
        "$souk_bench" --flash-sale --sustained-only --concurrency "$concurrency" \
            --duration 10 --target "http://127.0.0.1:${at[$side]}" >"$work/$side.out" 2>"$work/$side.err" &
        benches+=($!)
    done
    wait "${benches[@]}" || true
    stop_server
    kill "$other"
    wait "$other" 2>/dev/null || true
    other=""
    for side in old new; do
        if [[ -z $(field "$work/$side.out" 3) ]]; then
            echo "the bench against the $side build gave no result:" >&2
            tail -n 5 "$work/$side.err" "$work/$side.log" >&2
            exit 1
        fi
    done
    a=$(field "$work/old.out" 3) b=$(field "$work/new.out" 3)
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
    echo "$ratio" >>"$work/ratios"
    echo "round $round: old $a/s ($(field "$work/old.out" 7) ms CPU), new $b/s ($(field "$work/new.out" 7) ms CPU), new/old $ratio"
done
echo
echo "median new/old: $(median <"$work/ratios")"
