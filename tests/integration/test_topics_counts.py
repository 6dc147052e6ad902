"""What the console's lists and home screen read about topics without one
request per row: the counts GET /v1/topics gives each topic (subscriptions,
messages, deliveries pending and failed), the failing deliveries in GET
/v1/info (retrying, failed, and the subscriptions they belong to), and
GET /v1/topics/{t}/messages/{id}, one published message read back. Pushes
go to a port nobody listens on, on the paused engine clock, so a delivery
stays retrying until the clock is moved."""

import time
import unittest

from harness import EngineTestCase


def wait_for(fn, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


DEAD = "http://127.0.0.1:9/hook"  # nobody listens on the discard port


class TopicCounts(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.e.ok("POST", "/v1/clock", {"action": "pause"})

    def topic(self, name):
        self.e.ok("POST", "/v1/topics", {"name": name}, status=201)

    def sub(self, topic, name, endpoint, **kw):
        self.e.ok("POST", "/v1/topics/%s/subscriptions" % topic,
                  dict(kw, name=name, endpoint=endpoint), status=201)

    def publish(self, topic, body, **kw):
        return self.e.ok("POST", "/v1/topics/%s/messages" % topic,
                         dict(kw, body=body), status=201)

    def delivery(self, topic, did):
        for d in self.e.ok("GET", "/v1/topics/%s/deliveries?limit=1000" %
                           topic)["items"]:
            if d["id"] == did:
                return d
        raise AssertionError("no delivery %s" % did)

    def listed(self):
        return {t["name"]: t for t in self.e.ok("GET", "/v1/topics")["items"]}

    def test_list_carries_the_counts(self):
        self.topic("quiet")
        self.topic("busy")
        self.e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        self.sub("busy", "toq", "queue:q")
        self.sub("busy", "dead", DEAD)
        for i in range(3):
            self.publish("busy", "m%d" % i)
        t = self.listed()
        self.assertEqual((t["quiet"]["subscriptions"], t["quiet"]["messages"],
                          t["quiet"]["pending"], t["quiet"]["failed"]),
                         (0, 0, 0, 0))
        self.assertEqual(t["busy"]["subscriptions"], 2)
        self.assertEqual(t["busy"]["messages"], 3)
        # the queue deliveries are made in the publish; the three pushes
        # are still to be made or waiting to retry
        self.assertEqual(t["busy"]["pending"], 3)
        self.assertEqual(t["busy"]["failed"], 0)

    def test_info_counts_failing_deliveries(self):
        self.topic("alerts")
        self.sub("alerts", "hook", DEAD)  # BACKOFF_RETRY: 3 retries
        info = self.e.ok("GET", "/v1/info")["topics"]
        self.assertEqual((info["retrying"], info["failed"], info["failing"]),
                         (0, 0, []))
        did = self.publish("alerts", "x")["deliveries"][0]["id"]
        wait_for(lambda: self.delivery("alerts", did)["status"] ==
                 "retry_wait")
        info = self.e.ok("GET", "/v1/info")["topics"]
        self.assertEqual(info["retrying"], 1)
        self.assertEqual(info["failed"], 0)
        self.assertEqual(len(info["failing"]), 1)
        f = info["failing"][0]
        self.assertEqual((f["topic"], f["subscription"], f["endpoint"],
                          f["retrying"], f["failed"], f["status"],
                          f["attempts"], f["delivery"]),
                         ("alerts", "hook", DEAD, 1, 0, "retry_wait", 1, did))
        self.assertIn("next_attempt", f)
        self.assertTrue(f["error"])
        # run out of retries: failed, and no longer retrying
        for n in range(2, 5):
            self.e.ok("POST", "/v1/clock", {"action": "advance", "by": "20s"})
            wait_for(lambda: self.delivery("alerts", did)["attempts"] == n)
        wait_for(lambda: self.delivery("alerts", did)["status"] == "failed")
        info = self.e.ok("GET", "/v1/info")["topics"]
        self.assertEqual((info["retrying"], info["failed"]), (0, 1))
        f = info["failing"][0]
        self.assertEqual((f["failed"], f["retrying"], f["status"],
                          f["attempts"]), (1, 0, "failed", 4))
        self.assertNotIn("next_attempt", f)
        self.assertEqual(self.listed()["alerts"]["failed"], 1)
        self.assertEqual(self.listed()["alerts"]["pending"], 0)
        # deleting the topic takes its deliveries out of the counts
        self.e.ok("DELETE", "/v1/topics/alerts", status=204)
        info = self.e.ok("GET", "/v1/info")["topics"]
        self.assertEqual(info["failing"], [])

    def test_get_one_message(self):
        self.topic("t")
        self.topic("other")
        got = self.publish("t", '{"n": 1}', tag="red",
                           attributes={"kind": "order", "n": 5})
        m = self.e.ok("GET", "/v1/topics/t/messages/%s" % got["id"])
        self.assertEqual(m["id"], got["id"])
        self.assertEqual(m["topic"], "t")
        self.assertEqual(m["body"], '{"n": 1}')
        self.assertEqual(m["body_md5"], got["body_md5"])
        self.assertEqual(m["tag"], "red")
        self.assertIn("kind", m["attributes"])
        self.assertIn("published", m)
        # read back, it explains as it was published
        ex = self.e.ok("POST", "/v1/topics/t/explain",
                       {"body": m["body"], "tag": m["tag"],
                        "attributes": m["attributes"]})
        self.assertIn("subscriptions", ex)
        plain = self.publish("t", "plain")
        m = self.e.ok("GET", "/v1/topics/t/messages/%s" % plain["id"])
        self.assertNotIn("tag", m)
        self.assertNotIn("attributes", m)
        # a message of another topic, an unknown id, an unknown topic
        st, j = self.e.get("/v1/topics/other/messages/%s" % got["id"])
        self.assertEqual(st, 404, j)
        self.assertIn("no message", j["message"])
        st, j = self.e.get("/v1/topics/t/messages/nope")
        self.assertEqual(st, 404, j)
        st, j = self.e.get("/v1/topics/missing/messages/%s" % got["id"])
        self.assertEqual(st, 404, j)


if __name__ == "__main__":
    unittest.main()
