"""Function invocation overhead: spawn to result.

Starts a release flowdeckd and defines two command functions: `/bin/echo
{}` (the least a process can do: exec, print, exit) and the Python echo
handler of the tests (tests/fixtures/handlers/echo.py: the interpreter's
start-up dominates). Each is invoked ROUNDS times, one after another,
with POST /v1/functions/NAME/invocations on one keep-alive connection
(the request parks until the child's result is parsed and recorded).
Reported per function: the engine's own duration_ms (spawn to result,
p50 and p99), the client's round trip (p50, p99), and, side by side as a
peer, the same command run with Python's subprocess.run (spawn, write
stdin, read stdout, wait) in the benchmark process.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, healthz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("FLOWDECK_BUILD_DIR", os.path.join(ROOT, "build",
                                                          "release"))
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
ECHO_PY = os.path.join(ROOT, "tests", "fixtures", "handlers", "echo.py")

FUNCTIONS = [
    ("bin-echo", ["/bin/echo", "{}"]),
    ("python-echo", [sys.executable, ECHO_PY]),
]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def main():
    data = tempfile.mkdtemp(prefix="bench-fn-")
    port = free_port()
    proc = subprocess.Popen([FLOWDECKD, "--foreground", "--listen",
                             "127.0.0.1:%d" % port, "--data-dir", data],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not healthz(port):
            if time.time() > deadline:
                raise SystemExit("flowdeckd did not start")
            time.sleep(0.01)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def call(method, path, body=None):
            conn.request(method, path, body=json.dumps(body or {}),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"null")

        rows = []
        event = {"hello": "world", "n": 1}
        for name, argv in FUNCTIONS:
            call("POST", "/v1/functions", {"name": name, "command": argv})
            for _ in range(10):  # warm the page cache
                call("POST", "/v1/functions/%s/invocations" % name,
                     {"event": event})
            dur, rtt = [], []
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                st, inv = call("POST", "/v1/functions/%s/invocations" % name,
                               {"event": event})
                rtt.append((time.perf_counter() - t0) * 1000)
                if st != 200 or inv["status"] != "succeeded":
                    raise SystemExit("invocation failed: %s" % inv)
                dur.append(inv["duration_ms"])
            peer = []
            payload = json.dumps(event).encode()
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                subprocess.run(argv, input=payload, capture_output=True,
                               check=True)
                peer.append((time.perf_counter() - t0) * 1000)
            rows.append((name, pct(dur, 50), pct(dur, 99), pct(rtt, 50),
                         pct(rtt, 99), pct(peer, 50), pct(peer, 99)))
        print("function invocation overhead, ms (%d rounds each)\n" % ROUNDS)
        print("| function    | engine p50 | engine p99 | round trip p50 "
              "| round trip p99 | subprocess.run p50 | subprocess.run p99 |")
        print("|-------------|-----------:|-----------:|---------------:"
              "|---------------:|-------------------:|-------------------:|")
        for r in rows:
            print("| %-11s | %10d | %10d | %14.2f | %14.2f | %18.2f | "
                  "%18.2f |" % r)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
