"""Function invocations are recorded when they start: listed with status
"running" (and no duration yet) while they run, the same record updated
when they end, and marked failed (EngineInterrupted) by the next start of
an engine killed while they ran. The list of functions carries the counts
the console shows (invocations, failures, running, the newest invocation,
the queue triggers) and GET /v1/info names the queue triggers whose
newest invocation failed. Nothing asserts on timing: waits poll with a
generous deadline."""

import os
import signal
import sys
import tempfile
import time
import unittest

from harness import EngineTestCase

HANDLERS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                        "fixtures", "handlers"))

# runs until the file named by argv[1] exists; writes its pid next to it
GATED = ("import os, sys, time\n"
         "open(sys.argv[1] + '.pid', 'w').write(str(os.getpid()))\n"
         "deadline = time.time() + 60\n"
         "while not os.path.exists(sys.argv[1]) and time.time() < deadline:\n"
         "    time.sleep(0.05)\n"
         "print('{\"done\": true}')\n")


class RunningInvocations(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.dir = tempfile.mkdtemp(prefix="fd-fn-")
        self.gate = os.path.join(self.dir, "gate")
        self.addCleanup(self.release)

    def release(self):
        """Let a gated child end (and kill it if an engine killed with -9
        left it behind)."""
        open(self.gate, "w").close()
        try:
            with open(self.gate + ".pid") as f:
                os.kill(int(f.read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def until(self, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = what()
            if got:
                return got
            time.sleep(0.05)
        self.fail("gave up waiting for %s" % what)

    def gated(self, name="slow"):
        self.e.ok("POST", "/v1/functions", {
            "name": name, "command": [sys.executable, "-c", GATED, self.gate],
            "timeout_seconds": 600}, status=201)

    def invocations(self, name):
        return self.e.ok("GET", "/v1/functions/%s/invocations" % name)[
            "items"]

    def listed(self, name):
        for f in self.e.ok("GET", "/v1/functions")["items"]:
            if f["name"] == name:
                return f
        self.fail("no function %s" % name)

    def test_listed_while_running_then_updated(self):
        self.gated()
        inv = self.e.ok("POST", "/v1/functions/slow/invocations",
                        {"event": {"n": 1}, "async": True}, status=202)
        items = self.until(lambda: self.invocations("slow"))
        self.assertEqual(len(items), 1)
        run = items[0]
        self.assertEqual((run["id"], run["status"], run["trigger"]),
                         (inv["id"], "running", "cli"))
        self.assertEqual(run["input"], {"n": 1})
        self.assertIn("started", run)
        self.assertNotIn("duration_ms", run)
        f = self.listed("slow")
        self.assertEqual((f["running"], f["invocations"], f["failures"]),
                         (1, 1, 0))
        self.assertEqual(f["last"]["status"], "running")
        self.assertNotIn("duration_ms", f["last"])
        open(self.gate, "w").close()
        done = self.until(lambda: (lambda i: i if i[0]["status"] != "running"
                                   else None)(self.invocations("slow")))
        self.assertEqual(len(done), 1)
        self.assertEqual((done[0]["id"], done[0]["status"], done[0]["seq"]),
                         (inv["id"], "succeeded", run["seq"]))
        self.assertEqual(done[0]["result"], {"done": True})
        self.assertIn("duration_ms", done[0])
        f = self.listed("slow")
        self.assertEqual((f["running"], f["invocations"], f["last"]["status"]),
                         (0, 1, "succeeded"))

    def test_a_killed_engine_leaves_no_invocation_running(self):
        self.gated()
        inv = self.e.ok("POST", "/v1/functions/slow/invocations",
                        {"async": True}, status=202)
        self.until(lambda: self.invocations("slow"))
        self.e.kill9()
        self.e.start()
        got = self.e.ok("GET", "/v1/functions/slow/invocations/" + inv["id"])
        self.assertEqual((got["status"], got["error"]),
                         ("failed", "EngineInterrupted"))
        self.assertIn("stopped while it ran", got["cause"])
        self.assertEqual(self.invocations("slow")[0]["status"], "failed")
        self.assertEqual(self.listed("slow")["failures"], 1)
        # the engine works on: a new invocation runs and ends
        self.release()
        ok = self.e.ok("POST", "/v1/functions/slow/invocations", {})
        self.assertEqual(ok["status"], "succeeded")

    def test_list_counts_and_failing_triggers(self):
        self.e.ok("POST", "/v1/functions", {
            "name": "batch",
            "command": [sys.executable, os.path.join(HANDLERS, "batch.py")]},
            status=201)
        self.e.ok("POST", "/v1/functions", {
            "name": "idle", "command": ["true"]}, status=201)
        f = self.listed("idle")
        self.assertEqual((f["invocations"], f["failures"], f["running"],
                          f["triggers"]), (0, 0, 0, []))
        self.assertNotIn("last", f)
        info = self.e.ok("GET", "/v1/info")["functions"]
        self.assertEqual((info["functions"], info["failing_triggers"],
                          info["failing"]), (2, 0, []))
        self.e.ok("POST", "/v1/queues", {"name": "work",
                                         "visibility_timeout": 600},
                  status=201)
        t = self.e.ok("POST", "/v1/functions/batch/triggers",
                      {"queue": "work", "batch_size": 1}, status=201)
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "crash"},
                  status=201)
        info = self.until(lambda: (lambda i: i if i["failing_triggers"]
                                   else None)(
            self.e.ok("GET", "/v1/info")["functions"]))
        self.assertEqual(info["triggers"], 1)
        bad = info["failing"][0]
        self.assertEqual((bad["function"], bad["queue"], bad["trigger_id"],
                          bad["status"], bad["error"], bad["state"]),
                         ("batch", "work", t["id"], "failed", "FunctionError",
                          "enabled"))
        self.assertIn("exit status 1", bad["cause"])
        self.assertEqual(self.e.ok(
            "GET", "/v1/functions/batch/invocations/" + bad["invocation"])[
                "trigger"], "queue:work")
        f = self.listed("batch")
        self.assertEqual((f["invocations"], f["failures"]), (1, 1))
        self.assertEqual(f["last"]["status"], "failed")
        self.assertEqual(f["last"]["error"], "FunctionError")
        self.assertEqual(f["triggers"], [{"id": t["id"], "queue": "work",
                                          "state": "enabled"}])
        # a success of the same trigger clears it
        self.e.ok("POST", "/v1/queues/work/purge")
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "fine"},
                  status=201)
        self.until(lambda: not self.e.ok("GET", "/v1/info")["functions"][
            "failing"])
        self.assertEqual(self.listed("batch")["invocations"], 2)


if __name__ == "__main__":
    unittest.main()
