"""What the knowledge SDK checks share: the state of the walk-through and how it reports its first failure.

`seen` gathers the summary printed last; `last` the most recent HTTP exchange (filled by `remember`, an httpx response
hook), which a failure prints with what was expected.
"""
import json
import sys

seen = {}
last = {}


def remember(response):
    response.read()
    last.update(call=f"{response.request.method} {response.request.url}", status=response.status_code, body=response.text[:3000])


def fail(what, **extra):
    print(json.dumps({"failed": what, **last, **extra, "seen": seen}))
    sys.exit(1)


def check(condition, what):
    if not condition:
        fail(what)
