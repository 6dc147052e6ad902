"""Mouse and colour themes, in tmux against a real engine. With
FLOWDECK_MOUSE=1 (or --mouse) a click selects a table row, a click on the
selected row opens it, and the wheel moves the selection; without it the
mouse is the terminal's. A theme file changes the colours capture-pane -e
shows, in 8 and 256 colours; NO_COLOR shows none."""

import os
import re
import shutil
import tempfile
import unittest

from tmuxcase import TmuxTestCase

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours(line):
    """The foreground colour codes set in a captured line."""
    out = []
    for m in SGR.finditer(line):
        codes = m.group(1).split(";")
        i = 0
        while i < len(codes):
            c = codes[i]
            if c in ("38", "48") and i + 2 < len(codes) and codes[i + 1] == "5":
                out.append(c + ";5;" + codes[i + 2])
                i += 3
                continue
            if re.fullmatch(r"3[0-7]|4[0-7]|9[0-7]|10[0-7]", c):
                out.append(c)
            i += 1
    return out


class MouseThemes(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        for q in ("q1", "q2", "q3", "q4", "q5"):
            self.e.ok("POST", "/v1/queues", {"name": q}, status=201)

    def click(self, x, y, button=0):
        """An X10 mouse press then release at column x, row y (0-based)."""
        for b in (button, 3):
            self.type("\x1b[M" + chr(32 + b) + chr(33 + x) + chr(33 + y))

    def wheel_down(self, x, y):
        self.type("\x1b[M" + chr(32 + 65) + chr(33 + x) + chr(33 + y))

    def row_of(self, text, needle):
        for y, line in enumerate(text.splitlines()):
            if needle in line:
                return y
        self.fail("no %r on the screen:\n%s" % (needle, text))

    def test_click_selects_opens_and_wheel_moves(self):
        self.open_home(self.e, argv=["--mouse"])
        self.keys("Tab", "Tab")
        text = self.wait_text("IN FLIGHT")
        self.assertRegex(text, r"\u25b8 +q1 ")
        y = self.row_of(text, "q3 ")
        self.click(10, y)
        text = self.wait_for(lambda t: re.search(r"\u25b8 +q3 ", t),
                             "q3 selected")
        self.click(10, y)
        self.wait_text(":queues q3")
        self.keys("Escape")
        text = self.wait_text("IN FLIGHT")
        self.click(10, self.row_of(text, "q1 "))
        text = self.wait_for(lambda t: re.search(r"\u25b8 +q1 ", t),
                             "q1 selected")
        self.wheel_down(10, self.row_of(text, "q1 "))
        self.wait_for(lambda t: re.search(r"\u25b8 +q4 ", t), "q4 selected")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_mouse_is_off_by_default(self):
        self.open_home(self.e)
        self.tmux("set", "-g", "mouse", "on")
        self.keys("Tab", "Tab")
        text = self.wait_text("IN FLIGHT")
        self.click(10, self.row_of(text, "q3 "))
        self.keys("j")
        text = self.wait_for(lambda t: re.search(r"\u25b8 +q2 ", t),
                             "j, not the click, moved")
        self.assertNotIn(":queues q3", text)
        self.assertEqual(self.quit_status(), 0, self.screen())

    def restart(self):
        """End the dashboard's session; a second one keeps the server."""
        self.tmux_quiet("new-session", "-d", "-s", "keep", "sleep 60")
        self.tmux("kill-session", "-t", "dash")

    def capture_e(self):
        return self.tmux("capture-pane", "-e", "-p", "-t", "dash")

    def title_colours(self):
        text = self.capture_e()
        return colours(text.splitlines()[0].split("flowdeck")[0] + "flowdeck")

    def theme_file(self, body):
        d = tempfile.mkdtemp(prefix="flowdeck-theme-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "red.theme")
        with open(path, "w") as f:
            f.write(body)
        return path

    def test_theme_file_in_8_and_256_colours(self):
        path = self.theme_file("# the title in red\n"
                               "title = 196|red default bold\n")
        self.open_home(self.e, extra_env={"FLOWDECK_THEME": path},
                       term="screen")
        self.wait_text("STUCK WORK")
        self.assertIn("31", self.title_colours())
        self.restart()
        self.open_home(self.e, extra_env={"FLOWDECK_THEME": path})
        self.wait_text("STUCK WORK")
        self.assertIn("38;5;196", self.title_colours())
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_named_themes_and_no_color(self):
        # the themes in assets/, found from the build dir
        self.open_home(self.e, argv=["--theme", "solarized-dark"])
        self.wait_text("STUCK WORK")
        self.assertIn("38;5;230", self.title_colours())
        self.restart()
        self.open_home(self.e, extra_env={"FLOWDECK_THEME": "nope"})
        self.wait_text("no theme 'nope'")
        self.restart()
        self.open_home(self.e, extra_env={"NO_COLOR": "1"})
        self.wait_text("STUCK WORK")
        self.assertEqual([], colours(self.capture_e()))
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
