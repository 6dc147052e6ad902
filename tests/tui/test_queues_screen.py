"""The Queues screens, driven in tmux: the queue list with its counts,
one queue's messages browsed a page at a time without consuming (to the
end of a 10,000-message queue, quickly), the state filter, a message's
detail with its pretty-printed body and journal, send, delete, purge,
redrive out of a dead-letter queue, resizing, help, and a stopped engine.
Each test quits with q and expects a clean exit (under the sanitizers a
leak makes the exit status 23)."""

import re
import time
import unittest

from tmuxcase import TmuxTestCase

PAGE = 50


class QueuesScreen(TmuxTestCase):
    def open_queue(self, name):
        self.jump("queue " + name)
        return self.wait_text(":queues " + name)

    # -- the engine --
    @staticmethod
    def make_queue(e, name, **attrs):
        e.ok("POST", "/v1/queues", dict(attrs, name=name), status=201)

    @staticmethod
    def send(e, queue, body, **kw):
        return e.ok("POST", "/v1/queues/%s/messages" % queue,
                    dict(kw, body=body), status=201)["id"]

    @staticmethod
    def counts(e, queue):
        return e.ok("GET", "/v1/queues/" + queue)["counts"]

    # -- the tests --
    def test_list_browse_filter_and_detail(self):
        e = self.engine()
        self.make_queue(e, "jobs-dlq")
        self.make_queue(e, "jobs", dead_letter_queue="jobs-dlq",
                        max_receives=3)
        self.make_queue(e, "results")
        first = self.send(e, "jobs", '{"orderId":"A-17","amount":12.5}',
                          priority=3)
        for i in range(3):
            self.send(e, "jobs", "plain text %d" % i)
        self.send(e, "jobs", "later", delay_seconds=600)
        self.send(e, "results", "r")
        self.open_home(e)

        # :queues with completion: ":queu" + Tab
        self.keys(":")
        self.type("queu")
        self.keys("Tab")
        # two screens start so: Tab completes what they share
        self.wait_for(lambda t: t.splitlines()[-1].rstrip() == ":queue",
                      "the completed name")
        self.type("s")
        self.keys("Enter")
        # wait for the whole list: a capture can land mid-draw
        text = self.wait_for(
            lambda t: re.search(r"results\s+standard\s+1\s+0\s+0", t) and
            re.search(r"jobs\s+standard\s+4\s+0\s+1\s+\S+ jobs-dlq \(0\)",
                      t), "the queue list with its counts")
        self.assertIn("VISIBLE IN FLIGHT  DELAYED DLQ", text)

        # the list follows the engine without a key pressed
        self.send(e, "results", "r2")
        self.wait_for(lambda t: re.search(r"results\s+standard\s+2\s", t),
                      "the new count")

        # / filters by regex
        self.keys("/")
        self.type("^res")
        self.keys("Enter")
        text = self.wait_text("1 of 3")
        self.assertNotRegex(text, r"jobs\s+standard")
        self.keys("/", "Escape")
        self.wait_text("3 of 3")

        # Enter opens the selected queue: jobs, the first by name
        self.keys("Enter")
        text = self.wait_text("1\u20135 of 5")
        header = text.splitlines()[2]
        self.assertIn(":queues jobs", header)
        self.assertIn("visible 4 \u00b7 in flight 0 \u00b7 delayed 1", header)
        self.assertIn("STATE     ID           PRI ENQUEUED DEQ BODY", text)
        self.assertRegex(text, r"visible\s+1-\S+\s+3 \d\d:\d\d:\d\d\s+0 "
                               r"\{\"orderId\":\"A-17\"")
        self.assertRegex(text, r"delayed\s+5-\S+\s+8 .* later  visible in "
                               r"\d+s")
        # browsing never consumes
        time.sleep(1.2)
        self.assertEqual(self.counts(e, "jobs"),
                         {"visible": 4, "in_flight": 0, "delayed": 1,
                          "total": 5})

        # f cycles the state filter
        self.keys("f")
        text = self.wait_text("1\u20134 of 4")
        self.assertIn("state visible", text)
        self.assertNotIn("later", text)
        self.keys("f")
        text = self.wait_text("0 of 0")
        self.assertIn("no messages", text)
        self.keys("f")
        text = self.wait_text("1\u20131 of 1")
        self.assertIn("later", text)
        self.keys("f")
        self.wait_text("1\u20135 of 5")

        # Enter: the detail of the first message
        self.keys("Enter")
        text = self.wait_text("BODY (JSON)")
        self.assertIn(":message jobs   " + first, text)
        self.assertIn('   {\n     "orderId": "A-17",\n     "amount": 12.5',
                      text)
        self.assertRegex(text, r"priority\s+3")
        self.assertRegex(text, r"dequeue count\s+0")
        self.assertRegex(text, r"body md5\s+[0-9a-f]{32}")
        # the journal is below the fold at 80x24: G scrolls to the end
        self.keys("G")
        text = self.wait_text("JOURNAL")
        self.assertIn('     "amount": 12.5\n   }', text)
        self.assertRegex(text, r"\d\d:\d\d:\d\d\.\d{3}  sent\s+.*queue=jobs")
        # Esc goes back to the queue, then to the list
        self.keys("Escape")
        self.wait_text("1\u20135 of 5")
        self.keys("Escape")
        self.wait_text("NAME")
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_pages_to_the_end_of_10000_messages(self):
        e = self.engine()
        self.make_queue(e, "big")
        self.make_queue(e, "other")
        for b in range(10000 // 16):
            e.ok("POST", "/v1/queues/big/messages/batch",
                 {"entries": [{"id": "e%d" % i, "body": "m%05d" % (b * 16 + i)}
                              for i in range(16)]})
            if b % 100 == 0:  # gaps in the sequence numbers
                self.send(e, "other", "x")
        self.open_home(e)
        self.open_queue("big")
        self.wait_text("1\u201350 of 10000")

        # G fetches the last page, not the 200 pages before it (how fast
        # is for bench/, not for a test)
        self.keys("G")
        text = self.wait_text("9951\u201310000 of 10000")
        self.wait_text("m09999")
        text = self.screen()
        self.assertRegex(text, r"\u25b8.*m09999")  # the last row selected
        self.assertNotIn("m09950 ", text)
        # k up through the rows reaches the first of the page
        for _ in range(49):
            self.keys("k")
        self.wait_text("m09951")

        self.keys("b")
        self.wait_text("9901\u20139950 of 10000")
        self.wait_text("m09900")
        self.keys("n")
        self.wait_text("9951\u201310000 of 10000")
        self.keys("g")
        self.wait_text("1\u201350 of 10000")
        self.wait_text("m00000")
        self.keys("n")
        self.wait_text("51\u2013100 of 10000")
        self.wait_text("m00050")
        self.keys("b")
        self.wait_text("1\u201350 of 10000")
        self.assertEqual(self.counts(e, "big")["visible"], 10000)
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_send_delete_and_purge(self):
        e = self.engine()
        self.make_queue(e, "jobs")
        self.open_home(e)
        self.open_queue("jobs")
        self.wait_text("0 of 0")

        # a: the send form; Tab to the priority, Enter sends
        self.keys("a")
        self.wait_text("Send to jobs")
        self.type('{"k": [1, 2]}')
        self.keys("Tab")
        self.type("2")
        self.keys("Enter")
        text = self.wait_text("1\u20131 of 1")
        self.assertIn("visible 1", text)
        self.assertRegex(text, r"visible\s+\S+\s+2 .*\{\"k\": \[1, 2\]\}")
        items = e.ok("GET", "/v1/queues/jobs/messages")["items"]
        self.assertEqual([(m["body"], m["priority"]) for m in items],
                         [('{"k": [1, 2]}', 2)])

        # a bad priority is refused on the spot, nothing is sent
        self.keys("a")
        self.wait_text("Send to jobs")
        self.type("x")
        self.keys("Tab")
        self.type("99")
        self.keys("Enter")
        self.wait_text("priority is 1 (highest) to 16")
        self.keys("Escape")
        self.wait_for(lambda t: "Send to jobs" not in t, "the form closed")
        self.assertEqual(self.counts(e, "jobs")["total"], 1)

        # D asks; n keeps the message, y deletes it
        self.keys("D")
        self.wait_text("delete message %s?" % items[0]["id"])
        self.keys("n")
        self.wait_for(lambda t: "delete message" not in t, "the question gone")
        self.assertEqual(self.counts(e, "jobs")["total"], 1)
        self.keys("D")
        self.wait_text("delete message")
        self.keys("y")
        self.wait_text("0 of 0")
        self.assertEqual(self.counts(e, "jobs")["total"], 0)

        # P purges everything, after asking
        for i in range(3):
            self.send(e, "jobs", "p%d" % i)
        self.wait_text("1\u20133 of 3")
        self.keys("P")
        self.wait_text("delete all 3 messages of jobs?")
        self.keys("y")
        self.wait_text("purged 3 messages")
        self.wait_text("0 of 0")
        self.assertEqual(self.counts(e, "jobs")["total"], 0)
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_redrive_from_a_dead_letter_queue(self):
        e = self.engine()
        self.make_queue(e, "jobs-dlq")
        self.make_queue(e, "jobs", dead_letter_queue="jobs-dlq",
                        max_receives=1)
        ids = [self.send(e, "jobs", "job %d" % i) for i in range(3)]
        # a second receive moves a message to the DLQ
        for _ in range(20):
            if self.counts(e, "jobs-dlq")["total"] == 3:
                break
            e.ok("POST", "/v1/queues/jobs/receive",
                 {"max": 1, "visibility_timeout": 0})
        self.assertEqual(self.counts(e, "jobs-dlq")["total"], 3)
        self.open_home(e)

        text = self.open_queue("jobs")
        self.wait_text("dead letters \u2192 jobs-dlq (3)")
        self.keys("Escape")
        self.wait_text("COUNTS")
        text = self.open_queue("jobs-dlq")
        text = self.wait_text("1\u20133 of 3")
        self.assertIn("dead letters from jobs", text)
        # mark the first and the third; r sends both back
        self.keys("Space")
        self.wait_text("1 marked")
        self.keys("j", "Space")
        text = self.wait_text("2 marked")
        self.assertEqual(text.count("\u2713"), 2, text)
        self.keys("r")
        self.wait_text("redrove 2 messages")
        self.wait_text("1\u20131 of 1")
        self.assertEqual(self.counts(e, "jobs-dlq")["total"], 1)
        back = e.ok("GET", "/v1/queues/jobs/messages")["items"]
        self.assertEqual(sorted(m["id"] for m in back),
                         sorted([ids[0], ids[2]]))
        # unmarked: r redrives the selected one
        self.keys("r")
        self.wait_text("redrove 1 messages")
        self.wait_text("0 of 0")
        self.assertEqual(self.counts(e, "jobs")["total"], 3)
        journal = e.ok("GET", "/v1/journal?kind=message&id=" + ids[1])
        self.assertIn("redriven", [r["type"] for r in journal["items"]])
        self.assertEqual(self.quit_status(), 0, self.screen())

    def test_resize_help_ascii_and_a_stopped_engine(self):
        e = self.engine()
        self.make_queue(e, "jobs-dlq")
        self.make_queue(e, "jobs", dead_letter_queue="jobs-dlq",
                        max_receives=2)
        for i in range(60):
            self.send(e, "jobs", "message number %d " % i + "x" * 150)
        self.open_home(e, lang="C")
        self.open_queue("jobs")
        text = self.wait_text("1-50 of 60")  # ASCII dash
        self.assertIn("visible 60, in flight 0, delayed 0", text)
        self.assertIn("dead letters -> jobs-dlq", text)

        def fits(t, w, h):
            lines = t.split("\n")
            return max(len(line) for line in lines) <= w and \
                len(lines) <= h + 1

        self.tmux("resize-window", "-t", "dash", "-x", "200", "-y", "60")
        text = self.wait_for(lambda t: "peek never consumes" in t and
                             "message number 49 " in t and fits(t, 200, 60),
                             "the screen at 200x60")
        self.assertRegex(text.splitlines()[-2], r"1-50 of 60 .* G end$")
        self.assertIn("r redrive  : jump  ? help  esc back  q quit", text)
        self.tmux("resize-window", "-t", "dash", "-x", "80", "-y", "24")
        text = self.wait_for(lambda t: "1-50 of 60" in t and fits(t, 80, 24)
                             and "peek never consumes" not in t,
                             "the screen back at 80x24")
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith(" flowdeck "), text)
        self.assertIn("STATE", lines[3])
        self.assertTrue(all(len(line) <= 80 for line in lines))
        self.assertRegex(lines[4], r"visible .*message number 0 x+~$")

        # ? lists the keys of this screen, any key closes it
        self.keys("?")
        text = self.wait_text("keys: queue")
        for line in ("G           last page", "n/pgdn      next page",
                     "j/down      down", "f           state",
                     "D           delete", "r           redrive",
                     "esc         back", "q           quit"):
            self.assertIn(line, text)
        self.keys("x")
        self.wait_for(lambda t: "keys: queue" not in t, "help closed")

        # the engine stops: a banner, and the keys still work
        e.stop()
        self.wait_text("engine not answering - retrying")
        self.keys("?")
        self.wait_text("keys: queue")
        self.keys("x")
        self.wait_for(lambda t: "keys: queue" not in t, "help closed")
        self.assertIn("1-50 of 60", self.screen())
        e.start()
        self.wait_for(lambda t: "not answering" not in t and "* up" in t,
                      "recovery")
        self.assertEqual(self.quit_status(), 0, self.screen())


if __name__ == "__main__":
    unittest.main()
