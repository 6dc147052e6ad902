"""Executions over the engine API: every step type, data flow, both task
patterns against a real queue (the flows of seed 000 and the message body
they document), callbacks that succeed, fail, time out and arrive late,
heartbeats, retry and catch, stop, redrive, graph, limits, and kill -9 in
the middle of each kind of step. Timers run on the engine clock, paused
and moved by hand, so nothing here waits on wall-clock time."""

import base64
import hashlib
import json
import os
import threading
import unittest

from harness import EngineTestCase

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "flows")


def fixture(name, queue="jobs"):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read().replace("{queue-name}", queue)


def steps(*lines):
    return "version: v1\ntype: flow\nsteps:\n" + "\n".join(lines) + "\n"


WFC = steps(
    "  - type: task",
    "    name: work",
    "    resourceArn: acs:mns:::/queues/jobs/messages",
    "    pattern: waitForCallback",
    "    inputMappings:",
    "      - target: token",
    "        source: $context.task.token",
    "      - target: n",
    "        source: $input.n",
    "    serviceParams:",
    "      MessageBody: $",
    "    outputMappings:",
    "      - target: result",
    "        source: $local.result",
)


class Exec(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    # -- helpers --
    def deploy(self, name, definition):
        got, j = self.e.post("/v1/flows", {"name": name,
                                            "definition": definition})
        self.assertIn(got, (200, 201), j)
        return j

    def start(self, flow, name=None, input=None, status=201):
        body = {"flow": flow}
        if name:
            body["name"] = name
        if input is not None:
            body["input"] = input
        return self.e.ok("POST", "/v1/executions", body, status=status)

    def show(self, name, flow=None):
        q = "?flow=" + flow if flow else ""
        return self.e.ok("GET", "/v1/executions/%s%s" % (name, q))

    def history(self, name):
        items, cursor = [], None
        while True:
            path = "/v1/executions/%s/history?limit=50" % name
            if cursor:
                path += "&cursor=" + cursor
            j = self.e.ok("GET", path)
            items += j["items"]
            cursor = j.get("next")
            if not cursor:
                return items

    def types(self, name, step=None):
        return [ev["type"] for ev in self.history(name)
                if step is None or ev["step"] == step]

    def queue(self, name="jobs", **attrs):
        self.e.ok("POST", "/v1/queues", dict(attrs, name=name), status=201)

    def receive(self, q="jobs", n=1):
        """Receive and delete (a worker that is done with them)."""
        msgs = self.e.ok("POST", "/v1/queues/%s/receive" % q,
                         {"max": n})["messages"]
        if msgs:
            self.e.ok("POST", "/v1/queues/%s/delete" % q,
                      {"receipts": [m["receipt"] for m in msgs]})
        return msgs

    def token_of(self, q="jobs"):
        msgs = self.receive(q)
        self.assertEqual(len(msgs), 1, msgs)
        return json.loads(msgs[0]["body"])["token"]

    def pause(self):
        self.e.ok("POST", "/v1/clock", {"action": "pause"})

    def advance(self, by):
        self.e.ok("POST", "/v1/clock", {"action": "advance", "by": by})

    def succeed(self, token, output, status=200):
        return self.e.ok("POST", "/v1/tasks/%s/succeed" % token,
                         {"output": output}, status=status)

    # -- step types and data flow --
    def test_pass_steps_history_and_data_flow(self):
        self.deploy("p3", steps(
            "  - type: pass", "    name: a",
            "    outputMappings:",
            "      - target: x", "        source: 1",
            "      - target: k", "        source: $input.k",
            "  - type: pass", "    name: b",
            "    inputMappings:",
            "      - target: seen", "        source: $local.x",
            "    outputMappings:",
            "      - target: y", "        source: $input.seen",
            "  - type: pass", "    name: c"))
        x = self.start("p3", "e1", {"k": "v"})
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"], {"x": 1, "k": "v", "y": 1})
        h = self.history("e1")
        self.assertEqual([ev["id"] for ev in h], list(range(1, len(h) + 1)))
        self.assertEqual(h[0]["schedule_id"], 0)
        for prev, ev in zip(h, h[1:]):
            self.assertEqual(ev["schedule_id"], prev["id"])
        self.assertEqual([ev["type"] for ev in h[:5]], [
            "ExecutionStarted", "StepEntered", "StepStarted",
            "StepSucceeded", "StepExited"])
        self.assertEqual(h[0]["detail"], {"input": {"k": "v"}})
        self.assertEqual(h[0]["step"], "")
        # b's default-free input is its mapping; c's is input + local
        b_entered = [ev for ev in h if ev["step"] == "b"][0]
        self.assertEqual(b_entered["detail"]["input"], {"seen": 1})
        c_entered = [ev for ev in h if ev["step"] == "c"][0]
        self.assertEqual(c_entered["detail"]["input"],
                         {"k": "v", "x": 1, "y": 1})
        self.assertEqual(h[-1]["type"], "ExecutionSucceeded")
        journal = self.e.ok("GET", "/v1/journal?kind=execution&id=p3/e1")
        self.assertEqual(sorted(r["type"] for r in journal["items"]),
                         ["started", "succeeded"])

    def test_flow_mappings_and_missing_paths(self):
        self.deploy("fm", "version: v1\ntype: flow\n"
                    "inputMappings:\n"
                    "  - target: a\n    source: $input.deep.a\n"
                    "  - target: gone\n    source: $input.nothing.here\n"
                    "outputMappings:\n"
                    "  - target: out\n    source: $local.b\n"
                    "  - target: a\n    source: $input.a\n"
                    "steps:\n  - type: pass\n    name: p\n"
                    "    outputMappings:\n      - target: b\n"
                    "        source: $input.a\n")
        x = self.start("fm", "e", {"deep": {"a": [1, 2]}})
        self.assertEqual(x["output"], {"out": [1, 2], "a": [1, 2]})

    def test_choice_goto_and_default(self):
        self.deploy("ch", steps(
            "  - type: choice", "    name: pick",
            "    choices:",
            "      - condition: $.n > 10 && $.kind == \"big\"",
            "        steps:",
            "          - type: pass", "            name: big",
            "            outputMappings:",
            "              - target: size", "                source: large",
            "        goto: last",
            "      - condition: $.n <= 10",
            "        steps:",
            "          - type: pass", "            name: small",
            "            outputMappings:",
            "              - target: size", "                source: small",
            "    default:",
            "      goto: last",
            "  - type: pass", "    name: skipped_on_goto",
            "    outputMappings:",
            "      - target: middle", "        source: true",
            "  - type: pass", "    name: last"))
        self.assertEqual(self.start("ch", "big", {"n": 11, "kind": "big"})
                         ["output"], {"size": "large"})
        self.assertEqual(self.start("ch", "small", {"n": 3})["output"],
                         {"size": "small", "middle": True})
        self.assertEqual(self.start("ch", "none", {"n": 11})["output"], {})
        self.assertNotIn("skipped_on_goto", [
            ev["step"] for ev in self.history("none")])

    def test_parallel_branches_and_local_array(self):
        self.deploy("par", steps(
            "  - type: parallel", "    name: fan",
            "    branches:",
            "      - steps:",
            "          - type: pass", "            name: left",
            "            outputMappings:",
            "              - target: x", "                source: 1",
            "      - steps:",
            "          - type: pass", "            name: right",
            "            outputMappings:",
            "              - target: x", "                source: 2",
            "    outputMappings:",
            "      - target: xs", "        source: $local[*].x",
            "      - target: both", "        source: $local"))
        x = self.start("par", "e", {"in": 1})
        self.assertEqual(x["output"], {"xs": [1, 2],
                                       "both": [{"x": 1}, {"x": 2}]})
        t = self.types("e", "fan")
        self.assertEqual(t.count("BranchEntered"), 2)
        self.assertEqual(t.count("BranchExited"), 2)

    def test_parallel_branch_failure_cancels_the_others(self):
        self.queue()
        self.deploy("pf", steps(
            "  - type: parallel", "    name: fan",
            "    branches:",
            "      - steps:",
            "          - type: task", "            name: waiter",
            "            resourceArn: acs:mns:::/queues/jobs/messages",
            "            pattern: waitForCallback",
            "            inputMappings:",
            "              - target: token",
            "                source: $context.task.token",
            "            serviceParams:",
            "              MessageBody: $",
            "      - steps:",
            "          - type: wait", "            name: nap",
            "            duration: 5",
            "          - type: fail", "            name: boom",
            "            error: Boom", "            cause: on purpose"))
        self.pause()
        x = self.start("pf", "e")
        self.assertEqual(sorted(c["state"] for c in x["current"]),
                         ["sleeping", "waiting"])
        token = self.token_of()
        self.advance("5s")
        x = self.show("e")
        self.assertEqual(x["status"], "Failed")
        self.assertEqual((x["error"], x["cause"]), ("Boom", "on purpose"))
        task = self.e.ok("GET", "/v1/tasks/" + token)
        self.assertEqual(task["status"], "cancelled")
        got, j = self.e.post("/v1/tasks/%s/succeed" % token, {"output": {}})
        self.assertEqual(got, 409, j)
        self.assertIn("cancelled", j["message"])

    def test_foreach_items_index_order_and_bounded_concurrency(self):
        self.deploy("fe", steps(
            "  - type: foreach", "    name: each",
            "    iterationMapping:",
            "      collection: $.names", "      item: name",
            "      index: i",
            "    steps:",
            "      - type: wait", "        name: nap", "        duration: 10",
            "      - type: pass", "        name: greet",
            "        outputMappings:",
            "          - target: hi", "            source: $input.name",
            "          - target: at", "            source: $input.i",
            "    outputMappings:",
            "      - target: all", "        source: $local[*].hi",
            "      - target: idx", "        source: $local[*].at"))
        names = ["n%03d" % i for i in range(150)]
        self.pause()
        x = self.start("fe", "e", {"names": names})
        self.assertEqual(len(x["current"]), 100)  # at most 100 at once
        self.advance("10s")
        self.assertEqual(len(self.show("e")["current"]), 50)
        self.advance("10s")
        x = self.show("e")
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"]["all"], names)
        self.assertEqual(x["output"]["idx"], list(range(150)))
        g = self.e.ok("GET", "/v1/executions/e/graph")
        each = [n for n in g["nodes"] if n["name"] == "each"][0]
        self.assertEqual(each["iterations"], {"started": 150, "done": 150})
        # not an array: a clear step failure
        x = self.start("fe", "bad", {"names": "nope"})
        self.assertEqual(x["status"], "Failed")
        self.assertIn("not an array", x["cause"])

    def test_wait_duration_path_timestamp_and_bad_values(self):
        self.deploy("w", steps(
            "  - type: wait", "    name: d", "    duration: $.secs",
            "  - type: wait", "    name: t", "    timestamp: $.when"))
        self.pause()
        x = self.start("w", "e", {"secs": 30,
                                  "when": "2000-01-01T00:00:00Z"})
        self.assertEqual(x["current"][0]["state"], "sleeping")
        self.advance("29s")
        self.assertEqual(self.show("e")["status"], "Running")
        self.advance("1s")
        # the timestamp is in the past: that wait ends at once
        self.assertEqual(self.show("e")["status"], "Succeeded")
        x = self.start("w", "bad", {"secs": -1, "when": "x"})
        self.assertEqual(x["status"], "Failed")
        self.assertIn("duration", x["cause"])

    def test_succeed_and_fail_steps(self):
        self.deploy("sf", steps(
            "  - type: choice", "    name: c",
            "    choices:",
            "      - condition: $.ok",
            "        steps:",
            "          - type: succeed", "            name: yes",
            "    default:",
            "      steps:",
            "        - type: fail", "          name: no",
            "          error: NotOk", "          cause: said no",
            "  - type: pass", "    name: after"))
        self.assertEqual(self.start("sf", "y", {"ok": True})["status"],
                         "Succeeded")
        self.assertIn("after", [ev["step"] for ev in self.history("y")])
        x = self.start("sf", "n", {"ok": False})
        self.assertEqual((x["status"], x["error"], x["cause"]),
                         ("Failed", "NotOk", "said no"))
        self.assertEqual(self.history("n")[-1]["detail"],
                         {"error": "NotOk", "cause": "said no"})

    # -- tasks against a real queue --
    def test_seed000_common_body_priority_and_send_result(self):
        self.queue()
        self.deploy("s0", fixture("seed000_common.yaml"))
        x = self.start("s0", "e", {"key": "value_1"})
        self.assertEqual(x["status"], "Succeeded", x)
        msg = self.receive()[0]
        self.assertEqual(msg["body"], '{"key_1":"value_1","key_2":"value"}')
        self.assertEqual(msg["priority"], 1)
        done = [ev for ev in self.history("e")
                if ev["type"] == "TaskSucceeded"][0]["detail"]["output"]
        self.assertEqual(done["MessageId"], msg["id"])
        self.assertEqual(done["MessageBodyMD5"],
                         hashlib.md5(msg["body"].encode()).hexdigest()
                         .upper())
        self.assertEqual(len(done["RequestId"]), 36)
        # the local is the send result: it is also the execution output
        self.assertEqual(x["output"]["MessageId"], msg["id"])

    def test_seed000_request_response(self):
        self.queue()
        self.deploy("rr", fixture("seed000_request_response.yaml"))
        x = self.start("rr", "e")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(self.receive()[0]["body"], '{"key_3":"value"}')
        self.assertEqual(self.types("e", "mytask"), [
            "StepEntered", "StepStarted", "TaskScheduled", "TaskStarted",
            "TaskSucceeded", "StepSucceeded", "StepExited"])

    def test_seed000_wait_for_callback(self):
        self.queue()
        self.deploy("wfc", fixture("seed000_wait_for_callback.yaml"))
        x = self.start("wfc", "e")
        self.assertEqual(x["status"], "Running")
        self.assertEqual(x["current"][0]["state"], "waiting")
        msg = self.receive()[0]
        body = json.loads(msg["body"])
        self.assertEqual(set(body), {"task_token", "key"})
        self.assertEqual(body["key"], "value")
        token = body["task_token"]
        self.assertEqual(x["current"][0]["token"], token)
        tasks = self.e.ok("GET", "/v1/tasks")["items"]
        self.assertEqual(len(tasks), 1)
        self.assertEqual(tasks[0]["target"], {"queue": "jobs",
                                              "message_id": msg["id"]})
        self.assertEqual((tasks[0]["flow"], tasks[0]["execution"],
                          tasks[0]["step"]), ("wfc", "e", "mytask"))
        j = self.succeed(token, {"status": "success"})
        x = self.show("e")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(x["output"], {"status": "success"})
        ev = [ev for ev in self.history("e") if ev["id"] == j["event_id"]]
        self.assertEqual(ev[0]["type"], "TaskSucceeded")
        self.assertEqual(self.e.ok("GET", "/v1/tasks")["items"], [])
        self.assertEqual(self.types("e", "mytask")[:6], [
            "StepEntered", "StepStarted", "TaskScheduled", "TaskStarted",
            "TaskSubmitted", "TaskSucceeded"])

    def test_tokens_are_unguessable_and_opaque(self):
        self.queue()
        self.deploy("t", WFC)
        tokens = set()
        for i in range(20):
            self.start("t", "e%d" % i, {"n": i})
            tokens.add(self.token_of())
        self.assertEqual(len(tokens), 20)
        for t in tokens:
            self.assertRegex(t, r"^[A-Za-z0-9_-]+$")  # safe in a path
            plain = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
            parts = plain.decode().split("#")
            self.assertEqual(parts[:3], ["v1", "t", parts[2]])
            self.assertGreaterEqual(len(parts[4]), 24)  # 144 random bits

    def test_callback_fail_and_bad_callbacks(self):
        self.queue()
        self.deploy("t", WFC)
        self.start("t", "e", {"n": 1})
        token = self.token_of()
        # bad callbacks change nothing, and are journaled on the token
        for body, code in (({"output": [1]}, 400),
                           ({"output": "not json"}, 400),
                           ({"output": {"x": "y" * 40000}}, 400)):
            got, j = self.e.post("/v1/tasks/%s/succeed" % token, body)
            self.assertEqual(got, code, j)
        got, j = self.e.post("/v1/tasks/%s/fail" % token, {})
        self.assertEqual(got, 400, j)
        self.assertIn("error", j["message"])
        self.assertEqual(self.show("e")["status"], "Running")
        j = self.e.ok("POST", "/v1/tasks/%s/fail" % token,
                      {"error": "Worker.Broke", "cause": "disk on fire"})
        x = self.show("e")
        self.assertEqual((x["status"], x["error"], x["cause"]),
                         ("Failed", "Worker.Broke", "disk on fire"))
        got, j = self.e.post("/v1/tasks/%s/succeed" % token, {"output": {}})
        self.assertEqual((got, j["code"]), (409, "TaskNotWaiting"))
        self.assertIn("failed already", j["message"])
        got, j = self.e.post("/v1/tasks/nosuchtoken/succeed", {"output": {}})
        self.assertEqual((got, j["code"]), (404, "TaskNotFound"))
        kinds = [r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=task&id=" + token)["items"]]
        self.assertEqual(kinds.count("refused"), 5)
        self.assertEqual(kinds.count("failed"), 1)
        self.assertEqual(len(self.e.ok(
            "GET", "/v1/journal?kind=task&id=nosuchtoken")["items"]), 1)

    def test_timeout_then_late_callback(self):
        self.queue()
        self.deploy("to", WFC.replace(
            "    serviceParams:", "    timeoutSeconds: 60\n"
            "    serviceParams:"))
        self.pause()
        self.start("to", "e", {"n": 1})
        token = self.token_of()
        self.advance("59s")
        self.assertEqual(self.show("e")["status"], "Running")
        self.advance("1s")
        x = self.show("e")
        self.assertEqual((x["status"], x["error"]), ("TimedOut",
                                                     "FnF.Timeout"))
        self.assertIn("TaskTimedOut", self.types("e"))
        self.assertEqual(self.types("e")[-1], "ExecutionTimedOut")
        got, j = self.e.post("/v1/tasks/%s/succeed" % token, {"output": {}})
        self.assertEqual(got, 409, j)
        self.assertIn("timed out", j["message"])

    def test_heartbeats_keep_a_task_alive(self):
        self.queue()
        self.deploy("hb", WFC.replace(
            "    serviceParams:", "    heartbeatSeconds: 10\n"
            "    serviceParams:"))
        self.pause()
        self.start("hb", "e", {"n": 1})
        token = self.token_of()
        for _ in range(3):
            self.advance("8s")
            j = self.e.ok("POST", "/v1/tasks/%s/heartbeat" % token, {})
            self.assertIn("heartbeat_due", j)
        self.assertEqual(self.show("e")["status"], "Running")
        self.advance("10s")
        x = self.show("e")
        self.assertEqual(x["status"], "TimedOut")
        self.assertIn("heartbeat", x["cause"])

    def test_retry_intervals_then_catch(self):
        self.queue()
        self.deploy("rc", fixture("spec_callback.yaml"))
        self.pause()
        x = self.start("rc", "e", {"payload": {"id": 7}})
        first = json.loads(self.receive()[0]["body"])
        self.assertEqual(first["payload"], {"id": 7})
        self.advance("300s")  # timeoutSeconds: the first attempt times out
        x = self.show("e")
        self.assertEqual(x["current"][0]["state"], "retrying")
        self.advance("4900ms")
        self.assertEqual(self.show("e")["current"][0]["state"], "retrying")
        self.advance("100ms")  # the first retry after 5 s
        self.assertEqual(self.show("e")["current"][0]["state"], "waiting")
        second = json.loads(self.receive()[0]["body"])
        self.assertNotEqual(second["taskToken"], first["taskToken"])
        got, _ = self.e.post("/v1/tasks/%s/succeed" % first["taskToken"],
                             {"output": {}})
        self.assertEqual(got, 409)  # the old attempt's token is done
        self.advance("300s")
        self.advance("9900ms")
        self.assertEqual(self.show("e")["current"][0]["state"], "retrying")
        self.advance("100ms")  # the second retry after 10 s (x2)
        self.receive()
        self.advance("300s")  # retries exhausted: the catch goes to onError
        x = self.show("e")
        self.assertEqual((x["status"], x["error"]), ("Failed", "JobFailed"))
        t = self.types("e", "dispatch")
        self.assertEqual(t.count("TaskScheduled"), 3)
        self.assertEqual(t.count("TaskTimedOut"), 3)
        caught = [ev for ev in self.history("e")
                  if ev["type"] == "StepFailed" and
                  ev["step"] == "dispatch"][0]
        self.assertEqual(caught["detail"]["caught"], "onError")
        g = self.e.ok("GET", "/v1/executions/e/graph")
        node = [n for n in g["nodes"] if n["name"] == "dispatch"][0]
        self.assertEqual((node["status"], node["attempts"]), ("caught", 3))

    def test_catch_error_mappings_and_success_path(self):
        self.queue()
        self.deploy("cm", steps(
            "  - type: task", "    name: t",
            "    resourceArn: acs:mns:::/queues/missing/messages",
            "    serviceParams:", "      MessageBody: hi",
            "    catch:",
            "      - errors: [MNS.QueueNotExist]", "        goto: handle",
            "        errorMappings:",
            "          - target: why", "            source: $local.error",
            "  - type: pass", "    name: skipped",
            "  - type: pass", "    name: handle"))
        x = self.start("cm", "e")
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"], {"why": "MNS.QueueNotExist"})
        # the spec's flow, succeeding: output mapped from the callback
        self.deploy("ok", fixture("spec_callback.yaml"))
        self.start("ok", "e2", {"payload": 1})
        token = json.loads(self.receive()[0]["body"])["taskToken"]
        self.succeed(token, {"result": "done"})
        self.assertEqual(self.show("e2")["output"], {"result": "done"})

    def test_publish_to_a_missing_topic_fails_clearly(self):
        self.deploy("tp", steps(
            "  - type: task", "    name: pub",
            "    resourceArn: acs:mns:::/topics/t1/messages",
            "    serviceParams:", "      MessageBody: $"))
        x = self.start("tp", "e")
        self.assertEqual((x["status"], x["error"]),
                         ("Failed", "MNS.TopicNotExist"))
        self.assertIn("t1", x["cause"])

    def test_child_flow_sync(self):
        self.deploy("child", steps(
            "  - type: pass", "    name: c",
            "    outputMappings:",
            "      - target: doubled", "        source: $input.n"))
        self.deploy("parent", steps(
            "  - type: task", "    name: call",
            "    resourceArn: acs:fnf:::flow/child", "    pattern: sync",
            "    outputMappings:",
            "      - target: got", "        source: $local.doubled"))
        x = self.start("parent", "p", {"n": 21})
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(x["output"], {"got": 21})

    def test_stopping_a_parent_stops_its_child_flows(self):
        self.queue()
        self.deploy("child", WFC)
        self.deploy("parent", steps(
            "  - type: task", "    name: call",
            "    resourceArn: acs:fnf:::flow/child", "    pattern: sync"))
        self.start("parent", "p", {"n": 1})
        token = self.token_of()  # the child waits for its own callback
        kids = [x for x in self.e.ok("GET", "/v1/executions?flow=child")
                ["items"]]
        self.assertEqual([k["status"] for k in kids], ["Running"])
        self.e.ok("POST", "/v1/executions/p/stop", {})
        child = self.show(kids[0]["name"], flow="child")
        self.assertEqual((child["status"], child["error"]),
                         ("Stopped", "FnF.ParentStopped"))
        self.assertEqual(self.e.ok("GET", "/v1/tasks/" + token)["status"],
                         "cancelled")
        self.assertEqual(self.e.ok("GET", "/v1/info")["executions"]
                         ["running"], 0)

    # -- executions --
    def test_names_inputs_and_conflicts(self):
        self.queue()
        self.deploy("t", WFC)
        a = self.start("t", "same", {"n": 1})
        b = self.start("t", "same", {"n": 2}, status=200)  # running: it
        self.assertEqual(a["started"], b["started"])
        self.assertEqual(len(self.receive(n=10)), 1)
        gen = self.start("t", None, '{"n": 3}')  # JSON text works too
        self.assertRegex(gen["name"], r"^[0-9a-f-]{36}$")
        self.assertEqual(gen["input"], {"n": 3})
        for body, code in (({"flow": "t", "input": [1]}, 400),
                           ({"flow": "t", "input": "[1]"}, 400),
                           ({"flow": "t", "name": "bad name"}, 400),
                           ({"flow": "nope"}, 404),
                           ({"flow": "t", "input": {"x": "y" * 40000}}, 400),
                           ({}, 400)):
            got, j = self.e.post("/v1/executions", body)
            self.assertEqual(got, code, (body, j))
        self.e.ok("POST", "/v1/executions/same/stop", {})
        got, j = self.e.post("/v1/executions", {"flow": "t", "name": "same"})
        self.assertEqual((got, j["code"]), (409, "ExecutionAlreadyExists"))
        # the same name in two flows: say which
        self.deploy("t2", WFC)
        self.start("t2", "same")
        got, j = self.e.get("/v1/executions/same")
        self.assertEqual(got, 409, j)
        self.assertEqual(self.show("same", flow="t2")["flow"], "t2")
        # lists: newest first, by flow and status, paged
        items = self.e.ok("GET", "/v1/executions?flow=t")["items"]
        self.assertEqual(items[0]["name"], gen["name"])
        stopped = self.e.ok("GET", "/v1/executions?status=Stopped")["items"]
        self.assertEqual([i["name"] for i in stopped], ["same"])
        page = self.e.ok("GET", "/v1/executions?limit=2")
        self.assertEqual(len(page["items"]), 2)
        rest = self.e.ok("GET", "/v1/executions?cursor=" + page["next"])
        self.assertEqual(len(rest["items"]), 1)
        got, _ = self.e.get("/v1/executions?status=Bogus")
        self.assertEqual(got, 400)

    def test_stop_cancels_task_and_timers(self):
        self.queue()
        self.deploy("t", WFC.replace(
            "    serviceParams:", "    timeoutSeconds: 60\n"
            "    serviceParams:"))
        self.start("t", "e", {"n": 1})
        token = self.token_of()
        self.assertEqual(len(self.e.ok("GET", "/v1/timers?kind=flow")
                             ["items"]), 1)
        x = self.e.ok("POST", "/v1/executions/e/stop",
                      {"error": "Manual", "cause": "enough"})
        self.assertEqual(x["status"], "Stopped")
        self.assertEqual(self.history("e")[-1]["type"], "ExecutionStopped")
        self.assertEqual(self.history("e")[-1]["detail"],
                         {"error": "Manual", "cause": "enough"})
        self.assertEqual(self.e.ok("GET", "/v1/timers?kind=flow")["items"],
                         [])
        self.assertEqual(self.e.ok("GET", "/v1/tasks/" + token)["status"],
                         "cancelled")
        got, _ = self.e.post("/v1/executions/e/stop", {})
        self.assertEqual(got, 409)
        got, _ = self.e.post("/v1/executions/e/redrive", {})
        self.assertEqual(got, 409)

    def test_redrive_from_the_failed_step(self):
        self.queue()
        self.deploy("rd", steps(
            "  - type: pass", "    name: first",
            "    outputMappings:",
            "      - target: a", "        source: 1",
        ) + WFC.split("steps:\n", 1)[1])
        self.start("rd", "e", {"n": 5})
        tok = self.token_of()
        self.e.ok("POST", "/v1/tasks/%s/fail" % tok, {"error": "Flaky"})
        self.assertEqual(self.show("e")["status"], "Failed")
        n_before = len(self.history("e"))
        x = self.e.ok("POST", "/v1/executions/e/redrive", {})
        self.assertEqual(x["status"], "Running")
        self.assertNotIn("error", x)
        tok2 = self.token_of()
        self.assertNotEqual(tok, tok2)
        self.succeed(tok2, {"result": "second time"})
        x = self.show("e")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(x["output"], {"a": 1, "result": "second time"})
        h = self.history("e")
        self.assertEqual(h[n_before]["type"], "ExecutionRedriven")
        self.assertEqual([ev["step"] for ev in h
                          if ev["type"] == "StepEntered"],
                         ["first", "work", "work"])  # first not re-run
        self.assertEqual(sorted(r["type"] for r in self.e.ok(
            "GET", "/v1/journal?kind=execution&id=rd/e")["items"]),
            ["failed", "redriven", "started", "succeeded"])

    def test_info_counts_follow_every_change(self):
        self.queue()
        self.deploy("t", WFC)

        def counts():
            c = self.e.ok("GET", "/v1/info")["executions"]
            return {k: c[k] for k in ("running", "succeeded", "failed",
                                      "stopped", "timed_out",
                                      "waiting_tasks")}

        base = dict(running=0, succeeded=0, failed=0, stopped=0,
                    timed_out=0, waiting_tasks=0)
        self.assertEqual(counts(), base)
        for n in ("a", "b", "c"):
            self.start("t", n, {"n": 1})
        self.assertEqual(counts(), dict(base, running=3, waiting_tasks=3))
        self.succeed(self.token_of(), {})
        self.e.ok("POST", "/v1/tasks/%s/fail" % self.token_of(),
                  {"error": "X"})
        self.e.ok("POST", "/v1/executions/c/stop", {})
        self.assertEqual(counts(), dict(base, succeeded=1, failed=1,
                                        stopped=1))
        self.e.ok("POST", "/v1/executions/b/redrive", {})
        self.assertEqual(counts(), dict(base, succeeded=1, running=1,
                                        stopped=1, waiting_tasks=1))
        # refused requests change nothing
        self.e.post("/v1/executions", {"flow": "t", "name": "a"})
        self.e.post("/v1/executions/a/stop", {})
        self.e.restart()
        self.assertEqual(counts(), dict(base, succeeded=1, running=1,
                                        stopped=1, waiting_tasks=1))

    def test_describe_waits_for_the_end(self):
        self.queue()
        self.deploy("t", WFC)
        self.start("t", "e", {"n": 1})
        token = self.token_of()
        got = {}

        def waiter():
            got["x"] = self.e.ok("GET", "/v1/executions/e?wait=20")

        th = threading.Thread(target=waiter)
        th.start()
        self.succeed(token, {"result": 1})
        th.join(30)
        self.assertEqual(got["x"]["status"], "Succeeded")
        x = self.e.ok("GET", "/v1/executions/e?wait=0")
        self.assertEqual(x["status"], "Succeeded")

    def test_graph_while_waiting(self):
        self.queue()
        self.deploy("g", steps(
            "  - type: pass", "    name: before",
        ) + WFC.split("steps:\n", 1)[1] + "\n".join([
            "  - type: parallel", "    name: fan",
            "    branches:",
            "      - steps:",
            "          - type: pass", "            name: l",
            "      - steps:",
            "          - type: pass", "            name: r", ""]))
        self.start("g", "e", {"n": 1})
        g = self.e.ok("GET", "/v1/executions/e/graph")
        names = [(n["name"], n["type"], n["status"]) for n in g["nodes"]]
        self.assertEqual(names, [
            ("Start", "start", "succeeded"), ("before", "pass", "succeeded"),
            ("work", "task", "waiting"), ("fan", "parallel", "pending"),
            ("End", "end", "pending")])
        fan = g["nodes"][3]
        self.assertEqual([[n["name"] for n in b] for b in fan["branches"]],
                         [["l"], ["r"]])
        self.succeed(self.token_of(), {})
        g = self.e.ok("GET", "/v1/executions/e/graph")
        self.assertEqual({n["status"] for n in g["nodes"]}, {"succeeded"})

    def test_event_limit_ends_a_runaway_loop(self):
        self.deploy("loop", steps(
            "  - type: choice", "    name: again",
            "    choices:",
            "      - condition: \"true\"", "        goto: again"))
        x = self.start("loop", "e")
        self.assertEqual((x["status"], x["error"]),
                         ("Failed", "FnF.EventLimitExceeded"))
        self.assertLessEqual(x["events"], 5010)

    def test_data_limits_and_deep_nesting(self):
        self.deploy("big", steps(
            "  - type: pass", "    name: grow",
            "    outputMappings:",
            "      - target: a", "        source: $input.blob",
            "      - target: b", "        source: $input.blob",
            "      - target: c", "        source: $input.blob"))
        x = self.start("big", "small", {"blob": "x" * 100})
        self.assertEqual(x["status"], "Succeeded")
        x = self.start("big", "large", {"blob": "x" * 9000})
        self.assertEqual((x["status"], x["error"]),
                         ("Failed", "FnF.DataLimitExceeded"))
        self.assertIn("32 KiB", x["cause"])
        deep = "[" * 100000 + "]" * 100000
        for path in ("/v1/executions",):
            got, _, body = self.e.raw(
                "POST", path, '{"flow": "big", "input": {"a": %s}}' % deep,
                {"Content-Type": "application/json"})
            self.assertEqual(got, 400, body[:200])
        got, j = self.e.post("/v1/executions",
                             {"flow": "big", "input": deep})
        self.assertEqual(got, 400, j)
        self.assertEqual(self.e.ok("GET", "/healthz") is not None, True)

    def test_running_executions_keep_their_definition(self):
        self.queue()
        self.deploy("v", WFC)
        x = self.start("v", "e", {"n": 1})
        self.deploy("v", steps("  - type: pass", "    name: other"))
        self.succeed(self.token_of(), {"result": "old"})
        y = self.show("e")
        self.assertEqual(y["output"], {"result": "old"})
        self.assertEqual(y["version"], x["version"])
        self.assertEqual(self.start("v", "e2")["output"], {})

    def test_deleting_a_flow_deletes_its_executions(self):
        self.queue()
        self.deploy("d", WFC)
        self.start("d", "e", {"n": 1})
        token = self.token_of()
        self.e.ok("DELETE", "/v1/flows/d", status=204)
        got, _ = self.e.get("/v1/executions/e")
        self.assertEqual(got, 404)
        got, _ = self.e.post("/v1/tasks/%s/succeed" % token, {"output": {}})
        self.assertEqual(got, 404)
        self.assertEqual(self.e.ok("GET", "/v1/info")["executions"]
                         ["running"], 0)

    # -- restarts --
    def test_kill9_in_the_middle_of_each_kind_of_step(self):
        self.queue()
        self.deploy("t", WFC.replace(
            "    serviceParams:", "    timeoutSeconds: 1000\n"
            "    serviceParams:"))
        self.deploy("w", steps("  - type: wait", "    name: nap",
                               "    duration: 350"))
        self.deploy("r", fixture("spec_callback.yaml"))
        self.deploy("fe", steps(
            "  - type: foreach", "    name: each",
            "    iterationMapping:", "      collection: $.xs",
            "      item: x",
            "    steps:",
            "      - type: wait", "        name: nap",
            "        duration: $.x",
            "    outputMappings:",
            "      - target: n", "        source: $local"))
        self.pause()
        self.start("t", "task", {"n": 1})
        token = self.token_of()
        self.start("w", "sleep")
        self.start("r", "retry", {"payload": 1})
        self.receive()
        self.advance("300s")  # r's first attempt times out: retrying
        self.start("fe", "each", {"xs": [10, 20, 30]})
        self.e.kill9()
        self.e.start()
        self.assertEqual(self.show("task")["current"][0]["token"], token)
        self.assertEqual(self.show("retry")["current"][0]["state"],
                         "retrying")
        self.assertEqual(len(self.show("each")["current"]), 3)
        self.advance("20s")
        self.assertEqual(len(self.show("each")["current"]), 1)
        self.succeed(token, {"result": "after restart"})
        self.assertEqual(self.show("task")["output"],
                         {"result": "after restart"})
        self.assertEqual(self.show("retry")["current"][0]["state"],
                         "waiting")  # its retry fired after the restart
        self.advance("30s")
        self.assertEqual(self.show("sleep")["status"], "Succeeded")
        self.assertEqual(self.show("each")["status"], "Succeeded")
        self.assertEqual(self.show("each")["output"], {"n": [{}, {}, {}]})
        # a timeout after the restart still fires on the engine clock
        self.start("t", "late", {"n": 2})
        self.receive()
        self.e.kill9()
        self.e.start()
        self.advance("999s")
        self.assertEqual(self.show("late")["status"], "Running")
        self.advance("1s")
        self.assertEqual(self.show("late")["status"], "TimedOut")


if __name__ == "__main__":
    unittest.main()
