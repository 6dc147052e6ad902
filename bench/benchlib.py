"""What the benchmarks share: a free port, a /healthz probe on a fresh
connection, a process's memory from /proc, and the measure/result/detail
table the queue benchmarks print."""

import socket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(port):
    """True once a flowdeckd on `port` answers GET /healthz with 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def memory(pid):
    """RSS, and smaps_rollup's Private_Clean and Private_Dirty, in MiB.
    Private_Clean counts library pages no other process maps at the
    moment, so it moves with what else runs; Private_Dirty is what the
    process itself wrote."""
    rss = clean = dirty = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Private_Clean:"):
                clean = int(line.split()[1])
            elif line.startswith("Private_Dirty:"):
                dirty = int(line.split()[1])
    return rss / 1024, clean / 1024, dirty / 1024


def print_table(title, rows):
    """A markdown table of (measure, result, detail) rows under `title`."""
    print("## " + title)
    print("| %-44s | %-14s | %-28s |" % ("measure", "result", "detail"))
    print("|%s|%s|%s|" % ("-" * 46, "-" * 16, "-" * 30))
    for name, result, detail in rows:
        print("| %-44s | %-14s | %-28s |" % (name, result, detail))
