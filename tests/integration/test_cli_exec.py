"""`flowdeck exec ...` and `flowdeck tasks ...` against a real engine:
start (and --wait), list, show, history, stop and redrive of executions;
list, show, succeed, fail and heartbeat of task tokens, in tables and
-o json; and the errors and usage errors of both."""

import json
import os
import tempfile
import time
import unittest

from harness import EngineTestCase, run_cli

PASSES = """version: v1
type: flow
steps:
  - type: pass
    name: hello
  - type: pass
    name: world
"""

FAILS = """version: v1
type: flow
steps:
  - type: pass
    name: hello
  - type: fail
    name: refuse
    error: Refused
    cause: not today
"""

# A task that sends {"payload", "taskToken"} to queue jobs and waits for
# the token to be called back; no catch, so a failed task fails it all.
CALLBACK = """version: v1
type: flow
steps:
  - type: task
    name: dispatch
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    inputMappings:
      - target: payload
        source: $input.payload
      - target: taskToken
        source: $context.task.token
    serviceParams:
      MessageBody: $
    outputMappings:
      - target: result
        source: $local.result
  - type: pass
    name: done
"""

FOREACH = """version: v1
type: flow
steps:
  - type: foreach
    name: each
    iterationMapping:
      collection: $input.items
      item: item
    steps:
      - type: pass
        name: one
"""

TERMINAL = ("Succeeded", "Failed", "Stopped", "TimedOut")


class ExecCli(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def cli(self, *args, input=None, code=0):
        r = run_cli(["--endpoint", self.e.url] + list(args), input=input,
                    timeout=120)
        self.assertEqual(r.returncode, code, (args, r.stdout, r.stderr))
        return r

    def js(self, *args, input=None, code=0):
        return json.loads(self.cli("-o", "json", *args, input=input,
                                   code=code).stdout)

    def deploy(self, name, definition):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml",
                                         delete=False) as f:
            f.write(definition)
        self.addCleanup(os.unlink, f.name)
        self.cli("flows", "deploy", name, "-f", f.name)

    def until(self, what, probe):
        """Ask probe() until it answers something true; returns it. The
        deadline is only there to end a test that would hang."""
        deadline = time.monotonic() + 60
        while True:
            got = probe()
            if got:
                return got
            if time.monotonic() > deadline:
                self.fail("gave up waiting for " + what)
            time.sleep(0.05)

    def finished(self, name, *flow):
        """The execution once it has finished (engine-side long poll)."""
        def probe():
            x = self.js("exec", "show", name, *flow)
            return x if x["status"] in TERMINAL else None
        return self.until("execution %s to finish" % name, probe)

    def waiting_task(self, execution):
        """The waiting task of `execution` once there is one."""
        def probe():
            for t in self.js("tasks", "list")["items"]:
                if t["execution"] == execution:
                    return t
            return None
        return self.until("a task of " + execution, probe)

    def callback_setup(self):
        self.cli("queues", "create", "jobs")
        self.deploy("cb", CALLBACK)

    # -- executions --

    def test_start_wait_list_show_history(self):
        self.deploy("hello", PASSES)
        r = self.cli("exec", "start", "hello", "--name", "first", "--input",
                     '{"order": 17}', "--wait")
        self.assertIn("execution  first", r.stdout)
        self.assertIn("status     Succeeded", r.stdout)
        self.assertIn('input      {"order": 17}\n', r.stdout)
        self.assertEqual(r.stderr, "")
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write('{"order": 18}')
        self.addCleanup(os.unlink, f.name)
        x = self.js("exec", "start", "hello", "--name", "second", "--input",
                    "@" + f.name, "--wait", "60")
        self.assertEqual((x["name"], x["flow"], x["status"]),
                         ("second", "hello", "Succeeded"))
        self.assertEqual(x["input"], {"order": 18})
        self.assertEqual(len(x["version"]), 40)
        # without --wait: says it started; a UUID when no name is given
        r = self.cli("exec", "start", "hello")
        self.assertRegex(r.stdout, r"^execution [0-9a-f-]{36} of flow hello "
                                   r"started: \w+\n$")
        uuid = r.stdout.split()[1]
        self.finished(uuid)

        out = self.cli("exec", "list").stdout
        self.assertRegex(out, r"^NAME +FLOW +STATUS +STARTED +DURATION\n")
        self.assertRegex(out, r"\nfirst +hello +Succeeded +\S+Z +\S+\n")
        items = self.js("exec", "list", "--flow", "hello")["items"]
        self.assertEqual([i["name"] for i in items], [uuid, "second", "first"])
        self.assertEqual(len(self.js("exec", "list", "--limit", "2")
                             ["items"]), 2)
        self.assertIn("more: raise --limit",
                      self.cli("exec", "list", "--limit", "1").stdout)
        self.assertEqual(self.js("exec", "list", "--flow", "other")["items"],
                         [])
        self.assertEqual(self.cli("exec", "list", "--flow", "other").stdout,
                         "no executions\n")
        names = [i["name"] for i in self.js("exec", "list", "--status",
                                            "Succeeded")["items"]]
        self.assertEqual(sorted(names), sorted([uuid, "second", "first"]))

        show = self.cli("exec", "show", "first").stdout
        self.assertIn("flow       hello, version " + x["version"][:12], show)
        self.assertIn("status     Succeeded", show)
        self.assertRegex(show, r"\nstopped    \S+Z \(after \S+\)\n")
        self.assertNotIn("current steps", show)
        self.assertEqual(self.js("exec", "show", "first", "--flow",
                                 "hello")["name"], "first")

        hist = self.cli("exec", "history", "first").stdout
        self.assertRegex(hist, r"^ID +SCHED +TYPE +STEP +TIME +DETAIL\n")
        self.assertRegex(hist, r"\n1 +0 +ExecutionStarted +\S+Z ")
        self.assertIn("StepEntered", hist)
        self.assertIn("hello", hist)
        self.assertIn("ExecutionSucceeded", hist)
        events = self.js("exec", "history", "first")["items"]
        self.assertEqual(events[0]["type"], "ExecutionStarted")
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")
        self.assertEqual([ev["id"] for ev in events],
                         list(range(1, len(events) + 1)))
        self.assertEqual([ev["step"] for ev in events
                          if ev["type"] == "StepEntered"], ["hello", "world"])

        # a finished name cannot start again
        r = self.cli("exec", "start", "hello", "--name", "first", code=1)
        self.assertIn("AlreadyExists)", r.stderr)

    def test_wait_on_a_failing_flow_exits_1(self):
        self.deploy("no", FAILS)
        r = self.cli("exec", "start", "no", "--name", "n1", "--wait", code=1)
        self.assertIn("status     Failed", r.stdout)
        self.assertIn("error      Refused", r.stdout)
        self.assertIn("cause      not today", r.stdout)
        self.assertIn("execution n1 Failed: Refused", r.stderr)
        x = self.js("exec", "start", "no", "--name", "n2", "--wait", code=1)
        self.assertEqual((x["status"], x["error"]), ("Failed", "Refused"))
        hist = self.js("exec", "history", "n1")["items"]
        self.assertEqual(hist[-1]["type"], "ExecutionFailed")

    def test_wait_limit_ends_before_the_execution(self):
        self.callback_setup()
        r = self.cli("exec", "start", "cb", "--name", "slow", "--wait", "0",
                     code=1)
        self.assertIn("execution slow is still", r.stderr)
        self.assertIn("after 0s", r.stderr)
        # starting a running name again answers the running one
        x = self.js("exec", "start", "cb", "--name", "slow")
        self.assertNotIn(x["status"], TERMINAL)
        self.cli("exec", "stop", "slow")

    def test_same_name_in_two_flows_needs_flow(self):
        self.deploy("a", PASSES)
        self.deploy("b", PASSES)
        self.cli("exec", "start", "a", "--name", "twin", "--wait")
        self.cli("exec", "start", "b", "--name", "twin", "--wait")
        r = self.cli("exec", "show", "twin", code=1)
        self.assertIn("(Conflict)", r.stderr)
        self.assertEqual(self.js("exec", "show", "twin", "--flow",
                                 "b")["flow"], "b")
        self.assertEqual(len(self.js("exec", "history", "twin", "--flow",
                                     "a")["items"]) > 2, True)

    def test_history_follows_cursors(self):
        # 250 iterations make more events than one page (1000) holds
        self.deploy("each", FOREACH)
        self.cli("exec", "start", "each", "--name", "big", "--input",
                 json.dumps({"items": list(range(250))}), "--wait")
        events = self.js("exec", "history", "big")["items"]
        self.assertGreater(len(events), 1000)
        self.assertEqual([ev["id"] for ev in events],
                         list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")
        lines = self.cli("exec", "history", "big").stdout.splitlines()
        self.assertEqual(len(lines), len(events) + 1)
        self.assertRegex(lines[-1], r"^%d +\d+ +ExecutionSucceeded "
                         % len(events))
        self.assertEqual(self.js("exec", "show", "big")["status"],
                         "Succeeded")

    # -- tasks --

    def test_callback_succeed(self):
        self.callback_setup()
        self.cli("exec", "start", "cb", "--name", "order-1", "--input",
                 '{"payload": {"id": 1}}')
        task = self.waiting_task("order-1")
        token = task["token"]
        self.assertEqual((task["flow"], task["step"], task["status"]),
                         ("cb", "dispatch", "waiting"))
        self.assertEqual(task["target"]["queue"], "jobs")
        # the message on the queue carries the whole token
        msgs = self.js("queues", "peek", "jobs")["items"]
        self.assertEqual([m["id"] for m in msgs],
                         [task["target"]["message_id"]])
        body = json.loads(msgs[0]["body"])
        self.assertEqual(body, {"payload": {"id": 1}, "taskToken": token})

        out = self.cli("tasks", "list").stdout
        self.assertRegex(out, r"^FLOW +EXECUTION +STEP +WAITING +TIMEOUT +"
                              r"TOKEN +TARGET\n")
        self.assertIn("queue jobs · " + task["target"]["message_id"], out)
        self.assertIn(token[:8] + "..." + token[-8:], out)
        self.assertNotIn(token, out)
        self.assertRegex(out, r"\ncb +order-1 +dispatch +\S+ ")
        self.assertEqual(self.js("tasks", "list", "--flow", "cb")["items"][0]
                         ["token"], token)
        self.assertEqual(self.js("tasks", "list", "--flow", "other")["items"],
                         [])

        show = self.cli("tasks", "show", token).stdout
        self.assertIn("token         " + token, show)
        self.assertIn("status        waiting", show)
        self.assertIn("execution     order-1", show)
        self.assertIn("target        queue jobs · ", show)
        self.assertEqual(self.js("tasks", "show", token)["token"], token)
        x = self.cli("exec", "show", "order-1").stdout
        self.assertIn("current steps:", x)
        self.assertRegex(x, r"\ndispatch +waiting +\S+Z +%s\n" % token)

        self.assertIn("heartbeat sent",
                      self.cli("tasks", "heartbeat", token).stdout)
        r = self.cli("tasks", "succeed", token, "--output",
                     '{"result": "shipped"}')
        self.assertRegex(r.stdout, r"^task succeeded \(event \d+\)\n$")
        x = self.finished("order-1")
        self.assertEqual(x["status"], "Succeeded")
        self.assertIn("shipped", json.dumps(x["output"]))
        types = [ev["type"] for ev in
                 self.js("exec", "history", "order-1")["items"]]
        self.assertEqual(types[0], "ExecutionStarted")
        self.assertIn("TaskSubmitted", types)
        self.assertIn("TaskSucceeded", types)
        self.assertEqual(types[-1], "ExecutionSucceeded")

        # not waiting any more: a second callback is refused
        r = self.cli("tasks", "succeed", token, code=1)
        self.assertIn("(TaskNotWaiting)", r.stderr)
        self.assertEqual(self.cli("tasks", "list").stdout,
                         "no tasks waiting\n")
        out = self.cli("tasks", "list", "--all").stdout
        self.assertRegex(out, r"^FLOW +EXECUTION +STEP +STATUS +WAITING")
        self.assertIn("succeeded", out)
        self.assertEqual(self.js("tasks", "list", "-a")["items"][0]["status"],
                         "succeeded")

    def test_callback_default_output_and_output_file(self):
        self.callback_setup()
        self.cli("exec", "start", "cb", "--name", "plain")
        token = self.waiting_task("plain")["token"]
        self.assertIn("event_id", self.js("tasks", "succeed", token))
        self.assertEqual(self.finished("plain")["status"], "Succeeded")

        self.cli("exec", "start", "cb", "--name", "from-file")
        token = self.waiting_task("from-file")["token"]
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write('{"result": "from a file"}')
        self.addCleanup(os.unlink, f.name)
        self.cli("tasks", "succeed", token, "--output", "@" + f.name)
        x = self.finished("from-file")
        self.assertIn("from a file", json.dumps(x["output"]))

    def test_callback_fail_then_redrive(self):
        self.callback_setup()
        self.cli("exec", "start", "cb", "--name", "order-2")
        token = self.waiting_task("order-2")["token"]
        r = self.cli("tasks", "fail", token, "--error", "OutOfStock",
                     "--cause", "none left")
        self.assertRegex(r.stdout, r"^task failed \(event \d+\)\n$")
        x = self.finished("order-2")
        self.assertEqual((x["status"], x["error"]), ("Failed", "OutOfStock"))
        self.assertEqual(x.get("cause"), "none left")
        show = self.cli("exec", "show", "order-2").stdout
        self.assertIn("error      OutOfStock", show)
        types = [ev["type"] for ev in
                 self.js("exec", "history", "order-2")["items"]]
        self.assertIn("TaskFailed", types)
        self.assertEqual(types[-1], "ExecutionFailed")
        self.assertIn("failed", self.js("tasks", "show", token)["status"])
        r = self.cli("tasks", "fail", token, "--error", "Again", code=1)
        self.assertIn("(TaskNotWaiting)", r.stderr)

        # redrive runs the failed task again, with a new token
        r = self.cli("exec", "redrive", "order-2")
        self.assertIn("execution order-2 of flow cb: ", r.stdout)
        again = self.waiting_task("order-2")["token"]
        self.assertNotEqual(again, token)
        self.cli("tasks", "succeed", again)
        self.assertEqual(self.finished("order-2")["status"], "Succeeded")
        types = [ev["type"] for ev in
                 self.js("exec", "history", "order-2")["items"]]
        self.assertIn("ExecutionRedriven", types)
        self.assertEqual(types[-1], "ExecutionSucceeded")
        # only a Failed or TimedOut execution can be redriven
        r = self.cli("exec", "redrive", "order-2", code=1)
        self.assertIn("(Conflict)", r.stderr)

    def test_stop(self):
        self.callback_setup()
        self.cli("exec", "start", "cb", "--name", "order-3")
        token = self.waiting_task("order-3")["token"]
        r = self.cli("exec", "stop", "order-3", "--error", "Halted",
                     "--cause", "by hand")
        self.assertIn("order-3", r.stdout)
        x = self.finished("order-3")
        self.assertEqual((x["status"], x.get("error"), x.get("cause")),
                         ("Stopped", "Halted", "by hand"))
        self.assertEqual(self.js("tasks", "show", token)["status"],
                         "cancelled")
        types = [ev["type"] for ev in
                 self.js("exec", "history", "order-3")["items"]]
        self.assertEqual(types[-1], "ExecutionStopped")
        r = self.cli("exec", "stop", "order-3", code=1)
        self.assertIn("(Conflict)", r.stderr)
        r = self.cli("tasks", "heartbeat", token, code=1)
        self.assertIn("(TaskNotWaiting)", r.stderr)
        # stop with no error given
        self.cli("exec", "start", "cb", "--name", "order-4")
        self.assertEqual(self.js("exec", "stop", "order-4")["status"],
                         "Stopped")

    # -- errors --

    def test_engine_errors(self):
        self.deploy("hello", PASSES)
        for args, words in (
                (["exec", "show", "nope"], "'nope'"),
                (["exec", "history", "nope"], "'nope'"),
                (["exec", "stop", "nope"], "'nope'"),
                (["exec", "redrive", "nope"], "'nope'"),
                (["exec", "start", "no-such-flow"], "'no-such-flow'"),
                (["tasks", "show", "no-such-token"], "(TaskNotFound)"),
                (["tasks", "succeed", "no-such-token"], "(TaskNotFound)"),
                (["tasks", "fail", "no-such-token", "--error", "E"],
                 "(TaskNotFound)"),
                (["tasks", "heartbeat", "no-such-token"], "(TaskNotFound)")):
            r = self.cli(*args, code=1)
            self.assertIn(words, r.stderr, args)
            self.assertIn("NotFound)", r.stderr, args)
            self.assertTrue(r.stderr.startswith("flowdeck: "), args)
            self.assertEqual(r.stdout, "", args)
        r = self.cli("exec", "start", "hello", "--input", "@/no/such/file",
                     code=1)
        self.assertIn("cannot read /no/such/file", r.stderr)
        # nothing was started by any of it
        self.assertEqual(self.js("exec", "list")["items"], [])

    def test_usage_errors(self):
        self.deploy("hello", PASSES)
        for args, words in (
                (["exec", "start", "hello", "--input", "[1, 2]"],
                 "--input must be a JSON object"),
                (["exec", "start", "hello", "--input", "42"],
                 "not a number"),
                (["exec", "start", "hello", "--input", "{oops"],
                 "--input is not JSON: line 1"),
                (["tasks", "succeed", "t", "--output", '"done"'],
                 "--output must be a JSON object"),
                (["tasks", "fail", "t"], "needs --error"),
                (["exec", "bogus"], "no action 'bogus'"),
                (["tasks", "bogus"], "no action 'bogus'"),
                (["exec", "start"], "needs a flow name"),
                (["exec", "show"], "needs an execution name"),
                (["tasks", "succeed"], "needs a task token"),
                (["exec", "show", "a", "b"], "unexpected argument 'b'"),
                (["exec", "list", "x"], "takes no arguments"),
                (["tasks", "list", "x"], "takes no arguments"),
                (["exec", "list", "--error", "E"],
                 "--error does not go with exec list"),
                (["exec", "show", "x", "--wait"],
                 "--wait does not go with exec show"),
                (["tasks", "show", "t", "--all"],
                 "--all does not go with tasks show"),
                (["exec", "list", "--limit", "0"], "--limit"),
                (["exec", "start", "hello", "--wait", "soon"],
                 "unexpected argument 'soon'"),
                (["exec", "start", "hello", "--wait=-1"], "--wait")):
            r = self.cli(*args, code=2)
            self.assertIn(words, r.stderr, args)
            self.assertIn("usage: flowdeck", r.stderr, args)
            self.assertEqual(r.stdout, "", args)
        self.assertEqual(self.js("exec", "list")["items"], [])

    def test_help(self):
        for cmd in ("exec", "tasks"):
            for args in ([cmd, "--help"], ["help", cmd]):
                r = self.cli(*args)
                self.assertIn("usage: flowdeck " + cmd, r.stdout)
        self.assertRegex(self.cli("help").stdout, r"\n  exec +\S")
        self.assertRegex(self.cli("help").stdout, r"\n  tasks +\S")
        self.assertIn("--wait [SECONDS]", self.cli("exec", "--help").stdout)


if __name__ == "__main__":
    unittest.main()
