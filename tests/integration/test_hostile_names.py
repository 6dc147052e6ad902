"""Hostile names through the real engine: `../`, NUL, quotes, SQL
fragments, bytes that are not UTF-8 and very long names, for queues,
topics, flows, executions, functions, templates, stacks, snapshots and
template repositories, in bodies and in URL paths. Each is refused with a
4xx that has a code and a message naming the rule, and nothing changes:
the lists are the same before and after, and no file appears in the data
dir or next to it.

Names refused at the transport (an encoded NUL, a path that is not UTF-8
once decoded) are checked here too, since MHD would otherwise cut the
name short at the NUL and act on another object."""

import json
import os
import shutil
import tempfile
import unittest
import urllib.parse

from harness import EngineTestCase

MARK = "pwnhostile"

# (label, the JSON text of the name): raw text so a name can be bytes
# that are not UTF-8, which json.dumps cannot write
HOSTILE = [
    ("dotdot", json.dumps("../" + MARK)),
    ("deep dotdot", json.dumps("../../../../tmp/" + MARK)),
    ("dot", json.dumps("..")),
    ("slash", json.dumps("a/" + MARK)),
    ("absolute", json.dumps("/tmp/" + MARK)),
    ("nul", json.dumps("ok\u0000" + MARK)),
    ("quote", json.dumps("x'" + MARK)),
    ("double quote", json.dumps('x"' + MARK)),
    ("sql", json.dumps("x'; DROP TABLE queues;--")),
    ("sql2", json.dumps("x\" OR 1=1 --")),
    ("newline", json.dumps("x\n" + MARK)),
    ("space", json.dumps("x " + MARK)),
    ("long", json.dumps("a" * 5000)),
    ("very long", json.dumps("a" * 200000)),
    ("not utf-8", '"x\xff\xfe' + MARK + '"'),
    ("overlong slash", '"x\xc0\xaf' + MARK + '"'),
    ("lone surrogate", '"x\\ud800' + MARK + '"'),
    ("empty", '""'),
    ("number", "42"),
    ("null", "null"),
]

FLOW = "version: v1\ntype: flow\nsteps:\n  - type: pass\n    name: p\n"


def raw_bytes(text):
    # the "not utf-8" labels hold latin-1 code points standing for bytes
    return text.encode("latin-1") if any(
        0x80 <= ord(c) <= 0xff for c in text) else text.encode()


def tree(root):
    """Every path under root (relative), except the engine's own log and
    database files, which change on every request."""
    out = set()
    for d, dirs, files in os.walk(root):
        for f in dirs + files:
            rel = os.path.relpath(os.path.join(d, f), root)
            if rel.startswith(("engine.log", "flowdeck.db", "engine.stderr")):
                continue
            if rel.startswith("flows.git" + os.sep + "objects"):
                continue
            out.add(rel)
    return out


class HostileNames(EngineTestCase):
    def setUp(self):
        self.templates = tempfile.mkdtemp(prefix="hostile-tmpl-")
        self.addCleanup(shutil.rmtree, self.templates, True)
        d = os.path.join(self.templates, "basic")
        os.makedirs(d)
        with open(os.path.join(d, "template.yaml"), "w") as f:
            f.write("name: basic\ndescription: one queue\nresources:\n"
                    "  - type: queue\n    name: basic-q\n")
        self.e = self.engine(extra_args=["--templates", self.templates])
        self.e.ok("POST", "/v1/queues", {"name": "ok"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "ok", "definition": FLOW},
                  status=201)

    def state(self):
        lists = {}
        for path in ("/v1/queues", "/v1/topics", "/v1/flows",
                     "/v1/executions", "/v1/functions", "/v1/stacks",
                     "/v1/snapshots", "/v1/templates/repos",
                     "/v1/templates"):
            items = self.e.ok("GET", path)["items"]
            for it in items:  # times of a listing, not of the objects
                it.pop("uptime_ms", None)
            lists[path] = items
        lists["files"] = tree(self.e.data_dir)
        return lists

    def nothing_outside(self):
        for root in (os.path.dirname(self.e.data_dir), "/tmp",
                     self.templates, os.path.dirname(self.templates)):
            for f in os.listdir(root):
                self.assertNotIn(MARK, f, "%s/%s was made" % (root, f))

    def refused(self, method, path, data, label, statuses=(400,)):
        got, headers, text = self.e.raw(
            method, path, data, {"Content-Type": "application/json"})
        self.assertIn(got, statuses, "%s %s (%s): %s %s" % (
            method, path[:80], label, got, text[:300]))
        j = json.loads(text)
        self.assertTrue(j.get("code"), (label, j))
        self.assertTrue(j.get("message"), (label, j))
        return j

    def test_hostile_names_in_bodies_create_nothing(self):
        creates = [
            ("POST", "/v1/queues", '{"name": %(name)s}'),
            ("POST", "/v1/topics", '{"name": %(name)s}'),
            ("POST", "/v1/flows",
             '{"name": %(name)s, "definition": ' + json.dumps(FLOW) + '}'),
            ("POST", "/v1/executions", '{"flow": "ok", "name": %(name)s}'),
            ("POST", "/v1/executions", '{"flow": %(name)s}'),
            ("POST", "/v1/functions",
             '{"name": %(name)s, "command": ["true"]}'),
            ("POST", "/v1/stacks", '{"template": %(name)s}'),
            ("POST", "/v1/stacks", '{"template": "basic", "stack": '
                                   '%(name)s}'),
            ("POST", "/v1/snapshots", '{"name": %(name)s}'),
            ("POST", "/v1/templates/repos",
             '{"url": ' + json.dumps(self.templates) + ', "name": '
             '%(name)s}'),
            ("POST", "/v1/templates/repos", '{"url": %(name)s}'),
        ]
        before = self.state()
        for method, path, tmpl in creates:
            for label, name in HOSTILE:
                if label == "null" and ('"stack"' in tmpl or (
                        ("executions" in path or "repos" in path) and
                        '"name"' in tmpl)):
                    continue  # an optional name: null is "none given"
                if label == "absolute" and '"url"' in tmpl[:8]:
                    continue  # an absolute path is a repository's url
                data = raw_bytes(tmpl.replace("%(name)s", name))
                j = self.refused(method, path, data, label,
                                 statuses=(400, 404, 413))
                if label == "sql":
                    # the name is data, never SQL: the queues are intact
                    self.assertNotIn("SQL", j["message"])
        self.assertEqual(self.state(), before)
        self.nothing_outside()

    def test_names_the_rule(self):
        # the message says what a name must be, not just "bad"
        for path, extra in (("/v1/queues", {}), ("/v1/topics", {}),
                            ("/v1/flows", {"definition": FLOW}),
                            ("/v1/functions", {"command": ["true"]}),
                            ("/v1/snapshots", {})):
            b = dict(extra, name="../" + MARK)
            got, j = self.e.post(path, b)
            self.assertEqual(got, 400, (path, j))
            self.assertIn("name", j["message"], (path, j))
            self.assertRegex(j["message"], r"letters|characters|must",
                             (path, j))

    def test_hostile_names_in_paths_change_nothing(self):
        before = self.state()
        names = ["../" + MARK, "..", "x'; DROP TABLE queues;--", "a" * 5000,
                 'x"' + MARK, "ok/../ok", "%2e%2e"]
        resources = ["queues", "topics", "flows", "executions", "functions",
                     "stacks", "snapshots", "templates", "templates/repos"]
        for res in resources:
            for name in names:
                q = urllib.parse.quote(name, safe="")
                for method in ("GET", "DELETE"):
                    self.refused(method, "/v1/%s/%s" % (res, q), None,
                                 "%s %s" % (res, name[:20]),
                                 statuses=(400, 404, 405))
        self.e.ok("GET", "/v1/queues/ok")
        self.assertEqual(self.state(), before)
        self.nothing_outside()

    def test_encoded_nul_never_cuts_a_name_short(self):
        # MHD decodes %00 into a NUL that would end the name: "ok%00x"
        # would be queue 'ok'. Refused before any handler sees it.
        before = self.state()
        for method, path in (
                ("DELETE", "/v1/queues/ok%00x"),
                ("DELETE", "/v1/flows/ok%00../x"),
                ("GET", "/v1/queues/ok%00"),
                ("POST", "/v1/queues/ok%00/purge"),
                ("GET", "/v1/journal?kind=queue%00x"),
                ("GET", "/?Action=DeleteQueue&QueueUrl=http://x/"
                        "000000000000/ok%00x"),
                ("DELETE", "/queues/ok%00x")):
            j = self.refused(method, path, b"{}" if method == "POST"
                             else None, path)
            self.assertEqual(j["code"], "InvalidRequest", path)
            self.assertIn("%00", j["message"])
        self.assertEqual(self.state(), before)
        self.e.ok("GET", "/v1/queues/ok")
        self.e.ok("GET", "/v1/flows/ok")

    def test_path_that_is_not_utf8(self):
        before = self.state()
        for method, path in (("GET", "/v1/queues/%FF"),
                             ("DELETE", "/v1/queues/ok%C0%AF"),
                             ("GET", "/v1/flows/%ED%A0%80"),
                             ("GET", "/000000000000/%FE"),
                             ("GET", "/queues/%FF")):
            j = self.refused(method, path, None, path)
            self.assertIn("UTF-8", j["message"], path)
        # a query value that is not UTF-8 and is quoted back in an error
        # message is answered, not a 500
        got, _, text = self.e.raw("GET", "/v1/journal?limit=%FF")
        self.assertEqual(got, 400, text)
        self.assertEqual(self.state(), before)


if __name__ == "__main__":
    unittest.main()
