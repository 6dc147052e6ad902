"""Explain on a delivery of a message published elsewhere (over the API,
before the console opened): the form is filled with that message, read
back from the engine (GET /v1/topics/{t}/messages/{id}), and explaining
it says which subscription takes it and why the other does not."""

import re
import unittest

from harness import free_port
from tmuxcase import TmuxTestCase


class ExplainDelivery(TmuxTestCase):
    def test_explain_a_message_published_over_the_api(self):
        e = self.engine()
        e.ok("POST", "/v1/clock", {"action": "pause"})
        e.ok("POST", "/v1/queues", {"name": "billing"}, status=201)
        e.ok("POST", "/v1/topics", {"name": "orders"}, status=201)
        e.ok("POST", "/v1/topics/orders/subscriptions",
             {"name": "billing", "endpoint": "queue:billing",
              "filter_policy": {"kind": ["paid"]}}, status=201)
        e.ok("POST", "/v1/topics/orders/subscriptions",
             {"name": "hook",
              "endpoint": "http://127.0.0.1:%d/push" % free_port(),
              "filter_tag": "eu"}, status=201)
        got = e.ok("POST", "/v1/topics/orders/messages",
                   {"body": '{"order": 17}', "tag": "eu",
                    "attributes": {"kind": "refund"}}, status=201)
        mid = got["id"]

        self.open_home(e)
        self.jump("topic orders")
        self.wait_text("1 published")
        self.keys("Tab")
        self.wait_for(lambda t: re.search(r"\d+ hook +retry_wait", t),
                      "the delivery")
        self.keys("x")
        text = self.wait_text("Explain message " + mid)
        self.assertIn('{"order": 17}', text)
        self.assertIn("refund", text)
        self.assertNotIn("type it", text)
        self.keys("Enter")
        text = self.wait_text("Explain: 1 of 2 subscriptions take it")
        self.assertRegex(text, r"\u2716 billing  queue:billing  does not "
                               r"take it")
        self.assertIn('\u2716 kind: value "refund" matches none of '
                      '["paid"]', text)
        self.assertRegex(text, r"\u2714 hook  \S+  takes it")
        self.assertIn("\u2714 tag: message tag equals 'eu'", text)
        self.keys("Escape")
        self.wait_for(lambda t: "Explain:" not in t, "the box closed")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
