"""Home counts failing deliveries and triggers, and lists them in the stuck
work: a subscription whose pushes fail (waiting to retry, here: nobody
listens on its port) and a queue trigger whose newest invocation failed.
Enter on the push opens the topic's deliveries of that subscription;
Enter on the trigger opens the function's invocations. The engine clock
is paused, so the delivery stays waiting to retry."""

import os
import re
import sys
import unittest

from tmuxcase import TmuxTestCase

HANDLERS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                        "fixtures", "handlers"))


class HomeFailing(TmuxTestCase):
    def test_failing_pushes_and_triggers(self):
        e = self.engine()
        e.ok("POST", "/v1/clock", {"action": "pause"})
        e.ok("POST", "/v1/topics", {"name": "alerts"}, status=201)
        e.ok("POST", "/v1/topics/alerts/subscriptions",
             {"name": "hook", "endpoint": "http://127.0.0.1:9/hook"},
             status=201)
        e.ok("POST", "/v1/topics/alerts/messages", {"body": "disk full"},
             status=201)
        e.ok("POST", "/v1/functions", {
            "name": "batch",
            "command": [sys.executable, os.path.join(HANDLERS, "batch.py")]},
            status=201)
        e.ok("POST", "/v1/queues", {"name": "work",
                                    "visibility_timeout": 600}, status=201)
        e.ok("POST", "/v1/functions/batch/triggers",
             {"queue": "work", "batch_size": 1}, status=201)
        e.ok("POST", "/v1/queues/work/messages", {"body": "crash"},
             status=201)

        # nothing here is stuck by age: only the failing show
        self.open_home(e, extra_env={"FLOWDECK_STUCK_AFTER": "1h"})
        text = self.wait_for(lambda t: re.search(
            r"failing +\u2716 0 deliveries failed  \u21bb 1 retrying   "
            r"\u2716 1 trigger failing", t), "the failing counts")
        text = self.wait_text("STUCK WORK 2")
        self.assertRegex(text, r"\u25b8 +\u2716 push +topic alerts +\u2192 "
                               r"hook +- +1 retrying, next in \d")
        self.assertRegex(text, r"\u2716 trig +fn batch +queue work +\S+ +"
                               r"failed: FunctionError")

        # Enter on the push: that subscription's deliveries
        self.keys("Enter")
        text = self.wait_for(lambda t: re.search(
            r"\u21bb +\d+ hook +retry_wait +1 ", t), "the deliveries")
        self.assertIn("alerts", text.splitlines()[2])
        self.keys("Escape")
        self.wait_text("STUCK WORK 2")

        # Enter on the trigger: the function's invocations
        self.keys("j", "Enter")
        text = self.wait_for(lambda t: re.search(
            r"\u2716 \d\d:\d\d:\d\d \S+ +queue:work +\d+ms +failed: "
            r"FunctionError", t), "the failed invocation")
        self.assertIn(":fn batch", text)
        self.keys("Escape")

        # wider, the whole line: attempts, endpoint, error
        self.tmux("resize-window", "-t", "dash", "-x", "200", "-y", "40")
        text = self.wait_for(lambda t: re.search(
            r"push +topic alerts +\u2192 hook +- +1 retrying, next in \d+\S*, "
            r"1 attempts: http://127\.0\.0\.1:9/hook Failed to connect", t),
            "the whole push line")
        self.assertRegex(text, r"trig +fn batch +queue work +\S+ +failed: "
                               r"FunctionError: exit status 1")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
