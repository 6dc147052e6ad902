"""`flowdeck topics ...` against a real engine: every action, tables and
-o json, and usage errors."""

import json
import unittest

from harness import EngineTestCase, run_cli


class TopicsCli(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def cli(self, *args, input=None, code=0):
        r = run_cli(["--endpoint", self.e.url] + list(args), input=input)
        self.assertEqual(r.returncode, code, (args, r.stdout, r.stderr))
        return r

    def js(self, *args, input=None):
        return json.loads(self.cli("-o", "json", *args, input=input).stdout)

    def test_every_action(self):
        self.assertIn("no topics", self.cli("topics").stdout)
        self.assertIn("topic orders", self.cli("topics", "create", "orders")
                      .stdout)
        t = self.js("topics", "create", "small", "--max-size", "1024")
        self.assertEqual(t["max_message_size"], 1024)
        self.cli("queues", "create", "billing")
        r = self.cli("topics", "subscribe", "orders", "bill", "queue:billing",
                     "--format", "JSON", "--policy", '{"kind": ["paid"]}')
        self.assertIn("subscription bill on orders -> queue:billing",
                      r.stdout)
        s = self.js("topics", "subscribe", "orders", "eu", "queue:billing",
                    "--tag", "eu", "--scope", "body", "--strategy",
                    "EXPONENTIAL_DECAY_RETRY", "--format", "SIMPLIFIED")
        self.assertEqual((s["filter_tag"], s["filter_policy_scope"],
                          s["notify_strategy"]),
                         ("eu", "MessageBody", "EXPONENTIAL_DECAY_RETRY"))
        out = self.cli("topics", "list").stdout
        self.assertIn("orders  2", out)
        show = self.cli("topics", "show", "orders").stdout
        self.assertIn('{"kind":["paid"]}', show)
        self.assertIn("tag=eu", show)

        r = self.cli("topics", "publish", "orders", "--attrs",
                     '{"kind": "paid"}', input="from stdin")
        self.assertIn("to 1 subscription", r.stdout)
        self.assertIn("bill: delivery", r.stdout)
        p = self.js("topics", "publish", "orders", "hola", "--tag", "eu")
        self.assertEqual([d["subscription"] for d in p["deliveries"]],
                         ["eu"])
        got = self.js("queues", "receive", "billing", "-n", "16")
        bodies = sorted(m["body"] for m in got["messages"])
        self.assertEqual(bodies[0], "hola")
        self.assertEqual(json.loads(bodies[1])["Message"], "from stdin")

        out = self.cli("topics", "explain", "orders", "x", "--attrs",
                       '{"kind": "refund"}').stdout
        self.assertIn("skip  bill", out)
        self.assertIn('kind: FAIL: value "refund" matches none of', out)
        self.assertIn("tag: FAIL", out)

        out = self.cli("topics", "deliveries", "orders").stdout
        self.assertIn("delivered", out)
        d = self.js("topics", "deliveries", "orders", "--sub", "eu")
        self.assertEqual(len(d["items"]), 1)
        did = d["items"][0]["id"]
        self.assertIn("delivered", self.cli("topics", "redeliver", "orders",
                                            str(did)).stdout)
        self.assertEqual(len(self.js("topics", "deliveries", "orders",
                                     "--status", "delivered", "--limit",
                                     "1")["items"]), 1)
        self.cli("topics", "unsubscribe", "orders", "eu")
        self.cli("topics", "delete", "orders")
        self.cli("topics", "show", "orders", code=1)

    def test_usage_errors(self):
        self.cli("topics", "frobnicate", code=2)
        self.cli("topics", "create", code=2)
        self.cli("topics", "show", "a", "--tag", "x", code=2)
        self.cli("topics", "subscribe", "a", "b", code=2)
        self.cli("topics", "redeliver", "a", "notanumber", code=2)
        r = self.cli("topics", "subscribe", "nope", "s", "queue:q", code=1)
        self.assertIn("nope", r.stderr)


if __name__ == "__main__":
    unittest.main()
