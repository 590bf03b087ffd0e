"""Prepares a fresh Relay for the fuzz: the owner, an app of each mode with a key, a dataset and a dataset key.

Prints shell assignments (RELAY_FUZZ_CONSOLE_TOKEN=…) for scripts/fuzz-api to evaluate. Standard library only.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ["RELAY_FUZZ_BASE"]


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main():
    for _ in range(300):
        try:
            if call("GET", "/health")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        sys.exit("relay did not start")
    password = "fuzz-password-1"
    status, body = call("POST", "/console/api/setup", {"email": "owner@fuzz.example", "name": "Fuzz", "password": password})
    assert status == 201, body
    status, body = call("POST", "/console/api/login", {"email": "owner@fuzz.example", "password": password})
    assert status == 200, body
    token = body["data"]["access_token"]
    # A plan without limits, so that the fuzz tests the API rather than the rate limiter.
    admin = os.environ["RELAY_FUZZ_ADMIN_KEY"]
    unlimited = {name: 0 for name in ["rpm", "rph", "rpd", "members", "apps", "documents", "vector_space", "message_credits", "max_active_requests", "file_storage"]}
    status, plan = call("PUT", "/admin/api/plans/fuzz-unlimited", {"limits": unlimited}, admin)
    assert status == 200, plan
    status, workspace = call("GET", "/console/api/workspaces/current", None, token)
    assert status == 200, workspace
    status, assigned = call("PUT", "/admin/api/workspaces/%s/plan" % workspace["id"], {"plan": "fuzz-unlimited"}, admin)
    assert status == 200, assigned
    keys = {}
    for mode in ["chat", "completion", "agent-chat", "workflow", "advanced-chat"]:
        status, app = call("POST", "/console/api/apps", {"name": "Fuzz " + mode, "mode": mode}, token)
        assert status == 201, app
        status, key = call("POST", "/console/api/apps/%s/api-keys" % app["id"], None, token)
        assert status == 201, key
        keys[mode] = key["token"]
    status, dataset = call("POST", "/console/api/datasets", {"name": "Fuzz docs", "indexing_technique": "economy"}, token)
    assert status == 201, dataset
    status, dataset_key = call("POST", "/console/api/datasets/api-keys", None, token)
    assert status == 201, dataset_key
    values = {
        "RELAY_FUZZ_CONSOLE_TOKEN": token,
        "RELAY_FUZZ_APP_KEY": keys["chat"],
        "RELAY_FUZZ_WORKFLOW_KEY": keys["workflow"],
        "RELAY_FUZZ_DATASET_KEY": dataset_key["token"],
        "RELAY_FUZZ_DATASET_ID": dataset["id"],
    }
    for name, value in values.items():
        print("export %s='%s'" % (name, value))


main()
