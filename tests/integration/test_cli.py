"""The flowdeck CLI against real engines: usage and exit statuses, every
subcommand in table and JSON form, and `up` / `down` starting and stopping
a daemonized engine on a free port with a temporary data dir.

Every run of flowdeck goes through the sanitizers: a leak makes it exit
23, which fails the exit-status checks."""

import http.server
import json
import os
import pty
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
import unittest

from harness import (FLOWDECK, EngineTestCase, base_env, free_port,
                     new_data_dir, run_cli)

COMMANDS = ("up", "down", "status", "logs", "clock", "snapshot", "reset",
            "journal", "timers", "help")


def nobody_url():
    """An endpoint where nothing answers."""
    return "http://127.0.0.1:%d" % free_port()


class Usage(unittest.TestCase):
    """What needs no engine: help, version, and every usage error."""

    def assertUsageError(self, args, words):
        r = run_cli(["--endpoint", nobody_url()] + list(args))
        self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
        self.assertIn(words, r.stderr, args)
        self.assertIn("usage: flowdeck", r.stderr, args)
        self.assertEqual(r.stdout, "", args)

    def test_help_on_every_command(self):
        for cmd in COMMANDS:
            for args in ([cmd, "--help"], [cmd, "-h"], ["help", cmd],
                         ["--help", cmd]):
                r = run_cli(args)
                self.assertEqual(r.returncode, 0, (args, r.stderr))
                self.assertIn("usage: flowdeck " + cmd, r.stdout, args)
                self.assertEqual(r.stderr, "", args)

    def test_general_help_lists_every_command(self):
        for args in (["--help"], ["-h"], ["help"]):
            r = run_cli(args)
            self.assertEqual(r.returncode, 0, args)
            self.assertIn("usage: flowdeck [OPTIONS] [COMMAND", r.stdout)
            for cmd in COMMANDS:
                self.assertRegex(r.stdout, r"\n  %s +\S" % cmd)

    def test_version(self):
        r = run_cli(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^flowdeck \d+\.\d+\.\d+\n$")

    def test_unknown_command(self):
        self.assertUsageError(["frobnicate"], "unknown command 'frobnicate'")
        self.assertUsageError(["help", "frobnicate"], "no command")

    def test_unknown_and_malformed_options(self):
        self.assertUsageError(["status", "--frob"], "unknown option '--frob'")
        self.assertUsageError(["--frob", "status"], "unknown option")
        self.assertUsageError(["status", "--endpoint"], "needs a value")
        self.assertUsageError(["-o", "yaml", "status"], "json or table")
        self.assertUsageError(["reset", "--yes=please"], "takes no value")
        # a command's own option does not work before the command
        self.assertUsageError(["--force", "snapshot", "save", "x"],
                              "unknown option")

    def test_argument_counts(self):
        self.assertUsageError(["status", "extra"], "unexpected argument")
        self.assertUsageError(["snapshot", "save"], "missing NAME")
        self.assertUsageError(["snapshot", "restore"], "missing NAME")
        self.assertUsageError(["snapshot", "frob", "x"], "unknown action")
        self.assertUsageError(["snapshot", "list", "--force"], "save only")
        self.assertUsageError(["clock", "scale"], "missing argument")
        self.assertUsageError(["clock", "scale", "fast"], "not a number")
        self.assertUsageError(["clock", "scale", "0"], "above 0")
        self.assertUsageError(["clock", "advance", "soon"], "not a duration")
        self.assertUsageError(["clock", "pause", "now"], "unexpected")
        self.assertUsageError(["clock", "rewind"], "unknown action")
        self.assertUsageError(["timers", "add"], "--after")
        self.assertUsageError(["timers", "add", "--after", "10m", "--at",
                               "2030-01-01T00:00:00Z"], "one of")
        self.assertUsageError(["timers", "add", "--after", "ten"],
                              "not a duration")
        self.assertUsageError(["timers", "add", "--after", "1m",
                               "--payload", "{oops"], "--payload")
        self.assertUsageError(["timers", "cancel"], "missing ID")
        self.assertUsageError(["timers", "list", "--ref", "x"], "add only")
        self.assertUsageError(["logs", "-n", "0"], "-n")
        self.assertUsageError(["journal", "--limit", "many"], "--limit")
        self.assertUsageError(["up", "--listen", "::nonsense::"], "--listen")

    def test_dashboard_needs_a_terminal(self):
        url = nobody_url()
        r = run_cli(["--endpoint", url], input="")
        self.assertEqual(r.returncode, 2)
        self.assertIn("needs a terminal", r.stderr)
        # and it started nothing
        r = run_cli(["--endpoint", url, "status"])
        self.assertEqual(r.returncode, 1)


class NoEngine(unittest.TestCase):
    """Against an endpoint where nothing answers."""

    def test_status_says_down(self):
        url = nobody_url()
        r = run_cli(["status"], env={"FLOWDECK_ENDPOINT": url})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout,
                         "flowdeck engine: down (nothing answers at %s)\n"
                         % url)
        r = run_cli(["status", "-o", "json", "--endpoint", url])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("down", r.stderr)

    def test_requests_fail_clearly(self):
        url = nobody_url()
        for args in (["clock"], ["snapshot", "list"], ["journal"],
                     ["timers"], ["logs"], ["reset", "--yes"]):
            r = run_cli(["--endpoint", url] + args)
            self.assertEqual(r.returncode, 1, args)
            self.assertEqual(r.stderr,
                             "flowdeck: no engine answers at %s\n" % url,
                             args)

    def test_down_with_nothing_running(self):
        url = nobody_url()
        r = run_cli(["down", "--endpoint", url])
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "no engine running at %s\n" % url)


class AgainstEngine(EngineTestCase):
    """Every subcommand against a foreground engine of the harness."""

    def setUp(self):
        self.e = self.engine()

    def cli(self, *args, ok=True, **kw):
        r = run_cli(["--endpoint", self.e.url] + list(args), **kw)
        if ok:
            self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
            self.assertEqual(r.stderr, "", args)
        return r

    def json(self, *args):
        return json.loads(self.cli("-o", "json", *args).stdout)

    def table(self, *args):
        """The lines of a table, split into cells."""
        out = self.cli(*args).stdout
        return [re.split(r"  +", line.strip()) for line in out.splitlines()]

    def test_status_table(self):
        rows = dict(self.table("status"))
        self.assertEqual(rows["address"], self.e.url)
        self.assertEqual(rows["state"], "up")
        self.assertEqual(rows["pid"], str(self.e.proc.pid))
        self.assertEqual(rows["data dir"], self.e.data_dir)
        self.assertRegex(rows["version"], r"^\d+\.\d+\.\d+")
        self.assertRegex(rows["uptime"], r"^\d")
        self.assertRegex(rows["clock"], r"^real, scale 1, now 20\d\d-")
        counts = dict(kv.split(" ") for kv in rows["counts"].split(", "))
        self.assertEqual(counts, {k: str(v) for k, v in
                                  self.e.ok("GET", "/v1/info")["counts"]
                                  .items()})
        self.assertEqual(counts["timers"], "0")

    def test_status_json_is_the_info_object(self):
        got = self.json("status")
        want = self.e.ok("GET", "/v1/info")
        self.assertEqual(set(got), set(want))
        for key in ("name", "version", "pid", "listen", "data_dir", "auth",
                    "counts"):
            self.assertEqual(got[key], want[key], key)
        self.assertEqual(got["clock"]["mode"], "real")

    def test_endpoint_from_option_anywhere_or_environment(self):
        r = run_cli(["status", "--endpoint", self.e.url])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["status", "--endpoint=" + self.e.url + "/"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["status"], env={"FLOWDECK_ENDPOINT": self.e.url})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["-o", "json", "status"],
                    env={"FLOWDECK_ENDPOINT": self.e.url})
        self.assertEqual(json.loads(r.stdout)["pid"], self.e.proc.pid)

    def test_clock(self):
        rows = dict(self.table("clock"))
        self.assertEqual(rows["mode"], "real")
        self.assertEqual(rows["scale"], "1")
        self.assertEqual(dict(self.table("clock", "show"))["mode"], "real")

        paused = self.json("clock", "pause")
        self.assertEqual(paused["mode"], "paused")
        self.assertTrue(paused["paused"])
        self.assertEqual(dict(self.table("clock"))["mode"], "paused")

        moved = self.json("clock", "advance", "10m")
        self.assertEqual(moved["now_ms"] - paused["now_ms"], 600000)
        self.assertEqual(dict(self.table("clock", "advance", "1h30m"))["now"],
                         self.json("clock")["now"])

        self.cli("clock", "resume")
        scaled = self.json("clock", "scale", "60")
        self.assertEqual(scaled["mode"], "scaled")
        self.assertEqual(scaled["scale"], 60)
        self.assertEqual(dict(self.table("clock", "scale", "2.5"))["scale"],
                         "2.5")
        self.assertEqual(self.json("clock", "scale", "1")["mode"], "real")
        self.assertEqual(set(self.json("clock")),
                         set(self.e.ok("GET", "/v1/clock")))

    def test_engine_errors_show_message_and_code(self):
        r = self.cli("clock", "advance", "-5m", ok=False)
        self.assertEqual(r.returncode, 2)  # caught before it is sent
        r = self.cli("snapshot", "restore", "nope", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^flowdeck: .*nope.* \(NotFound\)\n$")
        r = self.cli("snapshot", "save", ".hidden", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^flowdeck: .+ \(InvalidArgument\)\n$")

    def timer_refs(self):
        return sorted(t["ref"] for t in self.json("timers", "list")["items"])

    def test_snapshot_round_trip(self):
        self.assertEqual(self.cli("snapshot", "list").stdout,
                         "no snapshots\n")
        self.cli("timers", "add", "--after", "1h", "--ref", "kept")
        r = self.cli("snapshot", "save", "demo")
        self.assertEqual(r.stdout, "saved snapshot demo\n")

        listed = self.json("snapshot", "list")["items"]
        self.assertEqual([s["name"] for s in listed], ["demo"])
        rows = self.table("snapshot")
        self.assertEqual(rows[0], ["NAME", "SIZE", "CREATED"])
        self.assertEqual(rows[1][0], "demo")
        self.assertEqual(rows[1][2], listed[0]["created"])

        r = self.cli("snapshot", "save", "demo", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^flowdeck: .*demo.*\((AlreadyExists|"
                                   r"Conflict)\)\n$")
        self.cli("snapshot", "save", "demo", "--force")

        self.cli("timers", "add", "--after", "2h", "--ref", "dropped")
        self.assertEqual(self.timer_refs(), ["dropped", "kept"])
        r = self.cli("snapshot", "restore", "demo")
        self.assertEqual(r.stdout, "restored state from snapshot demo\n")
        self.assertEqual(self.timer_refs(), ["kept"])

        r = self.cli("snapshot", "delete", "demo")
        self.assertEqual(r.stdout, "deleted snapshot demo\n")
        self.assertEqual(self.json("snapshot", "list")["items"], [])
        r = self.cli("snapshot", "delete", "demo", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(NotFound)", r.stderr)

    def test_reset(self):
        self.cli("timers", "add", "--after", "1h")
        r = self.cli("reset", ok=False, input="y\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a terminal", r.stderr)
        self.assertIn("--yes", r.stderr)
        self.assertEqual(len(self.timer_refs()), 1)  # nothing happened

        r = self.cli("reset", "--yes")
        self.assertEqual(r.stdout, "flowdeck state reset at %s\n" % self.e.url)
        self.assertEqual(self.timer_refs(), [])
        self.assertEqual(self.json("status")["counts"]["timers"], 0)

    def test_reset_asks_on_the_terminal(self):
        self.cli("timers", "add", "--after", "1h")
        for answer, status, timers in (("n\n", 1, 1), ("", 1, 1),
                                       ("yes\n", 0, 0)):
            master, slave = pty.openpty()
            p = subprocess.Popen([FLOWDECK, "--endpoint", self.e.url,
                                  "reset"], stdin=slave,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=base_env(),
                                 text=True)
            os.close(slave)
            os.write(master, answer.encode() or b"\x04")  # ^D: end of input
            try:
                out, err = p.communicate(timeout=20)
            finally:
                os.close(master)
            self.assertEqual(p.returncode, status, (answer, out, err))
            self.assertTrue(err.startswith(
                "Reset all flowdeck state at %s? This empties every queue, "
                "flow and execution. [y/N] " % self.e.url), err)
            self.assertEqual(len(self.timer_refs()), timers, answer)

    def test_timers(self):
        self.assertEqual(self.cli("timers").stdout, "no timers\n")
        r = self.cli("timers", "add", "--after", "10m", "--ref", "r1",
                     "--payload", '{"n": 1}')
        m = re.match(r"^added timer (\S+), due (\S+)\n$", r.stdout)
        self.assertTrue(m, r.stdout)
        tid = m.group(1)
        added = self.json("timers", "add", "--at", "2099-01-01T00:00:00Z",
                          "--ref", "r2")
        self.assertEqual(added["kind"], "note")
        self.assertEqual(added["due"], "2099-01-01T00:00:00.000Z")

        items = self.json("timers", "list")["items"]
        self.assertEqual([t["ref"] for t in items], ["r1", "r2"])
        self.assertEqual(items[0]["payload"], {"n": 1})
        self.assertEqual(str(items[0]["id"]), tid)
        rows = self.table("timers", "list", "--kind", "note")
        self.assertEqual(rows[0], ["ID", "KIND", "REF", "DUE", "PAYLOAD"])
        self.assertEqual(rows[1][:3], [tid, "note", "r1"])
        self.assertEqual(rows[1][4], '{"n":1}')

        self.assertEqual(self.cli("timers", "cancel", tid).stdout,
                         "cancelled timer %s\n" % tid)
        self.assertEqual(self.timer_refs(), ["r2"])
        r = self.cli("timers", "cancel", tid, ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(NotFound)", r.stderr)

    def test_journal(self):
        self.assertEqual(self.cli("journal").stdout, "no journal records\n")
        self.cli("timers", "add", "--after", "1m", "--ref", "j1",
                 "--payload", '{"say": "hello"}')
        self.cli("clock", "advance", "2m")
        deadline = time.time() + 10
        while time.time() < deadline:
            items = self.json("journal")["items"]
            if items:
                break
            time.sleep(0.1)
        self.assertTrue(items, "the due timer journaled nothing")
        rec = items[0]
        rows = self.table("journal")
        self.assertEqual(rows[0], ["SEQ", "TIME", "KIND", "ID", "TYPE",
                                   "DETAIL"])
        self.assertEqual(rows[1][:5], [str(rec["seq"]), rec["time"],
                                       rec["kind"], str(rec["id"]),
                                       rec["type"]])
        self.assertIn("hello", rows[1][5])
        filtered = self.json("journal", "--kind", rec["kind"], "--id",
                             str(rec["id"]), "--type", rec["type"],
                             "--limit", "1")["items"]
        self.assertEqual(filtered, [rec])
        self.assertEqual(self.json("journal", "--kind", "no-such-kind")
                         ["items"], [])

    def test_journal_detail_cut_to_fit(self):
        self.cli("timers", "add", "--after", "1s", "--payload",
                 json.dumps({"long": "x" * 300}))
        self.cli("clock", "advance", "1m")
        deadline = time.time() + 10
        while not self.json("journal")["items"] and time.time() < deadline:
            time.sleep(0.1)
        out = self.cli("journal", env={"COLUMNS": "100"}).stdout
        lines = out.splitlines()
        self.assertGreater(len(lines), 1)
        for line in lines:
            self.assertLessEqual(len(line), 100, line)
        self.assertTrue(lines[1].endswith("..."), lines[1])

    def test_logs(self):
        r = self.cli("logs", "-n", "3")
        lines = r.stdout.splitlines()
        self.assertTrue(0 < len(lines) <= 3, lines)
        for line in lines:
            self.assertRegex(line, r"^20\d\d-\S+ (debug|info |warn |error) ")
        for line in self.cli("-o", "json", "logs").stdout.splitlines():
            obj = json.loads(line)
            self.assertIn("msg", obj)
            self.assertIn("level", obj)

    def test_logs_follow_until_interrupted(self):
        p = subprocess.Popen([FLOWDECK, "--endpoint", self.e.url, "logs",
                              "-f", "-n", "1", "-o", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=base_env(), text=True)
        lines = queue.Queue()

        def read():
            for line in p.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        seen = []
        try:
            first = lines.get(timeout=10)
            self.assertIn("msg", json.loads(first))
            # something new to log
            self.cli("snapshot", "save", "follow-me")
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.time()))
                except queue.Empty:
                    break
                if line is None:
                    break
                seen.append(json.loads(line))
                if "follow-me" in line:
                    break
            p.send_signal(signal.SIGINT)
            p.wait(timeout=10)
            err = p.stderr.read()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            reader.join(10)
            p.stdout.close()
            p.stderr.close()
        self.assertTrue(any("follow-me" in r["msg"] for r in seen), seen)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(err, "")


class WithToken(EngineTestCase):
    def test_token_from_option_and_environment(self):
        e = self.engine(auth_token="s3cret")
        r = run_cli(["--endpoint", e.url, "status"])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^flowdeck: .+ \(Unauthorized\)\n$")
        r = run_cli(["--endpoint", e.url, "--token", "s3cret", "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["--endpoint", e.url, "clock"],
                    env={"FLOWDECK_AUTH_TOKEN": "s3cret"})
        self.assertEqual(r.returncode, 0, r.stderr)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class UpAndDown(unittest.TestCase):
    """`flowdeck up` / `down` with a daemonized engine on a free port."""

    def setUp(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.data_dir = new_data_dir("cli-up")
        self.env = {"FLOWDECK_ENDPOINT": self.url,
                    "FLOWDECK_DATA_DIR": self.data_dir}
        self.pids = []
        self.addCleanup(self.remove_data_dir)
        self.addCleanup(self.stop_engines)

    def remove_data_dir(self):
        """Kept when the test failed: the engine log is in there."""
        if getattr(self._outcome, "success", True):
            shutil.rmtree(self.data_dir, ignore_errors=True)
        else:
            print("\n--- data dir kept: %s" % self.data_dir)

    def stop_engines(self):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def up(self, *args, env=None):
        r = run_cli(["up"] + list(args), env=env or self.env)
        m = re.search(r"\(pid (\d+),", r.stdout)
        if m:
            self.pids.append(int(m.group(1)))
        return r

    def test_up_status_down(self):
        r = self.up()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            r.stdout, "flowdeck engine up at %s (pid %d, data dir %s, log "
            "%s/engine.log)\n" % (self.url, self.pids[0], self.data_dir,
                                  self.data_dir))
        self.assertTrue(os.path.exists(
            os.path.join(self.data_dir, "engine.log")))
        os.kill(self.pids[0], 0)  # it runs

        r = self.up()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout,
                         "flowdeck engine already running at %s\n" % self.url)

        r = run_cli(["status"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("state     up", r.stdout)
        self.assertIn("pid       %d" % self.pids[0], r.stdout)

        r = run_cli(["down"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "flowdeck engine stopped\n")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.kill(self.pids[0], 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            self.fail("the engine process is still there after down")

        r = run_cli(["status"], env=self.env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("down", r.stdout)
        r = run_cli(["down"], env=self.env)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "no engine running at %s\n" % self.url)

    def test_up_with_listen_and_json(self):
        port = free_port()
        r = run_cli(["up", "--listen", "127.0.0.1:%d" % port, "-o", "json"],
                    env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.pids.append(info["pid"])
        self.assertEqual(info["listen"], "127.0.0.1:%d" % port)
        self.assertEqual(info["data_dir"], self.data_dir)
        other = "http://127.0.0.1:%d" % port
        r = run_cli(["down", "--endpoint", other], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_up_passes_the_token_on(self):
        env = dict(self.env, FLOWDECK_AUTH_TOKEN="t0ken")
        r = self.up(env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["-o", "json", "status"], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(json.loads(r.stdout)["auth"])
        r = run_cli(["status"], env=self.env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(Unauthorized)", r.stderr)
        r = run_cli(["down"], env=self.env)  # the token is needed here too
        self.assertEqual(r.returncode, 1)
        r = run_cli(["down", "--token", "t0ken"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_up_when_another_program_holds_the_port(self):
        srv = http.server.HTTPServer(("127.0.0.1", self.port), QuietHandler)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        try:
            r = self.up()
        finally:
            srv.shutdown()
            srv.server_close()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(r.stderr, "flowdeck: port 127.0.0.1:%d is held by "
                         "another program\n" % self.port)
        self.assertEqual(r.stdout, "")

    def test_up_relays_why_the_engine_failed(self):
        first = self.up()
        self.assertEqual(first.returncode, 0, first.stderr)
        # same data dir, another port: the engine refuses, and says why
        port = free_port()
        env = dict(self.env, FLOWDECK_ENDPOINT="http://127.0.0.1:%d" % port)
        r = self.up(env=env)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stderr, r"^flowdeckd: data dir .* is in use by "
                                   r"another flowdeckd \(pid %d\)\n$"
                         % self.pids[0])
        r = run_cli(["down"], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
