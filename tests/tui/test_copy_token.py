"""`y` copies a waiting task's token, on the tasks screen and on the
execution screen: the status bar shows the token (to select by hand) and
the OSC 52 escape puts it on the clipboard; tmux with set-clipboard on
takes that escape into a paste buffer, which is read back here."""

import re
import unittest

from tmuxcase import TmuxTestCase

CHARGE = """version: v1
type: flow
steps:
  - type: task
    name: charge
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    timeoutSeconds: 3600
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
"""


class CopyToken(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "order", "definition": CHARGE},
                  status=201)
        self.e.ok("POST", "/v1/executions", {"flow": "order", "name": "o-1"},
                  status=201)
        [task] = self.e.ok("GET", "/v1/tasks?status=waiting")["items"]
        self.token = task["token"]

    def clipboard(self):
        return self.tmux("show-buffer")

    def test_y_on_the_tasks_screen_and_the_execution(self):
        self.start_dashboard(self.e.url, size=(200, 30))
        self.wait_text("COUNTS")
        # tmux takes what applications put on the clipboard
        self.tmux("set-option", "-s", "set-clipboard", "on")
        self.keys("T")
        self.wait_text(":tasks  1 waiting")
        self.keys("y")
        text = self.wait_text("copied token: " + self.token)
        self.assertEqual(self.clipboard(), self.token)
        self.assertIn(":tasks", text)

        # the execution: y on the waiting step
        self.tmux("delete-buffer")
        self.keys("Escape")
        self.wait_text("COUNTS")
        self.jump("exec order/o-1")
        self.wait_for(lambda t: re.search(r"\u23f8 charge", t),
                      "the waiting step")
        self.keys("y")
        self.wait_text("copied token: " + self.token)
        self.assertEqual(self.clipboard(), self.token)
        self.keys("?")
        text = self.wait_text("keys: exec")
        self.assertIn("y           copy token", text)
        self.keys("x")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_a_task_no_longer_waiting_copies_nothing(self):
        self.open_home(self.e)
        self.tmux("set-option", "-s", "set-clipboard", "on")
        self.keys("T")
        self.wait_text(":tasks  1 waiting")
        self.e.ok("POST", "/v1/tasks/%s/succeed" % self.token,
                  {"output": {}})
        self.keys("a")  # all tasks: the succeeded one stays listed
        self.wait_for(lambda t: "succeeded" in t, "the succeeded task")
        self.keys("y")
        self.wait_text("not waiting")
        self.assertNotIn("copied token", self.screen())
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
