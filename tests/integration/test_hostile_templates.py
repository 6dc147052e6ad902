"""Hostile templates through the real engine: files that are symlinks out
of their folder (template.yaml itself, a flow file, a README, a folder on
the way to a handler), function commands that try to leave the folder or
reach a shell, deeply nested YAML and YAML aliases that would blow up in
size. Each is refused (a 4xx naming file and rule, or the template
listed with its error), nothing is deployed, and no file outside the
template folder is read back or written.

The rule the engine documents (docs/templates.md): a function runs as
`RUNTIME HANDLER`, RUNTIME python3 or sh and HANDLER a file of the
template folder, from its argv with no shell; a template cannot give a
function any other command. Deploying runs nothing.

Covered in test_templates.Templates.test_bad_templates, not repeated: a
handler symlinked to /etc/passwd, a symlinked folder copied with the
stack, a handler `../x.py`, a `command:` field."""

import json
import os
import shutil
import tempfile
import unittest

from harness import EngineTestCase

MARK = "pwnhostile"

WORKER = """\
import json, sys
print(json.dumps({"ran": sys.argv[0].rsplit("/", 1)[-1],
                  "event": json.load(sys.stdin)}))
"""

FLOW = """\
version: v1
type: flow
steps:
  - type: pass
    name: p
"""

TEMPLATE = """\
name: %(name)s
description: a function, a flow and a queue
resources:
  - type: queue
    name: %(name)s-q
  - type: flow
    name: %(name)s-flow
    definition: flow.yaml
  - type: function
    name: %(name)s-fn
    runtime: %(runtime)s
    handler: %(handler)s
"""


def write(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


class HostileTemplates(EngineTestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="hostile-templates-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.tdir = os.path.join(self.root, "templates")
        self.outside = os.path.join(self.root, "outside")
        os.makedirs(self.tdir)
        os.makedirs(self.outside)
        # files outside any template folder, that links point at
        write(self.outside, "template.yaml", TEMPLATE % {
            "name": "stolen", "runtime": "python3", "handler": "w.py"})
        write(self.outside, "flow.yaml", FLOW)
        write(self.outside, "w.py", WORKER)
        self.marker = os.path.join(self.root, MARK)

    def folder(self, name, runtime="python3", handler="w.py", text=None):
        d = os.path.join(self.tdir, name)
        os.makedirs(d)
        write(d, "template.yaml", text if text is not None else TEMPLATE % {
            "name": name, "runtime": runtime, "handler": handler})
        write(d, "flow.yaml", FLOW)
        write(d, "w.py", WORKER)
        return d

    def start(self):
        self.e = self.engine(extra_args=["--templates", self.tdir])
        return self.e

    def state(self):
        return {p: self.e.ok("GET", p)["items"] for p in (
            "/v1/queues", "/v1/flows", "/v1/functions", "/v1/stacks")}

    def refused(self, template, *words, status=400):
        before = self.state()
        got, j = self.e.post("/v1/stacks", {"template": template})
        self.assertEqual(got, status, (template, j))
        self.assertTrue(j["code"], j)
        for w in words:
            self.assertIn(w, j["message"], (template, j))
        self.assertEqual(self.state(), before, template)
        self.assertFalse(os.path.exists(os.path.join(
            self.e.data_dir, "stacks", template)), template)
        self.assertFalse(os.path.exists(self.marker))
        return j

    def listed_error(self, name, *words):
        items = {t.get("name"): t for t in
                 self.e.ok("GET", "/v1/templates")["items"]}
        errors = [t for t in items.values() if "error" in t and
                  name in json.dumps(t)]
        self.assertTrue(errors, (name, items))
        for w in words:
            self.assertIn(w, errors[0]["error"], errors[0])
        got, j = self.e.get("/v1/templates/" + name)
        self.assertIn(got, (400, 404), j)

    def test_symlinks_out_of_the_folder(self):
        d = self.folder("linkyaml")
        os.remove(os.path.join(d, "template.yaml"))
        os.symlink(os.path.join(self.outside, "template.yaml"),
                   os.path.join(d, "template.yaml"))
        d = self.folder("linkflow")
        os.remove(os.path.join(d, "flow.yaml"))
        os.symlink(os.path.join(self.outside, "flow.yaml"),
                   os.path.join(d, "flow.yaml"))
        d = self.folder("linkdir", handler="sub/w.py")
        os.symlink(self.outside, os.path.join(d, "sub"))
        d = self.folder("linkpasswd")
        os.remove(os.path.join(d, "flow.yaml"))
        os.symlink("/etc/passwd", os.path.join(d, "flow.yaml"))
        d = self.folder("linkreadme")
        os.symlink("/etc/passwd", os.path.join(d, "README.md"))
        e = self.start()

        self.listed_error("linkyaml", "not a regular file")
        self.refused("linkyaml", "not a regular file")
        self.refused("stolen", status=404)
        self.refused("linkflow", "flow.yaml", "leads out of the template "
                     "folder")
        self.refused("linkdir", "sub/w.py", "leads out of the template "
                     "folder")
        j = self.refused("linkpasswd", "leads out of the template folder")
        self.assertNotIn("root:", j["message"])
        # the README is never read through the link
        got, _, text = e.raw("GET", "/v1/templates/linkreadme")
        self.assertNotIn(b"root:", text)
        self.assertIn(got, (200, 400), text[:300])
        if got == 400:
            self.assertIn(b"README.md", text)

    def test_function_commands_stay_in_the_folder(self):
        touch = "touch " + self.marker
        cases = [
            ("absolute", dict(handler="/bin/sh"),
             "'/bin/sh' is not a path inside the template folder"),
            ("dotdot", dict(handler="../outside/w.py"),
             "is not a path inside the template folder"),
            ("dotdotmid", dict(handler="a/../../outside/w.py"),
             "is not a path inside the template folder"),
            ("metachars", dict(handler='"w.py; %s"' % touch), "not found"),
            ("subst", dict(handler='"$(%s)"' % touch), "not found"),
            ("backtick", dict(handler='"`%s`"' % touch), "not found"),
            ("runtime", dict(runtime='"sh -c \'%s\'"' % touch),
             "runtime must be python3 or sh"),
            ("runtimepath", dict(runtime="/bin/sh"),
             "runtime must be python3 or sh"),
            ("runtimebash", dict(runtime="bash"),
             "runtime must be python3 or sh"),
            ("handlerlist", dict(handler="[sh, -c, '%s']" % touch),
             "handler must name a file"),
        ]
        for name, kw, _ in cases:
            self.folder(name, **kw)
        d = self.folder("cmdlist", text=TEMPLATE % {
            "name": "cmdlist", "runtime": "python3", "handler": "w.py"} +
            "    command: [sh, -c, '%s']\n" % touch)
        d = self.folder("cwd", text=TEMPLATE % {
            "name": "cwd", "runtime": "python3", "handler": "w.py"} +
            "    cwd: /\n")
        e = self.start()
        for name, _, words in cases:
            self.refused(name, words)
        self.refused("cmdlist", "cannot give a function a command")
        self.refused("cwd", "cannot give a function a cwd")
        self.assertFalse(os.path.exists(self.marker))

    def test_a_handler_named_like_a_shell_command_is_only_a_file(self):
        # a file whose name holds shell syntax is run by its path, as an
        # argv word: nothing parses it
        name = "w.py; touch %s #" % MARK
        d = self.folder("odd", handler=json.dumps(name))
        write(d, name, WORKER)
        e = self.start()
        e.ok("POST", "/v1/stacks", {"template": "odd"}, status=201)
        self.assertFalse(os.path.exists(self.marker))  # deploy runs nothing
        inv = e.ok("POST", "/v1/functions/odd-fn/invocations",
                   {"event": {"n": 1}})
        self.assertEqual(inv["status"], "succeeded", inv)
        self.assertEqual(inv["result"], {"ran": name, "event": {"n": 1}})
        for root in (self.root, e.data_dir):
            for _, dirs, files in os.walk(root):
                self.assertNotIn(MARK, dirs + files)
        fn = e.ok("GET", "/v1/functions/odd-fn")
        self.assertEqual(fn["command"][0], "python3")
        self.assertTrue(fn["command"][1].endswith("/files/" + name), fn)

    def test_deep_yaml_and_aliases(self):
        deep_flow = "[" * 100000 + "]" * 100000
        d = self.folder("deepflow")
        write(d, "flow.yaml", "version: v1\ntype: flow\nsteps: %s\n" %
              deep_flow)
        self.folder("deepyaml", text="name: deepyaml\ndescription: x\n"
                    "resources: " + "[" * 100000 + "]" * 100000 + "\n")
        self.folder("deepblock", text="name: deepblock\nresources:\n" +
                    "  " + "- " * 50000 + "x\n")
        laughs = "".join("%s: &%s [%s]\n" % (
            chr(98 + i), chr(98 + i), ",".join(["*" + chr(97 + i)] * 10))
            for i in range(9))
        self.folder("laughs", text="name: laughs\na: &a [x,x,x,x,x,x,x,x]\n"
                    + laughs + "resources: *j\n")
        d = self.folder("flowlaughs")
        write(d, "flow.yaml", "x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,"
              "*a,*a,*a,*a,*a]\n" + FLOW)
        e = self.start()
        self.refused("deepflow", "deepflow/flow.yaml:", "nesting deeper")
        for name in ("deepyaml", "deepblock"):
            self.listed_error(name, "%s/template.yaml:" % name,
                              "nesting deeper")
            self.refused(name, "nesting deeper")
        self.listed_error("laughs", "laughs/template.yaml:",
                          "YAML aliases are not supported")
        self.refused("laughs", "YAML aliases are not supported")
        self.refused("flowlaughs", "flowlaughs/flow.yaml:",
                     "YAML aliases are not supported")
        self.assertEqual(e.ok("GET", "/healthz")["status"], "ok")


if __name__ == "__main__":
    unittest.main()
