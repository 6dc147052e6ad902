"""Queues over the engine API: management, messages, visibility, long
polling, peek, dead letters and redrive, FIFO, retention, bad input, and
durability across kill -9."""

import base64
import hashlib
import json
import random
import re
import socket
import struct
import threading
import time
import unittest

from harness import EngineTestCase

# Linux's SO_TIMESTAMPNS (and SCM_TIMESTAMPNS), which Python names only
# from 3.12 on
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def advance(e, by):
    return e.ok("POST", "/v1/clock", {"action": "advance", "by": by})


def send(e, q, body, **kw):
    m = dict(kw, body=body)
    return e.ok("POST", "/v1/queues/%s/messages" % q, m, status=201)


def receive(e, q, **kw):
    return e.ok("POST", "/v1/queues/%s/receive" % q, kw)["messages"]


def peek(e, q, query=""):
    return e.ok("GET", "/v1/queues/%s/messages%s" % (q, query))


def counts(e, q):
    return e.ok("GET", "/v1/queues/" + q)["counts"]


def wait_for(fn, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.02)
    return fn()


class QueueTestCase(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    def create(self, name, status=201, **attrs):
        return self.e.ok("POST", "/v1/queues", dict(attrs, name=name),
                         status=status)

    def bad(self, method, path, body, words, status=400):
        got, j = self.e.request(method, path, body)
        self.assertEqual(got, status, (path, body, j))
        for w in words:
            self.assertIn(w, j["message"], (path, body))
        return j


class Management(QueueTestCase):
    def test_create_defaults_idempotent_and_conflict(self):
        q = self.create("jobs")
        self.assertEqual(q["name"], "jobs")
        self.assertEqual((q["visibility_timeout"], q["delay_seconds"],
                          q["retention_seconds"], q["max_message_size"],
                          q["wait_seconds"], q["fifo"]),
                         (30, 0, 345600, 262144, 0, False))
        self.assertEqual(q["counts"], {"visible": 0, "in_flight": 0,
                                       "delayed": 0, "total": 0})
        self.create("jobs", status=200)
        self.create("jobs", status=200, visibility_timeout=30)
        j = self.bad("POST", "/v1/queues",
                     {"name": "jobs", "visibility_timeout": 31},
                     ["visibility_timeout", "different"], status=409)
        self.assertEqual(j["code"], "QueueExists")

    def test_get_set_list_delete(self):
        for n in ("alpha", "beta-1", "beta-2", "gamma"):
            self.create(n)
        q = self.e.ok("PATCH", "/v1/queues/alpha",
                      {"visibility_timeout": 90, "wait_seconds": 5})
        self.assertEqual((q["visibility_timeout"], q["wait_seconds"]),
                         (90, 5))
        self.assertEqual(self.e.ok("GET", "/v1/queues/alpha")
                         ["visibility_timeout"], 90)
        names = [x["name"] for x in self.e.ok("GET", "/v1/queues")["items"]]
        self.assertEqual(names, ["alpha", "beta-1", "beta-2", "gamma"])
        names = [x["name"] for x in
                 self.e.ok("GET", "/v1/queues?prefix=beta")["items"]]
        self.assertEqual(names, ["beta-1", "beta-2"])
        page = self.e.ok("GET", "/v1/queues?limit=3")
        self.assertEqual(len(page["items"]), 3)
        rest = self.e.ok("GET", "/v1/queues?limit=3&cursor=" + page["next"])
        self.assertEqual([x["name"] for x in rest["items"]], ["gamma"])
        self.assertNotIn("next", rest)
        self.e.ok("DELETE", "/v1/queues/beta-1", status=204)
        self.assertEqual(self.e.get("/v1/queues/beta-1")[0], 404)
        self.assertEqual(self.e.get("/v1/queues/beta-1")[1]["code"],
                         "QueueNotFound")
        self.assertEqual(self.e.ok("GET", "/v1/info")["counts"]["queues"], 3)

    def test_bad_names_and_attributes_change_nothing(self):
        for name in ("", "-lead", "a b", "x" * 257, "../etc", "a/b",
                     "semi;colon", "q.fifo"):
            got, j = self.e.post("/v1/queues", {"name": name})
            self.assertEqual(got, 400, name)
        self.bad("POST", "/v1/queues", {"name": "plain", "fifo": True},
                 [".fifo"])
        for attr, value, words in (
                ("delay_seconds", 604801, ["delay_seconds", "0 to 604800"]),
                ("visibility_timeout", -1, ["visibility_timeout", "43200"]),
                ("retention_seconds", 59, ["retention_seconds", "60"]),
                ("max_message_size", 1048577, ["max_message_size",
                                               "1048576"]),
                ("wait_seconds", 31, ["wait_seconds", "0 to 30"]),
                ("max_receives", 0, ["max_receives"]),
                ("content_dedup", True, ["FIFO"]),
                ("colour", "red", ["'colour'"]),
                ("visibility_timeout", "10", ["visibility_timeout"])):
            self.bad("POST", "/v1/queues", {"name": "q1", attr: value},
                     words)
        self.bad("POST", "/v1/queues", {"name": "q1",
                                        "dead_letter_queue": "nope",
                                        "max_receives": 3},
                 ["'nope'", "does not exist"])
        self.bad("POST", "/v1/queues", {"name": "q1",
                                        "dead_letter_queue": "q1",
                                        "max_receives": 3}, ["own"])
        self.assertEqual(self.e.ok("GET", "/v1/queues")["items"], [])
        self.create("q1")
        self.bad("PATCH", "/v1/queues/q1", {"visibility_timeout": 50000},
                 ["visibility_timeout"])
        self.bad("PATCH", "/v1/queues/q1", {"fifo": True}, ["fifo"])
        self.assertEqual(self.e.ok("GET", "/v1/queues/q1")
                         ["visibility_timeout"], 30)

    def test_unknown_queue_everywhere(self):
        for method, path, body in (
                ("GET", "/v1/queues/nope", None),
                ("PATCH", "/v1/queues/nope", {}),
                ("DELETE", "/v1/queues/nope", None),
                ("POST", "/v1/queues/nope/purge", {}),
                ("POST", "/v1/queues/nope/messages", {"body": "x"}),
                ("POST", "/v1/queues/nope/messages/batch",
                 {"entries": [{"id": "a", "body": "x"}]}),
                ("POST", "/v1/queues/nope/receive", {}),
                ("POST", "/v1/queues/nope/delete", {"receipt": "x"}),
                ("POST", "/v1/queues/nope/visibility",
                 {"receipt": "x", "visibility_timeout": 1}),
                ("GET", "/v1/queues/nope/messages", None),
                ("POST", "/v1/queues/nope/redrive", {})):
            got, j = self.e.request(method, path, body)
            self.assertEqual(got, 404, path)
            self.assertEqual(j["code"], "QueueNotFound", path)


class Messages(QueueTestCase):
    def test_body_round_trips_byte_for_byte(self):
        self.create("q")
        bodies = ["plain", "ünïcödé ✓ 😀", "line1\nline2\r\n\ttab",
                  '{"json": ["looking", 1]}', "<xml>&amp;</xml>", " " * 3,
                  "x" * 200000]
        for b in bodies:
            r = send(self.e, "q", b)
            self.assertEqual(r["body_md5"],
                             hashlib.md5(b.encode()).hexdigest())
        got = []
        while True:
            ms = receive(self.e, "q", max=16)
            if not ms:
                break
            got += ms
        self.assertEqual([m["body"] for m in got], bodies)
        for m in got:
            self.assertEqual(m["body_md5"],
                             hashlib.md5(m["body"].encode()).hexdigest())

    def test_priority_then_enqueue_order(self):
        self.create("q")
        order = [(8, "a"), (1, "b"), (16, "c"), (1, "d"), (8, "e"),
                 (None, "f")]
        for p, b in order:
            if p is None:
                send(self.e, "q", b)
            else:
                send(self.e, "q", b, priority=p)
        ms = receive(self.e, "q", max=16)
        self.assertEqual([m["body"] for m in ms], list("bdaefc"))
        self.assertEqual([m["priority"] for m in ms], [1, 1, 8, 8, 8, 16])

    def test_receive_fields_and_fresh_handles(self):
        self.create("q", visibility_timeout=10)
        sent = send(self.e, "q", "m1")
        (m,) = receive(self.e, "q")
        self.assertEqual(m["id"], sent["id"])
        self.assertEqual(m["dequeue_count"], 1)
        first = m["first_dequeue_ms"]
        self.assertGreaterEqual(m["next_visible_ms"] - first, 10000)
        self.assertEqual(receive(self.e, "q"), [])
        self.assertEqual(counts(self.e, "q")["in_flight"], 1)
        advance(self.e, "11s")
        (m2,) = wait_for(lambda: receive(self.e, "q"))
        self.assertEqual(m2["dequeue_count"], 2)
        self.assertEqual(m2["first_dequeue_ms"], first)
        self.assertNotEqual(m2["receipt"], m["receipt"])
        j = self.bad("POST", "/v1/queues/q/delete", {"receipt": m["receipt"]},
                     ["stale"], status=410)
        self.assertEqual(j["code"], "ReceiptHandleStale")
        self.e.ok("POST", "/v1/queues/q/delete", {"receipt": m2["receipt"]},
                  status=204)
        self.bad("POST", "/v1/queues/q/delete", {"receipt": m2["receipt"]},
                 ["no longer"], status=410)
        j = self.bad("POST", "/v1/queues/q/delete", {"receipt": "forged"},
                     ["not a receipt handle"])
        self.assertEqual(j["code"], "ReceiptHandleInvalid")
        types = [r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=message&id=" + sent["id"])["items"]]
        self.assertEqual(types, ["sent", "received", "returned", "received",
                                 "deleted"])

    def test_receipt_handles_are_unguessable(self):
        self.create("q")
        for i in range(20):
            send(self.e, "q", "m%d" % i)
        ms = receive(self.e, "q", max=16)
        handles = [m["receipt"] for m in ms]
        self.assertEqual(len(set(handles)), 16)
        # a handle with one character changed is refused
        for h in handles[:4]:
            flipped = h[:-3] + ("A" if h[-3] != "A" else "B") + h[-2:]
            got, j = self.e.post("/v1/queues/q/delete", {"receipt": flipped})
            self.assertIn(got, (400, 410))
        self.assertEqual(counts(self.e, "q")["in_flight"], 16)

    def test_delay(self):
        self.create("q", delay_seconds=60)
        send(self.e, "q", "queue delay")
        send(self.e, "q", "own delay", delay_seconds=120)
        send(self.e, "q", "no delay", delay_seconds=0)
        self.assertEqual(counts(self.e, "q")["delayed"], 2)
        (m,) = receive(self.e, "q", max=5)
        self.assertEqual(m["body"], "no delay")
        self.e.ok("POST", "/v1/queues/q/delete", {"receipt": m["receipt"]},
                  status=204)
        advance(self.e, "61s")
        (m,) = wait_for(lambda: receive(self.e, "q", max=5))
        self.assertEqual(m["body"], "queue delay")
        self.e.ok("POST", "/v1/queues/q/delete", {"receipt": m["receipt"]},
                  status=204)
        advance(self.e, "60s")
        self.assertEqual([m["body"] for m in
                          wait_for(lambda: receive(self.e, "q", max=5))],
                         ["own delay"])

    def test_change_visibility(self):
        self.create("q")
        send(self.e, "q", "m")
        (m,) = receive(self.e, "q")
        r = self.e.ok("POST", "/v1/queues/q/visibility",
                      {"receipt": m["receipt"], "visibility_timeout": 0})
        self.assertEqual(r["receipt"], m["receipt"])
        (again,) = receive(self.e, "q", visibility_timeout=100)
        self.assertEqual(again["dequeue_count"], 2)
        r = self.e.ok("POST", "/v1/queues/q/visibility",
                      {"receipt": again["receipt"],
                       "visibility_timeout": 3600})
        self.assertGreaterEqual(r["next_visible_ms"] -
                                again["first_dequeue_ms"], 3600000)
        advance(self.e, "101s")
        time.sleep(0.1)
        self.assertEqual(receive(self.e, "q"), [])
        self.bad("POST", "/v1/queues/q/visibility",
                 {"receipt": again["receipt"], "visibility_timeout": 43201},
                 ["visibility_timeout", "43200"])
        self.bad("POST", "/v1/queues/q/visibility",
                 {"receipt": m["receipt"], "visibility_timeout": 5},
                 ["stale"], status=410)

    def test_typed_attributes(self):
        self.create("q")
        attrs = {"kind": {"type": "String", "value": "order"},
                 "amount": {"type": "Number", "value": "12.5"},
                 "blob": {"type": "Binary",
                          "value": base64.b64encode(b"\x00\x01").decode()},
                 "custom": {"type": "String.label", "value": "x"}}
        send(self.e, "q", "with attrs", attributes=attrs)
        (m,) = receive(self.e, "q")
        self.assertEqual(m["attributes"], attrs)
        for bad, words in (
                ({"n": {"type": "Float", "value": "1"}}, ["String, Number"]),
                ({"n": {"type": "Number", "value": "abc"}}, ["number"]),
                ({"n": {"type": "String", "value": ""}}, ["non-empty"]),
                ({"AWS.x": {"type": "String", "value": "v"}}, ["AWS."]),
                ({"a..b": {"type": "String", "value": "v"}}, [".."]),
                ({"n": "plain"}, ["type"]),
                ({"k%d" % i: {"type": "String", "value": "v"}
                  for i in range(11)}, ["at most 10"])):
            self.bad("POST", "/v1/queues/q/messages",
                     {"body": "x", "attributes": bad}, words)
        self.assertEqual(counts(self.e, "q")["total"], 1)

    def test_bad_messages_refused(self):
        self.create("q", max_message_size=1024)
        for body, words in (({"body": ""}, ["empty"]),
                            ({}, ["'body'"]),
                            ({"body": 5}, ["'body'"]),
                            ({"body": "x" * 1025}, ["1025", "1024"]),
                            ({"body": "x", "priority": 0},
                             ["priority", "1 to 16"]),
                            ({"body": "x", "priority": 17}, ["priority"]),
                            ({"body": "x", "delay_seconds": 604801},
                             ["delay_seconds", "604800"]),
                            ({"body": "x", "group_id": ""}, ["group_id"]),
                            ({"body": "x", "speed": 1}, ["'speed'"])):
            self.bad("POST", "/v1/queues/q/messages", body, words)
        for body, words in (({"max": 0}, ["max", "1 to 16"]),
                            ({"max": 17}, ["max"]),
                            ({"wait_seconds": 31}, ["wait_seconds",
                                                    "0 to 30"]),
                            ({"visibility_timeout": 43201},
                             ["visibility_timeout"])):
            self.bad("POST", "/v1/queues/q/receive", body, words)
        self.assertEqual(counts(self.e, "q")["total"], 0)


class Batches(QueueTestCase):
    def test_batch_send(self):
        self.create("q")
        entries = [{"id": "e%d" % i, "body": "b%d" % i, "priority": 1 + i}
                   for i in range(16)]
        r = self.e.ok("POST", "/v1/queues/q/messages/batch",
                      {"entries": entries})
        self.assertEqual(len(r["successful"]), 16)
        self.assertEqual(r["failed"], [])
        self.assertEqual([x["entry_id"] for x in r["successful"]],
                         ["e%d" % i for i in range(16)])
        self.assertEqual(counts(self.e, "q")["visible"], 16)

    def test_batch_rules(self):
        self.create("q")
        path = "/v1/queues/q/messages/batch"
        j = self.bad("POST", path, {"entries": []}, ["empty"])
        self.assertEqual(j["code"], "EmptyBatchRequest")
        j = self.bad("POST", path, {"entries": [
            {"id": "e%d" % i, "body": "x"} for i in range(17)]},
            ["17", "16"])
        self.assertEqual(j["code"], "TooManyEntriesInBatchRequest")
        j = self.bad("POST", path, {"entries": [{"id": "a", "body": "x"},
                                                {"id": "a", "body": "y"}]},
                     ["twice"])
        self.assertEqual(j["code"], "BatchEntryIdsNotDistinct")
        j = self.bad("POST", path, {"entries": [{"id": "bad id!",
                                                 "body": "x"}]}, ["'id'"])
        self.assertEqual(j["code"], "InvalidBatchEntryId")
        self.assertEqual(counts(self.e, "q")["total"], 0)
        r = self.e.ok("POST", path, {"entries": [
            {"id": "ok1", "body": "fine"},
            {"id": "bad", "body": "x", "priority": 99},
            {"id": "ok2", "body": "also fine"}]})
        self.assertEqual([x["entry_id"] for x in r["successful"]],
                         ["ok1", "ok2"])
        self.assertEqual(r["failed"][0]["id"], "bad")
        self.assertIn("priority", r["failed"][0]["message"])
        self.assertEqual(counts(self.e, "q")["total"], 2)

    def test_batch_delete(self):
        self.create("q")
        for i in range(5):
            send(self.e, "q", "m%d" % i)
        ms = receive(self.e, "q", max=5)
        handles = [m["receipt"] for m in ms[:3]]
        r = self.e.ok("POST", "/v1/queues/q/delete",
                      {"receipts": handles + ["garbage"]})
        self.assertEqual(r["deleted"], 3)
        self.assertEqual([f["receipt"] for f in r["failed"]], ["garbage"])
        self.assertEqual(r["failed"][0]["code"], "ReceiptHandleInvalid")
        self.bad("POST", "/v1/queues/q/delete",
                 {"receipts": [ms[3]["receipt"], ms[3]["receipt"]]},
                 ["twice"])
        self.bad("POST", "/v1/queues/q/delete", {"receipts": []}, ["1"])
        self.assertEqual(counts(self.e, "q")["total"], 2)


class LongPolling(QueueTestCase):
    def test_wakes_on_send_and_times_out(self):
        self.create("q")
        t0 = time.time()
        self.assertEqual(receive(self.e, "q", wait_seconds=1), [])
        self.assertGreaterEqual(time.time() - t0, 0.95)
        self.assertLess(time.time() - t0, 3)

        def later():
            time.sleep(0.3)
            send(self.e, "q", "wake up")
        threading.Thread(target=later).start()
        t0 = time.time()
        ms = receive(self.e, "q", wait_seconds=10)
        self.assertEqual([m["body"] for m in ms], ["wake up"])
        self.assertLess(time.time() - t0, 5)

    def test_queue_default_wait_and_wake_on_visibility_end(self):
        self.create("q", wait_seconds=10, visibility_timeout=1)
        send(self.e, "q", "m")
        (m,) = receive(self.e, "q")
        t0 = time.time()
        (again,) = receive(self.e, "q")  # parks on the queue's default wait
        self.assertEqual(again["id"], m["id"])
        self.assertLess(time.time() - t0, 5)
        # it was handed out when its visibility ended, not before: on the
        # engine clock, so a slow machine cannot make this flaky
        received_at = again["next_visible_ms"] - 1000
        self.assertGreaterEqual(received_at, m["next_visible_ms"])

    def test_waiters_served_in_order_one_message_each(self):
        self.create("q")
        results = {}

        def waiter(i):
            results[i] = receive(self.e, "q", wait_seconds=5)
        threads = [threading.Thread(target=waiter, args=(i,))
                   for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        for i in range(3):
            send(self.e, "q", "m%d" % i)
        for t in threads:
            t.join()
        got = sorted(m["body"] for ms in results.values() for m in ms)
        self.assertEqual(got, ["m0", "m1", "m2"])

    def test_woken_receive_answered_before_the_send(self):
        """A send that wakes a waiting receive is answered after it: the
        kernel's arrival stamps on the two client sockets show the order
        in which the engine wrote the answers (microseconds apart)."""
        self.create("q")

        def connect():
            s = socket.create_connection((self.e.host, self.e.port))
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.settimeout(15)
            return s

        def post(s, path, obj):
            body = json.dumps(obj).encode()
            s.sendall(b"POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: "
                      b"application/json\r\nContent-Length: %d\r\n\r\n"
                      % (path.encode(), len(body)) + body)

        def arrival(s):
            """The whole answer, and when its first bytes arrived (ns)."""
            data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(16))
            stamps = [struct.unpack("qq", raw[:16]) for level, kind, raw in anc
                      if (level, kind) == (socket.SOL_SOCKET,
                                           SO_TIMESTAMPNS)]
            self.assertTrue(stamps, "no arrival stamp on the answer")
            while b"\r\n\r\n" not in data:
                data += s.recv(65536)
            head, body = data.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"(?i)content-length: *(\d+)",
                                   head).group(1))
            while len(body) < length:
                body += s.recv(65536)
            return head + b"\r\n\r\n" + body, \
                stamps[0][0] * 10**9 + stamps[0][1]

        waiter, sender = connect(), connect()
        try:
            for i in range(5):
                post(waiter, "/v1/queues/q/receive", {"wait_seconds": 10})
                time.sleep(0.3)  # parked
                post(sender, "/v1/queues/q/messages", {"body": "m%d" % i})
                got, woken_at = arrival(waiter)
                sent, sent_at = arrival(sender)
                self.assertIn(b"m%d" % i, got)
                self.assertTrue(sent.startswith(b"HTTP/1.1 201"), sent)
                self.assertLess(woken_at, sent_at,
                                "round %d: the send was answered %d us "
                                "before the receive it woke" %
                                (i, (woken_at - sent_at) // 1000))
        finally:
            waiter.close()
            sender.close()

    def test_shutdown_answers_waiters(self):
        self.create("q")
        out = {}

        def waiter():
            out["status"], out["body"] = self.e.request(
                "POST", "/v1/queues/q/receive", {"wait_seconds": 20})
        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.3)
        t0 = time.time()
        self.e.stop()
        t.join()
        self.assertLess(time.time() - t0, 5)
        self.assertEqual(out["status"], 200)
        self.assertEqual(out["body"], {"messages": []})


class Peek(QueueTestCase):
    def test_peek_changes_nothing_and_filters(self):
        self.create("q", visibility_timeout=60)
        ids = [send(self.e, "q", "m%d" % i)["id"] for i in range(5)]
        send(self.e, "q", "later", delay_seconds=30)
        receive(self.e, "q", max=2)
        before = counts(self.e, "q")
        all_ = peek(self.e, "q", "?state=all")["items"]
        self.assertEqual(len(all_), 6)
        self.assertEqual([m["state"] for m in all_],
                         ["in_flight", "in_flight", "visible", "visible",
                          "visible", "delayed"])
        self.assertNotIn("receipt", all_[0])
        self.assertEqual([m["id"] for m in peek(self.e, "q",
                                                "?state=visible")["items"]],
                         ids[2:])
        self.assertEqual(len(peek(self.e, "q", "?state=in_flight")["items"]),
                         2)
        self.assertEqual(len(peek(self.e, "q", "?state=delayed")["items"]), 1)
        self.assertEqual(counts(self.e, "q"), before)
        m = self.e.ok("GET", "/v1/queues/q/messages/" + ids[0])
        self.assertEqual((m["id"], m["body"], m["dequeue_count"],
                          m["state"]), (ids[0], "m0", 1, "in_flight"))
        # an id that differs in its last digit names no message
        other = ids[0][:-1] + ("1" if ids[0][-1] == "0" else "0")
        self.assertEqual(self.e.get("/v1/queues/q/messages/" + other)[0],
                         404)
        self.bad("GET", "/v1/queues/q/messages?state=sleeping", None,
                 ["state"])

    def test_paging(self):
        self.create("q")
        entries = [{"id": "e%d" % i, "body": "m%03d" % (b * 16 + i)}
                   for b in range(8) for i in range(16)]
        for b in range(8):
            self.e.ok("POST", "/v1/queues/q/messages/batch",
                      {"entries": entries[b * 16:(b + 1) * 16]})
        seen, cursor = [], None
        while True:
            page = peek(self.e, "q", "?limit=50" +
                        ("&cursor=" + cursor if cursor else ""))
            seen += [m["body"] for m in page["items"]]
            cursor = page.get("next")
            if not cursor:
                break
        self.assertEqual(seen, ["m%03d" % i for i in range(128)])

    def test_pages_from_the_end_and_back(self):
        self.create("q")
        for b in range(8):
            self.e.ok("POST", "/v1/queues/q/messages/batch", {"entries": [
                {"id": "e%d" % i, "body": "m%03d" % (b * 16 + i)}
                for i in range(16)]})
        last = peek(self.e, "q", "?limit=50&before=end")
        self.assertEqual([m["body"] for m in last["items"]],
                         ["m%03d" % i for i in range(78, 128)])
        self.assertNotIn("next", last)
        # self re-fetches the same page going forward
        again = peek(self.e, "q", "?limit=50&cursor=" + last["self"])
        self.assertEqual(again["items"], last["items"])
        before = peek(self.e, "q", "?limit=50&before=" + last["prev"])
        self.assertEqual([m["body"] for m in before["items"]],
                         ["m%03d" % i for i in range(28, 78)])
        # back at the start: the first page, as paging forward gives it
        first = peek(self.e, "q", "?limit=50&before=" + before["prev"])
        self.assertEqual([m["body"] for m in first["items"]],
                         ["m%03d" % i for i in range(0, 50)])
        self.assertNotIn("prev", first)
        self.assertEqual(first["self"], "0")
        # a state filter pages backwards too
        receive(self.e, "q", max=3)
        fl = peek(self.e, "q", "?state=in_flight&before=end&limit=2")
        self.assertEqual([m["body"] for m in fl["items"]], ["m001", "m002"])
        self.assertIn("prev", fl)
        self.assertEqual(self.e.get("/v1/queues/q/messages?before=x")[0],
                         400)

    def test_remove_by_id(self):
        self.create("q")
        mid = send(self.e, "q", "doomed")["id"]
        self.e.ok("DELETE", "/v1/queues/q/messages/" + mid, status=204)
        self.assertEqual(counts(self.e, "q")["total"], 0)
        self.assertEqual(self.e.request("DELETE", "/v1/queues/q/messages/" +
                                        mid)[0], 404)


class DeadLetters(QueueTestCase):
    def test_max_receives_moves_then_redrive(self):
        self.create("dlq")
        self.create("jobs", visibility_timeout=5, dead_letter_queue="dlq",
                    max_receives=2)
        mid = send(self.e, "jobs", "poison",
                   attributes={"k": {"type": "String", "value": "v"}})["id"]
        for i in range(2):
            (m,) = wait_for(lambda: receive(self.e, "jobs"))
            self.assertEqual(m["dequeue_count"], i + 1)
            advance(self.e, "6s")
        time.sleep(0.1)
        self.assertEqual(receive(self.e, "jobs"), [])  # moved, not given
        self.assertEqual(counts(self.e, "jobs")["total"], 0)
        (d,) = peek(self.e, "dlq")["items"]
        self.assertEqual((d["id"], d["body"], d["source"], d["dequeue_count"]),
                         (mid, "poison", "jobs", 2))
        self.assertEqual(d["attributes"]["k"]["value"], "v")
        dl = self.e.ok("GET", "/v1/queues/dlq")
        self.assertEqual(dl["dead_letter_sources"], ["jobs"])
        self.assertEqual(self.e.ok("GET", "/v1/info")["queues"]
                         ["dead_letter"], 1)
        rec = self.e.ok("GET", "/v1/journal?kind=message&type=dead_lettered"
                        "&id=" + mid)["items"]
        self.assertIn("max_receives is 2", rec[0]["detail"]["why"])
        r = self.e.ok("POST", "/v1/queues/dlq/redrive", {})
        self.assertEqual((r["moved"], r["failed"]), (1, []))
        (m,) = receive(self.e, "jobs")
        self.assertEqual((m["id"], m["dequeue_count"]), (mid, 1))

    def test_redrive_chosen_to_named_queue(self):
        self.create("dlq")
        self.create("other")
        ids = [send(self.e, "dlq", "m%d" % i)["id"] for i in range(3)]
        r = self.e.ok("POST", "/v1/queues/dlq/redrive",
                      {"ids": [ids[0], ids[2], "nope"], "to": "other"})
        self.assertEqual(r["moved"], 2)
        self.assertEqual([f["id"] for f in r["failed"]], ["nope"])
        self.assertEqual([m["body"] for m in peek(self.e, "other")["items"]],
                         ["m0", "m2"])
        # no source recorded and no target: refused per message
        r = self.e.ok("POST", "/v1/queues/dlq/redrive", {})
        self.assertEqual(r["moved"], 0)
        self.assertEqual(r["failed"][0]["code"], "NoTarget")
        self.bad("POST", "/v1/queues/dlq/redrive", {"to": "dlq"}, ["'to'"])


class Fifo(QueueTestCase):
    def test_group_order_and_lock(self):
        self.create("f.fifo", fifo=True, content_dedup=True,
                    visibility_timeout=30)
        for body, g in (("a1", "A"), ("b1", "B"), ("a2", "A"), ("a3", "A"),
                        ("b2", "B")):
            r = send(self.e, "f.fifo", body, group_id=g)
            self.assertIn("sequence", r)
        ms = receive(self.e, "f.fifo", max=16)
        self.assertEqual([m["body"] for m in ms],
                         ["a1", "a2", "a3", "b1", "b2"])
        self.e.ok("POST", "/v1/queues/f.fifo/visibility",
                  {"receipt": ms[0]["receipt"], "visibility_timeout": 0})
        # a1 is back: group A gives a1 only (a2, a3 in flight); B locked
        self.assertEqual([m["body"] for m in receive(self.e, "f.fifo",
                                                     max=16)], ["a1"])

    def test_locked_group_blocks_later_messages(self):
        self.create("g.fifo", fifo=True, content_dedup=True)
        send(self.e, "g.fifo", "x1", group_id="G")
        (x1,) = receive(self.e, "g.fifo")
        send(self.e, "g.fifo", "x2", group_id="G")
        send(self.e, "g.fifo", "y1", group_id="H")
        self.assertEqual([m["body"] for m in receive(self.e, "g.fifo",
                                                     max=10)], ["y1"])
        self.e.ok("POST", "/v1/queues/g.fifo/delete",
                  {"receipt": x1["receipt"]}, status=204)
        self.assertEqual([m["body"] for m in receive(self.e, "g.fifo",
                                                     max=10)], ["x2"])

    def test_dedup_window(self):
        self.create("d.fifo", fifo=True)
        a = send(self.e, "d.fifo", "one", group_id="g", dedup_id="k1")
        b = send(self.e, "d.fifo", "one again", group_id="g", dedup_id="k1")
        self.assertEqual(b["id"], a["id"])
        self.assertTrue(b["duplicate"])
        self.assertEqual(counts(self.e, "d.fifo")["total"], 1)
        advance(self.e, "6m")
        c = send(self.e, "d.fifo", "one", group_id="g", dedup_id="k1")
        self.assertNotEqual(c["id"], a["id"])
        self.assertEqual(counts(self.e, "d.fifo")["total"], 2)

    def test_content_dedup_and_fifo_rules(self):
        self.create("c.fifo", fifo=True, content_dedup=True)
        a = send(self.e, "c.fifo", "same body", group_id="g")
        b = send(self.e, "c.fifo", "same body", group_id="other")
        self.assertEqual(a["id"], b["id"])
        self.create("n.fifo", fifo=True)
        self.bad("POST", "/v1/queues/n.fifo/messages",
                 {"body": "x", "group_id": "g"}, ["dedup_id"])
        self.bad("POST", "/v1/queues/c.fifo/messages", {"body": "x"},
                 ["group_id"])
        self.bad("POST", "/v1/queues/c.fifo/messages",
                 {"body": "x", "group_id": "g", "delay_seconds": 5},
                 ["delay_seconds"])
        self.bad("POST", "/v1/queues", {"name": "s", "dead_letter_queue":
                                        "c.fifo", "max_receives": 1},
                 ["must be a standard queue"])


class Retention(QueueTestCase):
    def test_expired_messages_removed(self):
        self.create("q", retention_seconds=60)
        mid = send(self.e, "q", "old")["id"]
        advance(self.e, "30s")
        send(self.e, "q", "young")
        advance(self.e, "31s")
        wait_for(lambda: counts(self.e, "q")["total"] == 1)
        self.assertEqual([m["body"] for m in peek(self.e, "q")["items"]],
                         ["young"])
        types = [r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=message&id=" + mid)["items"]]
        self.assertEqual(types[-1], "expired")


class PurgeAndDelete(QueueTestCase):
    def test_purge(self):
        self.create("q")
        for i in range(10):
            send(self.e, "q", "m%d" % i)
        receive(self.e, "q", max=3)
        self.assertEqual(self.e.ok("POST", "/v1/queues/q/purge"),
                         {"purged": 10})
        self.assertEqual(counts(self.e, "q")["total"], 0)
        self.assertEqual(self.e.ok("GET", "/v1/journal?kind=queue&id=q")
                         ["items"][-1]["type"], "purged")


class Durability(QueueTestCase):
    def test_state_survives_kill9(self):
        self.create("q", visibility_timeout=600)
        self.create("other")
        sent = [send(self.e, "q", "m%d" % i)["id"] for i in range(30)]
        ms = receive(self.e, "q", max=10)
        for m in ms[:5]:
            self.e.ok("POST", "/v1/queues/q/delete",
                      {"receipt": m["receipt"]}, status=204)
        in_flight = {m["id"]: m for m in ms[5:]}
        self.e.kill9()
        self.e.start()
        c = counts(self.e, "q")
        self.assertEqual((c["total"], c["in_flight"], c["visible"]),
                         (25, 5, 20))
        for m in peek(self.e, "q", "?state=in_flight")["items"]:
            self.assertEqual(m["next_visible_ms"],
                             in_flight[m["id"]]["next_visible_ms"])
        # receipts still work after the restart
        some = in_flight[list(in_flight)[0]]
        self.e.ok("POST", "/v1/queues/q/delete", {"receipt": some["receipt"]},
                  status=204)
        left = {m["id"] for m in peek(self.e, "q", "?limit=100")["items"]}
        self.assertEqual(left, set(sent) - {m["id"] for m in ms[:5]} -
                         {some["id"]})

    def test_queues_created_between_sends_keep_their_messages(self):
        for i, name in enumerate(("a", "b", "c")):
            self.create(name)
            for k in range(i + 1):
                send(self.e, name, "%s%d" % (name, k))
        self.e.kill9()
        self.e.start()
        for i, name in enumerate(("a", "b", "c")):
            self.assertEqual(counts(self.e, name)["total"], i + 1, name)
            self.assertEqual([m["body"] for m in peek(self.e, name)["items"]],
                             ["%s%d" % (name, k) for k in range(i + 1)])

    def test_no_acknowledged_write_lost_under_kill9(self):
        """Send and delete from several connections; kill -9 mid-stream;
        every acknowledged send is there exactly once unless its delete
        was acknowledged, and no acknowledged delete came back."""
        self.create("q", visibility_timeout=3600)
        acked, deleted, stop = set(), set(), threading.Event()
        tried = set()  # deletes sent: the kill may land after the commit
        lock = threading.Lock()

        def producer(n):
            i = 0
            while not stop.is_set():
                body = "p%d-%d" % (n, i)
                i += 1
                try:
                    s, _ = self.e.request("POST", "/v1/queues/q/messages",
                                          {"body": body}, timeout=5)
                except Exception:  # noqa: BLE001 - the engine died
                    return
                if s == 201:
                    with lock:
                        acked.add(body)

        def consumer():
            while not stop.is_set():
                try:
                    s, j = self.e.request("POST", "/v1/queues/q/receive",
                                          {"max": 10}, timeout=5)
                    for m in j["messages"]:
                        with lock:
                            tried.add(m["body"])
                        s2, _ = self.e.request(
                            "POST", "/v1/queues/q/delete",
                            {"receipt": m["receipt"]}, timeout=5)
                        if s2 == 204:
                            with lock:
                                deleted.add(m["body"])
                except Exception:  # noqa: BLE001 - the engine died
                    return

        threads = [threading.Thread(target=producer, args=(n,))
                   for n in range(4)] + [threading.Thread(target=consumer)
                                         for _ in range(2)]
        for t in threads:
            t.start()
        # enough traffic first, however slow the machine, then a random
        # moment to kill it
        wait_for(lambda: len(acked) >= 150, timeout=30)
        time.sleep(random.random())
        self.e.kill9()
        stop.set()
        for t in threads:
            t.join()
        self.e.start()
        bodies, cursor = [], None
        while True:
            page = peek(self.e, "q", "?limit=1000" +
                        ("&cursor=" + cursor if cursor else ""))
            bodies += [m["body"] for m in page["items"]]
            cursor = page.get("next")
            if not cursor:
                break
        present = set(bodies)
        self.assertEqual(len(bodies), len(present), "a message twice")
        self.assertGreater(len(acked), 100)
        self.assertLessEqual(deleted, tried)
        self.assertEqual(acked - tried - present, set(),
                         "acknowledged sends lost")
        self.assertEqual(deleted & present, set(),
                         "acknowledged deletes came back")


if __name__ == "__main__":
    unittest.main()
