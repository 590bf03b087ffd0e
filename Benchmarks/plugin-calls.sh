#!/usr/bin/env bash
# Plugin cold starts (C and Python, direct and under the sandbox launcher) and warm call latency (over the pipes, and
# through a relay on loopback). Everything runs on 127.0.0.1 and stops by itself. Usage: Benchmarks/plugin-calls.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-10000}
source scripts/setup
swift build -c release --product relay
swift build -c release --product relay-plugin-launcher
data=$(mktemp -d /tmp/relay-bench-plugins.XXXXXX)
port=5191
.build/release/relay serve --data-dir "$data" --port $port --log-level error --console-writes-per-minute 0 --console-writes-per-hour 0 > "$data/relay.log" 2>&1 &
relay=$!
trap 'kill $relay 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
api="http://127.0.0.1:$port/console/api"
json() { python3 -c "import sys, json; print(eval('json.load(sys.stdin)' + sys.argv[1]))" "$1"; }
curl -sf -X POST "$api/setup" -H 'content-type: application/json' -d '{"email":"bench@example.com","name":"Bench","password":"benchmark password 1"}' >/dev/null
token=$(curl -sf -X POST "$api/login" -H 'content-type: application/json' -d '{"email":"bench@example.com","password":"benchmark password 1"}' | json '["data"]["access_token"]')
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
for plugin in relay/echo_c relay/notes_py; do
    id=$(curl -sf "$api/workspaces/current/plugins?search=$plugin" "${auth[@]}" | json '["plugins"][0]["plugin_unique_identifier"]')
    curl -sf -X POST "$api/workspaces/current/plugins/install" "${auth[@]}" -d "{\"plugin_unique_identifier\":\"$id\"}" >/dev/null
done
curl -sf -X POST "$api/workspaces/current/tool-provider/builtin/relay/echo_c/echo_c/credentials" "${auth[@]}" -d '{"credentials":{"api_key":"good"}}' >/dev/null
python_env=$(ls -d "$data"/plugins/environments/*/ | head -1)
notes=""
for folder in "$data"/plugins/packages/*/; do
    if [ -f "$folder/main.py" ]; then notes=$folder; fi
done
python3 Benchmarks/plugin_calls.py "$PWD/.build/release/relay-plugin-launcher" "$PWD/plugins/echo-c/bin/echo" "$python_env" "$notes" $port "$token" "$calls"
