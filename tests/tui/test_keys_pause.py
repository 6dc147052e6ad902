"""One meaning per key across the screens: `p` pauses the screen's live
updates everywhere (the title says so), also on the screens where it once
paged back (the executions list, a queue's message browser) or paused the
engine clock (:clock). Those now page back with `b` (or PgUp), and the
clock screen pauses the engine clock with space. `?` says so on each."""

import time
import unittest

from tmuxcase import TmuxTestCase


class KeysPause(TmuxTestCase):
    def title_paused(self, text):
        return "paused" in text.splitlines()[0]

    def help_lists(self, screen, lines):
        self.keys("?")
        text = self.wait_text("keys: " + screen)
        for line in lines:
            self.assertIn(line, text)
        self.keys("x")
        self.wait_for(lambda t: "keys: " + screen not in t, "help closed")

    def test_queue_browser_pages_back_with_b_and_p_pauses(self):
        e = self.engine()
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        for b in range(4):
            e.ok("POST", "/v1/queues/jobs/messages/batch",
                 {"entries": [{"id": "e%d" % i, "body": "m%02d" % (b * 15 + i)}
                              for i in range(15)]})
        self.open_home(e)
        self.jump("queue jobs")
        self.wait_text("1\u201350 of 60")
        self.assertIn("n/b page", self.screen())
        self.keys("n")
        self.wait_text("51\u201360 of 60")
        # p: the screen stops, on the same page
        self.keys("p")
        text = self.wait_for(self.title_paused, "the paused title")
        self.assertIn("51\u201360 of 60", text)
        e.ok("POST", "/v1/queues/jobs/messages", {"body": "late"},
             status=201)
        time.sleep(2.5)  # two refreshes' worth: nothing may move
        text = self.screen()
        self.assertIn("51\u201360 of 60", text)
        self.assertTrue(self.title_paused(text), text)
        self.keys("p")
        text = self.wait_text("51\u201361 of 61")
        self.assertFalse(self.title_paused(text), text)
        # b: the page before
        self.keys("b")
        self.wait_text("1\u201350 of 61")
        self.help_lists("queue", ("b/pgup      previous page",
                                  "n/pgdn      next page",
                                  "p           pause updates"))
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_executions_list_pages_back_with_b_and_p_pauses(self):
        e = self.engine()
        self.open_home(e)
        self.keys("E")
        text = self.wait_text(":execs")
        self.wait_text("n/b page")
        self.keys("p")
        self.wait_for(self.title_paused, "the paused title")
        self.keys("p")
        self.wait_for(lambda t: not self.title_paused(t), "resumed")
        self.help_lists("execs", ("b/pgup      previous page",
                                  "n/pgdn      next page",
                                  "p           pause updates"))
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_clock_p_pauses_the_screen_space_the_engine_clock(self):
        e = self.engine()
        self.open_home(e)
        self.keys("C")
        self.wait_text("\u25b6 real")
        # p: the screen is paused, the engine clock runs on
        self.keys("p")
        text = self.wait_for(self.title_paused, "the paused title")
        self.assertIn("\u25b6 real", text)
        c = e.ok("GET", "/v1/clock")
        self.assertEqual((c["mode"], c["paused"]), ("real", False))
        self.keys("p")
        self.wait_for(lambda t: not self.title_paused(t), "resumed")
        # space: the engine clock
        self.keys("Space")
        text = self.wait_text("clock paused")
        self.assertIn("\u23f8 paused", text)
        self.assertFalse(self.title_paused(text), text)
        self.assertTrue(e.ok("GET", "/v1/clock")["paused"])
        self.keys("Space")
        self.wait_text("clock resumed")
        self.assertFalse(e.ok("GET", "/v1/clock")["paused"])
        self.help_lists("clock", ("space       pause clock",
                                  "p           pause updates"))
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
