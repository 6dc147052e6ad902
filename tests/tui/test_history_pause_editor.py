"""The console's history, pause and $EDITOR, in tmux against a real
engine: [ and ] go back and forward through the screens as a browser
does; p pauses the screen's live updates (the title says so) and p again
catches up; ctrl-e in the succeed dialog and in the start form runs
$EDITOR (with its arguments) on the field and takes back what it wrote,
checked over the API."""

import os
import shutil
import stat
import tempfile
import time
import unittest

from tmuxcase import TmuxTestCase

CHARGE = """version: v1
type: flow
steps:
  - type: task
    name: charge
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
  - type: pass
    name: ship
"""

# writes its first argument's word into the file it is given, last
EDITOR = """#!/bin/sh
printf '{\\n  "from": "%s"\\n}\\n' "$1" > "$2"
"""


class HistoryPauseEditor(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        for q in ("jobs", "mail"):
            self.e.ok("POST", "/v1/queues", {"name": q}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "order", "definition": CHARGE},
                  status=201)

    def fake_editor(self):
        d = tempfile.mkdtemp(prefix="flowdeck-editor-")
        path = os.path.join(d, "fake-editor")
        with open(path, "w") as f:
            f.write(EDITOR)
        os.chmod(path, stat.S_IRWXU)
        self.addCleanup(shutil.rmtree, d, True)
        return path + " editor"

    def test_history_back_and_forward(self):
        self.open_home(self.e)
        self.keys("Q")
        self.wait_text(":queues")
        self.keys("Enter")
        self.wait_text(":queues jobs")
        self.keys("[")
        text = self.wait_for(lambda t: ":queues jobs" not in t and
                             "VISIBLE" in t, "the queues again")
        self.keys("[")
        self.wait_text("COUNTS")
        self.keys("[")
        self.wait_text("this is the first screen")
        self.keys("]")
        self.wait_for(lambda t: "VISIBLE" in t and "COUNTS" not in t,
                      "forward to the queues")
        self.keys("]")
        self.wait_text(":queues jobs")
        self.keys("]")
        self.wait_text("nothing ahead")
        # a screen opened anew drops what was ahead
        self.keys("[")
        self.wait_for(lambda t: ":queues jobs" not in t, "back")
        self.keys("j", "Enter")
        self.wait_text(":queues mail")
        self.keys("[")
        self.wait_for(lambda t: ":queues mail" not in t, "back again")
        self.keys("]")
        self.wait_text(":queues mail")
        self.keys("]")
        self.wait_text("nothing ahead")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_pause_stops_the_screen_until_resumed(self):
        self.open_home(self.e)
        self.keys("T")
        self.wait_text(":tasks  0 waiting")
        self.keys("p")
        text = self.wait_text("paused")
        self.assertIn("paused", text.splitlines()[0])
        self.e.ok("POST", "/v1/executions", {"flow": "order", "name": "o-1"},
                  status=201)
        self.assertEqual(len(self.e.ok("GET", "/v1/tasks")["items"]), 1)
        # two refreshes' worth: the paused screen must not have moved
        self.wait_for(lambda t: "clock" in t, "a frame", timeout=2)
        time.sleep(2.5)
        self.assertIn(":tasks  0 waiting", self.screen())
        self.keys("p")
        text = self.wait_text(":tasks  1 waiting")
        self.assertNotIn("paused", text.splitlines()[0])
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_editor_in_succeed_dialog_and_start_form(self):
        self.e.ok("POST", "/v1/executions", {"flow": "order", "name": "o-2"},
                  status=201)
        self.open_home(self.e, extra_env={"EDITOR": self.fake_editor(),
                                          "FLOWDECK_STUCK_AFTER": "0s"})
        self.wait_text("order/o-2")
        self.keys("S")
        text = self.wait_text("Succeed o-2 / charge")
        self.assertIn("$EDITOR", text)
        self.keys("C-e")
        self.wait_text('{   "from": "editor" }')
        self.keys("Enter")
        self.wait_text("sent: succeed o-2 / charge")
        x = self.e.ok("GET", "/v1/executions/o-2")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(x["output"].get("from"), "editor", x)

        # the start form's input, from the flows screen
        self.keys("F")
        self.wait_text("order")
        self.keys("s")
        self.wait_text("Start order")
        self.keys("C-e")
        self.wait_text('{   "from": "editor" }')
        self.keys("Enter")
        self.wait_for(lambda t: len(self.e.ok(
            "GET", "/v1/executions?flow=order")["items"]) == 2,
            "the execution started")
        items = self.e.ok("GET", "/v1/executions?flow=order")["items"]
        new = [i for i in items if i["name"] != "o-2"][0]
        x = self.e.ok("GET", "/v1/executions/" + new["name"])
        self.assertEqual(x["input"].get("from"), "editor", x)
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
