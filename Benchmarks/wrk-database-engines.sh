#!/usr/bin/env bash
# The same authenticated routes on SQLite and on PostgreSQL, under wrk on loopback, for this tree and for a baseline
# revision built beside it, so every figure comes with its ratio to the baseline measured in the same run:
#   GET /console/api/apps   the session and membership checked in the database, then a page of apps read
#   GET /v1/info            the API key from cache, the rate limit decided in the database (--rate-limit-store database),
#                           the app's author read
# BASELINE (default HEAD~1) is checked out and built in .build-baseline/ (kept for the next run), unless BASELINE_RELAY
# names a relay binary already built from it. Each engine and route runs baseline and current ROUNDS times in turn
# (default 3) and reports the best of each; ENGINES and ROUTES narrow the run (e.g. ENGINES=postgres ROUTES=v1/info).
# Starts a throw-away PostgreSQL cluster (scripts/test-postgres) and the relays on throw-away data, and stops everything
# itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
baseline=${BASELINE:-HEAD~1}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
secret=benchmark-secret-benchmark-secret-0123

swift build -c release --product relay >/dev/null
baseline_relay=${BASELINE_RELAY:-}
if [ -z "$baseline_relay" ]; then
    baseline_tree=.build-baseline/src
    if [ ! -d "$baseline_tree" ]; then
        mkdir -p .build-baseline
        git worktree add --detach "$baseline_tree" "$baseline" >/dev/null
    else
        git -C "$baseline_tree" checkout --detach -q "$baseline"
    fi
    (cd "$baseline_tree" && swift build -c release --product relay >/dev/null)
    baseline_relay=$baseline_tree/.build/release/relay
fi
binaries=("baseline|$baseline_relay" "current|.build/release/relay")

work=$(mktemp -d)
postgres_dir=$(mktemp -d /tmp/relay-bench-postgres.XXXXXX)
relay=
cleanup() {
    [ -n "$relay" ] && { kill "$relay" 2>/dev/null; wait "$relay" 2>/dev/null || true; }
    scripts/test-postgres stop "$postgres_dir"
    rm -rf "$work"
}
trap cleanup EXIT
postgres_url=$(scripts/test-postgres start "$postgres_dir")
source Benchmarks/bench-tenant.sh

# Prints the requests per second of one wrk run against a fresh relay of `binary` on `engine`.
measure() {
    local binary=$1 engine=$2 route=$3 port=$4 data database_args=()
    data=$(mktemp -d "$work/data.XXXXXX")
    if [ "$engine" = postgres ]; then
        local database="bench_$RANDOM$RANDOM"
        psql "${postgres_url%/*}/postgres" -qc "CREATE DATABASE $database" >/dev/null
        database_args=(--database-url "${postgres_url%/*}/$database?sslmode=disable")
    fi
    "$binary" serve --port "$port" --data-dir "$data" --secret-key "$secret" --admin-key bench-admin-key-123 \
        --rate-limit-store database --log-level warning "${database_args[@]}" &
    relay=$!
    local base=http://127.0.0.1:$port
    bench_tenant "$base"
    local header="Authorization: Bearer $token"
    [ "$route" = v1/info ] && header="Authorization: Bearer $key"
    wrk -t1 -c"$connections" -d"$duration" -H "$header" "$base/$route" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx!" > "/dev/stderr"}'
    kill "$relay"
    wait "$relay" 2>/dev/null || true
    relay=
}

port=${PORT:-5098}
for engine in ${ENGINES:-sqlite postgres}; do
    for route in ${ROUTES:-console/api/apps v1/info}; do
        declare -A best=()
        for _ in $(seq 1 "$rounds"); do
            for entry in "${binaries[@]}"; do
                IFS='|' read -r name binary <<<"$entry"
                port=$((port + 1))
                rps=$(measure "$binary" "$engine" "$route" "$port")
                if [ -z "${best[$name]:-}" ] || awk "BEGIN {exit !($rps > ${best[$name]})}"; then best[$name]=$rps; fi
            done
        done
        ratio=$(awk "BEGIN {printf \"%.2f\", ${best[current]} / ${best[baseline]}}")
        printf '%-8s GET /%-16s baseline %9.0f req/s   current %9.0f req/s   current/baseline %s\n' \
            "$engine" "$route" "${best[baseline]}" "${best[current]}" "$ratio"
        unset best
    done
done
