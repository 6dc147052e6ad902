"""The bundled templates (templates/), end to end: each is deployed with
its defaults through POST /v1/stacks, its samples are read from
GET /v1/templates/NAME, and each sample runs as an execution that is
followed to its end; then the outcome is checked in depth: the output,
the graph's node statuses, queue contents, deliveries, invocations,
dead letters and a redrive. Nothing asserts on timing: waits poll with
generous deadlines, and visibility timeouts are ended by advancing the
engine clock."""

import json
import os
import time
import unittest

from harness import EngineTestCase

TEMPLATES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                         "..", "templates"))


def graph_nodes(nodes, out=None):
    """{name: node} for every node of a graph, nested ones included."""
    out = {} if out is None else out
    for n in nodes:
        out[n["name"]] = n
        graph_nodes(n.get("steps") or [], out)
        for b in n.get("branches") or []:
            graph_nodes(b, out)
        for c in n.get("choices") or []:
            graph_nodes(c.get("steps") or [], out)
        if n.get("default"):
            graph_nodes(n["default"].get("steps") or [], out)
    return out


class BundledTemplates(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    # -- helpers --
    def deploy(self, template, params=None, stack=None, status=201):
        body = {"template": template}
        if params:
            body["params"] = params
        if stack:
            body["stack"] = stack
        s = self.e.ok("POST", "/v1/stacks", body, status=status)
        self.assertEqual(s["status"], "ready", s)
        self.assertTrue(s["resources"], s)
        for r in s["resources"]:
            self.assertEqual(r["status"], "ready", r)
        return s

    def samples(self, template):
        t = self.e.ok("GET", "/v1/templates/" + template)
        return {s["name"]: s for s in t["samples"]}

    def start(self, sample, name):
        return self.e.ok("POST", "/v1/executions",
                         {"flow": sample["flow"], "name": name,
                          "input": sample["input"]}, status=201)

    def finish(self, name, flow, timeout=45):
        deadline = time.monotonic() + timeout
        while True:
            x = self.e.ok("GET", "/v1/executions/%s?flow=%s&wait=30" % (
                name, flow))
            if x["status"] != "Running" or time.monotonic() > deadline:
                return x
            time.sleep(0.05)

    def run_sample(self, sample, name):
        self.start(sample, name)
        return self.finish(name, sample["flow"])

    def graph(self, name, flow):
        g = self.e.ok("GET", "/v1/executions/%s/graph?flow=%s" % (name, flow))
        return graph_nodes(g["nodes"]), g

    def statuses(self, name, flow):
        nodes, _ = self.graph(name, flow)
        return {k: n["status"] for k, n in nodes.items()}

    def history_types(self, name, flow):
        items = self.e.ok("GET", "/v1/executions/%s/history?flow=%s&limit="
                          "1000" % (name, flow))["items"]
        return [(ev["type"], ev["step"]) for ev in items]

    def until(self, what, timeout=30, advance=None):
        """Poll what() until it is true; with advance, step the engine
        clock by that much between polls (for visibility timeouts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = what()
            if got:
                return got
            if advance:
                self.e.ok("POST", "/v1/clock",
                          {"action": "advance", "by": advance})
                time.sleep(0.3)
            else:
                time.sleep(0.05)
        self.fail("gave up waiting for %s" % what.__doc__)

    def peek(self, queue):
        return self.e.ok("GET", "/v1/queues/%s/messages?state=all&limit=1000"
                         % queue)["items"]

    def counts(self, queue):
        return self.e.ok("GET", "/v1/queues/" + queue)["counts"]

    def invocations(self, fn):
        """The function's finished invocations (a running one is listed
        too, with status running, until it ends)."""
        return [i for i in self.e.ok(
            "GET", "/v1/functions/%s/invocations?limit=1000" % fn)["items"]
            if i["status"] != "running"]

    # -- every folder --
    def test_every_folder_has_its_files_and_deploys_with_defaults(self):
        folders = sorted(d for d in os.listdir(TEMPLATES)
                         if os.path.isdir(os.path.join(TEMPLATES, d)))
        self.assertGreaterEqual(len(folders), 7, folders)
        listed = {t["name"]: t for t in
                  self.e.ok("GET", "/v1/templates")["items"]}
        for d in folders:
            with self.subTest(template=d):
                for f in ("template.yaml", "README.md"):
                    self.assertTrue(os.path.isfile(
                        os.path.join(TEMPLATES, d, f)), (d, f))
                self.assertIn(d, listed)
                self.assertEqual(listed[d]["source"], "bundled")
                self.deploy(d)
                samples = self.samples(d)
                self.assertTrue(samples, d)
                for s in samples.values():
                    self.assertTrue(s["description"], s)
                    self.assertIsInstance(s["input"], dict, s)
                    self.e.ok("GET", "/v1/flows/" + s["flow"])
        stacks = self.e.ok("GET", "/v1/stacks")["items"]
        self.assertEqual(sorted(s["name"] for s in stacks), folders)

    # -- 1. queue-request-response --
    def test_queue_request_response(self):
        self.deploy("queue-request-response")
        samples = self.samples("queue-request-response")
        x = self.run_sample(samples["order"], "order")
        self.assertEqual(x["status"], "Succeeded", x)
        msgs = self.peek("order-requests")
        self.assertEqual(len(msgs), 1, msgs)
        m = msgs[0]
        self.assertEqual(x["output"]["messageId"], m["id"])
        self.assertEqual(x["output"]["bodyMd5"], m["body_md5"].upper())
        self.assertEqual(x["output"]["orderId"], "A-1001")
        self.assertEqual(json.loads(m["body"]), {
            "orderId": "A-1001", "customer": "Ada",
            "items": [{"sku": "tea-01", "qty": 2},
                      {"sku": "mug-07", "qty": 1}],
            "requestType": "create-shipment"})
        self.assertEqual((m["priority"], m["state"]), (1, "visible"))
        self.assertEqual(self.statuses("order", "queue-request-response"), {
            "Start": "succeeded", "send-request": "succeeded",
            "End": "succeeded"})

        # deployed again with other parameters: priority 5, a delay
        s = self.deploy("queue-request-response",
                        params={"priority": "5", "delay": "30"}, status=200)
        self.assertEqual(s["deploys"], 2)
        ev = {e["name"]: e["status"] for e in s["events"]
              if e["deploy"] == 2 and e["status"] != "ready"}
        self.assertEqual(ev, {"order-requests": "unchanged",
                              "queue-request-response": "updating"})
        self.assertEqual(s["params"]["priority"], "5")
        x = self.run_sample(samples["gift"], "gift")
        self.assertEqual(x["status"], "Succeeded", x)
        m = self.e.ok("GET", "/v1/queues/order-requests/messages/"
                      + x["output"]["messageId"])
        self.assertEqual((m["priority"], m["state"]), (5, "delayed"))
        self.assertEqual(json.loads(m["body"])["customer"], "Grace")
        self.assertEqual(self.counts("order-requests")["delayed"], 1)

    # -- 2. queue-callback --
    def test_queue_callback_success_retried_failure_and_fatal(self):
        self.deploy("queue-callback")
        samples = self.samples("queue-callback")
        self.assertEqual(set(samples), {"success", "failure", "fatal"})
        for n in samples:
            self.start(samples[n], n)
        flow = "queue-callback"
        ok = self.finish("success", flow)
        self.assertEqual(ok["status"], "Succeeded", ok)
        self.assertEqual(ok["output"]["status"], "done")
        self.assertEqual(ok["output"]["jobId"], "job-1")
        self.assertEqual(ok["output"]["result"], {
            "image": "cat.jpg", "width": 640, "height": 480,
            "thumbnail": "thumbs/cat.jpg"})
        self.assertEqual(self.statuses("success", flow), {
            "Start": "succeeded", "dispatch-job": "succeeded",
            "job-done": "succeeded", "job-failed": "pending",
            "End": "succeeded"})

        bad = self.finish("failure", flow)
        self.assertEqual((bad["status"], bad["error"]),
                         ("Failed", "JobFailed"), bad)
        nodes, _ = self.graph("failure", flow)
        self.assertEqual(nodes["dispatch-job"]["status"], "caught")
        self.assertEqual(nodes["dispatch-job"]["attempts"], 3)
        self.assertEqual(nodes["job-done"]["status"], "pending")
        self.assertEqual(nodes["job-failed"]["status"], "failed")
        types = self.history_types("failure", flow)
        self.assertEqual(types.count(("TaskFailed", "dispatch-job")), 3)
        self.assertEqual(types.count(("TaskSubmitted", "dispatch-job")), 3)

        fatal = self.finish("fatal", flow)
        self.assertEqual((fatal["status"], fatal["error"]),
                         ("Failed", "JobFailed"), fatal)
        nodes, _ = self.graph("fatal", flow)
        self.assertEqual((nodes["dispatch-job"]["status"],
                          nodes["dispatch-job"]["attempts"]), ("caught", 1))

        # one token per attempt, each reported by the worker
        tasks = self.e.ok("GET", "/v1/tasks?status=all&flow=" + flow)["items"]
        by = {}
        for t in tasks:
            by.setdefault(t["execution"], []).append(t["status"])
            self.assertEqual(t["target"]["queue"], "jobs", t)
        self.assertEqual(by, {"success": ["succeeded"],
                              "failure": ["failed"] * 3,
                              "fatal": ["failed"]})
        # the worker ran once per job, from the queue, and every job left it
        def worked():
            """five worker invocations and an empty jobs queue"""
            return len(self.invocations("job-worker")) == 5 and \
                self.counts("jobs")["total"] == 0
        self.until(worked)
        invs = self.invocations("job-worker")
        self.assertEqual({i["status"] for i in invs}, {"succeeded"})
        self.assertEqual({i["trigger"] for i in invs}, {"queue:jobs"})
        self.assertEqual(sorted(i["result"]["handled"][0] for i in invs),
                         ["failure"] * 3 + ["fatal", "success"])
        self.assertEqual(self.counts("jobs-dlq")["total"], 0)

    # -- 3. topic-callback --
    def test_topic_callback(self):
        s = self.deploy("topic-callback")
        self.assertEqual([r["type"] for r in s["resources"]],
                         ["topic", "function", "subscription", "flow"])
        sample = self.samples("topic-callback")["hello"]
        x = self.run_sample(sample, "hello")
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"], {"status": "success"})
        _, g = self.graph("hello", "topic-callback")
        self.assertEqual([(n["name"], n["status"]) for n in g["nodes"]],
                         [("Start", "succeeded"),
                          ("mns-topic-task", "succeeded"),
                          ("End", "succeeded")])
        sub = self.e.ok("GET", "/v1/topics/task-callbacks/subscriptions/"
                        "to-report-task")
        self.assertEqual(sub["format"], "JSON")
        self.assertEqual(sub["endpoint"],
                         self.e.url +
                         "/v1/functions/report-task/http/callback")

        def delivered():
            """the push delivered"""
            d = self.e.ok("GET", "/v1/topics/task-callbacks/deliveries")[
                "items"]
            return d if d and d[0]["status"] == "delivered" else None
        dels = self.until(delivered)
        self.assertEqual(len(dels), 1, dels)
        self.assertEqual((dels[0]["kind"], dels[0]["last"]["status"]),
                         ("http", 200))
        invs = self.invocations("report-task")
        self.assertEqual([(i["status"], i["trigger"]) for i in invs],
                         [("succeeded", "http")])
        self.assertIn("origin message body: hello world", invs[0]["log"])
        task = self.e.ok("GET", "/v1/tasks?status=all")["items"][0]
        self.assertEqual((task["status"], task["target"]["topic"]),
                         ("succeeded", "task-callbacks"))

    # -- 4. cloud-events --
    def test_cloud_events(self):
        self.deploy("cloud-events")
        samples = self.samples("cloud-events")
        x = self.run_sample(samples["image-upload"], "run1")
        self.assertEqual(x["status"], "Succeeded", x)
        out = x["output"]
        cid = out["correlationId"]
        self.assertEqual([(e["to"], e["event"]) for e in out["emitted"]], [
            ("topic:storage-events", "ObjectCreated:PutObject"),
            ("topic:storage-events", "ObjectRemoved:DeleteObject"),
            ("queue:alarm-events", "cpu-high"),
            ("topic:scaling-events", "scale-out")])
        # the delete matched no subscription's filter
        self.assertEqual([e.get("deliveries") for e in out["emitted"]],
                         [1, 0, None, 1])
        got = {r["source"]: r for r in out["results"]}
        self.assertEqual(sorted(got), ["alert", "scaling", "storage"])
        self.assertEqual(got["storage"]["action"], "make-thumbnail")
        self.assertEqual(got["storage"]["detail"],
                         {"bucket": "photos", "key": "2024/06/cat.jpg",
                          "size": 48213})
        self.assertEqual(got["alert"]["action"], "page-on-call")
        self.assertEqual(got["scaling"]["action"], "register-instances")
        self.assertEqual(got["scaling"]["event"], "scale-out")
        self.assertEqual(got["scaling"]["detail"]["instances"],
                         ["i-new-01", "i-new-02"])
        for r in out["results"]:
            self.assertEqual(r["correlationId"], cid)
        st = self.statuses("run1", "cloud-events")
        self.assertEqual({k: st[k] for k in ("emit-events",
                                             "let-consumers-work",
                                             "collect-results", "End")},
                         {k: "succeeded" for k in (
                             "emit-events", "let-consumers-work",
                             "collect-results", "End")})

        # the results stay in the results queue
        msgs = self.peek("event-results")
        self.assertEqual(sorted(m["id"] for m in msgs),
                         sorted(r["messageId"] for r in out["results"]))
        # each consumer ran once, from its own source
        for fn, trig in (("emit-events", "flow"),
                         ("on-object-created", "topic:storage-events"),
                         ("on-alert", "queue:alarm-events"),
                         ("on-scaling", "queue:scaling-activity")):
            invs = self.invocations(fn)
            self.assertEqual([(i["status"], i["trigger"]) for i in invs],
                             [("succeeded", trig)], fn)
        dels = self.e.ok("GET", "/v1/topics/storage-events/deliveries")[
            "items"]
        self.assertEqual([(d["subscription"], d["kind"], d["status"])
                          for d in dels],
                         [("new-objects", "function", "delivered")])
        # the consumed queues are empty once their batches are deleted
        def drained():
            """alarm-events and scaling-activity empty"""
            return self.counts("alarm-events")["total"] == 0 and \
                self.counts("scaling-activity")["total"] == 0
        self.until(drained)
        rec = self.invocations("on-scaling")[0]["input"]["Records"][0]
        self.assertEqual(rec["messageAttributes"]["lifecycle"]["value"],
                         "scale-out")

        # a second run has its own results
        x = self.run_sample(samples["report-upload"], "run2")
        self.assertEqual(x["status"], "Succeeded", x)
        got = {r["source"]: r["action"] for r in x["output"]["results"]}
        self.assertEqual(got, {"storage": "index-document",
                               "alert": "open-ticket",
                               "scaling": "register-instances"})
        self.assertEqual(len(self.peek("event-results")), 6)

    # -- 5. pubsub-fanout --
    def test_pubsub_fanout(self):
        self.deploy("pubsub-fanout")
        sample = self.samples("pubsub-fanout")["orders"]
        x = self.run_sample(sample, "orders")
        self.assertEqual(x["status"], "Succeeded", x)
        published = x["output"]["published"]
        self.assertEqual(len(published), 6)
        nodes, _ = self.graph("orders", "publish-orders")
        self.assertEqual(nodes["publish-each"]["iterations"],
                         {"started": 6, "done": 6})

        def bodies(queue):
            return [json.loads(m["body"]) for m in self.peek(queue)]
        # shipping: paid orders with an amount, any currency
        self.assertEqual([(b["orderId"], b["event"])
                          for b in bodies("shipping")],
                         [("A-1", "order_paid"), ("A-2", "order_paid"),
                          ("A-3", "order_paid")])
        # audit: everything, in the SNS envelope
        audit = bodies("audit")
        self.assertEqual([a["Type"] for a in audit], ["Notification"] * 6)
        self.assertEqual([a["MessageId"] for a in audit], published)
        self.assertEqual(json.loads(audit[3]["Message"])["event"],
                         "order_shipped")

        # billing: the two competing workers billed once
        # each; A-4 (amount 0) failed and, after three receives, is
        # dead-lettered; A-3 (SEK) never reached billing
        def billed():
            got = []
            for fn in ("billing-worker-1", "billing-worker-2"):
                for i in self.invocations(fn):
                    self.assertEqual(i["status"], "succeeded", i)
                    got += i["result"]["billed"]
            return got
        def two_billed():
            """two orders billed"""
            return len(billed()) >= 2
        self.until(two_billed)

        def dead():
            """A-4 in billing-dlq"""
            return self.counts("billing-dlq")["total"] == 1
        self.until(dead, timeout=40, advance="10s")
        self.assertEqual(sorted(billed()), ["A-1", "A-2"])
        self.assertEqual(self.counts("billing")["total"], 0)
        dl = self.peek("billing-dlq")[0]
        self.assertEqual(json.loads(dl["body"])["orderId"], "A-4")
        self.assertEqual(dl["source"], "billing")
        self.assertEqual(dl["dequeue_count"], 3)
        failures = [i for fn in ("billing-worker-1", "billing-worker-2")
                    for i in self.invocations(fn)
                    if i["result"]["batchItemFailures"]]
        self.assertEqual(len(failures), 3, failures)
        dels = self.e.ok("GET", "/v1/topics/orders/subscriptions/billing/"
                         "deliveries")["items"]
        self.assertEqual(len(dels), 3)

        # FIFO: every event, one group per order, in publish order
        def sequenced():
            """six events in the FIFO queue"""
            return len(self.peek("order-events.fifo")) == 6
        self.until(sequenced)
        fifo = self.peek("order-events.fifo")
        self.assertEqual([m["group_id"] for m in fifo],
                         ["A-1", "A-2", "A-3", "A-1", "A-4", "A-1"])
        self.assertEqual([json.loads(m["body"])["event"] for m in fifo
                          if m["group_id"] == "A-1"],
                         ["order_paid", "order_shipped", "order_delivered"])
        got = self.e.ok("POST", "/v1/queues/order-events.fifo/receive",
                        {"max": 10})["messages"]
        self.assertEqual([json.loads(m["body"])["event"] for m in got
                          if m["group_id"] == "A-1"],
                         ["order_paid", "order_shipped", "order_delivered"])

    # -- 6. queue-fn-dlq --
    def test_queue_fn_dlq_partial_failures_dead_letters_and_redrive(self):
        self.deploy("queue-fn-dlq")
        sample = self.samples("queue-fn-dlq")["mixed"]
        x = self.run_sample(sample, "mixed")
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(len(x["output"]["queued"]), 6)
        ids = dict(zip(["t-%d" % i for i in range(1, 7)],
                       x["output"]["queued"]))

        def processed():
            got = []
            for i in self.invocations("process-tasks"):
                self.assertEqual((i["status"], i["trigger"]),
                                 ("succeeded", "queue:tasks"), i)
                self.assertLessEqual(len(i["input"]["Records"]), 5)
                got += i["result"]["processed"]
            return got

        def current_done():
            """t-1, t-3, t-4 and t-6 processed"""
            return sorted(processed()) == ["t-1", "t-3", "t-4", "t-6"]
        self.until(current_done)
        failed = [f["itemIdentifier"] for i in self.invocations(
            "process-tasks") for f in i["result"]["batchItemFailures"]]
        self.assertEqual(set(failed), {ids["t-2"], ids["t-5"]})

        def dead():
            """t-2 and t-5 in tasks-dlq"""
            return self.counts("tasks-dlq")["total"] == 2
        self.until(dead, timeout=40, advance="15s")
        self.assertEqual(self.counts("tasks")["total"], 0)
        dl = self.peek("tasks-dlq")
        self.assertEqual(sorted(m["id"] for m in dl),
                         sorted([ids["t-2"], ids["t-5"]]))
        for m in dl:
            self.assertEqual((m["source"], m["dequeue_count"]), ("tasks", 2))
        self.assertEqual(sorted(processed()), ["t-1", "t-3", "t-4", "t-6"])

        # the fix, as the README shows it: redeploy with
        # legacy_support=on (the function changes in place), then redrive
        s = self.deploy("queue-fn-dlq", params={"legacy_support": "on"},
                        status=200)
        self.assertEqual(s["deploys"], 2)
        fn = self.e.ok("GET", "/v1/functions/process-tasks")
        self.assertEqual(fn["env"]["LEGACY_SUPPORT"], "on")
        r = self.e.ok("POST", "/v1/queues/tasks-dlq/redrive", {})
        self.assertEqual((r["moved"], r["failed"]), (2, []))

        def all_done():
            """every task processed and both queues empty"""
            return sorted(processed()) == ["t-%d" % i for i in range(1, 7)] \
                and self.counts("tasks")["total"] == 0
        self.until(all_done)
        self.assertEqual(self.counts("tasks-dlq")["total"], 0)
        journal = [j["type"] for j in self.e.ok(
            "GET", "/v1/journal?kind=message&id=" + ids["t-2"])["items"]]
        for t in ("sent", "received", "dead_lettered", "redriven",
                  "deleted"):
            self.assertIn(t, journal)

    # -- 7. tour --
    def test_tour_every_step_type_and_its_branches(self):
        self.deploy("tour")
        samples = self.samples("tour")
        self.assertEqual(set(samples), {"standard", "express", "large",
                                        "busy"})
        for n in samples:
            self.start(samples[n], n)
        done = {n: self.finish(n, "tour") for n in samples}

        std = done["standard"]
        self.assertEqual(std["status"], "Succeeded", std)
        self.assertEqual(std["output"], {
            "orderId": "T-1", "total": 21, "shipping": "post",
            "checks": None, "packed": ["tea-01", "mug-07"]})
        ex = done["express"]
        self.assertEqual(ex["status"], "Succeeded", ex)
        self.assertEqual((ex["output"]["shipping"], ex["output"]["total"]),
                         ("courier", 18))
        lg = done["large"]
        self.assertEqual(lg["status"], "Succeeded", lg)
        self.assertEqual(lg["output"], {
            "orderId": "T-3", "total": 131, "shipping": "freight",
            "checks": ["fraud", "approval"],
            "packed": ["kettle-3", "tea-01", "mug-07"]})
        busy = done["busy"]
        self.assertEqual((busy["status"], busy["error"], busy["cause"]),
                         ("Failed", "OrderRejected",
                          "the order could not be priced"), busy)

        branch = {
            "standard": {"book-post"},
            "express": {"express-cutoff", "book-courier"},
            "large": {"large-order-checks", "fraud-check",
                      "manager-approval", "approved"}}
        in_branches = set().union(*branch.values())
        common = ["Start", "receive-order", "price-order", "route-order",
                  "pack-items", "pack-item", "hand-over", "order-complete"]
        types = set()
        for n, taken in branch.items():
            nodes, _ = self.graph(n, "tour")
            types |= {v["type"] for v in nodes.values()}
            st = {k: v["status"] for k, v in nodes.items()}
            for step in common + sorted(taken) + ["End"]:
                self.assertEqual(st[step], "succeeded", (n, step, st))
            for step in in_branches - taken:
                self.assertEqual(st[step], "pending", (n, step))
            self.assertEqual((st["pricing-failed"], st["order-rejected"]),
                             ("pending", "pending"))
            self.assertEqual(nodes["price-order"]["attempts"], 1)
        self.assertEqual(types, {"start", "end", "task", "pass", "choice",
                                 "parallel", "foreach", "wait", "succeed",
                                 "fail"})
        nodes, _ = self.graph("large", "tour")
        self.assertEqual(nodes["pack-items"]["iterations"],
                         {"started": 3, "done": 3})

        nodes, _ = self.graph("busy", "tour")
        st = {k: v["status"] for k, v in nodes.items()}
        self.assertEqual((st["price-order"], nodes["price-order"]["attempts"]),
                         ("caught", 3))
        self.assertEqual((st["pricing-failed"], st["order-rejected"],
                          st["End"]), ("succeeded", "failed", "failed"))
        for step in ["route-order", "pack-items", "hand-over",
                     "order-complete"]:
            self.assertEqual(st[step], "pending", step)
        hist = self.history_types("busy", "tour")
        self.assertEqual(hist.count(("TaskFailed", "price-order")), 3)
        invs = self.invocations("tour-pricer")
        self.assertEqual(len(invs), 6)   # 3 successes, 3 busy attempts
        self.assertEqual(sorted(i.get("result", {}).get("errorType", "")
                                for i in invs if i["status"] == "failed"),
                         ["Pricing.Busy"] * 3)


if __name__ == "__main__":
    unittest.main()
