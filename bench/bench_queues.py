"""Queue benchmarks: the engine API under load from bench/qload (C, one
keep-alive connection per thread), with the engine pinned to CPU 0 and
the load generator to CPU 1 when the machine has two cores.

Measures: send on 1 and 16 connections; batch send (16 per request) on
16 connections; drain with receive(16) + batch delete on 16 connections;
long-poll wake-up latency; peek of 50 from a 100,000-message queue (first
page and a page deep in); RSS with 100,000 messages of 256 bytes; restart
to first answered request with 100,000 messages, after SIGTERM and after
kill -9. Durability is on throughout (every answer follows its commit).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, healthz, memory, print_table

BUILD = os.environ.get("FLOWDECK_BUILD_DIR", "build/release")
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
QLOAD = os.path.join(BUILD, "qload")
SECONDS = os.environ.get("BENCH_SECONDS", "5")
PIN = os.cpu_count() and os.cpu_count() >= 2 and shutil.which("taskset")


def pinned(cpu, argv):
    return (["taskset", "-c", str(cpu)] + argv) if PIN else argv


class Engine:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.port = free_port()
        self.proc = None

    def start(self):
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            pinned(0, [FLOWDECKD, "--foreground", "--listen",
                       "127.0.0.1:%d" % self.port, "--data-dir",
                       self.data_dir]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not healthz(self.port):
            if self.proc.poll() is not None:
                sys.exit("flowdeckd exited during start-up")
            time.sleep(0.0002)
        return (time.perf_counter() - t0) * 1000

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait()

    def memory(self):
        """RSS and all private memory (clean + dirty), in MiB."""
        rss, clean, dirty = memory(self.proc.pid)
        return rss, clean + dirty


def qload(port, *args, queue="bench"):
    env = dict(os.environ, QLOAD_QUEUE=queue)
    out = subprocess.run(pinned(1, [QLOAD, str(port)] + [str(a) for a in
                                                           args]),
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    root = tempfile.mkdtemp(prefix="flowdeck-qbench-")
    rows = []
    try:
        e = Engine(os.path.join(root, "load"))
        e.start()
        r = qload(e.port, "send", 1, SECONDS)
        rows.append(("send, 1 connection", "%.0f msg/s" % r["msg_per_s"],
                     "p50 %.3f ms, p99 %.3f ms" % (r["p50_ms"], r["p99_ms"])))
        r = qload(e.port, "send", 16, SECONDS)
        rows.append(("send, 16 connections", "%.0f msg/s" % r["msg_per_s"],
                     "p50 %.3f ms, p99 %.3f ms" % (r["p50_ms"], r["p99_ms"])))
        r = qload(e.port, "batch", 16, SECONDS)
        rows.append(("batch send (16/request), 16 conns",
                     "%.0f msg/s" % r["msg_per_s"],
                     "p50 %.3f ms, p99 %.3f ms" % (r["p50_ms"], r["p99_ms"])))
        r = qload(e.port, "drain", 16)
        rows.append(("drain: receive(16) + batch delete, 16 conns",
                     "%.0f msg/s" % r["msg_per_s"],
                     "%d messages in %.1f s" % (r["messages"], r["seconds"])))
        r = qload(e.port, "wake", 300, queue="wake")
        rows.append(("long-poll wake-up (send -> receive)",
                     "p50 %.3f ms" % r["p50_ms"], "p99 %.3f ms" % r["p99_ms"]))
        e.stop()

        big = Engine(os.path.join(root, "big"))
        big.start()
        idle_rss, idle_private = big.memory()
        r = qload(big.port, "fill", 100000, 256, queue="big")
        time.sleep(1)
        rss, private = big.memory()
        rows.append(("idle RSS / private", "%.1f MiB" % idle_rss,
                     "%.1f MiB private" % idle_private))
        rows.append(("RSS with 100,000 messages of 256 B", "%.1f MiB" % rss,
                     "%.1f MiB private" % private))
        r = qload(big.port, "peek", 200, queue="big")
        rows.append(("peek 50 of 100,000: first page",
                     "p50 %.3f ms" % r["first_p50_ms"],
                     "p99 %.3f ms" % r["first_p99_ms"]))
        rows.append(("peek 50 of 100,000: page at 90,000",
                     "p50 %.3f ms" % r["deep_p50_ms"],
                     "p99 %.3f ms" % r["deep_p99_ms"]))
        big.stop()
        starts = [big.start() for _ in range(1)]
        for _ in range(4):
            big.stop()
            starts.append(big.start())
        rows.append(("restart with 100,000 messages (SIGTERM)",
                     "%.1f ms" % sorted(starts)[len(starts) // 2],
                     "min %.1f ms of %d" % (min(starts), len(starts))))
        kills = []
        for _ in range(5):
            big.stop(signal.SIGKILL)
            kills.append(big.start())
        rows.append(("restart with 100,000 messages (kill -9)",
                     "%.1f ms" % sorted(kills)[len(kills) // 2],
                     "min %.1f ms of %d" % (min(kills), len(kills))))
        big.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print_table("queues over the engine API (durability on)", rows)


if __name__ == "__main__":
    main()
