"""The topics and functions lists show the counts the engine's list gives
with each row (one request a second, however many rows): a topic past the
first 200 has its counts too; a function shows its invocations, failures
and newest invocation. A function's invocation shows while it runs (on the
list and on the function's screen) and turns into its result when it
ends."""

import os
import re
import sys
import tempfile
import unittest

from tmuxcase import TmuxTestCase

# runs until the file named by argv[1] exists
GATED = ("import os, sys, time\n"
         "deadline = time.time() + 60\n"
         "while not os.path.exists(sys.argv[1]) and time.time() < deadline:\n"
         "    time.sleep(0.05)\n"
         "print('{\"done\": true}')\n")


class ListCountsAndRunning(TmuxTestCase):
    def test_topics_past_the_first_200_have_counts(self):
        e = self.engine()
        for i in range(205):
            e.ok("POST", "/v1/topics", {"name": "t%03d" % i}, status=201)
        e.ok("POST", "/v1/topics", {"name": "zz-last"}, status=201)
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        e.ok("POST", "/v1/topics/zz-last/subscriptions",
             {"name": "toq", "endpoint": "queue:q"}, status=201)
        e.ok("POST", "/v1/topics/zz-last/subscriptions",
             {"name": "dead", "endpoint": "http://127.0.0.1:9/x"},
             status=201)
        for i in range(3):
            e.ok("POST", "/v1/topics/zz-last/messages", {"body": "m%d" % i},
                 status=201)
        self.open_home(e)
        self.jump("topics")
        self.wait_text("206 of 206")
        self.keys("/")
        self.type("zz")
        self.keys("Enter")
        # NAME SUBS PUBLISHED PENDING FAILED: three pushes waiting to retry
        self.wait_for(lambda t: re.search(r"zz-last +2 +3 +3 +0", t),
                      "the counts of the 206th topic")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_running_invocation_shows_then_finishes(self):
        e = self.engine()
        gate = os.path.join(tempfile.mkdtemp(prefix="fd-tui-"), "gate")
        self.addCleanup(lambda: open(gate, "w").close())
        e.ok("POST", "/v1/functions", {
            "name": "slow", "command": [sys.executable, "-c", GATED, gate]},
            status=201)
        e.ok("POST", "/v1/functions", {"name": "bad", "command": ["false"]},
             status=201)
        e.ok("POST", "/v1/functions/bad/invocations", {})
        e.ok("POST", "/v1/functions/slow/invocations", {"async": True},
             status=202)
        self.open_home(e)
        self.jump("fn")
        text = self.wait_for(lambda t: re.search(
            r"slow +\S+ +none +1 +0 +\u25b6 running for \d", t),
            "the running invocation on the list")
        self.assertRegex(text, r"bad +false +none +1 +1 +\u2716 failed")
        self.keys("/")
        self.type("slow")
        self.keys("Enter")
        self.wait_text("1 of 2 functions")
        self.keys("Enter")
        self.wait_for(lambda t: re.search(
            r"\u25b6 \d\d:\d\d:\d\d \S+ +cli +\d+\S* +running", t),
            "the running invocation on the function's screen")
        open(gate, "w").close()
        self.wait_for(lambda t: re.search(
            r"\u2714 \d\d:\d\d:\d\d \S+ +cli +\d+ms succeeded", t),
            "the invocation, finished")
        self.assertIn("invocations 1 of 1", self.screen())
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
