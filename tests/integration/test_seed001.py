"""Seed 001 end to end: a flow publishes to a topic and waits for a
callback; the topic pushes JSON (the body in `Message`) over HTTP to a
function's HTTP trigger; the function, a real process, reads the task
token from the message and reports success with {"status": "success"};
the execution succeeds with that output mapped, Start to End."""

import os
import sys
import time
import unittest

from harness import EngineTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")


def fixture(*path):
    with open(os.path.join(FIXTURES, *path)) as f:
        return f.read()


class Seed001(EngineTestCase):
    def test_topic_push_to_function_reports_the_task(self):
        e = self.engine()
        handler = os.path.join(FIXTURES, "handlers", "seed001_callback.py")
        e.ok("POST", "/v1/functions",
             {"name": "report", "command": [sys.executable, handler],
              "timeout_seconds": 30}, status=201)
        e.ok("POST", "/v1/topics", {"name": "t1"}, status=201)
        e.ok("POST", "/v1/topics/t1/subscriptions",
             {"name": "to-function", "format": "JSON",
              "endpoint": "%s/v1/functions/report/http/callback" % e.url},
             status=201)
        e.ok("POST", "/v1/flows", {
            "name": "mns-topic-callback",
            "definition": fixture("flows", "seed001_topic_callback.yaml")
            .replace("<topic>", "t1")}, status=201)

        x = e.ok("POST", "/v1/executions",
                 {"flow": "mns-topic-callback", "name": "run1",
                  "input": {"messageBody": "hello world"}}, status=201)
        if x["status"] == "Running":
            x = e.ok("GET", "/v1/executions/run1?wait=30")
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"], {"status": "success"})

        graph = e.ok("GET", "/v1/executions/run1/graph")
        self.assertEqual([(n["name"], n["status"]) for n in graph["nodes"]],
                         [("Start", "succeeded"),
                          ("mns-topic-task", "succeeded"),
                          ("End", "succeeded")])
        types = [ev["type"] for ev in e.ok(
            "GET", "/v1/executions/run1/history")["items"]]
        self.assertIn("TaskSubmitted", types)
        self.assertEqual(types[-1], "ExecutionSucceeded")

        # the push reached the function, which ran once and succeeded;
        # the push ends when the function answers, after its callback
        deadline = time.monotonic() + 30
        while True:
            dels = e.ok("GET", "/v1/topics/t1/deliveries")["items"]
            if dels and dels[0]["status"] != "pending" or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(len(dels), 1, dels)
        self.assertEqual(dels[0]["status"], "delivered", dels)
        invs = e.ok("GET", "/v1/functions/report/invocations")["items"]
        self.assertEqual([i["status"] for i in invs], ["succeeded"])
        self.assertIn("hello world", invs[0].get("log", ""))
        task = e.ok("GET", "/v1/tasks?status=all")["items"][0]
        self.assertEqual(task["status"], "succeeded")
        self.assertEqual(task["target"]["topic"], "t1")


if __name__ == "__main__":
    unittest.main()
