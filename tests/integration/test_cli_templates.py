"""`flowdeck templates` and `flowdeck stacks` against a real engine: the
catalog, deploys with each resource's states, parameters, demos that
follow a sample to the end, and the stacks left behind."""

import json
import os
import re
import unittest

from harness import run_cli
from test_templates import TemplatesBase, write

DEMO_FLOW = """\
version: v1
type: flow
steps:
  - type: pass
    name: greet
    outputMappings:
      - target: greeting
        source: $input.name
  - type: task
    name: hold
    resourceArn: acs:mns:::/queues/${queue}/messages
    pattern: waitForCallback
    inputMappings:
      - target: token
        source: $context.task.token
      - target: greeting
        source: $local.greeting
    serviceParams:
      MessageBody: $
"""

DEMO_WORKER = """\
import json, os, sys, urllib.request
batch = json.load(sys.stdin)
for m in batch["Records"]:
    body = json.loads(m["body"])
    req = urllib.request.Request(
        "%s/v1/tasks/%s/succeed" % (os.environ["FLOWDECK_ENDPOINT"],
                                    body["token"]),
        data=json.dumps({"output": {"said": body["greeting"]}}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req, timeout=10).read()
print(json.dumps({}))
"""

DEMO = """\
name: hello
description: A worker answers each greeting
parameters:
  queue:
    description: where greetings wait
    default: greetings
resources:
  - type: queue
    name: ${queue}
  - type: function
    name: ${queue}-worker
    runtime: python3
    handler: worker.py
  - type: trigger
    function: ${queue}-worker
    queue: ${queue}
    batch_size: 1
  - type: flow
    name: ${queue}-flow
    definition: flow.yaml
samples:
  - name: ada
    description: greets Ada
    input: {name: Ada}
  - name: bob
    input: {name: Bob}
"""


class CliTemplates(TemplatesBase):
    def cli(self, e, *args, rc=0):
        r = run_cli(["--endpoint", e.url] + list(args), timeout=90)
        self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
        return r

    def hello(self):
        d = os.path.join(self.root, "hello")
        write(d, "template.yaml", DEMO)
        write(d, "flow.yaml", DEMO_FLOW)
        write(d, "worker.py", DEMO_WORKER)
        write(d, "README.md", "# Hello\n\nSay hello through a queue.\n")

    def test_list_show_deploy_and_stacks(self):
        self.shop()
        self.hello()
        e = self.start()
        out = self.cli(e, "templates").stdout
        self.assertRegex(out, r"hello\s+bundled\s+4\s+A worker answers")
        self.assertRegex(out, r"shop\s+bundled\s+4\s+A queue")

        out = self.cli(e, "templates", "show", "hello").stdout
        self.assertRegex(out, r"queue\s+default greetings\s+where greetings")
        self.assertRegex(out, r"trigger\s+greetings-worker <- greetings")
        self.assertRegex(out, r"ada\s+flow greetings-flow\s+greets Ada")
        self.assertIn("Say hello through a queue.", out)

        out = self.cli(e, "templates", "deploy", "shop", "--param",
                       "queue=carts", "-p", "mood=busy", "--stack",
                       "carts").stdout
        self.assertIn("stack carts (template shop, bundled), deploy 1", out)
        self.assertRegex(out, r"queue\s+carts-dlq\s+Creating -> Ready")
        self.assertRegex(out, r"flow\s+carts-flow\s+Creating -> Ready")
        self.assertIn("stack carts is ready: 4 resources", out)
        self.assertEqual(e.ok("GET", "/v1/stacks/carts")["params"],
                         {"queue": "carts", "mood": "busy"})

        out = self.cli(e, "templates", "deploy", "shop", "--stack",
                       "carts").stdout
        self.assertRegex(out, r"queue\s+carts\s+Unchanged")

        j = json.loads(self.cli(e, "-o", "json", "stacks").stdout)
        self.assertEqual([s["name"] for s in j["items"]], ["carts"])
        out = self.cli(e, "stacks", "show", "carts").stdout
        self.assertIn("param      mood=busy", out)
        self.assertRegex(out, r"function\s+carts-worker\s+ready")
        out = self.cli(e, "stacks", "events", "carts").stdout
        self.assertRegex(out, r"2\s+\S+\s+queue\s+carts\s+unchanged")

        out = self.cli(e, "stacks", "delete", "carts").stdout
        self.assertRegex(out, r"queue\s+carts-dlq\s+Deleting -> Deleted")
        self.assertIn("stack carts deleted", out)
        self.assertEqual(self.cli(e, "stacks").stdout, "no stacks\n")

    def test_refusals_name_the_problem(self):
        self.shop()
        e = self.start()
        r = self.cli(e, "templates", "deploy", "shop", "-p", "mood=angry",
                     rc=1)
        self.assertIn("'angry' is not one of calm, busy", r.stderr)
        r = self.cli(e, "templates", "deploy", "shop", "-p", "mood", rc=2)
        self.assertIn("--param 'mood': expected K=V", r.stderr)
        r = self.cli(e, "templates", "deploy", rc=2)
        self.assertIn("needs a template name", r.stderr)
        r = self.cli(e, "templates", "show", "shop", "--stack", "x", rc=2)
        self.assertIn("--stack", r.stderr)
        r = self.cli(e, "stacks", "show", "nope", rc=1)
        self.assertIn("no stack 'nope'", r.stderr)
        self.assertEqual(e.ok("GET", "/v1/stacks")["items"], [])

    def test_demo_follows_a_sample_to_the_end(self):
        self.hello()
        e = self.start()
        out = self.cli(e, "templates", "demo", "hello", "--input", "bob",
                       "--timeout", "60").stdout
        self.assertIn("stack hello (template hello, bundled), deploy 1", out)
        self.assertRegex(out, r"sample bob: \{\"name\": ?\"Bob\"\}")
        steps = re.findall(r"^\s+[+-]\d+\.\d+s\s+(\w+)\s+(\S*)", out,
                           re.MULTILINE)
        types = [t for t, _ in steps]
        self.assertEqual(types[0], "ExecutionStarted")
        self.assertIn(("TaskSubmitted", "hold"), steps)
        self.assertEqual(types[-1], "ExecutionSucceeded")
        self.assertLess(types.index("TaskSubmitted"),
                        types.index("TaskSucceeded"))
        self.assertIn("Succeeded", out.splitlines()[-2])
        self.assertIn('output: {"greeting":"Bob","said":"Bob"}', out)

        # a second demo reuses the stack (a deploy that changes nothing)
        out = self.cli(e, "templates", "demo", "hello").stdout
        self.assertRegex(out, r"queue\s+greetings\s+Unchanged")
        self.assertIn("sample ada", out)
        r = self.cli(e, "templates", "demo", "hello", "--input", "zed", rc=1)
        self.assertIn("no such sample", r.stderr)


if __name__ == "__main__":
    unittest.main()
