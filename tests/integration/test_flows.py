"""Flow definitions over the engine API: deploy (create and update),
validate, list, show any version, versions, diff, delete, and bad
definitions refused with line and column, changing nothing."""

import json
import os
import unittest

import tempfile

from harness import EngineTestCase, run_cli

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "flows")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read()


V1 = """version: v1
type: flow
steps:
  - type: pass
    name: hello
"""

V2 = """version: v1
type: flow
steps:
  - type: pass
    name: hello
  - type: pass
    name: world
"""


class Flows(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def deploy(self, name, definition, status=None, **kw):
        body = dict(kw, name=name, definition=definition)
        got, j = self.e.post("/v1/flows", body)
        if status is not None:
            self.assertEqual(got, status, j)
        return got, j

    def test_seed_flows_deploy(self):
        for f in ("seed000_request_response.yaml",
                  "seed000_wait_for_callback.yaml",
                  "seed001_topic_callback.yaml", "spec_callback.yaml"):
            name = f.split(".")[0].replace("_", "-")
            _, j = self.deploy(name, fixture(f), status=201)
            self.assertEqual(j["name"], name)
            self.assertEqual(len(j["version"]), 40)
            self.assertIn("steps", j["graph"])
        names = [x["name"] for x in self.e.ok("GET", "/v1/flows")["items"]]
        self.assertEqual(len(names), 4)
        self.assertEqual(self.e.ok("GET", "/v1/info")["counts"]["flows"], 4)
        self.assertEqual(names, sorted(names))

    def test_versions_show_and_diff(self):
        _, a = self.deploy("greet", V1, status=201, description="first")
        _, b = self.deploy("greet", V2, status=200)
        self.assertNotEqual(a["version"], b["version"])
        self.assertEqual(b["description"], "first")  # kept when not given
        self.assertEqual(b["created"], a["created"])
        _, c = self.deploy("greet", V2, status=200)
        self.assertEqual(c["version"], b["version"])  # unchanged text
        vs = self.e.ok("GET", "/v1/flows/greet/versions")["items"]
        self.assertEqual([v["commit"] for v in vs],
                         [b["version"], a["version"]])
        self.assertIn("first", vs[1]["message"])
        old = self.e.ok("GET", "/v1/flows/greet?version=" + a["version"])
        self.assertEqual(old["definition"], V1)
        self.assertEqual(old["version"], a["version"])
        self.assertEqual(self.e.ok("GET", "/v1/flows/greet")["definition"],
                         V2)
        d = self.e.ok("GET", "/v1/flows/greet/diff?from=%s&to=%s" % (
            a["version"][:8], b["version"]))["diff"]
        self.assertIn("+    name: world", d)
        self.assertEqual(self.e.get("/v1/flows/greet?version=abcdef12")[0],
                         404)
        self.assertEqual(self.e.get("/v1/flows/greet/diff")[0], 400)
        types = [r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=flow&id=greet")["items"]]
        self.assertEqual(types, ["created", "updated", "updated"])

    def test_bad_definitions_change_nothing(self):
        self.deploy("keep", V1, status=201)
        for text, words in (
                ("version: v1\ntype: flow\nsteps:\n  - type: taks\n"
                 "    name: x\n", ["4:", "unknown step type 'taks'"]),
                ("version: v1\ntype: flow\nsteps:\n  - type: pass\n"
                 "    name: a\n  - type: pass\n    name: a\n",
                 ["duplicate", "'a'"]),
                ("version: v1\ntype: flow\nsteps: [\n",
                 ["keep.yaml:4:", "YAML syntax error"]),
                ("version: v1\ntype: flow\nsteps:\n  - type: pass\n"
                 "    nmae: a\n", ["nmae"])):
            got, j = self.deploy("keep", text)
            self.assertEqual(got, 400, text)
            self.assertEqual(j["code"], "InvalidDefinition")
            for w in words:
                self.assertIn(w, j["message"], text)
            got, j = self.e.post("/v1/flows/validate", {"definition": text})
            self.assertEqual(got, 400)
        self.assertEqual(self.e.ok("GET", "/v1/flows/keep")["definition"], V1)
        self.assertEqual(len(self.e.ok("GET", "/v1/flows/keep/versions")
                             ["items"]), 1)
        ok = self.e.ok("POST", "/v1/flows/validate", {"definition": V2})
        self.assertTrue(ok["valid"])
        for name in ("9lives", "a b", "x" * 129, "../x", ""):
            got, j = self.deploy(name, V1)
            self.assertEqual(got, 400, name)
        self.assertEqual(self.e.post("/v1/flows", {"name": "x"})[0], 400)

    def test_delete_keeps_history_and_survives_restart(self):
        _, a = self.deploy("gone", V1, status=201)
        self.e.ok("DELETE", "/v1/flows/gone", status=204)
        self.assertEqual(self.e.get("/v1/flows/gone")[0], 404)
        self.assertEqual(self.e.request("DELETE", "/v1/flows/gone")[0], 404)
        vs = self.e.ok("GET", "/v1/flows/gone/versions")["items"]
        self.assertEqual(len(vs), 2)
        self.deploy("stays", V2, status=201)
        self.e.kill9()
        self.e.start()
        self.assertEqual(self.e.ok("GET", "/v1/flows/stays")["definition"],
                         V2)
        self.assertEqual(self.e.get("/v1/flows/gone")[0], 404)


class FlowsCli(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def cli(self, *args, input=None, code=0):
        r = run_cli(["--endpoint", self.e.url] + list(args), input=input)
        self.assertEqual(r.returncode, code, (args, r.stdout, r.stderr))
        return r

    def file(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_deploy_history_show_diff_delete(self):
        v1, v2 = self.file(V1), self.file(V2)
        r = self.cli("flows", "deploy", "greet", "-f", v1, "-d", "hello")
        self.assertIn("flow greet deployed, version", r.stdout)
        self.cli("flows", "deploy", "greet", "-f", "-", input=V2)
        self.assertIn("is a valid flow definition",
                      self.cli("flows", "validate", "-f", v2).stdout)
        out = self.cli("flows").stdout
        self.assertIn("greet", out)
        self.assertIn("hello", out)
        hist = json.loads(self.cli("-o", "json", "flows", "history",
                                   "greet").stdout)["items"]
        self.assertEqual(len(hist), 2)
        old = self.cli("flows", "show", "greet", "--version",
                       hist[1]["commit"][:10]).stdout
        self.assertIn("name: hello", old)
        self.assertNotIn("name: world", old)
        diff = self.cli("flows", "diff", "greet", hist[1]["commit"][:8],
                        hist[0]["commit"][:8]).stdout
        self.assertIn("+    name: world", diff)
        self.cli("flows", "delete", "greet")
        r = self.cli("flows", "show", "greet", code=1)
        self.assertIn("FlowNotFound", r.stderr)

    def test_bad_definition_and_usage(self):
        bad = self.file("version: v1\ntype: flow\nsteps:\n  - type: taks\n"
                        "    name: x\n")
        r = self.cli("flows", "deploy", "x", "-f", bad, code=1)
        self.assertIn(":4:", r.stderr)
        self.assertIn("unknown step type 'taks'", r.stderr)
        r = self.cli("flows", "validate", "-f", bad, code=1)
        self.assertIn("InvalidDefinition", r.stderr)
        for args, word in ((["flows", "deploy", "x"], "-f FILE"),
                           (["flows", "nope"], "no action"),
                           (["flows", "show"], "needs a flow name"),
                           (["flows", "list", "--version", "a"],
                            "does not go with")):
            r = self.cli(*args, code=2)
            self.assertIn(word, r.stderr)
        r = self.cli("flows", "deploy", "x", "-f", "/nonexistent.yaml",
                     code=1)
        self.assertIn("cannot read", r.stderr)


if __name__ == "__main__":
    unittest.main()
