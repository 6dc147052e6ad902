"""`flowdeck queues ...` against a real engine: every action, tables and
-o json, and usage errors."""

import json
import os
import tempfile
import unittest

from harness import EngineTestCase, run_cli


class QueuesCli(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def cli(self, *args, input=None, code=0):
        r = run_cli(["--endpoint", self.e.url] + list(args), input=input)
        self.assertEqual(r.returncode, code, (args, r.stdout, r.stderr))
        return r

    def js(self, *args, input=None):
        return json.loads(self.cli("-o", "json", *args, input=input).stdout)

    def test_create_list_show_set_delete(self):
        r = self.cli("queues", "create", "jobs-dlq")
        self.assertIn("queue jobs-dlq ready", r.stdout)
        q = self.js("queues", "create", "jobs", "--visibility", "45",
                    "--dlq", "jobs-dlq", "--max-receives", "3")
        self.assertEqual((q["visibility_timeout"], q["dead_letter_queue"],
                          q["max_receives"]), (45, "jobs-dlq", 3))
        self.js("queues", "create", "f.fifo", "--fifo", "--content-dedup")
        out = self.cli("queues").stdout
        self.assertIn("jobs      standard", out)
        self.assertIn("-> jobs-dlq after 3 receives", out)
        self.assertIn("(a dead-letter queue)", out)
        self.assertIn("f.fifo    fifo", out)
        names = [x["name"] for x in self.js("queues", "list", "--prefix",
                                            "jobs")["items"]]
        self.assertEqual(names, ["jobs", "jobs-dlq"])
        show = self.cli("queues", "show", "jobs").stdout
        self.assertIn("visibility         45s", show)
        self.assertIn("dead letters       to jobs-dlq after 3 receives", show)
        self.assertEqual(self.js("queues", "set", "jobs", "--dlq", "")
                         .get("dead_letter_queue"), None)
        r = self.cli("queues", "create", "jobs", "--visibility", "46",
                     code=1)
        self.assertIn("different value for 'visibility_timeout'", r.stderr)
        self.assertIn("(QueueExists)", r.stderr)
        self.cli("queues", "delete", "jobs")
        r = self.cli("queues", "show", "jobs", code=1)
        self.assertIn("no queue 'jobs'", r.stderr)

    def test_send_receive_delete_and_visibility(self):
        self.cli("queues", "create", "q")
        a = self.js("queues", "send", "q", "from an argument", "-p", "1")
        b = self.js("queues", "send", "q", input="from stdin\n")
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write('{"from": "a file"}')
        self.addCleanup(os.unlink, f.name)
        c = self.js("queues", "send", "q", "@" + f.name, "--attrs",
                    '{"k": {"type": "String", "value": "v"}}')
        peek = self.js("queues", "peek", "q")["items"]
        self.assertEqual([m["body"] for m in peek],
                         ["from an argument", "from stdin\n",
                          '{"from": "a file"}'])
        self.assertEqual(peek[2]["attributes"]["k"]["value"], "v")
        got = self.js("queues", "receive", "q", "-n", "3")["messages"]
        self.assertEqual([m["id"] for m in got], [a["id"], b["id"], c["id"]])
        table = self.cli("queues", "peek", "q", "--state", "in_flight").stdout
        self.assertIn("in_flight", table)
        self.cli("queues", "change-visibility", "q", got[0]["receipt"], "0")
        self.assertEqual(self.js("queues", "peek", "q", "--state",
                                 "visible")["items"][0]["id"], a["id"])
        r = self.cli("queues", "delete-message", "q", got[1]["receipt"],
                     got[2]["receipt"])
        self.assertIn("deleted 2", r.stdout)
        r = self.cli("queues", "delete-message", "q", got[1]["receipt"],
                     code=1)
        self.assertIn("ReceiptHandleStale", r.stderr)
        out = self.cli("queues", "receive", "q").stdout
        self.assertIn("RECEIPT", out)
        self.assertIn("from an argument", out)
        self.assertIn("no messages", self.cli("queues", "receive", "q",
                                              "--wait", "1").stdout)

    def test_redrive_journal_and_purge(self):
        self.cli("queues", "create", "dlq")
        self.cli("queues", "create", "other")
        ids = [self.js("queues", "send", "dlq", "m%d" % i)["id"]
               for i in range(3)]
        r = self.cli("queues", "redrive", "dlq", ids[1], "--to", "other")
        self.assertIn("moved 1", r.stdout)
        self.assertEqual([m["id"] for m in self.js("queues", "peek",
                                                   "other")["items"]],
                         [ids[1]])
        recs = self.js("queues", "journal", "other", ids[1])["items"]
        self.assertEqual([x["type"] for x in recs], ["sent", "redriven"])
        r = self.cli("queues", "purge", "dlq", code=2)
        self.assertIn("--yes", r.stderr)
        self.assertEqual(len(self.js("queues", "peek", "dlq")["items"]), 2)
        self.assertIn("purged 2 messages", self.cli("queues", "purge", "dlq",
                                                    "--yes").stdout)
        types = [x["type"] for x in self.js("queues", "journal",
                                            "dlq")["items"]]
        self.assertEqual(types, ["created", "purged"])

    def test_usage_errors(self):
        for args, word in ((["queues", "bogus", "q"], "no action 'bogus'"),
                           (["queues", "send"], "needs a queue name"),
                           (["queues", "send", "q", "x", "--max", "3"],
                            "--max does not go with queues send"),
                           (["queues", "create", "q", "--visibility", "abc"],
                            "--visibility"),
                           (["queues", "send", "q", "x", "-p", "17"],
                            "--priority"),
                           (["queues", "change-visibility", "q", "r"],
                            "wrong number of arguments"),
                           (["queues", "list", "q"], "no queue name")):
            r = self.cli(*args, code=2)
            self.assertIn(word, r.stderr, args)
            self.assertIn("usage: flowdeck queues", r.stderr)
        self.assertEqual(self.js("queues", "list")["items"], [])


if __name__ == "__main__":
    unittest.main()
