"""The integration harness every test reuses.

Engine() starts a real flowdeckd of this build on a free port with a
temporary data dir, waits until it serves, and stops it at the end,
asserting a clean exit (under the sanitizers, a leak is an unclean exit).
When a test fails, its data dir (engine log included) is kept and the tail
of the engine's output is printed.

run_cli and run_engine_cmd hold the console's binaries to the same: a
sanitizer report from `flowdeck` (or from an engine it daemonized, whose
stderr is /dev/null, so reports go to files under SAN_LOG_DIR) fails the
call that saw it.

FLOWDECK_VALGRIND=1 runs every Engine under valgrind (build without
sanitizers: cmake -DFLOWDECK_SANITIZE=OFF); a valgrind error or a definite
or indirect leak makes the engine exit 99, which fails the test as a
sanitizer report does. See tests/README.md.
"""

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BUILD_DIR = os.environ.get("FLOWDECK_BUILD_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "dev")
FLOWDECKD = os.path.join(BUILD_DIR, "flowdeckd")
FLOWDECK = os.path.join(BUILD_DIR, "flowdeck")
RUNS_DIR = os.path.join(BUILD_DIR, "test-runs")

# Sanitizer reports go to the engine's stderr; a report fails the test.
# Stacks are unwound by frame pointers (the default): the slow unwinder
# on every malloc and free made large executions minutes slower.
SAN_ENV = {
    "ASAN_OPTIONS": "abort_on_error=0:detect_leaks=1:exitcode=23",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=24",
}
READY = re.compile(r"listening on http://(\S+):(\d+) ")
# What a sanitizer report looks like (ASan, LSan, UBSan).
SAN_REPORT = re.compile(r"==\d+==ERROR: \w+Sanitizer|SUMMARY: \w+Sanitizer|"
                        r"runtime error: ")
# Reports of processes whose stderr nobody reads (an engine that `flowdeck
# up` daemonized): ASan and LSan write them to files SAN_LOG_DIR/san.PID
# (GCC's UBSan ignores log_path and writes to stderr all the same).
SAN_LOG_DIR = os.path.join(RUNS_DIR, "sanitizer-logs-%d" % os.getpid())
# LeakSanitizer's notice that ptrace could not read a stopped thread's
# registers: it then scans that thread's whole stack and goes on, so the
# notice alone is no finding (it came on a busy machine, from a CLI that
# leaked nothing). A log file with nothing else in it is no report.
SAN_NOTICE = re.compile(r"^==\d+==Unable to get registers from thread \d+\.$",
                        re.M)

VALGRIND = os.environ.get("FLOWDECK_VALGRIND", "") not in ("", "0")
VALGRIND_SUPP = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "valgrind.supp")
VALGRIND_ARGV = ["valgrind", "--quiet", "--error-exitcode=99",
                 "--leak-check=full", "--show-leak-kinds=definite,indirect",
                 "--errors-for-leak-kinds=definite,indirect",
                 "--track-fds=no", "--num-callers=30",
                 "--suppressions=" + VALGRIND_SUPP]
# Under valgrind the engine runs some 20 to 50 times slower: waits for it
# to start and to stop are this many times longer.
SLOW = 10 if VALGRIND else 1


def free_port():
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(extra=None):
    env = dict(os.environ)
    env.update(SAN_ENV)
    for k in ("FLOWDECK_AUTH_TOKEN", "FLOWDECK_ENDPOINT",
              "FLOWDECK_DATA_DIR"):
        env.pop(k, None)
    if extra:
        env.update(extra)
    return env


def new_data_dir(tag="engine"):
    os.makedirs(RUNS_DIR, exist_ok=True)
    return tempfile.mkdtemp(prefix=tag + "-", dir=RUNS_DIR)


class EngineError(Exception):
    pass


class Engine:
    """A flowdeckd in the foreground on 127.0.0.1 and a temp data dir."""

    def __init__(self, auth_token=None, extra_args=(), data_dir=None,
                 listen="127.0.0.1:0", env=None):
        self.auth_token = auth_token
        self.extra_args = list(extra_args)
        self.data_dir = data_dir or new_data_dir()
        self.listen = listen
        self.env = env or {}
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self.stderr_path = os.path.join(self.data_dir, "engine.stderr")
        self.starts = 0

    # -- life cycle --
    def argv(self):
        argv = (VALGRIND_ARGV if VALGRIND else []) + [
            FLOWDECKD, "--foreground", "--listen", self.listen,
            "--data-dir", self.data_dir] + self.extra_args
        if self.auth_token:
            argv += ["--auth-token", self.auth_token]
        return argv

    def start(self, timeout=15):
        self.starts += 1
        err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=subprocess.PIPE,
                                     stderr=err, env=base_env(self.env),
                                     stdin=subprocess.DEVNULL)
        err.close()
        deadline = time.time() + timeout * SLOW
        line = self.proc.stdout.readline().decode()
        m = READY.search(line)
        if not m:
            self.proc.wait(timeout=max(1, deadline - time.time()))
            raise EngineError("flowdeckd did not start (exit %s): %s" % (
                self.proc.returncode, self.stderr_tail()))
        self.host, self.port = m.group(1), int(m.group(2))
        # from now on, keep the same port across restarts
        self.listen = "%s:%d" % (self.host, self.port)
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.stop()
        return False

    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def stop(self, timeout=20):
        """SIGTERM; the engine must exit 0 with no sanitizer report (nor,
        under valgrind, any error: it exits 99)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise EngineError("flowdeckd did not stop within %ss" % timeout)
        self.proc.stdout.close()
        tail = self.stderr_tail()
        if rc != 0 or "Sanitizer" in tail or "runtime error" in tail:
            raise EngineError("flowdeckd exited %s: %s" % (rc, tail))
        return rc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()

    def restart(self):
        if self.proc and self.proc.poll() is None:
            self.stop()
        return self.start()

    def stderr_tail(self, n=40):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # -- requests --
    def raw(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, headers dict (lower-case), body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)
        h = {}
        if self.auth_token:
            h["Authorization"] = "Bearer " + self.auth_token
        if headers:
            h.update(headers)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, parsed JSON or None)."""
        status, _, data = self.raw(method, path, body, headers, timeout)
        return status, (json.loads(data) if data else None)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body if body is not None else {})

    def ok(self, method, path, body=None, status=200):
        """A request that must succeed with `status`; returns the JSON."""
        got, j = self.request(method, path, body)
        if got != status:
            raise AssertionError("%s %s: %s, expected %s: %s" % (
                method, path, got, status, j))
        return j


def _san_log_dir_remove():
    try:
        os.rmdir(SAN_LOG_DIR)  # only when empty: a report stays to read
    except OSError:
        pass


atexit.register(_san_log_dir_remove)


def san_log_env(env=None):
    """base_env(env), plus: sanitizer reports of processes without a
    stderr anyone reads go to files under SAN_LOG_DIR (log_path)."""
    env = base_env(env)
    os.makedirs(SAN_LOG_DIR, exist_ok=True)
    log = ":log_path=" + os.path.join(SAN_LOG_DIR, "san")
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env[k] = env.get(k, SAN_ENV[k]) + log
    return env


def san_logged_reports():
    """The sanitizer reports written to SAN_LOG_DIR since the last call
    (the files are removed once read); files holding only SAN_NOTICE
    lines are no report."""
    reports = []
    try:
        names = sorted(os.listdir(SAN_LOG_DIR))
    except OSError:
        return reports
    for name in names:
        path = os.path.join(SAN_LOG_DIR, name)
        with open(path, errors="replace") as f:
            text = f.read()
        os.unlink(path)
        if SAN_NOTICE.sub("", text).strip():
            reports.append("%s:\n%s" % (name, text))
    return reports


def check_sanitizers(what, returncode, stderr):
    """Fail (AssertionError) when `what` left a sanitizer report: on its
    stderr, as its exit status (23 ASan/LSan, 24 UBSan, see SAN_ENV), or
    in SAN_LOG_DIR."""
    stderr = stderr or ""
    reports = san_logged_reports()
    if returncode in (23, 24) or SAN_REPORT.search(stderr) or reports:
        raise AssertionError("sanitizer report from %s (exit %s):\n%s%s" % (
            what, returncode, stderr[-6000:], "\n".join(reports)[-6000:]))


def run_cli(args, env=None, input=None, timeout=30):
    """Run this build's `flowdeck` with args; returns CompletedProcess.
    A sanitizer report from it, or from an engine it started or stopped
    (`up`, `down`), raises AssertionError."""
    r = subprocess.run([FLOWDECK] + list(args), env=san_log_env(env),
                       input=input, capture_output=True, text=True,
                       timeout=timeout)
    check_sanitizers("flowdeck %s" % " ".join(args), r.returncode, r.stderr)
    return r


def run_engine_cmd(args, env=None, timeout=30):
    """Run this build's `flowdeckd` with args; returns CompletedProcess.
    A sanitizer report from it raises AssertionError."""
    r = subprocess.run([FLOWDECKD] + list(args), env=san_log_env(env),
                       capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    check_sanitizers("flowdeckd %s" % " ".join(args), r.returncode, r.stderr)
    return r


class EngineTestCase(unittest.TestCase):
    """A TestCase whose engines are stopped (and checked) at the end, and
    whose data dirs are kept when it fails."""

    def engine(self, **kw):
        eng = Engine(**kw).start()
        self.addCleanup(self._finish, eng)
        return eng

    def _finish(self, eng):
        failed = not getattr(self._outcome, "success", True)
        if eng.proc and eng.proc.poll() is None:
            eng.stop()
        if eng.proc and not eng.proc.stdout.closed:
            eng.proc.stdout.close()
        if failed:
            print("\n--- engine output (%s) ---\n%s" % (
                eng.data_dir, eng.stderr_tail()))
        else:
            shutil.rmtree(eng.data_dir, ignore_errors=True)
