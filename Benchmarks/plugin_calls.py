"""Plugin start and call latency, printed as figures.

1. Cold start to first heartbeat of the C and Python plugins, directly and under relay-plugin-launcher (the sandbox's
   cost is the difference).
2. Warm round trip of a trivial call (echo) to the C plugin over its pipes under the launcher: the floor the
   supervisor works above.
3. The same call end to end through a running relay: HTTP on loopback, console auth, the install lookups, the
   supervisor and the plugin (POST .../tools/relay/echo_c/echo_c/echo/invoke), one keep-alive connection.
"""
import http.client, json, os, statistics, subprocess, sys, time

launcher, echo, python_env, notes_dir, port, token, calls = sys.argv[1:8]
calls = int(calls)

def heartbeat_time(command, cwd, env):
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for line in process.stdout:
        if b'"heartbeat"' in line:
            break
    elapsed = time.perf_counter() - started
    process.kill()
    process.wait()
    return elapsed * 1000

def sandboxed(program, cwd, memory, reads=()):
    # As relay launches an install: Landlock on (its package and environment to read, a home to write), and its own
    # uid when run as root.
    paths = ["--write", "/tmp"] + [argument for path in reads for argument in ("--read", path)]
    return [launcher, "--cwd", cwd] + paths + [ "--env", "INSTALL_METHOD=local", "--env", "PATH=/usr/bin:/bin", "--env", "HOME=/tmp",
            "--memory", str(memory), "--cpu", "60", "--files", "256", "--processes", "256"] + \
           (["--uid", "64123", "--gid", "64123"] if os.geteuid() == 0 else []) + ["--"] + program

def report(name, samples):
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print("%-48s n=%-6d p50 %8.3f ms   p99 %8.3f ms" % (name, len(samples), p(0.5), p(0.99)))

env = {"INSTALL_METHOD": "local", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
echo_dir = os.path.dirname(os.path.dirname(echo))
report("cold start, C plugin, direct", [heartbeat_time([echo], echo_dir, env) for _ in range(100)])
report("cold start, C plugin, under the launcher", [heartbeat_time(sandboxed([echo], echo_dir, 16 << 20), echo_dir, env) for _ in range(100)])
if python_env:
    py = [os.path.join(python_env, "bin/python"), "-m", "main"]
    report("cold start, Python SDK plugin, direct", [heartbeat_time(py, notes_dir, env) for _ in range(10)])
    report("cold start, Python SDK plugin, under the launcher", [heartbeat_time(sandboxed(py, notes_dir, 1 << 30, [python_env]), notes_dir, env) for _ in range(10)])

process = subprocess.Popen(sandboxed([echo], echo_dir, 16 << 20), cwd=echo_dir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
for line in process.stdout:
    if b'"heartbeat"' in line:
        break
samples = []
for index in range(calls):
    request = {"session_id": "s%d" % index, "event": "request", "context": {}, "data": {"user_id": "u", "type": "tool",
               "action": "invoke_tool", "provider": "echo_c", "tool": "echo", "credentials": {"api_key": "good"},
               "tool_parameters": {"text": "hi"}}}
    started = time.perf_counter()
    process.stdin.write((json.dumps(request) + "\n").encode())
    process.stdin.flush()
    for line in process.stdout:
        if b'"end"' in line:
            break
    samples.append((time.perf_counter() - started) * 1000)
process.kill()
report("warm call over the pipes (Python client)", samples)

connection = http.client.HTTPConnection("127.0.0.1", int(port))
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
body = json.dumps({"parameters": {"text": "hi"}})
samples = []
for _ in range(calls):
    started = time.perf_counter()
    connection.request("POST", "/console/api/workspaces/current/tools/relay/echo_c/echo_c/echo/invoke", body, headers)
    response = connection.getresponse()
    response.read()
    samples.append((time.perf_counter() - started) * 1000)
    assert response.status == 200, response.status
report("warm call through relay over HTTP", samples)
