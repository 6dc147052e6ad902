"""libcurl and libgit2 are opened at their first use, not at start-up
(common/lazylib.h): an engine that only serves queues maps neither; a flow
deploy (a version commit) opens libgit2, and the first HTTP push opens
libcurl, and both then work."""
import re
import unittest

from harness import EngineTestCase
from test_topics import Receiver

FLOW = """version: v1
type: flow
steps:
  - type: pass
    name: hello
"""


def mapped(pid):
    """The file names of the shared libraries process `pid` has mapped."""
    with open("/proc/%d/maps" % pid) as f:
        return {re.sub(r"\.so.*", "", line.split("/")[-1].strip())
                for line in f if ".so" in line}


class LazyLibs(EngineTestCase):
    def test_opened_at_first_use(self):
        e = self.engine()
        pid = e.proc.pid
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        e.ok("POST", "/v1/queues/q/messages", {"body": "x"}, status=201)
        libs = mapped(pid)
        self.assertIn("libc", libs)  # the check can see libraries
        self.assertNotIn("libcurl", libs)
        self.assertNotIn("libgit2", libs)

        # a flow deploy commits a version: libgit2 now, libcurl still not
        got = e.ok("POST", "/v1/flows", {"name": "f", "definition": FLOW},
                   status=201)
        self.assertEqual(len(got["version"]), 40)
        libs = mapped(pid)
        self.assertIn("libgit2", libs)
        self.assertNotIn("libcurl", libs)

        # the first HTTP push opens libcurl, and the push arrives
        r = Receiver()
        self.addCleanup(r.close)
        e.ok("POST", "/v1/topics", {"name": "t"}, status=201)
        e.ok("POST", "/v1/topics/t/subscriptions",
             {"name": "hook", "endpoint": r.url("/hook")}, status=201)
        self.assertNotIn("libcurl", mapped(pid))
        e.ok("POST", "/v1/topics/t/messages", {"body": "hi"}, status=201)
        self.assertIn("hi", r.wait("/hook")[0]["body"])
        self.assertIn("libcurl", mapped(pid))

    def test_restart_with_state_opens_nothing(self):
        # a data dir with flows and subscriptions starts without either
        # library; the flow's versions are read back once asked for
        e = self.engine()
        e.ok("POST", "/v1/flows", {"name": "f", "definition": FLOW},
             status=201)
        e.ok("POST", "/v1/topics", {"name": "t"}, status=201)
        e.ok("POST", "/v1/topics/t/subscriptions",
             {"name": "hook", "endpoint": "http://127.0.0.1:9/x"},
             status=201)
        e.stop()
        e.start()
        libs = mapped(e.proc.pid)
        self.assertNotIn("libcurl", libs)
        self.assertNotIn("libgit2", libs)
        vs = e.ok("GET", "/v1/flows/f/versions")["items"]
        self.assertEqual(len(vs), 1)
        self.assertIn("libgit2", mapped(e.proc.pid))


if __name__ == "__main__":
    unittest.main()
