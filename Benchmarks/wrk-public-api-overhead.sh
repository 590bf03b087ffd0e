#!/usr/bin/env bash
# What authentication and rate limiting add to a Public API request: the same server answers GET /health (no auth)
# and GET /v1/meta (API key resolved from cache, plan limits decided, headers added), each under wrk on loopback.
# Builds release, starts relay on a throw-away data directory, prints wrk's figures, and stops everything itself.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product relay >/dev/null
data=$(mktemp -d)
port=${PORT:-5099}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
.build/release/relay serve --port "$port" --data-dir "$data" --admin-key bench-admin-key-123 --log-level warning &
relay=$!
trap 'kill $relay 2>/dev/null; wait $relay 2>/dev/null; rm -rf "$data"' EXIT
base=http://127.0.0.1:$port
source Benchmarks/bench-tenant.sh
bench_tenant "$base"
curl -sf "$base/v1/meta" -H "Authorization: Bearer $key" -o /dev/null -D - | grep -i '^x-ratelimit-limit:' >/dev/null
for target in "health|$base/health|" "v1/meta (key + limits)|$base/v1/meta|Authorization: Bearer $key"; do
    IFS='|' read -r name url header <<<"$target"
    echo "== $name"
    if [ -n "$header" ]; then
        wrk -t1 -c"$connections" -d"$duration" --latency -H "$header" "$url" | grep -E "Requests/sec|  50%|  99%|Non-2xx"
    else
        wrk -t1 -c"$connections" -d"$duration" --latency "$url" | grep -E "Requests/sec|  50%|  99%|Non-2xx"
    fi
done
