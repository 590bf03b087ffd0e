"""Hostile multipart bodies against the four upload routes of a running Relay (scripts/fuzz-api starts it).

Boundaries (empty, quoted, blank, over-long, odd characters, several), parts (missing headers, unterminated, nested
boundaries, duplicate files, huge field names), and sizes (empty to a few MiB, truncated anywhere) are drawn from a
seeded generator, so a run is repeatable. Every answer must be a JSON error body or a success, never a 5xx, and the
server must still answer /health afterwards. Standard library only.
"""
import argparse
import http.client
import json
import os
import random
import sys
import urllib.parse

BASE = urllib.parse.urlparse(os.environ["RELAY_FUZZ_BASE"])


def routes():
    dataset = os.environ["RELAY_FUZZ_DATASET_ID"]
    return [
        ("/v1/files/upload", os.environ["RELAY_FUZZ_APP_KEY"]),
        ("/v1/datasets/%s/document/create_by_file" % dataset, os.environ["RELAY_FUZZ_DATASET_KEY"]),
        ("/console/api/datasets/%s/document/create-by-file" % dataset, os.environ["RELAY_FUZZ_CONSOLE_TOKEN"]),
        ("/console/api/workspaces/current/plugin/upload/pkg", os.environ["RELAY_FUZZ_CONSOLE_TOKEN"]),
    ]


BOUNDARY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "


def boundary(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return "", ""
    if kind == 1:
        return '""', ""
    if kind == 2:
        return " " * rng.randrange(1, 4), ""
    if kind == 3:
        value = "".join(rng.choice(BOUNDARY_CHARS) for _ in range(rng.randrange(71, 200)))
        return value, value
    if kind == 4:
        value = "".join(rng.choice("\\\"<>@[];\t%") for _ in range(rng.randrange(1, 10)))
        return value, value
    value = "".join(rng.choice(BOUNDARY_CHARS.strip()) for _ in range(rng.randrange(1, 71)))
    return ('"%s"' % value if kind == 5 else value), value


def part(rng, used):
    name = rng.choice(["file", "pkg", "user", "data", "process_rule", "x" * rng.randrange(1, 3000), ""])
    headers = []
    if rng.random() < 0.9:
        disposition = 'form-data; name="%s"' % name
        if rng.random() < 0.6:
            disposition += '; filename="%s"' % rng.choice(["a.txt", "a.md", "../../etc/passwd.txt", "", "b.difypkg", "c.pdf", "\u00e9.txt"])
        headers.append("Content-Disposition: " + disposition)
    if rng.random() < 0.3:
        headers.append("Content-Type: " + rng.choice(["text/plain", "application/octet-stream", "", "multipart/mixed; boundary=" + used]))
    size = rng.choice([0, 1, 17, 4096, 65537, rng.randrange(0, 3 << 20)])
    content = rng.randbytes(size) if rng.random() < 0.5 else (b"hello " * (size // 6 + 1))[:size]
    if rng.random() < 0.1:
        content += ("\r\n--" + used).encode()
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + content


def body(rng, used):
    chunks = []
    for _ in range(rng.randrange(0, 4)):
        chunks.append(b"--" + used.encode() + b"\r\n" + part(rng, used) + b"\r\n")
    if rng.random() < 0.8:
        chunks.append(b"--" + used.encode() + b"--\r\n")
    data = b"".join(chunks)
    if data and rng.random() < 0.2:
        data = data[: rng.randrange(len(data))]
    return data


def send(path, token, content_type, data):
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=60)
    try:
        connection.request("POST", path, body=data, headers={"Authorization": "Bearer " + token, "Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=60)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    failures = []
    sent = 0
    for path, token in routes():
        for _ in range(arguments.cases):
            declared, used = boundary(rng)
            content_type = "multipart/form-data; boundary=" + declared
            if rng.random() < 0.1:
                content_type = rng.choice(["multipart/form-data", "multipart/mixed; boundary=x", "text/plain", "multipart/form-data; boundary=a; boundary="])
            data = body(rng, used or "x")
            try:
                status, answer = send(path, token, content_type, data)
            except (OSError, http.client.HTTPException) as error:
                failures.append("%s %r: no answer (%s)" % (path, content_type, error))
                continue
            sent += 1
            if status >= 500:
                failures.append("%s %r: %d %s" % (path, content_type, status, answer[:200]))
            elif status >= 400:
                try:
                    error = json.loads(answer)
                    assert {"code", "message", "status"} <= set(error) and error["status"] == status
                except (ValueError, AssertionError, TypeError):
                    failures.append("%s %r: %d without the error body: %s" % (path, content_type, status, answer[:200]))
    alive = None
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)
    try:
        connection.request("GET", "/health")
        alive = connection.getresponse().status
    except OSError as error:
        failures.append("the server no longer answers /health: %s" % error)
    print("multipart fuzz: %d bodies sent, %d failures" % (sent, len(failures)))
    for failure in failures[:30]:
        print("  " + failure)
    if alive != 200:
        failures.append("health answered %s" % alive)
    sys.exit(1 if failures else 0)


main()
