"""Start-up to first answered request, and idle memory, of flowdeckd.

Spawns `flowdeckd --foreground` on a free port and polls /healthz with
fresh connections until one answers; the time from spawn to that answer is
one sample. Runs on an empty data dir and on one that has state.
Idle memory is read from /proc/PID/status (VmRSS) and
/proc/PID/smaps_rollup (Private_Clean and Private_Dirty) after the engine
has served a few requests and sat idle for a second.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, healthz, memory

BUILD = os.environ.get("FLOWDECK_BUILD_DIR", "build/release")
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
RUNS = 30


def start(data_dir):
    port = free_port()
    t0 = time.perf_counter()
    p = subprocess.Popen([FLOWDECKD, "--foreground", "--listen",
                          "127.0.0.1:%d" % port, "--data-dir", data_dir],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not healthz(port):
        if p.poll() is not None:
            sys.exit("flowdeckd exited during start-up")
        time.sleep(0.0002)
    return p, port, (time.perf_counter() - t0) * 1000


def stop(p):
    p.terminate()
    p.wait()


def main():
    root = tempfile.mkdtemp(prefix="flowdeck-bench-")
    try:
        fresh, warm = [], []
        for i in range(RUNS):
            d = os.path.join(root, "fresh%d" % i)
            p, _, ms = start(d)
            fresh.append(ms)
            stop(p)
        d = os.path.join(root, "warm")
        p, _, _ = start(d)
        stop(p)
        for _ in range(RUNS):
            p, port, ms = start(d)
            warm.append(ms)
            stop(p)
        p, port, _ = start(d)
        for _ in range(20):
            healthz(port)
        time.sleep(1)
        rss, clean, dirty = memory(p.pid)
        stop(p)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def row(name, xs):
        xs = sorted(xs)
        return "| %-34s | %8.2f | %8.2f | %8.2f |" % (
            name, statistics.median(xs), xs[int(len(xs) * 0.9) - 1], xs[0])

    print("## start-up to first answered /healthz (ms, %d runs)" % RUNS)
    print("| %-34s | %8s | %8s | %8s |" % ("case", "p50", "p90", "min"))
    print("|%s|%s|%s|%s|" % ("-" * 36, "-" * 10, "-" * 10, "-" * 10))
    print(row("empty data dir (creates the db)", fresh))
    print(row("existing data dir", warm))
    print()
    print("## idle memory")
    print("| %-34s | %8s |" % ("measure", "MiB"))
    print("|%s|%s|" % ("-" * 36, "-" * 10))
    print("| %-34s | %8.1f |" % ("RSS", rss))
    print("| %-34s | %8.1f |" % ("private, all (clean + dirty)",
                                 clean + dirty))
    print("| %-34s | %8.1f |" % ("private dirty (written by it)", dirty))


if __name__ == "__main__":
    main()
