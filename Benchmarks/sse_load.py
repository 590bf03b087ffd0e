"""Load for streamed chat: an OpenAI-compatible stub upstream, and a client holding many SSE streams at once.

  python3 sse_load.py stub PORT CHUNKS INTERVAL_MS
      Serves GET /v1/models and POST /v1/chat/completions, streaming CHUNKS pieces INTERVAL_MS apart; each piece's text
      is the time it was sent ("t=<unix seconds> "), so a client can tell how late it arrived.
  python3 sse_load.py client URL BODY_JSON STREAMS RAMP_SECONDS [HEADER ...] [--pid PID]
      Opens STREAMS streaming POSTs to URL (spread over RAMP_SECONDS), reads them to their end, and prints time to first
      piece, delivery latency of every piece, and (with --pid) the peak resident memory of that process.

Plain asyncio and HTTP/1.1 by hand: nothing to install. Only for loopback; every run ends by itself.
"""
import asyncio
import json
import os
import sys
import time
from urllib.parse import urlparse


# ---------------------------------------------------------------- stub upstream

async def serve_stub(port, chunks, interval):
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                if length:
                    await reader.readexactly(length)
                if method == "GET":
                    body = b'{"object":"list","data":[{"id":"bench-model"}]}'
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                    await writer.drain()
                    continue
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in range(chunks):
                    text = "t=%.6f " % time.time()
                    event = 'data: {"choices":[{"index":0,"delta":{"content":"%s"}}]}\n\n' % text
                    data = event.encode()
                    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
                    await writer.drain()
                    await asyncio.sleep(interval)
                usage = b'data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":%d}}\n\ndata: [DONE]\n\n' % chunks
                writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(usage), usage))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


# ---------------------------------------------------------------- client

class Stats:
    def __init__(self):
        self.first = []
        self.delivery = []
        self.completed = 0
        self.failed = 0
        self.open = 0
        self.peak_open = 0
        self.errors = {}


async def one_stream(url, body, headers, stats):
    parsed = urlparse(url)
    started = time.time()
    try:
        reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    except OSError as error:
        stats.failed += 1
        stats.errors[type(error).__name__] = stats.errors.get(type(error).__name__, 0) + 1
        return
    stats.open += 1
    stats.peak_open = max(stats.peak_open, stats.open)
    try:
        request = "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
            parsed.path, parsed.hostname, parsed.port, len(body))
        request += "".join("%s\r\n" % header for header in headers) + "\r\n"
        writer.write(request.encode() + body)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise RuntimeError("HTTP %d" % status)
        chunked = b"chunked" in head.lower()
        pending = b""
        got_first = False
        done = False
        while not done:
            if chunked:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                if size == 0:
                    break
                data = await reader.readexactly(size + 2)
                pending += data[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    break
                pending += data
            while b"\n\n" in pending:
                frame, pending = pending.split(b"\n\n", 1)
                if not frame.startswith(b"data: "):
                    continue
                payload = frame[6:]
                if payload == b"[DONE]":
                    done = True
                    break
                event = json.loads(payload)
                text = event.get("answer")
                if text is None:
                    choices = event.get("choices") or [{}]
                    text = (choices[0].get("delta") or {}).get("content")
                if event.get("event") in ("message_end", "error"):
                    done = True
                    if event.get("event") == "error":
                        raise RuntimeError(event.get("code"))
                    break
                if text and text.startswith("t="):
                    now = time.time()
                    if not got_first:
                        stats.first.append(now - started)
                        got_first = True
                    stats.delivery.append(now - float(text[2:]))
        stats.completed += 1
    except Exception as error:
        stats.failed += 1
        name = str(error) if isinstance(error, RuntimeError) else type(error).__name__
        stats.errors[name] = stats.errors.get(name, 0) + 1
    finally:
        stats.open -= 1
        writer.close()


def resident_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run_client(url, body, streams, ramp, headers, pid):
    stats = Stats()
    memory = {"before": resident_kib(pid) if pid else 0, "peak": 0}

    async def sample():
        while True:
            memory["peak"] = max(memory["peak"], resident_kib(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample()) if pid else None
    tasks = []
    began = time.time()
    for index in range(streams):
        tasks.append(asyncio.create_task(one_stream(url, body, headers, stats)))
        if ramp and streams > 1:
            await asyncio.sleep(ramp / streams)
    await asyncio.gather(*tasks)
    if sampler:
        sampler.cancel()
    elapsed = time.time() - began
    ms = lambda value: "%.2f ms" % (value * 1000)
    print("streams: %d completed, %d failed %s, at most %d open at once, %.1f s" % (
        stats.completed, stats.failed, stats.errors or "", stats.peak_open, elapsed))
    print("time to first piece: p50 %s  p99 %s" % (ms(percentile(stats.first, 0.5)), ms(percentile(stats.first, 0.99))))
    print("piece delivery (sent by upstream -> read by client): p50 %s  p99 %s  (%d pieces)" % (
        ms(percentile(stats.delivery, 0.5)), ms(percentile(stats.delivery, 0.99)), len(stats.delivery)))
    if pid:
        grown = memory["peak"] - memory["before"]
        print("server memory: %.1f MiB before, %.1f MiB at peak, %.1f KiB per open stream" % (
            memory["before"] / 1024, memory["peak"] / 1024, grown / max(1, stats.peak_open)))


def main():
    role = sys.argv[1]
    if role == "stub":
        asyncio.run(serve_stub(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1000))
    elif role == "client":
        arguments = sys.argv[2:]
        pid = None
        if "--pid" in arguments:
            at = arguments.index("--pid")
            pid = int(arguments[at + 1])
            del arguments[at:at + 2]
        url, body, streams, ramp = arguments[0], arguments[1].encode(), int(arguments[2]), float(arguments[3])
        asyncio.run(run_client(url, body, streams, ramp, arguments[4:], pid))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
