"""Templates and stacks through the real engine: the catalog, deploys that
are all or nothing, redeploys that apply changes, deletes that remove
what the stack made and nothing else, and templates that try to leave
their folder."""

import json
import os
import shutil
import tempfile
import textwrap
import time
import unittest

from harness import EngineTestCase

WORKER = """\
import json, os, sys
event = json.load(sys.stdin)
with open("greeting.txt") as f:
    greeting = f.read().strip()
print(json.dumps({"greeting": greeting, "queue": os.environ["QUEUE"],
                  "event": event}))
"""

FLOW = """\
version: v1
type: flow
steps:
  - type: task
    name: send
    resourceArn: acs:mns:::/queues/${queue}/messages
    pattern: requestResponse
    serviceParams:
      MessageBody: $
      Priority: 2
"""

TEMPLATE = """\
name: shop
description: A queue, its dead-letter queue, a worker and a flow
parameters:
  queue:
    description: the queue the flow sends to
    default: orders
    pattern: "^[a-z][a-z0-9-]*$"
  mood:
    description: how the worker feels
    default: calm
    allowed: [calm, busy]
resources:
  - type: flow
    name: ${queue}-flow
    definition: flow.yaml
  - type: queue
    name: ${queue}
    visibility_timeout: 20
    dead_letter_queue: ${queue}-dlq
    max_receives: 3
  - type: queue
    name: ${queue}-dlq
  - type: function
    name: ${queue}-worker
    runtime: python3
    handler: worker.py
    env: {QUEUE: "${queue}", MOOD: "${mood}"}
samples:
  - name: small
    description: one small order
    input: {order: 1, queue: "${queue}"}
  - name: big
    file: samples/big.json
"""


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


class TemplatesBase(EngineTestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="flowdeck-tmpl-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def shop(self, name="shop", template=TEMPLATE):
        d = os.path.join(self.root, name)
        write(d, "template.yaml", template.replace("name: shop", "name: " +
                                                   name, 1))
        write(d, "flow.yaml", FLOW)
        write(d, "worker.py", WORKER)
        write(d, "greeting.txt", "hello\n")
        write(d, "samples/big.json", json.dumps({"order": 99}))
        write(d, "README.md", "# Shop\n\nA small shop.\n")
        return d

    def start(self):
        return self.engine(extra_args=["--templates", self.root])

    def names(self, e):
        """Every resource an engine has, by kind."""
        return {
            "queues": sorted(q["name"] for q in
                             e.ok("GET", "/v1/queues")["items"]),
            "functions": sorted(f["name"] for f in
                                e.ok("GET", "/v1/functions")["items"]),
            "flows": sorted(f["name"] for f in
                            e.ok("GET", "/v1/flows")["items"]),
            "topics": sorted(t["name"] for t in
                             e.ok("GET", "/v1/topics")["items"]),
            "stacks": sorted(s["name"] for s in
                             e.ok("GET", "/v1/stacks")["items"]),
        }


class Catalog(TemplatesBase):
    def test_list_and_show(self):
        self.shop()
        write(self.root, "broken/template.yaml", "name: broken\nresources: [\n")
        e = self.start()
        items = {t["name"]: t for t in e.ok("GET", "/v1/templates")["items"]}
        self.assertEqual(items["shop"]["source"], "bundled")
        self.assertEqual(items["shop"]["parameters"], 2)
        self.assertEqual(items["shop"]["resources"], 4)
        # a template that does not load is listed with why
        self.assertIn("broken/template.yaml:3:1", items["broken"]["error"])

        t = e.ok("GET", "/v1/templates/shop")
        self.assertEqual([(p["name"], p["default"]) for p in t["parameters"]],
                         [("queue", "orders"), ("mood", "calm")])
        self.assertEqual(t["parameters"][1]["allowed"], ["calm", "busy"])
        self.assertIn("A small shop", t["readme"])
        self.assertEqual(t["samples"], [
            {"name": "small", "description": "one small order",
             "flow": "orders-flow", "input": {"order": 1, "queue": "orders"}},
            {"name": "big", "description": "", "flow": "orders-flow",
             "input": {"order": 99}}])
        status, j = e.get("/v1/templates/nope")
        self.assertEqual((status, j["code"]), (404, "TemplateNotFound"))


class Deploy(TemplatesBase):
    def test_deploy_runs_and_redeploys(self):
        self.shop()
        e = self.start()
        s = e.ok("POST", "/v1/stacks", {"template": "shop"}, status=201)
        self.assertEqual((s["name"], s["status"], s["deploys"]),
                         ("shop", "ready", 1))
        self.assertEqual(s["params"], {"queue": "orders", "mood": "calm"})
        # dependency order: the dead-letter queue before its queue, the
        # function, then the flow that uses the queue
        made = [(ev["type"], ev["name"]) for ev in s["events"]
                if ev["status"] == "ready"]
        self.assertEqual(made, [("queue", "orders-dlq"), ("queue", "orders"),
                                ("function", "orders-worker"),
                                ("flow", "orders-flow"), ("stack", "shop")])
        self.assertEqual([ev["status"] for ev in s["events"][:2]],
                         ["creating", "ready"])
        self.assertEqual({r["status"] for r in s["resources"]}, {"ready"})
        q = e.ok("GET", "/v1/queues/orders")
        self.assertEqual(q["dead_letter_queue"], "orders-dlq")
        self.assertEqual(q["visibility_timeout"], 20)

        # the sample runs: the flow sends to the stack's queue
        t = e.ok("GET", "/v1/templates/shop")
        x = e.ok("POST", "/v1/executions",
                 {"flow": "orders-flow", "input": t["samples"][0]["input"]},
                 status=201)
        if x["status"] == "Running":
            x = e.ok("GET", "/v1/executions/%s?wait=20" % x["name"])
        self.assertEqual(x["status"], "Succeeded", x)
        msgs = e.ok("GET", "/v1/queues/orders/messages")["items"]
        self.assertEqual(json.loads(msgs[0]["body"]),
                         {"order": 1, "queue": "orders"})
        self.assertEqual(msgs[0]["priority"], 2)

        # the function runs from the stack's copy, with its files and env
        inv = e.ok("POST", "/v1/functions/orders-worker/invocations",
                   {"event": {"n": 1}}, status=200)
        self.assertEqual(inv["status"], "succeeded", inv)
        self.assertEqual(inv["result"]["greeting"], "hello")
        self.assertEqual(inv["result"]["queue"], "orders")
        fn = e.ok("GET", "/v1/functions/orders-worker")
        self.assertTrue(fn["cwd"].startswith(e.data_dir), fn)

        # deploying again with the same template changes nothing
        s2 = e.ok("POST", "/v1/stacks", {"template": "shop"})
        self.assertEqual(s2["deploys"], 2)
        self.assertEqual({ev["status"] for ev in s2["events"]
                          if ev["type"] != "stack"}, {"unchanged"})
        versions = e.ok("GET", "/v1/flows/orders-flow/versions")["items"]
        self.assertEqual(len(versions), 1)

        # a changed flow gets a new version; a changed file is seen by the
        # function after the redeploy (not before: it runs from the copy)
        write(os.path.join(self.root, "shop"), "greeting.txt", "bonjour\n")
        write(os.path.join(self.root, "shop"), "flow.yaml",
              FLOW.replace("Priority: 2", "Priority: 5"))
        inv = e.ok("POST", "/v1/functions/orders-worker/invocations",
                   {"event": {}})
        self.assertEqual(inv["result"]["greeting"], "hello")
        s3 = e.ok("POST", "/v1/stacks", {"template": "shop"})
        flow_events = [ev["status"] for ev in s3["events"]
                       if ev["type"] == "flow"]
        self.assertEqual(flow_events, ["updating", "ready"])
        self.assertEqual(
            len(e.ok("GET", "/v1/flows/orders-flow/versions")["items"]), 2)
        inv = e.ok("POST", "/v1/functions/orders-worker/invocations",
                   {"event": {}})
        self.assertEqual(inv["result"]["greeting"], "bonjour")

        # the history of every deploy
        evs = e.ok("GET", "/v1/stacks/shop/events")["items"]
        self.assertEqual(sorted({ev["deploy"] for ev in evs}), [1, 2, 3])

    def test_redeploy_with_other_params_replaces_what_changed(self):
        self.shop()
        e = self.start()
        e.ok("POST", "/v1/stacks", {"template": "shop"}, status=201)
        s = e.ok("POST", "/v1/stacks",
                 {"template": "shop", "params": {"queue": "carts"}})
        self.assertEqual(s["params"]["queue"], "carts")
        # the stack's samples name its own flow, not the default's
        st = e.ok("GET", "/v1/stacks/shop")
        self.assertEqual([x["flow"] for x in st["samples"]],
                         ["carts-flow", "carts-flow"])
        self.assertEqual(st["samples"][0]["input"],
                         {"order": 1, "queue": "carts"})
        names = self.names(e)
        self.assertEqual(names["queues"], ["carts", "carts-dlq"])
        self.assertEqual(names["functions"], ["carts-worker"])
        self.assertEqual(names["flows"], ["carts-flow"])
        deleted = [(ev["type"], ev["name"]) for ev in s["events"]
                   if ev["status"] == "deleted"]
        self.assertEqual(deleted, [("flow", "orders-flow"),
                                   ("function", "orders-worker"),
                                   ("queue", "orders"),
                                   ("queue", "orders-dlq")])

    def test_two_stacks_of_one_template_and_delete(self):
        self.shop()
        e = self.start()
        e.ok("POST", "/v1/queues", {"name": "mine"}, status=201)
        e.ok("POST", "/v1/stacks", {"template": "shop"}, status=201)
        e.ok("POST", "/v1/stacks", {"template": "shop", "stack": "shop-b",
                                    "params": {"queue": "b"}}, status=201)
        self.assertEqual(self.names(e)["stacks"], ["shop", "shop-b"])
        listed = e.ok("GET", "/v1/stacks")["items"]
        self.assertEqual([s["resources"] for s in listed], [4, 4])

        out = e.ok("DELETE", "/v1/stacks/shop")
        self.assertEqual([ev["status"] for ev in out["events"]][-1],
                         "deleted")
        names = self.names(e)
        self.assertEqual(names["queues"], ["b", "b-dlq", "mine"])
        self.assertEqual(names["functions"], ["b-worker"])
        self.assertEqual(names["stacks"], ["shop-b"])
        self.assertFalse(os.path.exists(
            os.path.join(e.data_dir, "stacks", "shop")))
        status, j = e.get("/v1/stacks/shop")
        self.assertEqual((status, j["code"]), (404, "StackNotFound"))

        # a resource deleted by hand is reported missing, then remade
        e.ok("DELETE", "/v1/queues/b-dlq", status=204)
        st = e.ok("GET", "/v1/stacks/shop-b")
        self.assertIn({"type": "queue", "name": "b-dlq",
                       "status": "missing"}, st["resources"])
        s = e.ok("POST", "/v1/stacks", {"template": "shop",
                                        "stack": "shop-b"})
        self.assertIn(("queue", "b-dlq", "creating"),
                      [(ev["type"], ev["name"], ev["status"])
                       for ev in s["events"]])
        self.assertIn("b-dlq", self.names(e)["queues"])

    def test_survives_kill9_after_the_answer(self):
        self.shop()
        e = self.start()
        e.ok("POST", "/v1/stacks", {"template": "shop"}, status=201)
        e.kill9()
        e.start()
        st = e.ok("GET", "/v1/stacks/shop")
        self.assertEqual([r["status"] for r in st["resources"]],
                         ["ready"] * 4)
        inv = e.ok("POST", "/v1/functions/orders-worker/invocations",
                   {"event": {}})
        self.assertEqual(inv["status"], "succeeded", inv)


class Refused(TemplatesBase):
    """Every bad template or request: a clear error, and nothing made."""

    def refused(self, e, body, status, *fragments):
        before = self.names(e)
        got, j = e.post("/v1/stacks", body)
        self.assertEqual(got, status, j)
        for f in fragments:
            self.assertIn(f, j["message"])
        self.assertEqual(self.names(e), before)
        self.assertFalse(os.path.exists(os.path.join(
            e.data_dir, "stacks", body.get("stack", body["template"]),
            "files")))
        return j

    def variant(self, name, old, new):
        d = self.shop(name)
        with open(os.path.join(d, "template.yaml")) as f:
            text = f.read()
        self.assertIn(old, text)
        write(d, "template.yaml", text.replace(old, new, 1))
        return d

    def test_bad_templates(self):
        self.variant("syntax", "resources:\n", "resources: [\n")
        self.variant("badtype", "type: queue\n    name: ${queue}\n",
                     "type: queu\n    name: ${queue}\n")
        self.variant("cmd", "    runtime: python3\n",
                     "    runtime: python3\n    command: [rm, -rf, /]\n")
        self.variant("escape", "handler: worker.py", "handler: ../x.py")
        self.variant("unknownparam", "name: ${queue}-dlq",
                     "name: ${nope}-dlq")
        self.variant("badfield", "visibility_timeout: 20",
                     "visibility_tmeout: 20")
        d = self.shop("badflow")
        write(d, "flow.yaml", FLOW.replace("type: task", "type: taks"))
        d = self.shop("link")
        os.remove(os.path.join(d, "worker.py"))
        os.symlink("/etc/passwd", os.path.join(d, "worker.py"))
        d = self.shop("linkcopy")
        os.symlink("/etc", os.path.join(d, "elsewhere"))
        self.variant("late", "visibility_timeout: 20",
                     "visibility_timeout: 999999999")
        e = self.start()

        self.refused(e, {"template": "syntax"}, 400,
                     "syntax/template.yaml:", "YAML syntax error")
        self.refused(e, {"template": "badtype"}, 400,
                     "badtype/template.yaml:16:11",
                     "unknown resource type 'queu'")
        self.refused(e, {"template": "cmd"}, 400,
                     "cmd/template.yaml:26:14",
                     "cannot give a function a command")
        self.refused(e, {"template": "escape"}, 400,
                     "'../x.py' is not a path inside the template folder")
        self.refused(e, {"template": "unknownparam"}, 400,
                     "unknownparam/template.yaml:22:11",
                     "unknown parameter 'nope'")
        self.refused(e, {"template": "badfield"}, 400,
                     "badfield/template.yaml:18:24",
                     "queue: unknown field 'visibility_tmeout'")
        self.refused(e, {"template": "badflow"}, 400,
                     "badflow/flow.yaml:4:11", "unknown step type 'taks'")
        self.refused(e, {"template": "link"}, 400,
                     "leads out of the template folder")
        self.refused(e, {"template": "linkcopy"}, 400,
                     "'elsewhere' leads out of the template folder")
        # a value the queue service refuses, met after other resources
        # were made: the whole deploy is undone
        self.refused(e, {"template": "late"}, 400, "queue 'orders'",
                     "visibility_timeout", "nothing was deployed")
        self.assertEqual(e.ok("GET", "/v1/journal?kind=stack")["items"], [])

    def test_bad_requests(self):
        self.shop()
        e = self.start()
        self.refused(e, {"template": "shop", "params": {"queue": "Bad!"}},
                     400, "parameter 'queue'", "does not match")
        self.refused(e, {"template": "shop", "params": {"mood": "angry"}},
                     400, "'angry' is not one of calm, busy")
        self.refused(e, {"template": "shop", "params": {"color": "red"}},
                     400, "no parameter 'color'", "queue, mood")
        self.refused(e, {"template": "shop", "stack": "../up"}, 400,
                     "stack must be")
        self.refused(e, {"template": "nope"}, 404, "no template 'nope'")
        self.refused(e, {"template": "shop", "extra": 1}, 400, "extra")

    def test_parameters_cannot_add_structure_to_a_flow(self):
        d = self.shop()
        with open(os.path.join(d, "template.yaml")) as f:
            text = f.read()
        write(d, "template.yaml", text.replace(
            'pattern: "^[a-z][a-z0-9-]*$"', 'pattern: "^.*$"'))
        e = self.start()
        self.refused(e, {"template": "shop",
                         "params": {"queue": "x\n  - type: fail"}}, 400,
                     "shop/flow.yaml:6:36",
                     "a flow definition cannot take")

    def test_resources_owned_elsewhere(self):
        self.shop()
        e = self.start()
        e.ok("POST", "/v1/queues", {"name": "orders-dlq"}, status=201)
        j = self.refused(e, {"template": "shop"}, 409,
                         "queue 'orders-dlq' exists already, outside any "
                         "stack")
        self.assertEqual(j["code"], "Conflict")
        e.ok("DELETE", "/v1/queues/orders-dlq", status=204)
        e.ok("POST", "/v1/stacks", {"template": "shop"}, status=201)
        self.refused(e, {"template": "shop", "stack": "other"}, 409,
                     "belongs to stack 'shop'")


if __name__ == "__main__":
    unittest.main()
