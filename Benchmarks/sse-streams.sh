#!/usr/bin/env bash
# Streamed chat through relay: what the gateway adds to time to first piece and to each piece's delivery, measured
# against the same stub upstream read directly; then how many concurrent SSE streams one instance holds, and its
# memory per stream. Builds release, starts a stub upstream (Benchmarks/sse_load.py) and relay on a throw-away data
# directory, all on loopback, and stops everything itself.
#   STREAMS (default 9900: on a machine whose hard descriptor limit is 20000, relay's two per stream allow no more)
#   concurrent streams of PIECES (30) pieces INTERVAL_MS (1000) apart, opened over RAMP (20) s.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product relay >/dev/null
# Each stream holds two descriptors in relay (client and upstream connection): the hard limit caps the streams.
ulimit -n "$(ulimit -Hn)"
data=$(mktemp -d)
port=${PORT:-5098}
stub_port=${STUB_PORT:-5095}
streams=${STREAMS:-9900}
pieces=${PIECES:-30}
interval=${INTERVAL_MS:-1000}
ramp=${RAMP:-20}
python3 Benchmarks/sse_load.py stub "$stub_port" 20 10 &
stub=$!
python3 Benchmarks/sse_load.py stub "$((stub_port + 1))" "$pieces" "$interval" &
slow_stub=$!
.build/release/relay serve --port "$port" --data-dir "$data" --admin-key bench-admin-key-123 --log-level error &
relay=$!
trap 'kill $relay $stub $slow_stub 2>/dev/null; wait $relay 2>/dev/null; rm -rf "$data"' EXIT
base=http://127.0.0.1:$port
source Benchmarks/bench-tenant.sh
bench_tenant "$base"
configure() {
    curl -sf -X POST "$base/console/api/workspaces/current/model-providers/openai_api_compatible/credentials" \
        -H "Authorization: Bearer $token" -d "{\"credentials\":{\"endpoint_url\":\"http://127.0.0.1:$1/v1\"}}" >/dev/null
    curl -sf -X POST "$base/console/api/apps/$app/model-config" -H "Authorization: Bearer $token" \
        -d '{"model":{"provider":"openai_api_compatible","name":"bench-model"},"memory":{"window":{"enabled":false}}}' >/dev/null
}
body='{"query":"hi","inputs":{},"user":"bench","response_mode":"streaming"}'
upstream_body='{"model":"bench-model","messages":[{"role":"user","content":"hi"}],"stream":true}'

configure "$stub_port"
echo "== 20 pieces 10 ms apart, one stream at a time, 200 streams: read directly from the stub"
python3 Benchmarks/sse_load.py client "http://127.0.0.1:$stub_port/v1/chat/completions" "$upstream_body" 200 20
echo "== the same through relay (key, limits, credits, conversation and message stored, SSE re-framed)"
python3 Benchmarks/sse_load.py client "$base/v1/chat-messages" "$body" 200 20 "Authorization: Bearer $key"

configure "$((stub_port + 1))"
echo "== $streams concurrent streams through relay, $pieces pieces $interval ms apart, opened over $ramp s"
python3 Benchmarks/sse_load.py client "$base/v1/chat-messages" "$body" "$streams" "$ramp" "Authorization: Bearer $key" --pid "$relay"
