"""The dashboard, driven in tmux at 80x24: it shows the engine from
/v1/info, says so when the engine stops answering, recovers when it comes
back, and quits on q with a clean exit (under the sanitizers a leak would
make the exit status 23)."""

import shutil
import unittest

from tmuxcase import TmuxTestCase
from harness import free_port, new_data_dir, run_cli  # noqa: E402


class Dashboard(TmuxTestCase):
    def test_home_follows_the_engine(self):
        e = self.engine()
        e.ok("POST", "/v1/timers", {"after": "1h"}, status=201)
        self.start_dashboard(e.url)
        addr = "127.0.0.1:%d" % e.port

        text = self.wait_for(lambda t: addr in t and "\u25cf up" in t,
                             "the engine, up")
        title = text.splitlines()[0]
        self.assertTrue(title.startswith(" flowdeck  " + addr + " \u25cf up "),
                        title)
        self.assertIn("clock: real", title)
        text = self.wait_for(lambda t: "COUNTS" in t, "the counts")
        self.assertRegex(text, r"\btimers 1\b")
        self.assertRegex(text, r"\bjournal \d+\b")
        self.assertRegex(text, r"\bsnapshots 0\b")
        self.assertIn("pid         %d" % e.proc.pid, text)
        self.assertIn(e.data_dir[:60], text)
        self.assertIn("q quit", text.splitlines()[-1])

        # it keeps up with changes, without a key pressed
        e.ok("POST", "/v1/clock", {"action": "pause"})
        self.wait_for(lambda t: "clock: paused" in t, "the paused clock")

        e.stop()
        self.wait_for(lambda t: "engine not answering \u2014 retrying" in t,
                      "the not-answering banner")
        e.start()
        self.wait_for(lambda t: "\u25cf up" in t and "not answering" not in t,
                      "recovery")

        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_ascii_fallback_and_resize(self):
        e = self.engine()
        self.start_dashboard(e.url, "C")
        addr = "127.0.0.1:%d" % e.port
        text = self.wait_for(lambda t: "* up" in t and "COUNTS" in t,
                             "the ASCII screen")
        self.assertTrue(text.splitlines()[0].startswith(
            " flowdeck  %s * up " % addr))
        self.tmux("resize-window", "-t", "dash", "-x", "60", "-y", "14")
        self.wait_for(lambda t: max(len(line) for line in t.splitlines())
                      <= 60 and "q quit" in t.splitlines()[-1],
                      "the screen redrawn at 60x14")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_starts_the_engine_first(self):
        url = "http://127.0.0.1:%d" % free_port()
        data_dir = new_data_dir("dash-up")
        env = {"FLOWDECK_DATA_DIR": data_dir}
        self.addCleanup(shutil.rmtree, data_dir, True)
        self.addCleanup(run_cli, ["down", "--endpoint", url], env)
        self.start_dashboard(url, extra_env=env)
        self.wait_for(lambda t: "\u25cf up" in t and data_dir[:60] in t,
                      "the engine it started")
        self.assertEqual(self.quit_status(), 0, self.screen())
        # the engine outlives the dashboard
        r = run_cli(["status", "--endpoint", url])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run_cli(["down", "--endpoint", url])
        self.assertEqual(r.stdout, "flowdeck engine stopped\n")


if __name__ == "__main__":
    unittest.main()
