# Sourced (after flash-server.sh) by the cluster benches: a fresh PostgreSQL
# database, a redis-server of its own and N souk nodes with
# `cluster.enabled` on free loopback ports; node 1 seeds the demo. All are
# stopped and the database dropped on exit.
#
#   start_cluster BINARY NODES SERVER_URL   sets pids, ports and targets
#                                           (http://127.0.0.1:PORT each) and
#                                           waits until every node is ready
#                                           and has taken its share
#
# Extra settings for every node go in the array `node_env` (NAME=value);
# SOUK_POOL_SIZE sets each node's PostgreSQL pool (default 16).

node_env=()
pids=() ports=() targets=()
cluster_secret=cluster-bench-secret-of-32-bytes-at-least

start_cluster() {
    local bin=$1 nodes=$2 server_url=$3 n at
    for tool in psql redis-server; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
    done
    database="souk_cluster_bench_$$"
    cluster_server_url=$server_url
    psql -q "$server_url" -c "CREATE DATABASE $database"
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
        >"$work/redis.log" 2>&1 &
    redis=$!
    trap stop_cluster EXIT
    for n in $(seq 1 "$nodes"); do
        at=$(free_port)
        ports+=("$at")
        targets+=("http://127.0.0.1:$at")
        if (( n == 1 )); then start_node "$bin" "$n" "$at" --demo; else start_node "$bin" "$n" "$at"; fi
    done
    # Every node's share placed (handed over a few names per round).
    sleep $(( nodes > 1 ? 8 : 2 ))
}

stop_cluster() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    kill "$redis" 2>/dev/null || true
    psql -q "$cluster_server_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    cleanup
}

start_node() {
    local bin=$1 n=$2 at=$3 demo=${4:-}
    mkdir -p "$work/node$n"
    env SOUK__STORE__URL="${cluster_server_url%/*}/$database" \
        SOUK__STORE__POOL_SIZE="${SOUK_POOL_SIZE:-16}" \
        SOUK__CLUSTER__ENABLED=true SOUK__CLUSTER__REDIS_URL="redis://127.0.0.1:$redis_port/0" \
        SOUK__CLUSTER__NODE_ID="node-$n" SOUK__CLUSTER__SECRET=$cluster_secret \
        SOUK__AUTH__JWT_SECRET=$cluster_secret \
        SOUK__RATE_LIMIT__ENABLED=false SOUK__CHECKOUT__WAIT_MS=10000 \
        SOUK__CHECKOUT__MAX_IN_FLIGHT=256 SOUK__LOG__LEVEL=warn \
        SOUK__ASSISTANT__ENABLED=false SOUK__METRICS__LISTEN= \
        SOUK__METRICS__TOKEN="$METRICS_TOKEN" \
        SOUK__SERVER__MAX_CONNECTIONS_PER_IP=1000000 \
        "${node_env[@]}" \
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
