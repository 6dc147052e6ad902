"""The Tasks screen (the callback inbox) and the flow lines of Home,
driven in tmux against a real engine: Home counts executions by status
and the tasks waiting with the oldest one's age; T opens the inbox with
each task's flow, execution, step, age, timeout and where its token
went; S succeeds, F fails, H heartbeats the selected task, checked over
the API; a shows every task; Enter opens its execution; ASCII at 80x24.
Each test quits with q and expects a clean exit (under the sanitizers a
leak makes the exit status 23)."""

import json
import re
import unittest

from tmuxcase import TmuxTestCase

CHARGE = """version: v1
type: flow
steps:
  - type: task
    name: charge
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    timeoutSeconds: 3600
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
"""

GREET = """version: v1
type: flow
steps:
  - type: pass
    name: hello
"""


class TasksScreen(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "order", "definition": CHARGE},
                  status=201)
        self.e.ok("POST", "/v1/flows", {"name": "greet", "definition": GREET},
                  status=201)

    def start(self, flow, name):
        return self.e.ok("POST", "/v1/executions", {"flow": flow,
                                                    "name": name}, status=201)

    def status(self, name):
        return self.e.ok("GET", "/v1/executions/" + name)["status"]

    def test_home_inbox_succeed_fail_heartbeat(self):
        self.start("order", "o-1")
        self.start("order", "o-2")
        self.start("greet", "g-1")
        tokens = [t["token"] for t in
                  self.e.ok("GET", "/v1/tasks")["items"]]
        self.assertEqual(len(tokens), 2)
        # the tokens went to the queue jobs, in the message bodies
        msgs = self.e.ok("GET", "/v1/queues/jobs/messages")["items"]
        self.assertEqual(sorted(json.loads(m["body"])["token"] for m in msgs),
                         sorted(tokens))
        self.open_home(self.e)

        # Home: executions by status, tasks waiting with the oldest's age
        text = self.wait_text("FLOWS")
        self.assertRegex(text, r"executions +\u25b6 2 running   \u2714 1 "
                               r"succeeded   \u2716 0 failed")
        self.assertRegex(text, r"tasks +\u23f8 2 waiting for a callback, "
                               r"the oldest for \d")
        self.assertIn("T tasks", text.splitlines()[-1])
        self.assertIn("q quit", text.splitlines()[-1])

        # T: the inbox, oldest first
        self.keys("T")
        text = self.wait_text(":tasks  2 waiting")
        self.assertIn("FLOW       EXECUTION    STEP       WAITING TIMEOUT   "
                      "TOKEN WENT TO", text)
        rows = [line for line in text.splitlines()
                if re.search(r"\u23f8 order", line)]
        self.assertEqual(len(rows), 2, text)
        self.assertRegex(rows[0], r"\u25b8  \u23f8 order +o-1 +charge +"
                                  r"\S+ in (59m\d\ds|1h00m) queue jobs")
        self.assertIn("o-2", rows[1])

        # S: succeed the selected (o-1) with an output object
        self.keys("S")
        self.wait_text("Succeed o-1 / charge")
        self.type("[1]")
        self.keys("Enter")
        self.wait_text("the output must be a JSON object")
        self.keys("C-u")
        self.type('{"receipt": "r-1"}')
        self.keys("Enter")
        text = self.wait_text(":tasks  1 waiting")
        self.assertNotRegex(text, r"order +o-1")
        self.assertEqual(self.status("o-1"), "Succeeded")
        out = self.e.ok("GET", "/v1/executions/o-1")["output"]
        self.assertEqual(out.get("receipt"), "r-1", out)

        # H: a heartbeat for o-2, which keeps waiting
        self.keys("H")
        self.wait_text("sent: heartbeat o-2 / charge")
        self.assertEqual(self.status("o-2"), "Running")

        # F: fail it
        self.keys("F")
        self.wait_text("Fail o-2 / charge")
        self.keys("C-u")
        self.type("OutOfStock")
        self.keys("Enter")
        text = self.wait_text(":tasks  0 waiting")
        self.assertIn("no task waits for a callback", text)
        self.assertEqual(self.status("o-2"), "Failed")
        x = self.e.ok("GET", "/v1/executions/o-2")
        self.assertEqual(x["error"], "OutOfStock")

        # a: every task, with what became of it
        self.keys("a")
        text = self.wait_text(":tasks  0 waiting of 2")
        self.assertRegex(text, r"\u2714 order +o-1 +charge +\S+ succeeded ")
        self.assertRegex(text, r"\u2716 order +o-2 +charge +\S+ failed ")
        # S on a task that no longer waits says so
        self.keys("S")
        self.wait_text("that task is succeeded, not waiting")

        # Enter opens the execution of the selected task
        self.keys("Enter")
        text = self.wait_text(":exec order/o-1")
        self.wait_text("( \u2714 End )")

        # back home: the counts moved on
        self.keys("Escape")
        self.wait_text(":tasks")
        self.keys("Escape")
        text = self.wait_for(lambda t: re.search(
            r"\u25b6 0 running   \u2714 2 succeeded   \u2716 1 failed", t),
            "the new counts")
        self.assertIn("none waiting for a callback", text)
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_exec_screen_callbacks_and_ascii(self):
        self.start("order", "o-3")
        self.start_dashboard(self.e.url, lang="C")
        self.wait_text("COUNTS")
        text = self.wait_text("= 1 waiting for a callback")
        self.assertRegex(text, r"executions +> 1 running   \+ 0 succeeded   "
                               r"x 0 failed")
        self.keys("T")
        text = self.wait_text(":tasks  1 waiting")
        self.assertRegex(text, r"> += order +o-3 +charge .* queue jobs - "
                               r"message")
        self.assertTrue(all(ord(c) < 128 for c in text), text)
        self.assertTrue(all(len(line) <= 80 for line in text.splitlines()))
        self.keys("Enter")
        self.wait_text("= Waiting")
        self.keys("S")
        self.wait_text("Succeed o-3 / charge")
        self.keys("Enter")  # empty: {}
        self.wait_text("+ Succeeded")
        self.assertEqual(self.status("o-3"), "Succeeded")
        self.keys("Escape")
        self.wait_text(":tasks  0 waiting")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
