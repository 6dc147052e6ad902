"""Flow execution benchmarks: the executor over the engine API under load
from bench/fload (C, one keep-alive connection per thread), with the
engine pinned to CPU 0 and the load generator to CPU 1 when the machine
has two cores.

Measures: executions per second of a three-step pass flow on 1 and 8
connections (each start answers after the execution ran to its end and
was committed; at the end /v1/info must count every one as Succeeded);
the callback round trip of a waitForCallback task to a queue (start,
receive the message, take the token from its body, delete it; then time
POST /v1/tasks/{token}/succeed, and until GET /v1/executions/{name} says
Succeeded); RSS with 10,000 executions waiting for callbacks (without
and with a task timeout, which is a durable timer each); restart to first
answered /healthz with those 10,000 waiting, after SIGTERM and after
kill -9, and that a waiting task can be called back after the restarts.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, healthz, memory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("FLOWDECK_BUILD_DIR", "build/release")
FLOWDECKD = os.path.join(BUILD, "flowdeckd")
FLOAD = os.path.join(BUILD, "fload")
SECONDS = os.environ.get("BENCH_SECONDS", "5")
PIN = os.cpu_count() and os.cpu_count() >= 2 and shutil.which("taskset")
TICK = os.sysconf("SC_CLK_TCK")
WAITING = 10000
ROUNDS = 2000

PASS3 = """version: v1
type: flow
steps:
  - type: pass
    name: one
  - type: pass
    name: two
  - type: pass
    name: three
"""

# One task that sends {"taskToken": ...} to queue `jobs` and waits.
CALLBACK = """version: v1
type: flow
steps:
  - type: task
    name: dispatch
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    inputMappings:
      - target: taskToken
        source: $context.task.token
    serviceParams:
      MessageBody: $
"""

# The same with a one-hour task timeout: a durable timer per waiting task.
CALLBACK_TIMEOUT = CALLBACK.replace("    pattern: waitForCallback\n",
                                    "    pattern: waitForCallback\n"
                                    "    timeoutSeconds: 3600\n")


def pinned(cpu, argv):
    return (["taskset", "-c", str(cpu)] + argv) if PIN else argv


def build_fload():
    """fload is a bench client, built here next to flowdeckd rather than
    by the project's build."""
    src = os.path.join(ROOT, "bench", "fload.c")
    if (os.path.exists(FLOAD) and
            os.path.getmtime(FLOAD) >= os.path.getmtime(src)):
        return
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "jansson"],
                           capture_output=True, text=True,
                           check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Wshadow",
                    "-Wformat=2", "-Werror", "-o", FLOAD, src] + flags +
                   ["-pthread"], check=True)


ENGINES = []  # every engine started, so an exit stops them


class Engine:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.port = free_port()
        self.proc = None
        self.conn = None
        ENGINES.append(self)

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
        if self.conn:
            self.conn.close()
            self.conn = None
        self.proc.send_signal(sig)
        self.proc.wait()

    def memory(self):
        """RSS, all private memory (clean + dirty) and private dirty, MiB."""
        rss, clean, dirty = memory(self.proc.pid)
        return rss, clean + dirty, dirty

    def cpu(self):
        """CPU seconds the engine has used (user + system)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def call(self, method, path, body=None, want=(200, 201)):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                   timeout=30)
        self.conn.request(method, path,
                          json.dumps(body) if body is not None else None,
                          {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in want:
            sys.exit("%s %s answered %d: %s" % (method, path, r.status,
                                                data.decode()))
        return json.loads(data) if data else None

    def executions(self):
        return self.call("GET", "/v1/info")["executions"]


def busy():
    """Busy time of each CPU so far, in seconds (/proc/stat)."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                v = [int(x) for x in line.split()[1:]]
                out[int(line[3:line.index(" ")])] = (sum(v) - v[3] -
                                                     v[4]) / TICK
    return out


OTHERS = {0: [], 1: []}  # what other processes took of each CPU, per run


def fload(engine, *args):
    """Runs fload on CPU 1; its JSON line, with the engine's and fload's
    CPU use over the run (in % of one core). Notes in OTHERS how much of
    CPUs 0 and 1 went to other processes meanwhile."""
    cpu0 = engine.cpu()
    busy0 = busy()
    t0 = time.perf_counter()
    p = subprocess.Popen(pinned(1, [FLOAD, str(engine.port)] +
                                [str(a) for a in args]),
                         stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("fload %s failed (%d): %s" % (args[0], p.returncode, out))
    r = json.loads(out.strip().splitlines()[-1])
    r["engine_cpu"] = 100 * (engine.cpu() - cpu0) / wall
    r["load_cpu"] = 100 * (usage.ru_utime + usage.ru_stime) / wall
    busy1 = busy()
    if PIN:
        for cpu, own in ((0, r["engine_cpu"]), (1, r["load_cpu"])):
            OTHERS[cpu].append(max(0.0, 100 * (busy1[cpu] - busy0[cpu]) /
                                   wall - own))
    return r


def median(xs):
    return sorted(xs)[len(xs) // 2]


def fleet(data_dir, label, definition, memrows, restart):
    """WAITING executions of `definition` waiting for callbacks: memory,
    restarts, and a callback after them."""
    n = format(WAITING, ",")
    e = Engine(data_dir)
    e.start()
    e.call("POST", "/v1/queues", {"name": "jobs"})
    e.call("POST", "/v1/flows", {"name": "callback",
                                 "definition": definition})
    time.sleep(1)
    idle = e.memory()
    r = fload(e, "fill", 8, WAITING, "callback")
    counts = e.executions()
    if counts["running"] != WAITING or counts["waiting_tasks"] != WAITING:
        sys.exit("started %d; /v1/info counts %s" % (WAITING, counts))
    timers = e.call("GET", "/v1/info")["counts"]["timers"]
    time.sleep(1)
    full = e.memory()
    if not memrows:
        memrows.append(("idle (a flow and a queue)", "%.1f MiB" % idle[0],
                        "%.1f MiB private, %.1f dirty" % idle[1:], ""))
    memrows.append(("%s waiting%s" % (n, label), "%.1f MiB" % full[0],
                    "%.1f MiB private, %.1f dirty; %d timers"
                    % (full[1:] + (timers,)), "≤ 64 MiB"))
    memrows.append(("  started at (8 connections)",
                    "%.0f exec/s" % r["per_s"],
                    "p50 %.3f ms, p99 %.3f ms" % (r["p50_ms"], r["p99_ms"]),
                    ""))

    starts = []
    for _ in range(5):
        e.stop()
        starts.append(e.start())
    after = e.memory()
    kills = []
    for _ in range(5):
        e.stop(signal.SIGKILL)
        kills.append(e.start())
    counts = e.executions()
    if (counts["running"] != WAITING or counts["waiting_tasks"] != WAITING
            or e.call("GET", "/v1/info")["counts"]["timers"] != timers):
        sys.exit("after the restarts /v1/info counts %s" % counts)
    task = e.call("GET", "/v1/tasks?status=waiting&limit=1")["items"][0]
    t0 = time.perf_counter()
    e.call("POST", "/v1/tasks/%s/succeed" % task["token"],
           {"output": {"after": "restart"}})
    first = (time.perf_counter() - t0) * 1000
    ex = e.call("GET", "/v1/executions/%s?flow=%s&wait=10"
                % (task["execution"], task["flow"]))
    if ex["status"] != "Succeeded":
        sys.exit("after the restarts the execution is %s" % ex["status"])
    e.stop()
    restart.append(("%s waiting%s: SIGTERM" % (n, label),
                    "%.1f ms" % median(starts),
                    "min %.1f ms of %d; then RSS %.1f MiB"
                    % (min(starts), len(starts), after[0]), "≤ 1 s"))
    restart.append(("%s waiting%s: kill -9" % (n, label),
                    "%.1f ms" % median(kills),
                    "min %.1f ms of %d" % (min(kills), len(kills)), ""))
    restart.append(("  then a callback (succeed)", "%.1f ms" % first,
                    "its execution Succeeded", ""))


def main():
    build_fload()
    load = os.getloadavg()[0]
    root = tempfile.mkdtemp(prefix="flowdeck-fbench-")
    throughput, callback, memrows, restart = [], [], [], []
    try:
        # 1. executions per second, and the callback round trip
        e = Engine(os.path.join(root, "load"))
        e.start()
        e.call("POST", "/v1/flows", {"name": "pass3", "definition": PASS3})
        before = e.executions()["succeeded"]
        started = 0
        for conns in (1, 8):
            r = fload(e, "start", conns, SECONDS, "pass3")
            started += r["executions"]
            throughput.append((
                "3-step pass flow, %d connection%s" % (conns,
                                                      "s" * (conns > 1)),
                "%.0f exec/s" % r["per_s"],
                "p50 %.3f ms, p99 %.3f ms; CPU engine %.0f%%, load %.0f%%"
                % (r["p50_ms"], r["p99_ms"], r["engine_cpu"],
                   r["load_cpu"]), "≥ 2,000/s"))
        counts = e.executions()
        succeeded = counts["succeeded"] - before
        if succeeded != started or counts["running"] or counts["failed"]:
            sys.exit("started %d executions; /v1/info counts %s"
                     % (started, counts))
        throughput.append(("all of them Succeeded (/v1/info)",
                           "%d of %d" % (succeeded, started), "", ""))

        e.call("POST", "/v1/queues", {"name": "jobs"})
        e.call("POST", "/v1/flows", {"name": "callback",
                                     "definition": CALLBACK})
        r = fload(e, "callback", ROUNDS, "callback", "jobs")
        callback.append(("POST succeed (answers after the commit)",
                         "p50 %.3f ms" % r["succeed_p50_ms"],
                         "p99 %.3f ms" % r["succeed_p99_ms"],
                         "p50 ≤ 2 ms"))
        callback.append(("succeed until GET says Succeeded",
                         "p50 %.3f ms" % r["seen_p50_ms"],
                         "p99 %.3f ms; %d extra GETs" % (r["seen_p99_ms"],
                                                         r["extra_polls"]),
                         "p50 ≤ 2 ms"))
        e.stop()

        # 2 and 3. memory and restart with 10,000 executions waiting,
        # without and with a task timeout (a durable timer each)
        for label, definition in (("", CALLBACK),
                                  (", 1 h timeout", CALLBACK_TIMEOUT)):
            fleet(os.path.join(root, "big" + str(len(memrows))), label,
                  definition, memrows, restart)
    finally:
        for e in ENGINES:
            if e.proc and e.proc.poll() is None:
                e.stop(signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)

    def table(title, rows):
        print("## %s" % title)
        print("| %-40s | %-14s | %-52s | %-10s |"
              % ("measure", "result", "detail", "target"))
        print("|%s|%s|%s|%s|" % ("-" * 42, "-" * 16, "-" * 54, "-" * 12))
        for row in rows:
            print("| %-40s | %-14s | %-52s | %-10s |" % row)
        print()

    table("flows: executions per second (start answers when it has ended)",
          throughput)
    table("flows: callback round trip (%d rounds, one connection)" % ROUNDS,
          callback)
    table("flows: memory with executions waiting for callbacks", memrows)
    table("flows: restart to first answered /healthz", restart)
    if PIN:
        print("Machine: load average %.2f at the start; other processes "
              "took up to %.0f%% of CPU 0 (the engine's) and %.0f%% of CPU 1 "
              "(the load's) during a load run." % (load, max(OTHERS[0]),
                                                  max(OTHERS[1])))


if __name__ == "__main__":
    main()
