# Sourced by the wrk scripts: sets up a relay at $1 (first-run setup, sign-in, one app and its key) with limits far above
# what wrk can send, so every request is admitted and every limit is still decided and announced. Needs the operator
# key `bench-admin-key-123`. Sets `token` (console access token), `app` (the app's id) and `key` (the app's API key).
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }

bench_tenant() {
    local base=$1 workspace
    for _ in $(seq 1 200); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
    curl -sf -X POST "$base/console/api/setup" -d '{"email":"bench@example.com","name":"Bench","password":"bench12345"}' >/dev/null
    token=$(curl -sf -X POST "$base/console/api/login" -d '{"email":"bench@example.com","password":"bench12345"}' | field access_token)
    workspace=$(curl -sf "$base/console/api/workspaces/current" -H "Authorization: Bearer $token" | field id)
    curl -sf -X PUT "$base/admin/api/workspace/plan" -H "Authorization: Bearer bench-admin-key-123" -H "X-WORKSPACE-ID: $workspace" \
        -d '{"plan":"team","overrides":{"rpm":1000000000,"rph":1000000000,"rpd":1000000000,"max_active_requests":0,"message_credits":0}}' >/dev/null
    app=$(curl -sf -X POST "$base/console/api/apps" -H "Authorization: Bearer $token" -d '{"name":"Bench","mode":"chat"}' | field id)
    key=$(curl -sf -X POST "$base/console/api/apps/$app/api-keys" -H "Authorization: Bearer $token" | field token)
}
