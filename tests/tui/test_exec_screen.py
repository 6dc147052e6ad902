"""The Execution screens, driven in tmux against a real engine: start an
execution from the console and watch it go from Start to End; a
waitForCallback task to a queue shown waiting, failed from the console
and redriven; stop with a confirmation; the history and the input and
output; the executions list with its status filter; and the ASCII
screen at 80x24. What the console did is checked over the API too. Each
test quits with q and expects a clean exit (under the sanitizers a leak
makes the exit status 23)."""

import re
import unittest

from tmuxcase import TmuxTestCase

GREET = """version: v1
type: flow
steps:
  - type: pass
    name: hello
  - type: pass
    name: world
"""

# a task that sends its token to the queue jobs and waits for it
CHARGE = """version: v1
type: flow
steps:
  - type: task
    name: charge
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    inputMappings:
      - target: order
        source: $input.order
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
"""

# every shape the graph draws: a parallel with a task waiting in one
# branch, a foreach, a choice with a default
SHAPES = """version: v1
type: flow
steps:
  - type: pass
    name: validate
  - type: parallel
    name: notify
    branches:
      - steps:
          - type: pass
            name: email
      - steps:
          - type: task
            name: charge
            resourceArn: acs:mns:::/queues/jobs/messages
            pattern: waitForCallback
            inputMappings:
              - target: token
                source: $context.task.token
            serviceParams:
              MessageBody: $
  - type: foreach
    name: each-item
    iterationMapping:
      collection: $input.items
      item: item
    steps:
      - type: pass
        name: handle
  - type: choice
    name: route
    choices:
      - condition: $input.big == true
        steps:
          - type: pass
            name: big-order
    default:
      steps:
        - type: pass
          name: small-order
"""


class ExecScreen(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "greet", "definition": GREET},
                  status=201)
        self.e.ok("POST", "/v1/flows", {"name": "order", "definition": CHARGE},
                  status=201)

    def start(self, flow, name, **input):
        return self.e.ok("POST", "/v1/executions",
                         {"flow": flow, "name": name, "input": input},
                         status=201)

    def execution(self, name):
        return self.e.ok("GET", "/v1/executions/" + name)

    def open_exec(self, arg):
        self.jump("exec " + arg)
        return self.wait_text(":exec " + arg)

    def test_start_from_the_console_and_watch_it_succeed(self):
        self.open_home(self.e)
        self.jump("flows")
        self.wait_text("2 of 2")
        # greet is the first by name: s opens the start form on it
        self.keys("s")
        self.wait_text("Start greet")
        self.type('{"who": "ada"}')
        self.keys("Tab")
        self.type("run-1")
        self.keys("Enter")
        # the execution opens by itself and runs from Start to End
        text = self.wait_for(lambda t: "\u2714 Succeeded" in t and
                             "( \u2714 End )" in t, "the finished execution")
        self.assertIn(":exec greet/run-1", text)
        self.assertIn("( Start )", text)
        self.assertRegex(text, r"\u2502 \u2714 hello +\u2502 pass")
        self.assertRegex(text, r"\u2502 \u2714 world +\u2502 pass")
        # Start, hello, world, End in that order, top to bottom
        order = [text.index(s) for s in ("( Start )", "\u2714 hello",
                                         "\u2714 world", "\u2714 End")]
        self.assertEqual(order, sorted(order))
        # the selection ends on the last step, with its input below
        self.assertIn("world (pass)", text)
        self.assertIn('input   {"who":"ada"}', text)
        x = self.execution("run-1")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(x["input"], {"who": "ada"})

        # i: the input and output, pretty-printed
        self.keys("i")
        text = self.wait_text("OUTPUT")
        self.assertIn('   {\n     "who": "ada"\n   }', text)
        # h: the history as a table, the newest selected
        self.keys("h")
        text = self.wait_text("HISTORY")
        self.assertRegex(text, r"\b1 \d\d:\d\d:\d\d\.\d{3} ExecutionStarted")
        self.assertRegex(text, r"StepSucceeded\s+hello")
        self.assertRegex(text, r"ExecutionSucceeded")
        self.assertIn("%d events" % x["events"], text)
        # Esc: back to the graph, then to the flow list
        self.keys("Escape")
        self.wait_text("( Start )")
        self.keys("Escape")
        self.wait_text("2 of 2")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_waiting_task_fail_and_redrive(self):
        self.start("order", "o-1", order="A-17")
        self.open_home(self.e)
        text = self.open_exec("order/o-1")
        text = self.wait_for(lambda t: "\u23f8 Waiting" in t and
                             "\u23f8 charge" in t, "the waiting task")
        self.assertRegex(text, r"\u23f8 charge +\u2502 task \u2192 queue jobs "
                               r"\u00b7 waiting")
        self.assertRegex(text, r"\u00b7 ship +\u2502 pass")  # not reached
        self.assertIn("( End )", text)
        # the selection follows the waiting step: its input and token
        self.assertIn("charge (task)", text)
        self.assertRegex(text, r'input   \{"order":"A-17","token":"')
        self.assertRegex(text, r"token   \S+\u2026 \u2192 queue jobs \u00b7 "
                               r"message \S+")

        # F: fail the task from the console
        self.keys("F")
        self.wait_text("Fail o-1 / charge")
        self.keys("C-u")
        self.type("CardDeclined")
        self.keys("Tab")
        self.type("no funds")
        self.keys("Enter")
        text = self.wait_for(lambda t: "\u2716 Failed" in t and
                             "\u2716 charge" in t, "the failed execution")
        self.assertIn("failed: CardDeclined", text)
        self.assertIn("CardDeclined: no funds", text)
        x = self.execution("o-1")
        self.assertEqual((x["status"], x["error"]), ("Failed", "CardDeclined"))

        # R: redrive, and the task waits again
        self.keys("R")
        self.wait_for(lambda t: "\u23f8 Waiting" in t and
                      "\u23f8 charge" in t, "the redriven execution")
        self.assertEqual(self.execution("o-1")["status"], "Running")
        # and succeed it this time: it goes on to ship and End
        self.keys("S")
        self.wait_text("Succeed o-1 / charge")
        self.type('{"paid": true}')
        self.keys("Enter")
        text = self.wait_for(lambda t: "\u2714 Succeeded" in t and
                             "\u2714 ship" in t, "the succeeded execution")
        x = self.execution("o-1")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(x["output"].get("paid"), True, x)
        # R on a succeeded execution says why not
        self.keys("R")
        self.wait_text("only a Failed or TimedOut execution redrives")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_stop_with_confirmation(self):
        self.start("order", "o-2", order="A-18")
        self.open_home(self.e)
        self.open_exec("order/o-2")
        self.wait_text("\u23f8 Waiting")
        self.keys("x")
        self.wait_text("stop order/o-2?")
        self.keys("n")  # anything but y: nothing happens
        self.wait_for(lambda t: "stop order/o-2?" not in t, "the dialog gone")
        self.assertEqual(self.execution("o-2")["status"], "Running")
        self.keys("x")
        self.wait_text("stop order/o-2?")
        self.keys("y")
        text = self.wait_text("\u2716 Stopped")
        self.assertIn("( \u2716 End )", text)
        self.assertEqual(self.execution("o-2")["status"], "Stopped")
        # the waiting task was cancelled with it
        tasks = self.e.ok("GET", "/v1/tasks?status=all")["items"]
        self.assertEqual([t["status"] for t in tasks], ["cancelled"])
        self.keys("x")
        self.wait_text("o-2 is Stopped: nothing to stop")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_executions_list_and_filter(self):
        self.start("greet", "g-1")
        self.start("order", "o-3", order="A-19")
        self.open_home(self.e)
        self.keys("E")
        text = self.wait_for(lambda t: "o-3" in t and "g-1" in t,
                             "the executions")
        self.assertIn("STATUS      FLOW           NAME", text)
        self.assertRegex(text, r"\u23f8 Waiting +order +o-3 +charge ")
        self.assertRegex(text, r"\u2714 Succeeded +greet +g-1 ")
        # newest first
        self.assertLess(text.index("o-3"), text.index("g-1"))
        # f cycles the status filter: Running
        self.keys("f")
        text = self.wait_for(lambda t: "status Running" in t and
                             "g-1" not in t, "the running ones")
        self.assertIn("o-3", text)
        self.keys("f")
        text = self.wait_for(lambda t: "status Succeeded" in t and
                             "o-3" not in t, "the succeeded ones")
        self.assertIn("g-1", text)
        self.keys("Enter")
        self.wait_text(":exec greet/g-1")
        self.wait_text("( \u2714 End )")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_parallel_foreach_choice_scroll_at_80x24(self):
        self.e.ok("POST", "/v1/flows", {"name": "shapes",
                                        "definition": SHAPES}, status=201)
        self.start("shapes", "s-1", items=[1, 2, 3], big=True)
        self.open_home(self.e)
        self.open_exec("shapes/s-1")
        # the branches side by side in the parallel's frame; the view
        # follows the waiting task
        text = self.wait_for(lambda t: "\u23f8 charge" in t and
                             "charge (task)" in t, "the waiting branch")
        self.assertRegex(text, r"\u2554\u2550+ \u25b6 parallel notify \u00b7 "
                               r"running \S+ \u2550+\u2557")
        # (the notes beside the boxes go when they make it too wide)
        self.assertRegex(text, r"\u2551 \u2502 \u2714 email +\u2502.* "
                               r"\u2502 \u23f8 charge +\u2502")
        self.assertRegex(text, r"token   \S+ \u2192 queue jobs")
        # the graph is taller than its part of the screen: it scrolls
        self.assertRegex(text, r" 1-\d+ of \d+ ")
        self.assertNotIn("choice route", text)
        self.keys("G")  # the last step: the choice's default
        text = self.wait_text("small-order (pass)")
        self.assertRegex(text, r"\u2551 \$input.big == true +default +\u2551")
        self.assertRegex(text, r"\u00b7 big-order .*\u00b7 small-order")
        self.assertIn("( End )", text)
        self.assertNotIn("( Start )", text)
        self.keys("g")
        self.wait_text("( Start )")

        # the task succeeds elsewhere: the screen follows by itself
        token = self.e.ok("GET", "/v1/tasks")["items"][0]["token"]
        self.e.ok("POST", "/v1/tasks/%s/succeed" % token, {"output": {}})
        self.keys("f")  # follow the running step again
        text = self.wait_for(lambda t: "\u2714 Succeeded" in t and
                             "big-order (pass)" in t, "the end")
        self.assertRegex(text, r"\u2714 foreach each-item \u00b7 3/3 done")
        self.assertRegex(text, r"\u2714 choice route")
        self.assertRegex(text, r"\u2714 big-order .*\u00b7 small-order")
        lines = text.splitlines()
        self.assertEqual(len(lines), 24)
        self.assertTrue(all(len(line) <= 80 for line in lines))
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_ascii_80x24(self):
        self.start("greet", "g-2")
        self.start("order", "o-4", order="A-20")
        self.start_dashboard(self.e.url, lang="C")
        self.wait_text("COUNTS")
        self.open_exec("greet/g-2")
        text = self.wait_text("( + End )")
        self.assertIn("+ Succeeded", text)
        self.assertRegex(text, r"\| \+ hello +\| pass - \d+ms")
        self.assertRegex(text, r"\+-+\+-+\+")  # the edges meet: +---+---+
        lines = text.splitlines()
        self.assertEqual(len(lines), 24)
        self.assertTrue(all(len(line) <= 80 for line in lines))
        self.assertTrue(all(ord(c) < 128 for c in text), text)
        self.keys("Escape")
        self.open_exec("order/o-4")
        text = self.wait_text("= Waiting")
        self.assertRegex(text, r"\| = charge +\| task -> queue jobs - "
                               r"waiting")
        self.assertRegex(text, r"token   \S+\.\.\. -> queue jobs")
        self.assertTrue(all(ord(c) < 128 for c in text), text)
        self.jump("execs")
        text = self.wait_text("= Waiting")
        self.assertRegex(text, r"> += Waiting +order +o-4")
        self.assertRegex(text, r"\+ Succeeded +greet +g-2")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
