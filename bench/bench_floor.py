"""The floor under the queue send figures: bench/floor (libmicrohttpd in
one epoll thread, answering every request with a small JSON body; with a
database, one SQLite WAL commit of the body per request first) under the
same load, pinning and run length as bench_queues.py's sends. What the
engine does per send beyond HTTP and one commit is the gap between these
rows and bench_queues.py's.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, healthz, print_table
from bench_queues import BUILD, SECONDS, pinned, qload

FLOOR = os.path.join(BUILD, "floor")


def run(db):
    port = free_port()
    proc = subprocess.Popen(
        pinned(0, [FLOOR, str(port)] + ([db] if db else [])),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not healthz(port):
            if proc.poll() is not None:
                sys.exit("floor exited during start-up")
            time.sleep(0.001)
        return [qload(port, "send", conns, SECONDS) for conns in (1, 16)]
    finally:
        proc.terminate()
        proc.wait()


def main():
    root = tempfile.mkdtemp(prefix="flowdeck-floor-")
    rows = []
    try:
        for name, db in (("HTTP only", None),
                         ("HTTP + one commit a request",
                          os.path.join(root, "floor.db"))):
            one, many = run(db)
            for conns, r in ((1, one), (16, many)):
                rows.append(("%s, %d conn%s" % (name, conns,
                                                "s" if conns > 1 else ""),
                             "%.0f req/s" % r["req_per_s"],
                             "p50 %.3f ms, p99 %.3f ms" % (r["p50_ms"],
                                                          r["p99_ms"])))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print_table("floor: a minimal server under the queue send load", rows)


if __name__ == "__main__":
    main()
