"""Template repositories against a real engine: a git repository this
test makes with `git init` and commits (two template folders), added by
path and by file:// URL, cloned in the background (202, then ready with
the commit id), updated after a new upstream commit, failures worded
for people (no repository there, no such ref), refused URLs (ssh, git://,
http://), remove, and the rows surviving a restart. Waits only for the
engine to say a clone or fetch has ended."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import EngineTestCase, run_cli

REPOS = "/v1/templates/repos"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t",
       "-c", "init.defaultBranch=main"]

TEMPLATE = """name: %s
description: A queue, from a repository
resources:
  - type: queue
    name: %s-jobs
"""


def git(cwd, *args):
    return subprocess.run(GIT + list(args), cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


class Upstream:
    """A git repository with template folders, in a temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="flowdeck-upstream-")
        git(self.dir, "init", "-q")
        for name in ("hello", "orders"):
            self.write("%s/template.yaml" % name, TEMPLATE % (name, name))
        self.commit("two templates")

    def write(self, path, text):
        full = os.path.join(self.dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)

    def commit(self, message):
        git(self.dir, "add", "-A")
        git(self.dir, "commit", "-qm", message)
        return self.head()

    def head(self):
        return git(self.dir, "rev-parse", "HEAD")

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TemplateReposTest(EngineTestCase):

    def setUp(self):
        self.up = Upstream()
        self.addCleanup(self.up.remove)

    def wait(self, eng, name):
        """GET the repo until no clone or fetch of it runs."""
        while True:
            repo = eng.ok("GET", "%s/%s" % (REPOS, name))
            if repo["status"] != "cloning" and not repo["updating"]:
                return repo
            time.sleep(0.05)

    def add(self, eng, body):
        repo = eng.ok("POST", REPOS, body, status=202)
        self.assertEqual("cloning", repo["status"])
        return self.wait(eng, repo["name"])

    def test_add_update_remove_restart(self):
        eng = self.engine()
        first = self.up.head()

        by_path = self.add(eng, {"url": self.up.dir, "name": "local"})
        self.assertEqual("ready", by_path["status"], by_path)
        self.assertEqual(first, by_path["commit"])
        self.assertIsNone(by_path["error"])
        self.assertIsNone(by_path["ref"])
        checkout = by_path["path"]
        self.assertEqual(os.path.join(eng.data_dir, "catalogs", "local"),
                         checkout)
        for name in ("hello", "orders"):
            self.assertTrue(os.path.isfile(
                os.path.join(checkout, name, "template.yaml")))

        by_url = self.add(eng, {"url": "file://" + self.up.dir,
                                "name": "viaurl", "ref": "main"})
        self.assertEqual("ready", by_url["status"], by_url)
        self.assertEqual(first, by_url["commit"])
        self.assertEqual("main", by_url["ref"])

        listed = eng.ok("GET", REPOS)["items"]
        self.assertEqual(["local", "viaurl"], [r["name"] for r in listed])

        # the catalog finds the repository's templates
        status, tl = eng.get("/v1/templates")
        self.assertEqual(200, status, tl)
        sources = {(t.get("name"), t.get("source")) for t in tl["items"]}
        self.assertIn(("hello", "repo:local"), sources)
        self.assertIn(("orders", "repo:local"), sources)

        # a new commit upstream, then update: fast-forwarded
        self.up.write("billing/template.yaml", TEMPLATE % ("billing",
                                                           "billing"))
        second = self.up.commit("a third template")
        started = eng.ok("POST", "%s/local/update" % REPOS, {}, status=202)
        self.assertTrue(started["updating"])
        updated = self.wait(eng, "local")
        self.assertEqual("ready", updated["status"])
        self.assertEqual(second, updated["commit"])
        self.assertIsNone(updated["error"])
        self.assertEqual(checkout, updated["path"])
        self.assertTrue(os.path.isfile(
            os.path.join(checkout, "billing", "template.yaml")))
        # nothing new: the same commit
        eng.ok("POST", "%s/local/update" % REPOS, {}, status=202)
        self.assertEqual(second, self.wait(eng, "local")["commit"])

        journal = eng.ok("GET", "/v1/journal?kind=template_repo&id=local")
        types = [r["type"] for r in journal["items"]]
        self.assertEqual(["added", "ready", "update_started", "updated",
                          "update_started", "updated"], types)

        # remove: the row and the checkout go
        status, _ = eng.request("DELETE", "%s/viaurl" % REPOS)
        self.assertEqual(204, status)
        self.assertFalse(os.path.exists(
            os.path.join(eng.data_dir, "catalogs", "viaurl")))
        status, err = eng.get("%s/viaurl" % REPOS)
        self.assertEqual(404, status, err)

        # a restart keeps the rows and the checkout
        eng.restart()
        listed = eng.ok("GET", REPOS)["items"]
        self.assertEqual(["local"], [r["name"] for r in listed])
        self.assertEqual("ready", listed[0]["status"])
        self.assertEqual(second, listed[0]["commit"])
        self.assertTrue(os.path.isfile(
            os.path.join(checkout, "billing", "template.yaml")))

    def test_failures_are_worded(self):
        eng = self.engine()
        missing = self.add(eng, {"url": os.path.join(self.up.dir, "nope"),
                                 "name": "missing"})
        self.assertEqual("failed", missing["status"])
        self.assertIn("not a git repository", missing["error"])
        self.assertIsNone(missing["path"])

        badref = self.add(eng, {"url": self.up.dir, "name": "badref",
                                "ref": "no-such-branch"})
        self.assertEqual("failed", badref["status"])
        self.assertIn("no such ref 'no-such-branch'", badref["error"])

        # nothing answers on port 1 of loopback
        down = self.add(eng, {"url": "https://127.0.0.1:1/t.git",
                              "name": "down"})
        self.assertEqual("failed", down["status"])
        self.assertIn("unreachable URL", down["error"])

        self.assertEqual([], os.listdir(os.path.join(eng.data_dir,
                                                     "catalogs")))

        # a failed repository is cloned again by update, once it exists
        shutil.copytree(self.up.dir, os.path.join(self.up.dir, "nope"))
        again = eng.ok("POST", "%s/missing/update" % REPOS, {}, status=202)
        self.assertEqual("cloning", again["status"])
        self.assertEqual("ready", self.wait(eng, "missing")["status"])

    def test_refused(self):
        eng = self.engine()
        for url, why in (("ssh://git@example.com/t.git", "ssh"),
                         ("git@example.com:acme/t.git", "ssh"),
                         ("git://example.com/t.git", "git://"),
                         ("http://example.com/t.git", "http://"),
                         ("relative/path", "absolute")):
            status, err = eng.post(REPOS, {"url": url, "name": "x"})
            self.assertEqual(400, status, (url, err))
            self.assertIn(why, err["message"])
        for name in ("../up", "a/b", "Caps", "-x", "x" * 65):
            status, err = eng.post(REPOS, {"url": self.up.dir, "name": name})
            self.assertEqual(400, status, (name, err))
        status, err = eng.post(REPOS, {"url": self.up.dir, "ref": "a..b"})
        self.assertEqual(400, status, err)
        status, err = eng.post(REPOS, {"url": self.up.dir, "bogus": 1})
        self.assertEqual(400, status, err)
        self.assertEqual([], eng.ok("GET", REPOS)["items"])

        self.add(eng, {"url": self.up.dir, "name": "dup"})
        status, err = eng.post(REPOS, {"url": self.up.dir, "name": "dup"})
        self.assertEqual(409, status, err)
        status, err = eng.post("%s/none/update" % REPOS, {})
        self.assertEqual(404, status, err)
        status, err = eng.request("DELETE", "%s/none" % REPOS)
        self.assertEqual(404, status, err)

    def silent_server(self):
        """An https:// URL whose server takes the connection and never
        answers: a clone of it hangs in the TLS handshake."""
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        self.addCleanup(srv.close)
        return "https://127.0.0.1:%d/t.git" % srv.getsockname()[1]

    def test_crash_while_cloning(self):
        eng = self.engine()
        self.add(eng, {"url": self.up.dir, "name": "kept"})
        hung = eng.ok("POST", REPOS, {"url": self.silent_server(),
                                      "name": "hung"}, status=202)
        self.assertEqual("cloning", hung["status"])
        catalogs = os.path.join(eng.data_dir, "catalogs")
        # the engine serves while the clone hangs
        self.assertEqual("cloning", eng.ok("GET", REPOS + "/hung")["status"])
        self.assertTrue(any(n.startswith(".tmp-hung-")
                            for n in os.listdir(catalogs)))
        eng.kill9()
        eng.start()
        hung = eng.ok("GET", REPOS + "/hung")
        self.assertEqual("failed", hung["status"])
        self.assertIn("interrupted", hung["error"])
        self.assertEqual(["kept"], sorted(os.listdir(catalogs)))
        self.assertEqual("ready", eng.ok("GET", REPOS + "/kept")["status"])

    def test_stop_and_remove_while_cloning(self):
        eng = self.engine()
        eng.ok("POST", REPOS, {"url": self.silent_server(), "name": "a"},
               status=202)
        eng.ok("POST", REPOS, {"url": self.silent_server(), "name": "b"},
               status=202)
        status, err = eng.post(REPOS + "/a/update", {})
        self.assertEqual(409, status, err)
        status, _ = eng.request("DELETE", REPOS + "/a")
        self.assertEqual(204, status)
        # a graceful stop with a clone still hanging exits cleanly
        eng.stop()
        eng.start()
        self.assertEqual(["b"], [r["name"] for r in
                                 eng.ok("GET", REPOS)["items"]])
        self.assertEqual("failed", eng.ok("GET", REPOS + "/b")["status"])
        self.assertEqual([], os.listdir(os.path.join(eng.data_dir,
                                                     "catalogs")))


class TemplateReposCliTest(EngineTestCase):
    """flowdeck templates repo ... against the same engine."""

    def setUp(self):
        self.up = Upstream()
        self.addCleanup(self.up.remove)

    def cli(self, eng, *args, cwd=None):
        env = {"FLOWDECK_ENDPOINT": eng.url}
        if cwd is None:
            return run_cli(["templates", "repo"] + list(args), env=env)
        old = os.getcwd()
        os.chdir(cwd)
        try:
            return run_cli(["templates", "repo"] + list(args), env=env)
        finally:
            os.chdir(old)

    def test_cli(self):
        eng = self.engine()
        first = self.up.head()

        # a relative path is sent absolute: the engine has another cwd
        r = self.cli(eng, "add", os.path.basename(self.up.dir), "--name",
                     "mine", cwd=os.path.dirname(self.up.dir))
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("repository mine ready at %s" % first[:12], r.stdout)
        self.assertIn(os.path.join(eng.data_dir, "catalogs", "mine"),
                      r.stdout)

        r = self.cli(eng, "add", "file://" + self.up.dir, "--ref", "nope",
                     "--name", "bad")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("repository bad failed: no such ref 'nope'", r.stderr)

        r = self.cli(eng, "add", "ssh://git@example.com/t.git")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("ssh is not supported", r.stderr)

        r = self.cli(eng, "list")
        self.assertEqual(0, r.returncode, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("NAME"), r.stdout)
        self.assertTrue(lines[1].startswith("mine "), r.stdout)
        self.assertIn("ready", lines[1])
        self.assertIn("failed", lines[2])

        r = self.cli(eng, "-o", "json")
        self.assertEqual(0, r.returncode, r.stderr)
        items = json.loads(r.stdout)["items"]
        self.assertEqual(["mine", "bad"], [i["name"] for i in items])

        r = self.cli(eng, "update", "mine")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("repository mine is up to date", r.stdout)

        self.up.write("more/template.yaml", TEMPLATE % ("more", "more"))
        second = self.up.commit("more")
        r = self.cli(eng, "update", "mine")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("repository mine updated %s..%s" % (first[:12],
                                                          second[:12]),
                      r.stdout)

        r = self.cli(eng, "show", "mine")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("commit:  %s" % second, r.stdout)

        r = self.cli(eng, "add", self.up.dir, "--name", "later",
                     "--no-wait")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("repository later: cloning", r.stdout)

        r = self.cli(eng, "list", "--ref", "x")
        self.assertEqual(2, r.returncode, r.stdout)

        r = self.cli(eng, "remove", "bad")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("removed repository bad", r.stdout)
        r = self.cli(eng, "show", "bad")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("no template repository 'bad'", r.stderr)

        # update of every repository: "later" (cloned by now or soon)
        r = self.cli(eng, "update")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("repository mine is up to date", r.stdout)
        self.assertIn("repository later", r.stdout)


if __name__ == "__main__":
    unittest.main()
