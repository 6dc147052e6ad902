#!/usr/bin/env python3
"""bench_console: the console, `flowdeck`, in a pty against a running
engine (release build).

- launch to first full frame: spawn `flowdeck --endpoint URL` in an
  80x24 pty and read what it writes until the first complete home frame
  (the counts and the stuck-work pane, drawn once /v1/info answered);
- redraw time with 10,000 messages in a queue and 1,000 executions:
  FLOWDECK_FRAME_STATS=path makes the console append each frame's draw
  time in microseconds; drive the queue browser (page through, move the
  selection) and the executions list (move, change the filter), one key
  at a time, and read the frame times;
- CPU while idle on the home screen: utime + stime from /proc/PID/stat
  over BENCH_IDLE_SECONDS (30 s).

Prints markdown tables; numbers are measured, never asserted."""

import fcntl
import http.client
import json
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

from benchlib import free_port, healthz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("FLOWDECK_BUILD_DIR", os.path.join(ROOT,
                                                         "build/release"))
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
FLOWDECK = os.path.join(BUILD, "flowdeck")
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", "20"))
TICK = os.sysconf("SC_CLK_TCK")
MESSAGES = 10000
EXECUTIONS = 1000

GREET = """version: v1
type: flow
steps:
  - type: pass
    name: hello
"""


class Engine:
    def __init__(self):
        self.data_dir = tempfile.mkdtemp(prefix="bench-console-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen(
            [FLOWDECKD, "--foreground", "--listen",
             "127.0.0.1:%d" % self.port, "--data-dir", self.data_dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not healthz(self.port):
            if self.proc.poll() is not None:
                sys.exit("flowdeckd exited during start-up")
            time.sleep(0.001)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=60)

    def call(self, method, path, body=None):
        self.conn.request(method, path,
                          json.dumps(body) if body is not None else None,
                          {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit("%s %s: %d %s" % (method, path, r.status, data[:200]))
        return json.loads(data) if data else None

    def stop(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.data_dir, True)


class Console:
    """flowdeck in a pty of cols x rows; a thread drains what it writes."""

    def __init__(self, url, env=None, cols=80, rows=24):
        self.out = bytearray()
        self.lock = threading.Lock()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(env or {})
            os.environ.update({"TERM": "xterm-256color", "LANG": "C.UTF-8",
                               "LC_ALL": "C.UTF-8"})
            os.execv(FLOWDECK, [FLOWDECK, "--endpoint", url])
        self.t0 = time.perf_counter()
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols,
                                                        0, 0))
        self.alive = True
        self.reader = threading.Thread(target=self.drain, daemon=True)
        self.reader.start()

    def drain(self):
        while self.alive:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.out += data

    def wait_for(self, needle, timeout=10):
        """Seconds from spawn until `needle` was written."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if needle in self.out:
                    return time.perf_counter() - self.t0
            time.sleep(0.0002)
        sys.exit("the console never wrote %r" % needle)

    def key(self, s):
        os.write(self.fd, s.encode())

    def cpu(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def stop(self):
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        self.alive = False
        self.reader.join()
        os.close(self.fd)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def first_frame(e):
    samples = []
    for _ in range(LAUNCHES):
        c = Console(e.url)
        # home is complete once the stuck-work pane is drawn under the
        # counts, which needs /v1/info's answer
        samples.append(c.wait_for(b"STUCK WORK") * 1000)
        c.stop()
    return samples


def load(e):
    e.call("POST", "/v1/queues", {"name": "jobs"})
    for i in range(0, MESSAGES, 16):
        e.call("POST", "/v1/queues/jobs/messages/batch", {"entries": [
            {"id": "e%d" % j, "body": json.dumps({"order": i + j})}
            for j in range(16)]})
    e.call("POST", "/v1/flows", {"name": "greet", "definition": GREET})
    for i in range(EXECUTIONS):
        e.call("POST", "/v1/executions", {"flow": "greet",
                                          "input": {"n": i}})


def frames(path):
    with open(path) as f:
        return [int(line) for line in f if line.strip()]


def redraw(e):
    d = tempfile.mkdtemp(prefix="bench-frames-")
    path = os.path.join(d, "frames")
    c = Console(e.url, {"FLOWDECK_FRAME_STATS": path}, cols=160, rows=50)
    c.wait_for(b"STUCK WORK")
    results = {}

    def drive(name, keys, settle=0.03):
        start = len(frames(path))
        for k in keys:
            c.key(k)
            time.sleep(settle)
        time.sleep(0.3)
        results[name] = frames(path)[start:]

    c.key(":queue jobs\r")
    time.sleep(1.0)
    drive("queue browser, 10,000 messages (n/p pages, j/k)",
          ["n"] * 40 + ["j"] * 40 + ["G", "g"] + ["p"] * 10 + ["k"] * 10)
    c.key("\x1b")
    time.sleep(0.3)
    c.key(":execs\r")
    time.sleep(1.0)
    drive("executions list, 1,000 executions (j/k, f)",
          ["j"] * 60 + ["k"] * 30 + ["f"] * 6)
    c.key("\x1b")
    c.stop()
    shutil.rmtree(d, True)
    return results


def idle_cpu(e):
    c = Console(e.url)
    c.wait_for(b"STUCK WORK")
    time.sleep(1)
    t0, c0 = time.perf_counter(), c.cpu()
    time.sleep(IDLE)
    used = c.cpu() - c0
    wall = time.perf_counter() - t0
    c.stop()
    return used, wall


def main():
    for exe in (FLOWDECKD, FLOWDECK):
        if not os.access(exe, os.X_OK):
            sys.exit("%s is missing: build the release first "
                     "(scripts/dev build)" % exe)
    e = Engine()
    try:
        ff = first_frame(e)
        load(e)
        ff_loaded = first_frame(e)
        rd = redraw(e)
        used, wall = idle_cpu(e)
    finally:
        e.stop()
    print("## console\n")
    print("| launch to first full frame (ms)         |      p50 |      p90 "
          "|      max |")
    print("|-----------------------------------------|----------|----------"
          "|----------|")
    for name, s in (("empty engine", ff),
                    ("10,000 messages, 1,000 executions", ff_loaded)):
        print("| %-39s | %8.2f | %8.2f | %8.2f |" % (name, pct(s, 0.5),
                                                    pct(s, 0.9), max(s)))
    print()
    print("| frame draw time (ms)                               | frames "
          "|   p50 |   p99 |   max |")
    print("|----------------------------------------------------|--------"
          "|-------|-------|-------|")
    for name, s in rd.items():
        print("| %-50s | %6d | %5.2f | %5.2f | %5.2f |" % (
            name, len(s), pct(s, 0.5) / 1000, pct(s, 0.99) / 1000,
            max(s) / 1000))
    print()
    print("Idle on home (with that load) for %.0f s: %.2f CPU s, %.2f%% of "
          "one core." % (wall, used, 100 * used / wall))


if __name__ == "__main__":
    main()
