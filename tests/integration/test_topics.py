"""Topics over the engine API against a real engine and a local HTTP
receiver this test starts: fan-out to queues and HTTP with tags and filter
policies, the push formats (XML, JSON, SIMPLIFIED, the SNS envelope and
raw), retry schedules on the paused engine clock moved by hand, the
deliveries list and redeliver, explain, and flows publishing to a topic in
both patterns (seed 001). Nothing here waits on wall-clock time but for
pushes to arrive."""

import hashlib
import http.server
import json
import os
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from harness import EngineTestCase

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "flows")
MNS_NS = "{http://mns.aliyuncs.com/doc/v1/}"
HANDLERS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                        "fixtures", "handlers"))


class Receiver:
    """A local HTTP endpoint: records every POST; answers each path with
    the status set for it (200 by default)."""

    def __init__(self):
        self.got = []
        self.status = {}
        self.cond = threading.Condition()
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                code = recv.status.get(self.path, 200)
                with recv.cond:
                    recv.got.append({"path": self.path,
                                     "headers": {k.lower(): v for k, v in
                                                 self.headers.items()},
                                     "body": body.decode()})
                    recv.cond.notify_all()
                out = b"ok" if code < 300 else b"nope, try later"
                self.send_response(code)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait(self, path, n=1, timeout=10):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                hits = [g for g in self.got if g["path"] == path]
                if len(hits) >= n:
                    return hits
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("%s: %d pushes, wanted %d" % (
                        path, len(hits), n))
                self.cond.wait(left)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def wait_for(fn, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


class Topics(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.r = Receiver()
        self.addCleanup(self.r.close)

    # -- helpers --
    def topic(self, name="t", **attrs):
        return self.e.ok("POST", "/v1/topics", dict(attrs, name=name),
                         status=201)

    def queue(self, name):
        self.e.ok("POST", "/v1/queues", {"name": name}, status=201)

    def sub(self, topic, name, endpoint, **kw):
        return self.e.ok("POST", "/v1/topics/%s/subscriptions" % topic,
                         dict(kw, name=name, endpoint=endpoint), status=201)

    def publish(self, topic, body, **kw):
        return self.e.ok("POST", "/v1/topics/%s/messages" % topic,
                         dict(kw, body=body), status=201)

    def bodies(self, q):
        got = self.e.ok("POST", "/v1/queues/%s/receive" % q, {"max": 16})
        return [m["body"] for m in got["messages"]]

    def deliveries(self, topic, query=""):
        return self.e.ok("GET", "/v1/topics/%s/deliveries%s" % (
            topic, query))["items"]

    def delivery(self, topic, did):
        for d in self.deliveries(topic, "?limit=1000"):
            if d["id"] == did:
                return d
        raise AssertionError("no delivery %s" % did)

    def clock(self, action, **kw):
        return self.e.ok("POST", "/v1/clock", dict(kw, action=action))

    # -- tests --
    def test_topics_crud_and_bad_input(self):
        t = self.topic("orders", max_message_size=2048)
        self.assertEqual(t["max_message_size"], 2048)
        # identical again: 200; different: 409
        self.e.ok("POST", "/v1/topics", {"name": "orders",
                                         "max_message_size": 2048})
        got, j = self.e.post("/v1/topics", {"name": "orders"})
        self.assertEqual(got, 409, j)
        self.topic("other")
        names = [i["name"] for i in self.e.ok("GET", "/v1/topics")["items"]]
        self.assertEqual(names, ["orders", "other"])
        got, j = self.e.post("/v1/topics", {"name": "bad name"})
        self.assertEqual(got, 400, j)
        self.queue("q")
        self.sub("orders", "s1", "queue:q")
        for bad in ({"endpoint": "ftp://x"},
                    {"endpoint": "queue:q", "format": "YAML"},
                    {"endpoint": "queue:q", "notify_strategy": "SOMETIMES"},
                    {"endpoint": "queue:q", "filter_tag": "x" * 17},
                    {"endpoint": "queue:q",
                     "filter_policy": {"k": [{"bogus": 1}]}},
                    {"endpoint": "queue:q", "filter_policy": "{not json"}):
            got, j = self.e.post("/v1/topics/orders/subscriptions",
                                 dict(bad, name="s2"))
            self.assertEqual(got, 400, (bad, j))
        got, j = self.e.post("/v1/topics/orders/subscriptions",
                             {"name": "f", "endpoint": "fn:"})
        self.assertEqual(got, 400, j)
        self.assertIn("names no function", json.dumps(j))
        got, j = self.e.post("/v1/topics/orders/messages",
                             {"body": "x" * 3000})
        self.assertEqual(got, 413, j)
        got, j = self.e.post("/v1/topics/nope/messages", {"body": "x"})
        self.assertEqual(got, 404, j)
        show = self.e.ok("GET", "/v1/topics/orders")
        self.assertEqual([s["name"] for s in show["subscriptions"]], ["s1"])
        info = self.e.ok("GET", "/v1/info")["topics"]
        self.assertEqual((info["topics"], info["subscriptions"]), (2, 1))
        self.e.ok("DELETE", "/v1/topics/orders/subscriptions/s1", status=204)
        self.e.ok("DELETE", "/v1/topics/orders", status=204)
        got, _ = self.e.get("/v1/topics/orders")
        self.assertEqual(got, 404)

    def test_fanout_to_queues_and_http_with_filters_and_formats(self):
        self.topic("t")
        for q in ("all", "red", "raw"):
            self.queue(q)
        self.sub("t", "all", "queue:all", format="JSON")
        self.sub("t", "red", "acs:mns:cn-hangzhou:123:queues/red",
                 filter_tag="red", format="SIMPLIFIED")
        self.sub("t", "raw", "arn:aws:sqs:us-east-1:000000000000:raw",
                 format="RAW", filter_policy={"kind": ["paid"]})
        self.sub("t", "hook", self.r.url("/hook"), format="JSON",
                 filter_policy={"kind": [{"prefix": "pa"}],
                                "amount": [{"numeric": [">", 10]}]})
        self.sub("t", "sns", self.r.url("/sns"), format="SNS")
        self.sub("t", "body", self.r.url("/body"), format="SIMPLIFIED",
                 filter_policy={"order": {"state": ["new"]}},
                 filter_policy_scope="MessageBody")

        p = self.publish("t", '{"order": {"state": "new"}}', tag="red",
                         attributes={"kind": "paid", "amount": 42})
        md5 = hashlib.md5(b'{"order": {"state": "new"}}').hexdigest().upper()
        self.assertEqual(p["body_md5"], md5)
        self.assertEqual(sorted(d["subscription"] for d in p["deliveries"]),
                         ["all", "body", "hook", "raw", "red", "sns"])

        # queue deliveries are there as soon as the publish answered
        j = json.loads(self.bodies("all")[0])
        self.assertEqual(j["Message"], '{"order": {"state": "new"}}')
        self.assertEqual(j["MessageId"], p["id"])
        self.assertEqual(j["MessageMD5"], md5)
        self.assertEqual(j["MessageTag"], "red")
        self.assertEqual(j["TopicName"], "t")
        self.assertEqual(j["SubscriptionName"], "all")
        self.assertIsInstance(j["PublishTime"], str)
        for k in ("TopicOwner", "Subscriber"):
            # the engine's MNS account (--alibaba-account)
            self.assertEqual(j[k], "1234567890123456")
        self.assertEqual(self.bodies("red"), ['{"order": {"state": "new"}}'])
        raw = self.e.ok("POST", "/v1/queues/raw/receive", {})["messages"][0]
        self.assertEqual(raw["body"], '{"order": {"state": "new"}}')
        self.assertEqual(raw["attributes"]["kind"]["value"], "paid")

        hook = json.loads(self.r.wait("/hook")[0]["body"])
        self.assertEqual(hook["Message"], '{"order": {"state": "new"}}')
        sns = self.r.wait("/sns")[0]
        env = json.loads(sns["body"])
        self.assertEqual(env["Type"], "Notification")
        self.assertEqual(env["MessageId"], p["id"])
        self.assertTrue(env["TopicArn"].endswith(":t"))
        self.assertEqual(env["MessageAttributes"]["amount"],
                         {"Type": "Number", "Value": "42"})
        self.assertTrue(env["Timestamp"].endswith("Z"))
        self.assertEqual(sns["headers"]["x-amz-sns-message-type"],
                         "Notification")
        self.assertEqual(self.r.wait("/body")[0]["body"],
                         '{"order": {"state": "new"}}')

        # no tag, another kind, a body that is not JSON: only the
        # unfiltered subscriptions take it
        p2 = self.publish("t", "plain", attributes={"kind": "refund"})
        self.assertEqual(sorted(d["subscription"] for d in p2["deliveries"]),
                         ["all", "sns"])
        self.r.wait("/sns", 2)
        wait_for(lambda: all(d["status"] == "delivered"
                             for d in self.deliveries("t")))
        hook_d = self.deliveries("t", "?subscription=hook")
        self.assertEqual(len(hook_d), 1)
        self.assertEqual(hook_d[0]["last"]["status"], 200)
        self.assertIn("latency_ms", hook_d[0]["last"])
        same = self.e.ok("GET", "/v1/topics/t/subscriptions/hook/deliveries")
        self.assertEqual([d["id"] for d in same["items"]],
                         [d["id"] for d in hook_d])

    def test_xml_format_is_well_formed(self):
        self.topic("t")
        self.queue("x")
        self.sub("t", "x", "queue:x")  # XML by default
        p = self.publish("t", "a <b> & 'c'", tag="t1")
        doc = ET.fromstring(self.bodies("x")[0])
        self.assertEqual(doc.tag, MNS_NS + "Notification")
        f = {c.tag[len(MNS_NS):]: c.text for c in doc}
        self.assertEqual(f["Message"], "a <b> & 'c'")
        self.assertEqual(f["MessageId"], p["id"])
        self.assertEqual(f["MessageMD5"], p["body_md5"])
        self.assertEqual(f["MessageTag"], "t1")
        for k in ("TopicOwner", "TopicName", "Subscriber",
                  "SubscriptionName", "PublishTime"):
            self.assertIn(k, f)

    def test_exponential_decay_schedule_on_the_engine_clock(self):
        self.clock("pause")
        self.topic("t")
        self.r.status["/down"] = 503
        self.sub("t", "s", self.r.url("/down"),
                 notify_strategy="EXPONENTIAL_DECAY_RETRY")
        did = self.publish("t", "hi")["deliveries"][0]["id"]
        self.r.wait("/down", 1)
        d = wait_for(lambda: (lambda d: d if d["status"] == "retry_wait"
                              else None)(self.delivery("t", did)))
        self.assertEqual(d["attempts"], 1)
        self.assertEqual(d["last"]["status"], 503)
        self.assertEqual(d["last"]["retry_in_ms"], 1000)
        self.assertIn("nope", d["last"]["response"])
        # retries 1, 2, 4, 8 s apart on the engine clock: nothing before
        # the due time, the next attempt at it
        for n in (2, 3, 4, 5):
            prev = 1000 * 2 ** (n - 2)
            self.clock("advance", by="%dms" % (prev - 1))
            self.assertEqual(self.delivery("t", did)["attempts"], n - 1)
            self.clock("advance", by="1ms")
            self.r.wait("/down", n)
            d = wait_for(lambda: (lambda d: d if d["attempts"] == n
                                  else None)(self.delivery("t", did)))
            self.assertEqual(d["last"]["retry_in_ms"], 2 * prev)
        # every attempt is journaled
        j = self.e.ok("GET", "/v1/journal?kind=delivery&id=%d" % did)
        types = [x["type"] for x in j["items"]]
        self.assertEqual(types.count("retry_scheduled"), 5)

    def test_backoff_retry_gives_up_and_redeliver_succeeds(self):
        self.clock("pause")
        self.topic("t")
        self.r.status["/flaky"] = 500
        self.sub("t", "s", self.r.url("/flaky"))  # BACKOFF_RETRY
        did = self.publish("t", "hi")["deliveries"][0]["id"]
        for n in range(1, 4):
            self.r.wait("/flaky", n)
            d = wait_for(lambda: (lambda d: d if d["attempts"] == n and
                                  d["status"] == "retry_wait" else None)(
                self.delivery("t", did)))
            self.assertTrue(10000 <= d["last"]["retry_in_ms"] <= 20000)
            self.clock("advance", by="20s")
        self.r.wait("/flaky", 4)
        d = wait_for(lambda: (lambda d: d if d["status"] == "failed"
                              else None)(self.delivery("t", did)))
        self.assertEqual(d["attempts"], 4)
        self.assertNotIn("next_retry", d["last"])
        self.assertEqual(len(self.deliveries("t", "?status=failed")), 1)

        self.r.status["/flaky"] = 200
        got = self.e.ok("POST", "/v1/topics/t/deliveries/%d/redeliver" % did,
                        {})
        self.assertEqual(got["id"], did)
        self.r.wait("/flaky", 5)
        d = wait_for(lambda: (lambda d: d if d["status"] == "delivered"
                              else None)(self.delivery("t", did)))
        self.assertEqual(d["attempts"], 5)
        got, j = self.e.post("/v1/topics/t/deliveries/999/redeliver", {})
        self.assertEqual(got, 404, j)

    def test_unreachable_endpoint_is_a_failed_attempt(self):
        self.clock("pause")
        self.topic("t")
        # a port nobody listens on
        self.sub("t", "s", "http://127.0.0.1:9/x")
        did = self.publish("t", "hi")["deliveries"][0]["id"]
        d = wait_for(lambda: (lambda d: d if d["attempts"] == 1
                              else None)(self.delivery("t", did)))
        self.assertEqual(d["status"], "retry_wait")
        self.assertIsNone(d["last"]["status"])
        self.assertTrue(d["last"]["error"])
        # the engine still answers while pushes fail
        self.e.ok("GET", "/v1/topics")

    def test_retries_follow_a_snapshot_restore(self):
        self.clock("pause")
        self.topic("t")
        self.r.status["/snap"] = 500
        self.sub("t", "s", self.r.url("/snap"),
                 notify_strategy="EXPONENTIAL_DECAY_RETRY")
        did = self.publish("t", "hi")["deliveries"][0]["id"]
        wait_for(lambda: self.delivery("t", did)["attempts"] == 1)
        self.e.ok("POST", "/v1/snapshots", {"name": "one"}, status=201)
        self.clock("advance", by="1s")
        self.r.wait("/snap", 2)
        wait_for(lambda: self.delivery("t", did)["attempts"] == 2)
        self.e.ok("POST", "/v1/snapshots/one/restore", {})
        self.assertEqual(self.delivery("t", did)["attempts"], 1)
        self.r.status["/snap"] = 200
        self.clock("advance", by="1s")
        self.r.wait("/snap", 3)
        wait_for(lambda: self.delivery("t", did)["status"] == "delivered")

    def test_redeliver_a_queue_delivery(self):
        self.topic("t")
        self.queue("q")
        self.sub("t", "s", "queue:q", format="SIMPLIFIED")
        did = self.publish("t", "once")["deliveries"][0]["id"]
        self.e.ok("POST", "/v1/topics/t/deliveries/%d/redeliver" % did, {})
        self.assertEqual(self.bodies("q"), ["once", "once"])

    def test_explain(self):
        self.topic("t")
        self.queue("q")
        self.sub("t", "tagged", "queue:q", filter_tag="red")
        self.sub("t", "policy", "queue:q",
                 filter_policy={"store": ["corp"],
                                "n": [{"numeric": [">=", 5]}]})
        self.sub("t", "open", "queue:q")
        ex = self.e.ok("POST", "/v1/topics/t/explain",
                       {"body": "x", "tag": "blue",
                        "attributes": {"store": "corp", "n": 3}})
        by = {s["subscription"]: s for s in ex["subscriptions"]}
        self.assertFalse(by["tagged"]["match"])
        self.assertIn("'blue' is not 'red'", by["tagged"]["tag"]["why"])
        self.assertFalse(by["policy"]["match"])
        clauses = {c["key"]: c for c in by["policy"]["policy"]["clauses"]}
        self.assertTrue(clauses["store"]["pass"])
        self.assertFalse(clauses["n"]["pass"])
        self.assertIn("matches none of", clauses["n"]["why"])
        self.assertTrue(by["open"]["match"])
        # explain changes nothing
        self.assertEqual(self.bodies("q"), [])
        self.assertEqual(self.deliveries("t"), [])

    def test_deliveries_survive_a_restart(self):
        self.clock("pause")
        self.topic("t")
        self.r.status["/later"] = 500
        self.sub("t", "s", self.r.url("/later"),
                 notify_strategy="EXPONENTIAL_DECAY_RETRY")
        did = self.publish("t", "hi")["deliveries"][0]["id"]
        wait_for(lambda: self.delivery("t", did)["attempts"] == 1)
        self.e.restart()
        self.r.status["/later"] = 200
        self.clock("advance", by="1s")
        self.r.wait("/later", 2)
        wait_for(lambda: self.delivery("t", did)["status"] == "delivered")

    def test_function_subscriptions(self):
        self.clock("pause")
        for name, script in (("echo", "echo.py"), ("boom", "fail.py")):
            self.e.ok("POST", "/v1/functions",
                      {"name": name, "command": [
                          sys.executable, os.path.join(HANDLERS, script)]},
                      status=201)
        self.topic("t")
        self.sub("t", "echo", "fn:echo", format="JSON")
        self.sub("t", "fc", "acs:fc:cn-hangzhou:123:services/s/functions/"
                 "boom", format="SIMPLIFIED")
        self.sub("t", "ghost", "fn:ghost")
        p = self.publish("t", '{"taskToken": "x"}', tag="go")
        ids = {d["subscription"]: d["id"] for d in p["deliveries"]}
        d = wait_for(lambda: (lambda d: d if d["status"] == "delivered"
                              else None)(self.delivery("t", ids["echo"])))
        self.assertIn('"echo"', d["last"]["response"])
        # the function got the JSON notification: Message holds the body
        inv = self.e.ok("GET", "/v1/functions/echo/invocations")["items"]
        self.assertEqual(inv[0]["trigger"], "topic:t")
        inv = self.e.ok("GET", "/v1/functions/echo/invocations/" +
                        inv[0]["id"])
        echoed = inv["result"]["echo"]
        self.assertEqual(echoed["Message"], '{"taskToken": "x"}')
        self.assertEqual(echoed["MessageTag"], "go")
        # a failing function and a missing one are failed attempts,
        # retried by the strategy
        for sub, why in (("fc", "disk on fire"), ("ghost", "ghost")):
            d = wait_for(lambda: (lambda d: d if d["attempts"] == 1
                                  else None)(self.delivery("t", ids[sub])))
            self.assertEqual(d["status"], "retry_wait", d)
            self.assertIn(why, d["last"]["error"])

    # -- flows --
    def deploy(self, name, definition):
        got, j = self.e.post("/v1/flows", {"name": name,
                                            "definition": definition})
        self.assertIn(got, (200, 201), j)

    def execution(self, name):
        return self.e.ok("GET", "/v1/executions/" + name)

    def test_flow_publishes_request_response(self):
        self.topic("events")
        self.queue("q")
        self.sub("events", "s", "queue:q", filter_tag="go",
                 format="SIMPLIFIED")
        self.deploy("pub", "\n".join([
            "version: v1", "type: flow", "steps:",
            "  - type: task", "    name: publish",
            "    resourceArn: acs:mns:::/topics/events/messages",
            "    pattern: requestResponse",
            "    serviceParams:",
            "      MessageBody: $",
            "      MessageTag: go",
            "      MessageAttributes:",
            "        kind: order", ""]))
        self.e.ok("POST", "/v1/executions",
                  {"flow": "pub", "name": "p1", "input": {"n": 1}},
                  status=201)
        x = wait_for(lambda: (lambda x: x if x["status"] != "Running"
                              else None)(self.execution("p1")))
        self.assertEqual(x["status"], "Succeeded", x)
        out = x["output"]
        body = self.bodies("q")
        self.assertEqual(len(body), 1)
        self.assertEqual(json.loads(body[0]), {"n": 1})
        self.assertEqual(out["MessageBodyMD5"],
                         hashlib.md5(body[0].encode()).hexdigest().upper())
        self.assertIn("MessageId", out)
        self.assertIn("RequestId", out)

    def test_flow_publishes_and_waits_for_callback_seed001(self):
        with open(os.path.join(FIXTURES, "seed001_topic_callback.yaml")) as f:
            definition = f.read().replace("<topic>", "callbacks")
        self.topic("callbacks")
        self.sub("callbacks", "fc", self.r.url("/fc"), format="JSON")
        self.deploy("seed001", definition)
        self.e.ok("POST", "/v1/executions",
                  {"flow": "seed001", "name": "s1",
                   "input": {"messageBody": "hello world"}}, status=201)
        push = json.loads(self.r.wait("/fc")[0]["body"])
        msg = json.loads(push["Message"])
        self.assertEqual(msg["messageBody"], "hello world")
        token = msg["taskToken"]
        task = self.e.ok("GET", "/v1/tasks/" + token)
        self.assertEqual(task["target"]["topic"], "callbacks")
        self.assertEqual(task["target"]["message_id"], push["MessageId"])
        self.e.ok("POST", "/v1/tasks/%s/succeed" % token,
                  {"output": {"status": "success"}})
        x = wait_for(lambda: (lambda x: x if x["status"] != "Running"
                              else None)(self.execution("s1")))
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"]["status"], "success")

    def test_flow_publish_to_a_missing_topic_fails_the_step(self):
        self.deploy("bad", "\n".join([
            "version: v1", "type: flow", "steps:",
            "  - type: task", "    name: publish",
            "    resourceArn: acs:mns:::/topics/nope/messages",
            "    pattern: requestResponse",
            "    serviceParams:",
            "      MessageBody: $", ""]))
        self.e.ok("POST", "/v1/executions", {"flow": "bad", "name": "b1"},
                  status=201)
        x = wait_for(lambda: (lambda x: x if x["status"] != "Running"
                              else None)(self.execution("b1")))
        self.assertEqual(x["status"], "Failed")
        self.assertEqual(x["error"], "MNS.TopicNotExist")


if __name__ == "__main__":
    unittest.main()
