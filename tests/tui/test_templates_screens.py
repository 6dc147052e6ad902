"""The Templates and Stacks screens, driven in tmux against a real engine
started with --templates on a folder the test writes: the catalog with a
template that does not load shown with its error, one template's README
and parameters, a deploy through the parameter form with one parameter
changed, the deploy's resources each Ready, a sample started and its
execution Succeeded, the stack with its resources and events, a delete
after a confirmation (and the queue gone from the engine), and a value
the template's pattern refuses, shown as the engine words it with
nothing created. A story test deploys a template that waits for a
callback, succeeds its task from the Tasks screen and sees every step of
the graph green. Each test quits with q and expects a clean exit (under
the sanitizers a leak makes the exit status 23)."""

import os
import re
import shutil
import tempfile
import unittest

from tmuxcase import TmuxTestCase

HELLO = {
    "template.yaml": """name: hello
description: A queue, a function and a flow that sends to the queue.
parameters:
  queue:
    description: The queue the flow sends to
    default: jobs
    pattern: "^[a-z][a-z0-9-]*$"
  greeting:
    description: What the function says
    default: hi
resources:
  - type: queue
    name: ${queue}
  - type: function
    name: greeter
    runtime: python3
    handler: greet.py
    timeout_seconds: 10
    env: {GREETING: "${greeting}"}
  - type: flow
    name: hello-flow
    definition: flow.yaml
samples:
  - name: ok
    description: Sends one order
    flow: hello-flow
    input: {order: 42}
""",
    "greet.py": """import json, os
print(json.dumps({"greeting": os.environ.get("GREETING", "")}))
""",
    "flow.yaml": """version: v1
type: flow
steps:
  - type: task
    name: send
    resourceArn: acs:mns:::/queues/${queue}/messages
    serviceParams:
      MessageBody: $
  - type: pass
    name: done
""",
    "README.md": """# hello

Sends each order to a queue, for the console tests.
""",
}

BROKEN = {
    "template.yaml": """name: broken
resources:
  - type: queue
    name: [oops
""",
}

CALLBACK = {
    "template.yaml": """name: callback
description: A flow that waits until its task is called back.
parameters:
  queue:
    description: Where the task token goes
    default: cb-jobs
resources:
  - type: queue
    name: ${queue}
  - type: flow
    name: cb-flow
    definition: flow.yaml
samples:
  - name: one
    description: One order to charge
    flow: cb-flow
    input: {order: 7}
""",
    "flow.yaml": """version: v1
type: flow
steps:
  - type: task
    name: charge
    resourceArn: acs:mns:::/queues/${queue}/messages
    pattern: waitForCallback
    timeoutSeconds: 3600
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
""",
}


class TemplatesScreens(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix="flowdeck-tpl-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        for name, files in (("hello", HELLO), ("broken", BROKEN),
                            ("callback", CALLBACK)):
            os.mkdir(os.path.join(self.dir, name))
            for path, text in files.items():
                with open(os.path.join(self.dir, name, path), "w") as f:
                    f.write(text)
        self.e = self.engine(extra_args=["--templates", self.dir])

    def queues(self):
        return [q["name"] for q in self.e.ok("GET", "/v1/queues")["items"]]

    def stacks(self):
        return [s["name"] for s in self.e.ok("GET", "/v1/stacks")["items"]]

    def test_deploy_start_stack_and_delete(self):
        self.open_home(self.e)

        # the catalog: the template that does not load says why, in full
        self.jump("templates")
        text = self.wait_for(lambda t: "hello" in t and "broken" in t,
                             "the template list")
        self.assertIn("NAME", text)
        self.assertIn("SOURCE", text)
        self.assertIn("3 of 3  1 not loading", text)
        self.assertRegex(text, r"hello\s+bundled\s+3 A queue, a function")
        self.assertRegex(text, r"broken\s+bundled\s+- error: broken/")
        # broken is first by name, so selected: its whole error below
        self.assertIn("broken/template.yaml:5:1: YAML syntax error", text)

        # '/' filters the list
        self.keys("/")
        self.type("hel")
        self.keys("Enter")
        text = self.wait_text("1 of 3")
        self.assertNotIn("broken", text)

        # Enter: the README and the parameters with their defaults
        self.keys("Enter")
        text = self.wait_text("PARAMETERS")
        self.assertIn(":template hello", text)
        self.assertIn("2 parameters", text)
        self.assertIn("Sends each order to a queue, for the console tests.",
                      text)
        self.assertIn("queue = jobs", text)
        self.assertIn("The queue the flow sends to", text)
        self.assertIn("pattern ^[a-z][a-z0-9-]*$", text)
        self.assertIn("greeting = hi", text)

        # ? lists the screen's keys
        self.keys("?")
        text = self.wait_text("keys: template")
        self.assertIn("deploy", text)
        self.keys("x")
        self.wait_for(lambda t: "keys: template" not in t, "help closed")

        # d: the form, prefilled; change the queue
        self.keys("d")
        text = self.wait_text("Deploy hello")
        self.assertRegex(text, r"stack\s+hello")
        self.assertRegex(text, r"queue\s+jobs")
        self.assertRegex(text, r"greeting\s+hi")
        self.keys("Tab", "C-u")
        self.type("orders")
        self.keys("Enter")

        # the deploy: each resource Ready, then the samples
        text = self.wait_text("SAMPLE")
        self.assertIn(":deploy hello", text)
        self.assertIn("\u2714 Ready", text.splitlines()[2])
        for kind, name in (("queue", "orders"), ("function", "greeter"),
                           ("flow", "hello-flow")):
            self.assertRegex(text, r"\u2714 Ready\s+%s\s+%s\s+Creating "
                                   r"\u2192 Ready" % (kind, name))
        self.assertRegex(text, r"ok\s+hello-flow\s+Sends one order")
        self.assertIn("orders", self.queues())

        # s: the sample's execution, to the end
        self.keys("s")
        text = self.wait_text("Succeeded", timeout=30)
        self.assertIn(":exec hello-flow/", text)
        msgs = self.e.ok("GET", "/v1/queues/orders/messages")["items"]
        self.assertEqual(len(msgs), 1)

        # :stacks lists it; Enter shows its resources and events
        self.jump("stacks")
        text = self.wait_text("1 of 1")
        self.assertRegex(text, r"hello\s+hello\s+\u2714 Ready\s+3\s+1 "
                               r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        self.keys("Enter")
        text = self.wait_text("EVENTS, newest last")
        self.assertIn(":stack hello", text)
        self.assertIn("template hello (bundled)", text)
        self.assertIn("queue=orders", text)
        self.assertRegex(text, r"\u2714 Ready\s+queue\s+orders")
        self.assertRegex(text, r"\u2714 Ready\s+function\s+greeter")
        self.assertRegex(text, r"\u2714 Ready\s+flow\s+hello-flow")
        self.assertRegex(text, r"#1\s+\u25b6 Creating\s+queue orders")

        # Enter on the queue: its browser
        self.keys("Enter")
        self.wait_text(":queues orders")
        self.keys("Escape")
        self.wait_text("EVENTS, newest last")

        # D asks first; n keeps it
        self.keys("D")
        self.wait_text("delete stack hello and its 3 resources?")
        self.keys("n")
        self.wait_for(lambda t: "delete stack hello" not in t, "no dialog")
        self.assertEqual(self.stacks(), ["hello"])

        # D, y: gone, and so is its queue
        self.keys("D")
        self.wait_text("delete stack hello and its 3 resources?")
        self.keys("y")
        text = self.wait_text("stack hello deleted")
        self.assertRegex(text, r"- Deleted\s+queue orders")
        self.assertEqual(self.stacks(), [])
        self.assertNotIn("orders", self.queues())
        self.keys("Escape")
        self.wait_text("0 of 0")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_refused_value_ascii(self):
        self.start_dashboard(self.e.url, lang="C", extra_env={"NO_COLOR": "1"})
        self.wait_text("COUNTS")
        self.jump("template hello")
        self.wait_text("PARAMETERS")
        self.keys("d")
        self.wait_text("Deploy hello")
        self.keys("Tab", "C-u")
        self.type("Not A Name")
        self.keys("Enter")
        text = self.wait_text("The engine refused the deploy:")
        self.assertIn("parameter 'queue': value 'Not A Name' does not match",
                      text)
        for line in text.splitlines():
            self.assertTrue(all(ord(c) < 128 for c in line), line)
        self.assertEqual(self.stacks(), [])
        self.assertEqual(self.queues(), [])
        self.assertEqual(self.e.ok("GET", "/v1/flows")["items"], [])

        # a deploy the engine takes, in ASCII
        self.keys("Escape")
        self.wait_text("PARAMETERS")
        self.keys("d")
        self.wait_text("Deploy hello")
        self.keys("Enter")
        text = self.wait_text("SAMPLE")
        self.assertRegex(text, r"\+ Ready\s+queue\s+jobs\s+Creating -> Ready")

        # r deploys again with the same params: nothing changes
        self.jump("stack hello")
        self.wait_text("EVENTS, newest last")
        self.keys("r")
        self.wait_text("deploy hello again from hello, same params?")
        self.keys("y")
        text = self.wait_text("deploy 2")
        self.assertRegex(text, r"\. Unchanged\s+queue\s+jobs")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_story_callback_succeeded_all_green(self):
        self.open_home(self.e)
        self.jump("template callback")
        self.wait_text("PARAMETERS")
        self.keys("d")
        self.wait_text("Deploy callback")
        self.keys("Enter")
        text = self.wait_text("SAMPLE")
        self.assertRegex(text, r"\u2714 Ready\s+flow\s+cb-flow")

        # the sample waits for its callback
        self.keys("s")
        text = self.wait_text("\u23f8 charge", timeout=30)
        self.assertIn(":exec cb-flow/", text)

        # the inbox: succeed it
        self.jump("tasks")
        self.wait_text(":tasks  1 waiting")
        self.keys("S")
        self.wait_text("Succeed")
        self.keys("Enter")
        self.wait_text(":tasks  0 waiting")

        # its execution: Succeeded, every step green
        self.keys("Escape")
        text = self.wait_text("\u2714 Succeeded", timeout=30)
        self.assertIn("( \u2714 End )", text)
        self.wait_text("\u2714 ship")
        # green is the colour of the title's "up", the theme's UP
        colour = self.tmux("capture-pane", "-e", "-p", "-t", "dash")
        sgr = r"((?:\x1b\[[0-9;]*m)*)"
        up = re.search(sgr + "\u25cf up", colour.splitlines()[0])
        self.assertIsNotNone(up, repr(colour.splitlines()[0]))
        self.assertRegex(up.group(1), r"\d")
        for step in ("charge", "ship"):
            line = next(l for l in colour.splitlines() if step in l and
                        "\u2502" in l)
            m = re.search(sgr + "\u2714(?:\x1b\[[0-9;]*m)* " + step, line)
            self.assertIsNotNone(m, repr(line))
            self.assertEqual(m.group(1), up.group(1), repr(line))
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
