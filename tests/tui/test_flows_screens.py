"""The Flows screens, driven in tmux: the list of deployed flows with
their version, modification time and description, the filter, one flow's
definition with line numbers, its versions and an older version's
definition, the start form refusing what is not a JSON object, and the
ASCII screen at 80x24. Each test quits with q and expects a clean exit
(under the sanitizers a leak makes the exit status 23)."""

import re
import unittest

from tmuxcase import TmuxTestCase

V1 = """version: v1
type: flow
steps:
  - type: pass
    name: hello
"""

V2 = """version: v1
type: flow
steps:
  - type: pass
    name: hello
  - type: pass
    name: world
"""


class FlowsScreens(TmuxTestCase):
    def test_list_open_versions_and_start_form(self):
        e = self.engine()
        a = e.ok("POST", "/v1/flows", {"name": "greet", "definition": V1,
                                       "description": "says hello"},
                 status=201)
        b = e.ok("POST", "/v1/flows", {"name": "greet", "definition": V2},
                 status=200)
        e.ok("POST", "/v1/flows", {"name": "order-flow", "definition": V1,
                                   "description": "charge and ship"},
             status=201)
        self.open_home(e)

        self.jump("flows")
        text = self.wait_for(
            lambda t: "order-flow" in t and "greet" in t, "the flow list")
        self.assertIn("NAME                   VERSION MODIFIED            "
                      "DESCRIPTION", text)
        self.assertRegex(text, r"greet\s+%s \d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
                               r"says hello" % b["version"][:7])
        self.assertRegex(text, r"order-flow\s+[0-9a-f]{7} .* charge and ship")
        self.assertIn("2 of 2", text)

        # the list follows the engine without a key pressed
        e.ok("POST", "/v1/flows", {"name": "late", "definition": V1},
             status=201)
        self.wait_text("3 of 3")

        # / filters by regex, on the name or the description
        self.keys("/")
        self.type("ship")
        self.keys("Enter")
        text = self.wait_text("1 of 3")
        self.assertIn("order-flow", text)
        self.assertNotIn("greet", text)
        self.keys("/", "Escape")
        self.wait_text("3 of 3")

        # Enter opens the first by name: greet, its newest definition
        self.keys("Enter")
        text = self.wait_text("DEFINITION")
        self.assertIn(":flow greet   version %s" % b["version"][:7], text)
        self.assertIn("2 versions", text)
        self.assertIn("says hello", text)
        self.assertIn("   1  version: v1", text)
        self.assertIn("   7      name: world", text)

        # v: the versions, newest first; Enter on the older one shows it
        self.keys("v")
        text = self.wait_text("VERSIONS, newest first")
        rows = [line for line in text.splitlines()
                if re.match(r"^.\s+[0-9a-f]{7} \d{4}-", line)]
        self.assertEqual(len(rows), 2, text)
        self.assertIn(b["version"][:7], rows[0])
        self.assertIn(a["version"][:7], rows[1])
        self.keys("j", "Enter")
        text = self.wait_text("DEFINITION of version %s, not the newest"
                              % a["version"][:7])
        self.assertIn("   5      name: hello", text)
        self.assertNotIn("name: world", text)
        self.keys("N")
        self.wait_text("   7      name: world")

        # s: the start form refuses input that is no JSON object, in place
        self.keys("s")
        self.wait_text("Start greet")
        self.type("[1, 2]")
        self.keys("Enter")
        self.wait_text("the input must be a JSON object")
        self.keys("C-u")
        self.type("{oops")
        self.keys("Enter")
        self.wait_text("input: ")
        # and a name that is no execution name
        self.keys("C-u", "Tab")
        self.type("9 lives")
        self.keys("Enter")
        self.wait_text("a name is letters, digits, _ and -")
        self.keys("Escape")
        self.wait_for(lambda t: "Start greet" not in t, "the form closed")

        # Esc back to the list, then home
        self.keys("Escape")
        self.wait_text("3 of 3")
        self.keys("Escape")
        self.wait_text("COUNTS")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_ascii_80x24(self):
        e = self.engine()
        e.ok("POST", "/v1/flows", {"name": "greet", "definition": V2,
                                   "description": "x" * 200}, status=201)
        self.start_dashboard(e.url, lang="C")
        self.wait_text("COUNTS")
        self.jump("flows")
        text = self.wait_text("1 of 1")
        self.assertRegex(text, r"> +greet +[0-9a-f]{7} .* x+~")
        self.assertTrue(all(len(line) <= 80 for line in text.splitlines()))
        self.keys("Enter")
        text = self.wait_text("DEFINITION")
        self.assertIn(":flow greet   version ", text)
        self.assertIn(", modified ", text)  # no middle dot in ASCII
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
