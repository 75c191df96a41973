#!/usr/bin/env bash
# The WebSocket fan-out bench against a cluster of N souk nodes on this
# machine: a fresh PostgreSQL database, a redis-server of its own, N nodes
# (`cluster.enabled`; node 1 seeds the demo), and `souk-bench --websocket`
# (the one beside SOUK_BINARY) holding PER_NODE connections on each node
# from holder processes of its own, paying orders through the nodes in
# turn. Every order event reaches the nodes that are not its order's
# through Redis. NOT_READING per cent of the connections are admins on
# `admin:live` who stop reading a quarter of the way into the payments.
#
#   scripts/ws-cluster.sh SOUK_BINARY NODES PER_NODE [RATE] [SECONDS] [NOT_READING] [SERVER_URL] [BENCH_ARGS...]
#
# e.g. scripts/ws-cluster.sh target/release/souk 5 19000 500 40 1
# SERVER_URL is a database the user may connect to with a role that may
# create databases (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

source "$(dirname "$0")/flash-server.sh"
source "$(dirname "$0")/cluster-nodes.sh"
require_args 3 "$@"
bin=$1 nodes=$2 per_node=$3 rate=${4:-500} seconds=${5:-40} not_reading=${6:-0}
server_url=${7:-postgres://postgres@127.0.0.1:5432/postgres}
shift $(( $# < 7 ? $# : 7 ))
souk_bench=$(dirname "$bin")/souk-bench
require_executables "$bin" "$souk_bench"

# Room for every connection on each node (the admin's too), tokens and
# unpaid orders that outlive the set-up, and a pool small enough for
# PostgreSQL's 100 connections over five nodes.
node_env=(
    SOUK__WEBSOCKET__MAX_CONNECTIONS=$(( per_node + 1024 ))
    SOUK__WEBSOCKET__MAX_CONNECTIONS_PER_USER=$(( per_node < 10000 ? per_node : 10000 ))
    SOUK__AUTH__ACCESS_TTL_SECS=86400
    SOUK__CHECKOUT__PAYMENT_WINDOW_SECS=86400
)
SOUK_POOL_SIZE=${SOUK_POOL_SIZE:-8}
start_cluster "$bin" "$nodes" "$server_url"

"$souk_bench" --websocket --connections $(( nodes * per_node )) --per-process "$per_node" \
    --rate "$rate" --duration "$seconds" --not-reading "$not_reading" \
    --target "$(IFS=,; echo "${targets[*]}")" --server-pid "$(IFS=,; echo "${pids[*]}")" "$@"
