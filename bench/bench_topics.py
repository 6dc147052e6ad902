"""Topic benchmarks over the engine API.

Measures: publish fan-out to 10 queue subscriptions (every publish answers
after its 10 queue messages are committed), as publishes/s and queue
messages/s on 1 and 8 keep-alive connections, with the queue depths
checked at the end; and HTTP push throughput to a local receiver (a
separate process, HTTP/1.1 keep-alive, answering 200 at once): N messages
published as fast as one connection can, then the time until the receiver
has counted every push, as pushes/s, with every delivery checked
`delivered` at the end. The publishers are Python threads, so on a fast
engine they are part of what is measured.
"""

import http.client
import http.server
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import free_port, healthz

BUILD = os.environ.get("FLOWDECK_BUILD_DIR", "build/release")
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PUSHES = int(os.environ.get("BENCH_PUSHES", "5000"))
FANOUT = 10


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None):
        data = json.dumps(body) if body is not None else None
        self.c.request(method, path, body=data,
                       headers={"Content-Type": "application/json"})
        r = self.c.getresponse()
        out = r.read()
        if r.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, r.status, out))
        return json.loads(out) if out else None


def start_engine():
    port = free_port()
    d = tempfile.mkdtemp(prefix="bench-topics-")
    p = subprocess.Popen([FLOWDECKD, "--foreground", "--data-dir", d,
                          "--listen", "127.0.0.1:%d" % port],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 15
    while not healthz(port):
        if time.time() > deadline:
            raise RuntimeError("engine did not start")
        time.sleep(0.05)
    return p, port


def stop_engine(p):
    p.terminate()
    p.wait(timeout=30)


def fanout(port, conns):
    c = Client(port)
    topic = "fan%d" % conns
    c.call("POST", "/v1/topics", {"name": topic})
    for i in range(FANOUT):
        q = "%s-q%d" % (topic, i)
        c.call("POST", "/v1/queues", {"name": q})
        c.call("POST", "/v1/topics/%s/subscriptions" % topic,
               {"name": "s%d" % i, "endpoint": "queue:" + q,
                "format": "SIMPLIFIED"})
    counts = [0] * conns
    stop = time.time() + SECONDS

    def run(k):
        me = Client(port)
        n = 0
        while time.time() < stop:
            me.call("POST", "/v1/topics/%s/messages" % topic,
                    {"body": '{"order": %d}' % n})
            n += 1
        counts[k] = n

    t0 = time.time()
    ths = [threading.Thread(target=run, args=(k,)) for k in range(conns)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    el = time.time() - t0
    total = sum(counts)
    for i in range(FANOUT):
        q = c.call("GET", "/v1/queues/%s-q%d" % (topic, i))
        assert q["counts"]["visible"] == total, (q["counts"], total)
    return total / el, total * FANOUT / el


def receiver(port, counter, ready):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with counter.get_lock():
                counter.value += 1

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
    ready.set()
    srv.serve_forever()


def push(port):
    rport = free_port()
    counter = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    rp = multiprocessing.Process(target=receiver,
                                 args=(rport, counter, ready), daemon=True)
    rp.start()
    ready.wait(10)
    c = Client(port)
    c.call("POST", "/v1/topics", {"name": "push"})
    c.call("POST", "/v1/topics/push/subscriptions",
           {"name": "hook", "endpoint": "http://127.0.0.1:%d/in" % rport,
            "format": "JSON"})
    t0 = time.time()
    for n in range(PUSHES):
        c.call("POST", "/v1/topics/push/messages", {"body": "m%d" % n})
    published = time.time() - t0
    deadline = time.time() + 120
    while counter.value < PUSHES and time.time() < deadline:
        time.sleep(0.005)
    el = time.time() - t0
    got = counter.value
    rp.terminate()
    pending = c.call("GET", "/v1/topics/push/deliveries?status=pending"
                     "&limit=1")["items"]
    assert got >= PUSHES and not pending, (got, pending)
    return PUSHES / published, got / el


def main():
    p, port = start_engine()
    try:
        rows = []
        for conns in (1, 8):
            pubs, msgs = fanout(port, conns)
            rows.append(("fan-out to %d queues, %d conn%s" % (
                FANOUT, conns, "" if conns == 1 else "s"),
                "%.0f publishes/s" % pubs, "%.0f messages/s" % msgs))
        pub, pushed = push(port)
        rows.append(("HTTP push, 1 subscription, %d messages" % PUSHES,
                     "%.0f publishes/s" % pub, "%.0f pushes/s" % pushed))
    finally:
        stop_engine(p)
    w = max(len(r[0]) for r in rows)
    print("topics (%s, %gs per fan-out run)" % (FLOWDECKD, SECONDS))
    for r in rows:
        print("  %-*s  %18s  %18s" % (w, r[0], r[1], r[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
