"""The Logs and Clock screens, driven in tmux against a real engine.

:logs shows the engine's last log lines and follows new ones; f stops
following (new lines wait below, the view does not move), G follows
again; '/' filters by regex; Enter shows a line's whole object; warn
lines carry a marker that needs no colour. :clock shows the engine clock
and steers it: p pauses and resumes, s sets the scale, a advances by a
duration (refusing bad ones in place), 1 goes back to real speed; every
change is checked against GET /v1/clock. Both screens at 80x24 and
200x60, their '?' help, and Home's keys to reach them. Each test quits
with q and expects a clean exit (under the sanitizers a leak makes the
exit status 23)."""

import re
import time
import unittest

from tmuxcase import TmuxTestCase

ROW_TIME = r"\d\d:\d\d:\d\d\.\d{3}"


class LogsClockScreens(TmuxTestCase):
    @staticmethod
    def fits(text, w, h):
        lines = text.split("\n")
        return max(len(line) for line in lines) <= w and len(lines) <= h + 1

    # -- the engine --
    @staticmethod
    def snapshot(e, name):
        """Save a snapshot: the engine logs "snapshot '<name>' saved"."""
        e.ok("POST", "/v1/snapshots", {"name": name}, status=201)

    @staticmethod
    def clock(e):
        return e.ok("GET", "/v1/clock")

    @staticmethod
    def list_rows(text):
        """The log rows of a :logs screen (without title, header and
        footer)."""
        return [line for line in text.splitlines()
                if re.match(r"^..%s " % ROW_TIME, line)]

    # -- logs --
    def test_logs_follow_pause_filter_and_json(self):
        e = self.engine()
        for i in range(40):  # more lines than the screen has rows
            self.snapshot(e, "fill-%02d" % i)
        self.open_home(e)
        # Home lists the key; L opens the log, following, at its end
        self.assertIn("L logs", self.screen().splitlines()[-1])
        self.keys("L")
        text = self.wait_text("snapshot 'fill-39' saved")
        self.assertIn(":logs", text)
        self.assertIn("\u25cf following", text)
        rows = self.list_rows(text)
        self.assertEqual(len(rows), 24 - 3 - 1, text)
        self.assertRegex(rows[-1], r"^\u25b8 %s INFO  snapshot 'fill-39' "
                                   r"saved$" % ROW_TIME)
        self.assertNotIn("fill-00", text)  # scrolled off the top
        # the engine's start-up line is there, with its fields
        lines = self.e_lines(e)
        self.assertIn("flowdeckd 0.1.0 started",
                      " ".join(l.get("msg", "") for l in lines))

        # following: a new line shows without a key pressed
        self.snapshot(e, "live-1")
        text = self.wait_text("snapshot 'live-1' saved")
        self.assertRegex(self.list_rows(text)[-1], r"live-1")

        # f stops following: a new line waits below, the view stays put
        self.keys("f")
        text = self.wait_text("paused")
        before = self.list_rows(text)
        self.snapshot(e, "live-2")
        text = self.wait_text("1 below")
        self.assertEqual(self.list_rows(text), before)
        self.assertNotIn("live-2", text)
        time.sleep(1.2)  # two more polls: still put
        self.assertEqual(self.list_rows(self.screen()), before)
        # G follows again, to the end
        self.keys("G")
        text = self.wait_text("snapshot 'live-2' saved")
        self.assertIn("\u25cf following", text)
        self.assertRegex(self.list_rows(text)[-1], r"live-2")
        # moving up pauses following too
        self.keys("k", "k")
        text = self.wait_for(lambda t: re.search(
            r"\u25b8 %s INFO  snapshot 'fill-39'" % ROW_TIME, t),
            "the selection two up")
        self.assertIn("paused", text)

        # / filters by regex as it is typed
        self.keys("/")
        self.type("live-[0-9]")
        self.keys("Enter")
        text = self.wait_for(lambda t: re.search(r"2 of \d+ lines", t),
                             "the filtered count")
        rows = self.list_rows(text)
        self.assertEqual(len(rows), 2, text)
        self.assertIn("live-1", rows[0])
        self.assertIn("live-2", rows[1])
        self.assertNotIn("fill-", text)
        self.assertIn("/live-[0-9]", text)

        # Enter shows the selected line's whole object
        self.keys("G", "Enter")
        text = self.wait_text("log line")
        self.assertIn('"level": "info"', text)
        self.assertIn('"msg": "snapshot \'live-2\' saved"', text)
        self.assertRegex(text, r'"time": "\d{4}-\d\d-\d\dT[^"]+Z"')
        self.keys("Escape")
        self.wait_for(lambda t: "log line" not in t, "the JSON box closed")

        # Esc on the '/' line clears the filter
        self.keys("/", "Escape")
        text = self.wait_for(lambda t: re.search(r":logs\s+\d+ lines", t),
                             "the unfiltered list")
        self.assertIn("live-2", text)
        self.assertIn("fill-39", text)

        # a warn line stands out without colour: a marker in the gutter
        e.ok("POST", "/v1/queues", {"name": "d"}, status=201)
        e.ok("POST", "/v1/queues", {"name": "j", "dead_letter_queue": "d",
                                    "max_receives": 1}, status=201)
        e.ok("DELETE", "/v1/queues/d", status=204)
        e.ok("POST", "/v1/queues/j/messages", {"body": "x"}, status=201)
        for _ in range(2):
            e.ok("POST", "/v1/queues/j/receive",
                 {"max": 1, "visibility_timeout": 0})
        text = self.wait_text("dead-letter queue 'd' is missing")
        self.assertRegex(text, r"\n.!%s WARN  queue 'j': dead-letter queue "
                               r"'d' is missing" % ROW_TIME)
        self.assertEqual(self.quit_status(), 0, self.screen())

    def logs_at(self, text, w, h):
        """A whole :logs screen of w x h: title, header, a row on every
        line the lines fill, footer."""
        lines = text.splitlines()
        rows = self.list_rows(text)
        return self.fits(text, w, h) and len(lines) >= h and \
            lines[0].startswith(" flowdeck ") and \
            lines[2].startswith(" :logs ") and "q quit" in lines[h - 1] and \
            len(rows) == min(h - 4, len(rows)) and \
            all(re.match(r"^..%s " % ROW_TIME, line)
                for line in lines[3:3 + len(rows)])

    def e_lines(self, e):
        return e.ok("GET", "/v1/logs?tail=500")["items"]

    def test_logs_resize_help_and_completion(self):
        e = self.engine()
        for i in range(30):
            self.snapshot(e, "fill-%02d" % i)
        self.open_home(e)
        # :lo + Tab completes the name
        self.keys(":")
        self.type("lo")
        self.keys("Tab")
        self.wait_for(lambda t: t.splitlines()[-1].rstrip() == ":logs",
                      "the completed name")
        self.keys("Enter")
        text = self.wait_text("snapshot 'fill-29' saved")
        self.assertTrue(self.fits(text, 80, 24), text)
        self.assertIn("enter json  / filter  f follow  G end, follow",
                      text.splitlines()[-1])

        self.tmux("resize-window", "-t", "dash", "-x", "200", "-y", "60")
        text = self.wait_for(lambda t: self.logs_at(t, 200, 60) and
                             "fill-00" in t, "the screen at 200x60")
        rows = self.list_rows(text)
        # every line of the log, none blank
        self.assertEqual(len(rows), len(self.e_lines(e)), text)
        self.assertRegex(rows[-1], r"fill-29")
        self.assertTrue(any("flowdeckd 0.1.0 started" in r and
                            "listen=127.0.0.1:" in r for r in rows), text)
        self.tmux("resize-window", "-t", "dash", "-x", "80", "-y", "24")
        text = self.wait_for(lambda t: self.logs_at(t, 80, 24) and
                             "fill-29" in t, "the screen back at 80x24")
        self.assertNotIn("fill-00", text)

        # ? lists the screen's keys, any key closes it
        self.keys("?")
        text = self.wait_text("keys: logs")
        for line in ("enter       json", "/           filter",
                     "f           follow", "G/end       end, follow",
                     "g/home      top", "j/\u2193         down",
                     "k/\u2191         up",
                     "pgdn        page down", "pgup        page up",
                     "esc         back", "q           quit"):
            self.assertIn(line, text)
        self.keys("x")
        self.wait_for(lambda t: "keys: logs" not in t, "help closed")
        # PgUp pauses, g goes to the first line
        self.keys("PPage")
        self.wait_text("paused")
        self.keys("g")
        text = self.wait_for(lambda t: re.search(
            r"\u25b8 %s INFO  store migrated" % ROW_TIME, t), "the first line")
        self.keys("Escape")
        self.wait_text("COUNTS")
        self.assertEqual(self.quit_status(), 0, self.screen())

    # -- clock --
    def clock_now(self, text):
        m = re.search(r"engine now\s+(\S+)", text)
        self.assertIsNotNone(m, text)
        return m.group(1)

    @staticmethod
    def header_at(text, width):
        """The clock's header line, its note right-aligned to `width`."""
        lines = text.splitlines()
        return len(lines) > 2 and lines[2].startswith(" :clock ") and \
            lines[2].rstrip().endswith("one engine clock drives every "
                                       "timer") and \
            len(lines[2].rstrip()) == width - 1

    def test_clock_pause_advance_scale_and_real(self):
        e = self.engine()
        self.open_home(e)
        self.assertIn("C clock", self.screen().splitlines()[-1])
        self.keys("C")
        text = self.wait_text("\u25b6 real")
        self.assertIn(":clock", text)
        self.assertRegex(text, r"scale\s+\u00d71  \(real speed\)")
        self.assertRegex(text, r"engine now\s+\d{4}-\d\d-\d\dT[\d:.]+Z")
        first = self.clock_now(text)
        self.wait_for(lambda t: self.clock_now(t) != first,
                      "engine now moving")

        # space pauses: the engine says so, and "now" stops on screen
        self.keys("Space")
        text = self.wait_text("\u23f8 paused")
        c = self.clock(e)
        self.assertEqual((c["mode"], c["paused"]), ("paused", True))
        self.assertIn("clock paused", text)
        time.sleep(1.2)  # a refresh after the pause
        shown = self.clock_now(self.screen())
        time.sleep(2.2)
        self.assertEqual(self.clock_now(self.screen()), shown)
        self.assertEqual(self.clock(e)["now_ms"], c["now_ms"])

        # a bad duration is refused in place and changes nothing
        self.keys("a")
        self.wait_text("Advance the clock")
        self.type("10 minutes")
        self.keys("Enter")
        text = self.wait_text("'10 minutes' is no duration")
        self.assertIn("Advance the clock", text)  # still asking
        self.keys("Escape")
        self.wait_for(lambda t: "Advance the clock" not in t, "prompt gone")
        after = self.clock(e)  # the offset grows as real time goes on
        self.assertEqual([after[k] for k in ("mode", "scale", "now_ms")],
                         [c[k] for k in ("mode", "scale", "now_ms")])

        # space resumes
        self.keys("Space")
        self.wait_text("\u25b6 real")
        c = self.clock(e)
        self.assertEqual((c["mode"], c["paused"]), ("real", False))
        moving = self.clock_now(self.wait_text("clock resumed"))
        self.wait_for(lambda t: self.clock_now(t) != moving,
                      "engine now moving again")

        # a 10m advances the engine clock by ten minutes
        before = self.clock(e)["offset_ms"]
        self.keys("a")
        self.wait_text("Advance the clock")
        self.type("10m")
        self.keys("Enter")
        text = self.wait_text("clock advanced")
        after = self.clock(e)
        # in real mode the offset stands still, to a millisecond of rounding
        self.assertGreaterEqual(after["offset_ms"] - before, 600000 - 2)
        self.assertLess(after["offset_ms"] - before, 600000 + 1000)
        # ten minutes, less the few seconds spent paused before
        self.assertRegex(text, r"offset\s+\+(9m5\d|10m0\d)s ahead of real "
                               r"time")

        # s 60 runs the clock sixty times as fast
        self.keys("s")
        self.wait_text("Set the clock's scale")
        self.type("60")
        self.keys("Enter")
        self.wait_text("\u25b6 scaled \u00d760")
        c = self.clock(e)
        self.assertEqual((c["mode"], c["scale"]), ("scaled", 60))
        # a scale the engine refuses: its message, and nothing changes
        self.keys("s")
        self.wait_text("Set the clock's scale")
        self.type("2e6")
        self.keys("Enter")
        self.wait_text("scale failed: scale must be a number above 0 and at "
                       "most 1000000")
        self.assertEqual(self.clock(e)["scale"], 60)
        # not a number: refused in place
        self.keys("s")
        self.wait_text("Set the clock's scale")
        self.type("fast")
        self.keys("Enter")
        self.wait_text("'fast' is no scale")
        self.keys("Escape")
        self.wait_for(lambda t: "Set the clock's scale" not in t,
                      "prompt gone")

        # 1 from paused and scaled: real speed, running
        self.keys("Space")
        self.wait_text("\u23f8 paused")
        self.assertEqual(self.clock(e)["mode"], "paused")
        self.keys("1")
        text = self.wait_text("clock back to real speed")
        self.assertIn("\u25b6 real", text)
        c = self.clock(e)
        self.assertEqual((c["mode"], c["paused"], c["scale"]),
                         ("real", False, 1))
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_clock_resize_help_and_completion(self):
        e = self.engine()
        self.open_home(e)
        # Home's help lists both screens
        self.keys("?")
        text = self.wait_text("keys: home")
        self.assertIn("L           logs", text)
        self.assertIn("C           clock", text)
        self.keys("x")
        self.wait_for(lambda t: "keys: home" not in t, "help closed")
        # :clo + Tab completes the name
        self.keys(":")
        self.type("clo")
        self.keys("Tab")
        self.wait_for(lambda t: t.splitlines()[-1].rstrip() == ":clock",
                      "the completed name")
        self.keys("Enter")
        text = self.wait_text("\u25b6 real")
        self.assertTrue(self.fits(text, 80, 24), text)
        self.assertEqual("space pause clock  s scale  a advance  1 real  : "
                         "jump  ? help  esc back  q quit",
                         text.splitlines()[-1].strip())
        self.assertTrue(self.header_at(text, 80), text)
        self.keys("s")
        text = self.wait_text("Set the clock's scale")
        self.assertTrue(self.fits(text, 80, 24), text)
        self.keys("Escape")
        self.wait_for(lambda t: "Set the clock's scale" not in t,
                      "prompt gone")

        self.tmux("resize-window", "-t", "dash", "-x", "200", "-y", "60")
        text = self.wait_for(lambda t: self.fits(t, 200, 60) and
                             self.header_at(t, 200), "the screen at 200x60")
        self.assertIn("q quit", text.splitlines()[-1])
        self.assertRegex(text, r"offset\s+none: in step with real time")
        self.tmux("resize-window", "-t", "dash", "-x", "80", "-y", "24")
        self.wait_for(lambda t: self.fits(t, 80, 24) and
                      self.header_at(t, 80), "the screen back at 80x24")

        self.keys("?")
        text = self.wait_text("keys: clock")
        for line in ("space       pause clock", "s           scale",
                     "a           advance", "1           real",
                     "esc         back", "q           quit"):
            self.assertIn(line, text)
        self.keys("x")
        self.wait_for(lambda t: "keys: clock" not in t, "help closed")
        self.keys("Escape")
        self.wait_text("COUNTS")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
