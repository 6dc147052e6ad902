"""The Topics and Functions screens, driven in tmux against a real
engine: the topic list with its counts; a topic's subscriptions with
their endpoint, format and filters; publish from the form; deliveries
with status, attempts and next retry (an HTTP subscription to a dead
port fails and waits to retry); explain on a delivered message says
which filter clause kept a subscription out; redeliver; a delivery's
attempts and journal. The function list, one function's invocations,
invoke with an input from the form, the invocation's log; the CLI
commands that do the same. '/' filters, '?' lists the keys, 'p' pauses,
ASCII without colours at 80x24. Each test quits with q and expects a
clean exit (under the sanitizers a leak makes the exit status 23).

The engine clock is paused while deliveries are looked at, so a retry
waits where it is instead of racing the screen."""

import json
import os
import re
import unittest

from harness import free_port, run_cli
from tmuxcase import TmuxTestCase

ECHO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "fixtures", "handlers", "echo.py")


class TopicsScreens(TmuxTestCase):
    def setUp(self):
        super().setUp()
        self.e = self.engine()
        e = self.e
        e.ok("POST", "/v1/queues", {"name": "billing"}, status=201)
        e.ok("POST", "/v1/topics", {"name": "orders"}, status=201)
        e.ok("POST", "/v1/topics", {"name": "alerts"}, status=201)
        e.ok("POST", "/v1/topics/orders/subscriptions",
             {"name": "billing", "endpoint": "queue:billing",
              "format": "JSON", "filter_policy": {"kind": ["paid"]}},
             status=201)
        self.dead = "http://127.0.0.1:%d/push" % free_port()
        e.ok("POST", "/v1/topics/orders/subscriptions",
             {"name": "hook", "endpoint": self.dead, "filter_tag": "eu"},
             status=201)
        # retries wait on the engine clock: paused, they wait for us
        e.ok("POST", "/v1/clock", {"action": "pause"})

    def deliveries(self):
        return self.e.ok("GET", "/v1/topics/orders/deliveries")["items"]

    def publish_from_form(self, body, tag, attrs):
        self.keys("a")
        self.wait_text("Publish to orders")
        self.type(body)
        self.keys("Tab")
        self.type(tag)
        self.keys("Tab")
        self.type(attrs)
        self.keys("Enter")

    def test_publish_deliveries_explain_redeliver(self):
        self.open_home(self.e)

        # :topi + Tab completes what topics and topic share
        self.keys(":")
        self.type("topi")
        self.keys("Tab")
        self.wait_for(lambda t: t.splitlines()[-1].rstrip() == ":topic",
                      "the completed name")
        self.type("s")
        self.keys("Enter")
        text = self.wait_for(
            lambda t: re.search(r"orders +2 +0 +0 +0", t) and
            re.search(r"alerts +0 +0 +0 +0", t), "the topic list")
        self.assertIn("NAME                      SUBS PUBLISHED  PENDING  "
                      "FAILED", text)
        self.assertIn(":topics  2 of 2", text)

        # / filters by regex
        self.keys("/")
        self.type("^ord")
        self.keys("Enter")
        text = self.wait_text(":topics  1 of 2")
        self.assertNotIn("alerts", text)

        # Enter: the subscriptions, with endpoint, format and filters
        self.keys("Enter")
        text = self.wait_text("2 subscriptions")
        self.assertIn(":topics orders", text)
        self.assertRegex(text, r"billing +queue:billing +JSON +policy "
                               r"\{\"kind\":\[\"paid\"\]\}")
        self.assertRegex(text, r"hook +http://127\.0\.0\.1:\d+/push +XML +"
                               r"tag eu")

        # Enter on a subscription: its deliveries; back (Tab) and Enter on
        # the same one again: every subscription's (this read the name it
        # had just freed); Tab: the subscriptions again
        self.keys("Enter")
        self.keys("Tab")
        self.keys("Enter")
        self.wait_text("deliveries of every subscription")
        self.keys("Tab")

        # a: publish a refund tagged eu: the hook takes it, billing not
        self.publish_from_form('{"order": 17}', "eu", '{"kind": "refund"}')
        text = self.wait_for(lambda t: re.search(
            r"published \S+ to 1 subscriptions", t), "the publish")
        mid = re.search(r"published (\S+) to", text).group(1)

        # Tab: the deliveries; the dead port fails the push, which waits
        # for its retry with the clock paused
        self.keys("Tab")
        text = self.wait_for(lambda t: re.search(
            r"\u21bb +\d+ hook +retry_wait +1 in \d+s +Failed to connect", t),
            "the failed delivery waiting to retry")
        self.assertIn("ID SUBSCRIPTION STATUS     TRY NEXT RETRY LAST ATTEMPT",
                      text)
        [d] = self.deliveries()
        self.assertEqual((d["status"], d["attempts"], d["message_id"]),
                         ("retry_wait", 1, mid))

        # x on it: explain the message it carries, filled in for us
        self.keys("x")
        text = self.wait_text("Explain message " + mid)
        self.assertIn('{"order": 17}', text)
        self.assertIn('{"kind":"refund"}', text)
        self.keys("Enter")
        text = self.wait_text("Explain: 1 of 2 subscriptions take it")
        self.assertRegex(text, r"\u2716 billing  queue:billing  does not "
                               r"take it")
        self.assertIn("\u2716 policy on MessageAttributes", text)
        self.assertIn('\u2716 kind: value "refund" matches none of '
                      '["paid"]', text)
        self.assertRegex(text, r"\u2714 hook  \S+  takes it")
        self.assertIn("\u2714 tag: message tag equals 'eu'", text)
        self.keys("Escape")
        self.wait_for(lambda t: "Explain:" not in t, "the box closed")

        # x with a message typed in: no tag, so the hook says why not
        self.keys("Tab")  # the subscriptions pane: nothing is filled in
        self.keys("x")
        self.wait_text("Explain a message on orders")
        self.type("{}")
        self.keys("Tab", "Tab")
        self.type('{"kind": "paid"}')
        self.keys("Enter")
        text = self.wait_text("Explain: 1 of 2 subscriptions take it")
        self.assertIn("\u2714 kind: value matched \"paid\"", text)
        self.assertIn("the message has no tag; the subscription wants 'eu'",
                      text)
        self.keys("Escape")
        self.keys("Tab")

        # R: send it again: a second attempt, failed again
        self.keys("R")
        self.wait_text("sent again")
        self.wait_for(lambda t: re.search(
            r"\d+ hook +retry_wait +2 in \d+s", t), "the second attempt")
        self.assertEqual(self.deliveries()[0]["attempts"], 2)

        # Enter: the delivery's attempts and journal
        self.keys("Enter")
        text = self.wait_text("JOURNAL")
        self.assertRegex(text, r"Delivery \d+ to hook")
        self.assertRegex(text, r"status +retry_wait")
        self.assertRegex(text, r"message +" + re.escape(mid))
        self.assertRegex(text, r"error +Failed to connect")
        self.wait_text("retry_scheduled")
        self.wait_text("redeliver")
        self.keys("Escape")

        # a paid message reaches the queue in the same commit
        self.publish_from_form('{"order": 18}', "", '{"kind": "paid"}')
        text = self.wait_for(lambda t: re.search(
            r"\u2714 +\d+ billing +delivered +1 -  +queue billing, message",
            t), "the queue delivery")
        self.assertIn("2 published", text)

        # f: only the failed-and-waiting ones
        self.keys("f", "f")
        self.wait_for(lambda t: "f retry_wait" in t and "billing" not in t
                      and re.search(r"hook +retry_wait", t),
                      "the status filter")

        # back to the list: the counts moved on
        self.keys("Escape")
        self.wait_for(lambda t: re.search(r"orders +2 +2 +1 +0", t),
                      "the new counts")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_ascii_help_pause_and_refused_input(self):
        self.e.ok("POST", "/v1/topics/orders/messages",
                  {"body": "x", "tag": "eu"}, status=201)
        self.start_dashboard(self.e.url, lang="C",
                             extra_env={"NO_COLOR": "1"})
        self.wait_text("COUNTS")
        self.jump("topic orders")
        self.wait_text("2 subscriptions, 1 published")
        self.keys("Tab")
        text = self.wait_for(lambda t: re.search(
            r"~ +\d+ hook +retry_wait +1 in \d+s", t), "the delivery")
        self.assertTrue(all(ord(c) < 128 for c in text), text)
        self.assertTrue(all(len(line) <= 80 for line in text.splitlines()))

        # ? lists the screen's keys
        self.keys("?")
        text = self.wait_text("keys: topic")
        for name in ("publish", "explain", "redeliver", "status", "filter",
                     "subs/deliveries", "pause updates"):
            self.assertIn(name, text)
        self.keys("Escape")

        # the form refuses attributes that are no JSON object
        self.keys("a")
        self.wait_text("Publish to orders")
        self.type("hello")
        self.keys("Tab", "Tab")
        self.type("[1]")
        self.keys("Enter")
        self.wait_text("attributes must be a JSON object")
        self.keys("Escape")

        # p pauses the screen: what is published meanwhile shows after
        self.keys("p")
        self.wait_text("= paused")
        self.e.ok("POST", "/v1/topics/orders/messages",
                  {"body": "y", "tag": "eu"}, status=201)
        self.assertIn("2 subscriptions, 1 published", self.screen())
        self.keys("p")
        self.wait_text("2 subscriptions, 2 published")
        self.assertEqual(self.quit_status(), 0, self.screen())


class FunctionScreens(TmuxTestCase):
    def test_invoke_invocations_and_log(self):
        e = self.engine()
        e.ok("POST", "/v1/functions",
             {"name": "echo", "command": ["python3", ECHO]}, status=201)
        e.ok("POST", "/v1/queues", {"name": "images"}, status=201)
        e.ok("POST", "/v1/functions/echo/triggers", {"queue": "images"},
             status=201)
        e.ok("POST", "/v1/functions",
             {"name": "web", "url": "http://127.0.0.1:%d/" % free_port()},
             status=201)
        self.open_home(e)

        # :fn + Tab
        self.keys(":")
        self.type("fn")
        self.keys("Tab")
        self.wait_for(lambda t: t.splitlines()[-1].rstrip() == ":fn",
                      "the completed name")
        self.keys("Enter")
        text = self.wait_for(lambda t: re.search(
            r"echo +python3 \S+ +queue images +0 +0 +never invoked", t) and
            re.search(r"web +http://127\.0\.0\.1\S* +none +0 +0 +never "
                      r"invoked", t), "the function list")
        self.assertIn(":fn  2 of 2 functions", text)
        self.assertIn("NAME         COMMAND OR URL    TRIGGERS     INVOKED "
                      "FAILED LAST INVOCATION", text)

        # / filters
        self.keys("/")
        self.type("ech")
        self.keys("Enter")
        text = self.wait_text(":fn  1 of 2 functions")
        self.assertNotIn("web ", text)

        # Enter: the function, no invocations yet
        self.keys("Enter")
        text = self.wait_text("no invocations yet")
        self.assertIn(":fn echo", text)
        self.assertIn("echo.py", text)
        self.assertRegex(text, r"command . timeout 30s . at most 10 at once "
                               r". triggers: queue images")

        # i: the input form refuses what is no JSON, then invokes
        self.keys("i")
        self.wait_text("Invoke echo")
        self.type("{bad")
        self.keys("Enter")
        self.wait_text("input: ")
        self.keys("C-u")
        self.type('{"width": 640}')
        self.keys("Enter")
        self.wait_text("invoked echo: ")
        text = self.wait_for(lambda t: re.search(
            r"\u2714 \d\d:\d\d:\d\d \S+ +cli +\d+ms succeeded", t),
            "the invocation")
        self.assertIn("invocations 1 of 1", text)
        [inv] = e.ok("GET", "/v1/functions/echo/invocations")["items"]
        self.assertEqual(inv["input"], {"width": 640})

        # Enter: its log, result and input
        self.keys("Enter")
        text = self.wait_text("LOG (stderr)")
        self.assertIn(":invocation echo   " + inv["id"], text)
        self.assertIn("\u2714 succeeded", text)
        self.assertRegex(text, r"trigger +cli")
        self.assertRegex(text, r"duration +\d+ms")
        self.assertRegex(text, r"exit status +0")
        self.assertIn("echo got 1 keys", text)
        self.keys("G")
        text = self.wait_text("INPUT")
        self.assertIn('"width": 640', text)

        # i again starts from the selected invocation's input
        self.keys("Escape")
        self.wait_text("invocations 1 of 1")
        self.keys("i")
        text = self.wait_text("Invoke echo")
        self.assertIn('{"width":640}', text)
        self.keys("Escape")

        # back on the list: how the last invocation went (on 80 columns
        # a duration of 100 ms or more is cut: "succeeded 287m…")
        self.keys("Escape")
        self.wait_for(lambda t: re.search(
            r"echo +python3 \S+ +queue images +1 +0 +\u2714 succeeded "
            r"\d+(ms|m?\u2026)", t),
            "the last invocation on the list")
        self.assertEqual(self.quit_status(), 0, self.screen())

        # the same from the CLI
        r = run_cli(["--endpoint", e.url, "fn", "invocations", "echo"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, re.escape(inv["id"]) + r" .* cli +"
                                   r"succeeded +\d+ms")
        r = run_cli(["--endpoint", e.url, "fn", "invocation", "echo",
                     inv["id"]])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("status       succeeded", r.stdout)
        self.assertIn('"width": 640', r.stdout)
        self.assertIn("log\necho got 1 keys", r.stdout)
        r = run_cli(["--endpoint", e.url, "-o", "json", "fn", "invocation",
                     "echo", inv["id"]])
        self.assertEqual(json.loads(r.stdout)["id"], inv["id"])


if __name__ == "__main__":
    unittest.main()
