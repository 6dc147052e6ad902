"""Home's stuck work, driven in tmux against a real engine: a task
waiting past the threshold (FLOWDECK_STUCK_AFTER=0s here) shows with its
glyph, execution, step, age and where its token went, selected first, so
S then Enter succeed it: the execution is Succeeded over the API; a queue
whose oldest message ages shows too, Enter opens it; Enter on a task
opens its execution with the waiting step selected; Tab moves between
the stuck work, the executions and the queues."""

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
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
"""

STUCK = {"FLOWDECK_STUCK_AFTER": "0s"}


class HomeStuck(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "order", "definition": CHARGE},
                  status=201)

    def start(self, name):
        self.e.ok("POST", "/v1/executions", {"flow": "order", "name": name},
                  status=201)

    def status(self, name):
        return self.e.ok("GET", "/v1/executions/" + name)["status"]

    def test_resolve_a_stuck_task_in_two_keys(self):
        self.start("o-1")
        self.open_home(self.e, extra_env=STUCK)
        text = self.wait_text("STUCK WORK 2")  # the task, and queue jobs
        self.assertRegex(text, r"\u25b8 +\u23f8 task +order/o-1 +step charge "
                               r"+\S+ times out in")
        self.assertRegex(text, r"\u2709 queue +jobs ")
        self.keys("S")
        text = self.wait_text("Succeed o-1 / charge")
        self.assertIn("{}", text)
        self.keys("Enter")
        self.wait_text("sent: succeed o-1 / charge")
        self.assertEqual(self.status("o-1"), "Succeeded")
        self.wait_for(lambda t: "order/o-1" not in t, "the task gone")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_enter_opens_and_tab_moves_between_panes(self):
        self.start("o-2")
        self.open_home(self.e, extra_env=STUCK)
        self.wait_text("STUCK WORK 2")
        self.keys("Enter")
        text = self.wait_text(":exec order/o-2")
        # the waiting step is the one selected: its details under the graph
        self.wait_text("\u2500\u2500 charge")
        self.keys("Escape")
        self.wait_text("STUCK WORK 2")
        self.keys("j")
        self.keys("Enter")
        self.wait_text(":queues jobs")
        self.keys("Escape")
        self.wait_text("STUCK WORK")
        self.keys("Tab")
        text = self.wait_text("RUNNING")
        self.assertRegex(text, r"\u25b6 order +o-2 ")
        self.keys("Tab")
        text = self.wait_text("IN FLIGHT")
        self.assertRegex(text, r"jobs +1 +0 +0 ")
        self.keys("Enter")
        self.wait_text(":queues jobs")
        self.keys("Escape")
        self.wait_text("COUNTS")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_threshold_keeps_young_work_off(self):
        self.start("o-3")
        self.open_home(self.e, extra_env={"FLOWDECK_STUCK_AFTER": "1h"})
        text = self.wait_text("STUCK WORK 0")
        self.assertIn("nothing stuck", text)
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
