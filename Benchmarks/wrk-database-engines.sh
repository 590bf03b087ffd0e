#!/usr/bin/env bash
# The same authenticated routes on SQLite and on PostgreSQL, under wrk on loopback:
#   GET /console/api/apps   the session and membership checked in the database, then a page of apps read
#   GET /v1/info            the API key from cache, the rate limit decided in the database (--rate-limit-store database),
#                           the app's author read
# Builds release, starts a throw-away PostgreSQL cluster (scripts/test-postgres) and one relay per engine on throw-away
# data, prints wrk's figures, and stops everything itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product relay >/dev/null
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
secret=benchmark-secret-benchmark-secret-0123
work=$(mktemp -d)
postgres_dir=$(mktemp -d /tmp/relay-bench-postgres.XXXXXX)
relay=
cleanup() {
    [ -n "$relay" ] && { kill "$relay" 2>/dev/null; wait "$relay" 2>/dev/null || true; }
    scripts/test-postgres stop "$postgres_dir"
    rm -rf "$work"
}
trap cleanup EXIT
postgres_url="$(scripts/test-postgres start "$postgres_dir")?sslmode=disable"

source Benchmarks/bench-tenant.sh

run_engine() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$work/$name"
    .build/release/relay serve --port "$port" --data-dir "$work/$name" --secret-key "$secret" --admin-key bench-admin-key-123 \
        --rate-limit-store database --log-level warning "$@" &
    relay=$!
    local base=http://127.0.0.1:$port
    bench_tenant "$base"
    for target in "console/api/apps|$base/console/api/apps|Authorization: Bearer $token" \
        "v1/info|$base/v1/info|Authorization: Bearer $key"; do
        IFS='|' read -r route url header <<<"$target"
        echo "== $name: GET /$route"
        wrk -t1 -c"$connections" -d"$duration" --latency -H "$header" "$url" | grep -E "Requests/sec|  50%|  99%|Non-2xx"
    done
    kill "$relay"
    wait "$relay" 2>/dev/null || true
    relay=
}

run_engine sqlite "${PORT:-5098}"
run_engine postgres "$(( ${PORT:-5098} + 1 ))" --database-url "$postgres_url"
