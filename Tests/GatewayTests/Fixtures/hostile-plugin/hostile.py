#!/usr/bin/python3
# A test fixture: a plugin that speaks the stdio protocol and tries, on request, what a hostile plugin would. Every
# attempt bounds itself (500 forks, 4 GiB, 20 s of spinning, 512 MiB of file, 100 MiB of line) so that a sandbox that
# fails cannot take the test machine down.
import json, os, signal, socket, sys, threading, time

# Past the file size limit a write then fails with EFBIG instead of the signal ending the process.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

out_lock = threading.Lock()

def emit(value):
    data = (json.dumps(value) + "\n").encode()
    with out_lock:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

def session(sid, kind, data):
    emit({"event": "session", "session_id": sid, "data": {"type": kind, "data": data}})

def text(sid, value):
    session(sid, "stream", {"type": "text", "message": {"text": value}, "meta": None})

def attempt(action, argument):
    if action == "ping":
        return "pong"
    if action == "read":
        try:
            with open(argument, "rb") as f:
                return "read: " + f.read(100).decode(errors="replace")
        except OSError as error:
            return "denied: %s" % error.strerror
    if action == "env":
        return json.dumps(dict(os.environ))
    if action == "connect":
        try:
            s = socket.create_connection(("127.0.0.1", int(argument)), timeout=2)
            s.close()
            return "connected"
        except OSError as error:
            return "refused: %s" % error
    if action == "fork_bomb":
        children = []
        for _ in range(500):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(5)
                os._exit(0)
            children.append(pid)
        # Clean up before answering, so that the next attempts are not refused threads by the same process limit.
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return "forked %d" % len(children)
    if action == "allocate":
        blocks = []
        try:
            for _ in range(64):
                blocks.append(bytearray(64 << 20))
        except MemoryError:
            pass
        return "allocated %d MiB" % (len(blocks) * 64)
    if action == "spin":
        end = time.time() + 20
        while time.time() < end:
            pass
        return "spun"
    if action == "write_huge":
        written = 0
        try:
            with open(os.path.join(os.environ.get("HOME", "."), "huge"), "wb") as f:
                for _ in range(512):
                    f.write(b"x" * (1 << 20))
                    written += 1 << 20
        except OSError as error:
            return "stopped after %d bytes: %s" % (written, error.strerror)
        return "wrote %d bytes" % written
    if action == "hang":
        time.sleep(60)
        return "woke"
    raise ValueError("unknown action " + action)

def handle(request):
    sid = request["session_id"]
    data = request["data"]
    if data.get("action") != "invoke_tool":
        session(sid, "stream", {"result": True})
        session(sid, "end", {})
        return
    parameters = data.get("tool_parameters", {})
    action, argument = parameters.get("action"), parameters.get("argument") or ""
    if action == "long_line":
        with out_lock:
            sys.stdout.buffer.write(b'{"event":"log","data":{"message":"' + b"x" * (100 << 20) + b'"}}\n')
            sys.stdout.buffer.flush()
        return
    if action == "blob":
        import base64
        pieces = [b"first-", b"second-", b"third"]
        for index, piece in enumerate(pieces):
            session(sid, "stream", {"type": "blob_chunk", "message": {"id": "b1", "sequence": index, "total_length": 18,
                    "blob": base64.b64encode(piece).decode(), "end": False}, "meta": None})
        session(sid, "stream", {"type": "blob_chunk", "message": {"id": "b1", "sequence": 3, "total_length": 18,
                "blob": "", "end": True}, "meta": {"mime_type": "text/plain"}})
        session(sid, "end", {})
        return
    if action == "crash":
        sys.stderr.write("hostile: crashing on purpose\n")
        sys.stderr.flush()
        text(sid, "about to crash")
        time.sleep(0.2)
        os._exit(3)
    if action == "escape":
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                with open(argument, "w") as f:
                    f.write(str(os.getpid()))
                time.sleep(60)
                os._exit(0)
            os._exit(0)
        time.sleep(60)
        return
    try:
        text(sid, attempt(action, argument))
    except Exception as error:
        session(sid, "error", {"error_type": type(error).__name__, "message": str(error), "args": {}})
    session(sid, "end", {})

emit({"event": "heartbeat", "session_id": None, "data": {}})
for line in sys.stdin:
    if line.strip():
        threading.Thread(target=handle, args=(json.loads(line),), daemon=True).start()
