#!/usr/bin/env bash
# The flash-sale bench on PostgreSQL: creates a fresh database, runs
# `souk-bench --flash-sale` (the one beside SOUK_BINARY; it starts its own
# souk, here with store.url naming that database), drops the database, and
# prints the bench's table and the CPU the PostgreSQL server used, per
# completed checkout of the whole run.
#
#   scripts/flash-postgres.sh SOUK_BINARY [CONCURRENCY] [SECONDS] [SERVER_URL] [BENCH_ARGS...]
#
# SERVER_URL is a database the user may connect to with a role that may
# create databases (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
require_args 1 "$@"
bin=$1 concurrency=${2:-64} seconds=${3:-10}
server_url=${4:-postgres://postgres@127.0.0.1:5432/postgres}
shift $(( $# < 4 ? $# : 4 ))
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"
command -v psql >/dev/null || { echo "psql is not installed" >&2; exit 2; }

database="souk_bench_$$"
psql -q "$server_url" -c "CREATE DATABASE $database"
drop() { psql -q "$server_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true; }
trap 'drop; cleanup' EXIT

# Samples every PostgreSQL process's CPU ticks (user + system) twice a
# second into $work/cpu.txt ("pid ticks" lines), so the CPU of connections
# that close before the end still counts.
postgres_ticks() {
    local pid
    for pid in $(pgrep -x postgres || true); do
        awk -v pid="$pid" '{ print pid, $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true
    done
}
sample_postgres_cpu() {
    while :; do
        postgres_ticks
        sleep 0.5
    done
}

postgres_ticks >"$work/cpu-before.txt"
sample_postgres_cpu >"$work/cpu.txt" &
sampler=$!
SOUK__STORE__URL="${server_url%/*}/$database" SOUK__STORE__POOL_SIZE=${SOUK_POOL_SIZE:-16} \
    "$souk_bench" --flash-sale --concurrency "$concurrency" --duration "$seconds" "$@" \
    | tee "$work/bench.txt"
kill "$sampler"
# Per process: its last sample minus its ticks before the run (zero for a
# process started during it).
awk -v hz="$(getconf CLK_TCK)" '
    NR == FNR { before[$1] = $2; next }
    { last[$1] = $2 }
    END { for (p in last) total += last[p] - before[p]; printf "PostgreSQL CPU during the run: %.2f s\n", total / hz }
' "$work/cpu-before.txt" "$work/cpu.txt"
