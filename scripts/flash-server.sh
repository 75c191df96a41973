# Sourced by the flash-sale scripts: a free loopback port, a scratch dir
# removed on exit, and a `souk serve --demo` with the bench's settings.
#
#   start_server BINARY DATA_DIR [PORT]   starts it on PORT (default $port),
#                                         logging to DATA_DIR.log;
#                                         sets `server`, waits until ready
#   stop_server                           stops it
#   free_port                             prints a free loopback port
#   require_args MIN "$@"                 prints the calling script's header
#                                         comment and exits 2 unless it was
#                                         given at least MIN arguments
#   require_executables FILE...           exits 2 unless each is executable
#   median                                the median of numbers on stdin

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)

require_args() {
    local min=$1
    shift
    (( $# >= min )) && return
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
}

require_executables() {
    local bin
    for bin in "$@"; do
        [[ -x $bin ]] || { echo "not an executable: $bin" >&2; exit 2; }
    done
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
work=$(mktemp -d)
server=""
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# /metrics of the servers started here; the same as souk-bench's METRICS_TOKEN.
METRICS_TOKEN=souk-bench-metrics-token

# Rate limits and the per-address connection cap off, /metrics beside the API
# behind the bench's token, a long checkout wait and 256 checkouts in flight, as
# `souk-bench --flash-sale` sets them for the server it starts itself.
start_server() {
    local bin=$1 data=$2 at=${3:-$port}
    SOUK__RATE_LIMIT__ENABLED=false SOUK__CHECKOUT__WAIT_MS=10000 \
    SOUK__CHECKOUT__MAX_IN_FLIGHT=256 SOUK__LOG__LEVEL=warn \
    SOUK__ASSISTANT__ENABLED=false SOUK__METRICS__LISTEN= \
    SOUK__METRICS__TOKEN=$METRICS_TOKEN \
    SOUK__SERVER__MAX_CONNECTIONS_PER_IP=1000000 \
        "$bin" serve --demo --data-dir "$data" --listen "127.0.0.1:$at" \
        >"$data.log" 2>&1 &
    server=$!
    for _ in $(seq 300); do
        curl -sf "http://127.0.0.1:$at/health/ready" >/dev/null && break
        sleep 0.2
    done
}

stop_server() {
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
}
