"""Functions over the engine API, with real child processes (the handlers
in tests/fixtures/handlers): definitions, invocations that succeed, fail,
hang, print something that is not JSON, flood their output or do not
exist; the HTTP trigger; flow tasks calling functions (requestResponse
and waitForCallback, the handler reporting its token through the API);
queue triggers with success, partial failure and failure to the
dead-letter queue on the engine clock. Nothing asserts on timing: waits
poll with a generous deadline."""

import http.server
import json
import os
import sys
import threading
import time
import unittest

from harness import EngineTestCase, run_cli

HANDLERS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..",
                                        "fixtures", "handlers"))


def handler(name):
    return [sys.executable, os.path.join(HANDLERS, name)]


def steps(*lines):
    return "version: v1\ntype: flow\nsteps:\n" + "\n".join(lines) + "\n"


class Functions(EngineTestCase):
    def setUp(self):
        self.e = self.engine()

    # -- helpers --
    def fn(self, name, script=None, status=201, **spec):
        body = dict(spec, name=name)
        if script:
            body["command"] = handler(script)
        return self.e.ok("POST", "/v1/functions", body, status=status)

    def invoke(self, name, event=None):
        return self.e.ok("POST", "/v1/functions/%s/invocations" % name,
                         {"event": event or {}})

    def until(self, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = what()
            if got:
                return got
            time.sleep(0.05)
        self.fail("gave up waiting for %s" % what)

    def invocations(self, name):
        return self.e.ok("GET", "/v1/functions/%s/invocations" % name)[
            "items"]

    def finished(self, name):
        """Its invocations but those still running (listed from their
        start)."""
        return [i for i in self.invocations(name) if i["status"] != "running"]

    def counts(self, q):
        return self.e.ok("GET", "/v1/queues/" + q)["counts"]

    # -- definitions --
    def test_create_list_show_delete(self):
        f = self.fn("echo", "echo.py", env={"GREETING": "hi"})
        self.assertEqual(f["kind"], "command")
        self.assertEqual(f["timeout_seconds"], 30)
        self.assertEqual(f["max_concurrency"], 10)
        self.fn("echo", "echo.py", status=200)
        self.fn("remote", url="http://127.0.0.1:1/x", timeout_seconds=2)
        names = [x["name"] for x in self.e.ok("GET", "/v1/functions")["items"]]
        self.assertEqual(names, ["echo", "remote"])
        self.assertEqual(self.e.ok("GET", "/v1/functions/remote")["kind"],
                         "http")
        self.e.ok("DELETE", "/v1/functions/remote", status=204)
        got, j = self.e.get("/v1/functions/remote")
        self.assertEqual((got, j["code"]), (404, "FunctionNotFound"))
        for bad in ({"name": "x"}, {"name": "x", "command": []},
                    {"name": "x", "command": "ls -l"},
                    {"name": "x", "command": ["ls"], "url": "http://a"},
                    {"name": "bad name", "command": ["ls"]},
                    {"name": "x", "command": ["ls"], "timeout_seconds": 0},
                    {"name": "x", "command": ["ls"], "env": {"A": 1}}):
            got, j = self.e.post("/v1/functions", bad)
            self.assertEqual(got, 400, (bad, j))
        got, j = self.e.post("/v1/functions/nope/invocations", {})
        self.assertEqual((got, j["code"]), (404, "FunctionNotFound"))

    # -- invocations --
    def test_invoke_echo_env_and_log(self):
        self.fn("echo", "echo.py", env={"GREETING": "hi"})
        inv = self.invoke("echo", {"a": [1, 2]})
        self.assertEqual(inv["status"], "succeeded", inv)
        self.assertEqual(inv["result"]["echo"], {"a": [1, 2]})
        self.assertEqual(inv["result"]["function"], "echo")
        self.assertEqual(inv["result"]["greeting"], "hi")
        self.assertEqual(inv["result"]["endpoint"], self.e.url)
        self.assertIn("echo got 1 keys", inv["log"])
        self.assertEqual(inv["exit_status"], 0)
        items = self.invocations("echo")
        self.assertEqual(items[0]["id"], inv["id"])
        self.assertEqual(items[0]["input"], {"a": [1, 2]})
        self.assertEqual(items[0]["trigger"], "cli")
        one = self.e.ok("GET", "/v1/functions/echo/invocations/" + inv["id"])
        self.assertEqual(one["result"], inv["result"])
        j = self.e.ok("GET", "/v1/journal?kind=invocation&id=" + inv["id"])
        self.assertEqual(j["items"][0]["type"], "succeeded")

    def test_failures_are_clear_and_bounded(self):
        self.fn("fail", "fail.py")
        self.fn("hang", "hang.py", timeout_seconds=1)
        self.fn("notjson", "notjson.py")
        self.fn("flood", "flood.py")
        self.fn("missing", command=["/no/such/program", "x"])
        inv = self.invoke("fail")
        self.assertEqual((inv["status"], inv["error"], inv["exit_status"]),
                         ("failed", "FunctionError", 3))
        self.assertIn("disk on fire", inv["cause"])
        self.assertIn("disk on fire", inv["log"])
        inv = self.invoke("hang")
        self.assertEqual((inv["status"], inv["error"]),
                         ("timed_out", "FunctionTimeout"))
        inv = self.invoke("notjson")
        self.assertEqual((inv["status"], inv["error"]),
                         ("failed", "InvalidResponse"))
        self.assertIn("not JSON", inv["cause"])
        inv = self.invoke("flood")
        self.assertEqual((inv["status"], inv["error"]),
                         ("failed", "OutputTooLarge"))
        self.assertLessEqual(len(inv["log"]), 64 * 1024)
        inv = self.invoke("missing")
        self.assertEqual((inv["status"], inv["error"]),
                         ("failed", "FunctionStartFailed"))
        self.assertIn("/no/such/program", inv["cause"])
        # the engine still serves
        self.e.ok("GET", "/v1/info")

    def test_concurrency_limit_queues_extra_invocations(self):
        self.fn("echo", "echo.py", max_concurrency=1)
        ids = [self.e.ok("POST", "/v1/functions/echo/invocations",
                         {"event": {"i": i}, "async": True},
                         status=202)["id"] for i in range(4)]
        self.until(lambda: len(self.finished("echo")) == 4)
        got = {x["id"]: x for x in self.invocations("echo")}
        for i, id_ in enumerate(ids):
            self.assertEqual(got[id_]["status"], "succeeded")
            self.assertEqual(got[id_]["result"]["echo"], {"i": i})

    def test_http_function_unreachable(self):
        self.fn("remote", url="http://127.0.0.1:1/x", timeout_seconds=2)
        inv = self.invoke("remote")
        self.assertEqual((inv["status"], inv["error"]),
                         ("failed", "ConnectionFailed"))

    def receiver(self):
        """A local HTTP service: /ok answers {"got": <the event>}, /teapot
        418, /hang never answers in time."""
        seen = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                event = json.loads(self.rfile.read(n))
                seen.append((self.path, self.headers.get(
                    "X-Flowdeck-Function"), event))
                if self.path == "/hang":
                    time.sleep(3)
                code = 418 if self.path == "/teapot" else 200
                body = json.dumps({"got": event}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *a):
                pass

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        return "http://127.0.0.1:%d" % srv.server_address[1], seen

    def test_http_function(self):
        url, seen = self.receiver()
        self.fn("remote", url=url + "/ok")
        self.fn("teapot", url=url + "/teapot")
        self.fn("slow", url=url + "/hang", timeout_seconds=1)
        inv = self.invoke("remote", {"x": 1})
        self.assertEqual(inv["status"], "succeeded", inv)
        self.assertEqual(inv["result"], {"got": {"x": 1}})
        self.assertEqual(seen[0][:2], ("/ok", "remote"))
        inv = self.invoke("teapot")
        self.assertEqual((inv["status"], inv["error"], inv["exit_status"]),
                         ("failed", "FunctionError", 418))
        self.assertEqual(inv["result"], {"got": {}})
        inv = self.invoke("slow")
        self.assertEqual((inv["status"], inv["error"]),
                         ("timed_out", "FunctionTimeout"))

    def test_stop_records_running_invocations(self):
        self.fn("hang", "hang.py", timeout_seconds=600)
        inv = self.e.ok("POST", "/v1/functions/hang/invocations",
                        {"async": True}, status=202)
        self.until(lambda: self.e.ok(
            "GET", "/v1/functions/hang/invocations/" + inv["id"])[
                "status"] == "running")
        self.e.stop()
        self.e.start()
        got = self.e.ok("GET", "/v1/functions/hang/invocations/" + inv["id"])
        self.assertEqual((got["status"], got["error"]),
                         ("failed", "EngineStopping"))

    # -- the HTTP trigger --
    def test_http_trigger(self):
        self.fn("web", "web.py")
        self.fn("echo", "echo.py")
        self.fn("fail", "fail.py")
        status, headers, body = self.e.raw("PUT", "/v1/functions/web/http/a/b"
                                           "?q=7", "hello")
        self.assertEqual(status, 201)
        self.assertEqual(headers["x-handler"], "web")
        self.assertEqual(body.decode(), "PUT /a/b q=7 body=hello")
        got, j = self.e.get("/v1/functions/echo/http/x?k=v")
        self.assertEqual(got, 200)
        ev = j["echo"]
        self.assertEqual((ev["method"], ev["path"], ev["query"]),
                         ("GET", "/x", {"k": "v"}))
        status, _, body = self.e.raw("POST", "/v1/functions/echo/http/bin",
                                     b"\xff\xfe\x00x")
        ev = json.loads(body)["echo"]
        self.assertEqual((ev["body"], ev["isBase64Encoded"]),
                         ("//4AeA==", True))
        got, j = self.e.post("/v1/functions/fail/http/", {"a": 1})
        self.assertEqual(got, 502)
        self.assertEqual(j["error"], "FunctionError")
        self.assertEqual(self.invocations("web")[0]["trigger"], "http")

    # -- flows --
    def run_flow(self, name, definition, input):
        self.e.ok("POST", "/v1/flows", {"name": name,
                                        "definition": definition},
                  status=201)
        self.e.ok("POST", "/v1/executions", {"flow": name, "name": "x1",
                                             "input": input}, status=201)
        return self.e.ok("GET", "/v1/executions/x1?flow=%s&wait=30" % name)

    def test_flow_request_response(self):
        self.fn("echo", "echo.py")
        x = self.run_flow("rr", steps(
            "  - type: task", "    name: call",
            "    resourceArn: fn:echo",
            "    outputMappings:",
            "      - target: got", "        source: $local.echo"),
            {"k": 5})
        self.assertEqual(x["status"], "Succeeded", x)
        self.assertEqual(json.loads(x["output"])["got"]
                         if isinstance(x["output"], str)
                         else x["output"]["got"], {"k": 5})
        self.assertEqual(self.invocations("echo")[0]["trigger"], "flow")

    def test_flow_function_fails_the_task(self):
        self.fn("fail", "fail.py")
        x = self.run_flow("rf", steps(
            "  - type: task", "    name: call",
            "    resourceArn: acs:fc:cn-hangzhou:123:services/s/functions/"
            "fail"), {})
        self.assertEqual(x["status"], "Failed", x)
        self.assertEqual(x["error"], "FC.FunctionError")
        self.assertIn("disk on fire", x["cause"])
        self.fn("big", "big.py")
        x = self.run_flow("rb", steps(
            "  - type: task", "    name: call",
            "    resourceArn: fn:big"), {})
        self.assertEqual((x["status"], x["error"]),
                         ("Failed", "FC.InvalidResult"), x)
        x = self.run_flow("rn", steps(
            "  - type: task", "    name: call",
            "    resourceArn: fn:nope"), {})
        self.assertEqual((x["status"], x["error"]),
                         ("Failed", "FC.FunctionNotFound"))

    def test_kill9_while_flow_tasks_run_or_wait_their_turn(self):
        """A flow task whose invocation ran, or waited its turn behind
        it, when the engine was killed fails after the restart with
        FC.EngineInterrupted (a retry runs it again) instead of waiting
        for ever on an invocation no engine runs."""
        self.fn("slow", command=[sys.executable, "-c",
                                 "import sys, time\n"
                                 "sys.stdin.read(); time.sleep(2)"],
                max_concurrency=1)
        task = ("  - type: task", "    name: call",
                "    resourceArn: fn:slow")
        for name, more in (("retried", (
                "    retry:", "      - errors: [FC.EngineInterrupted]",
                "        intervalSeconds: 1", "        maxAttempts: 2")),
                           ("plain", ())):
            got, j = self.e.post("/v1/flows", {
                "name": name, "definition": steps(*(task + more))})
            self.assertEqual(got, 201, j)
        self.e.ok("POST", "/v1/executions", {"flow": "retried", "name": "r"},
                  status=201)
        self.e.ok("POST", "/v1/executions", {"flow": "plain", "name": "p"},
                  status=201)  # queued behind r's invocation
        self.until(lambda: [i for i in self.invocations("slow")
                            if i["status"] == "running"])
        self.e.kill9()
        self.e.start()

        def ended(name):
            x = self.e.ok("GET", "/v1/executions/%s?wait=1" % name)
            return x if x["status"] != "Running" else None
        p = self.until(lambda: ended("p"))
        self.assertEqual((p["status"], p["error"]),
                         ("Failed", "FC.EngineInterrupted"), p)
        r = self.until(lambda: ended("r"))
        self.assertEqual(r["status"], "Succeeded", r)

    def test_flow_wait_for_callback(self):
        self.fn("callback", "callback.py")
        x = self.run_flow("wfc", steps(
            "  - type: task", "    name: cb",
            "    resourceArn: fn:callback",
            "    pattern: waitForCallback",
            "    inputMappings:",
            "      - target: token", "        source: $context.task.token",
            "      - target: n", "        source: $input.n",
            "    outputMappings:",
            "      - target: doubled", "        source: $local.doubled"),
            {"n": 21})
        self.assertEqual(x["status"], "Succeeded", x)
        out = x["output"]
        if isinstance(out, str):
            out = json.loads(out)
        self.assertEqual(out["doubled"], 42)

    # -- queue triggers --
    def trigger(self, fn, queue, **spec):
        return self.e.ok("POST", "/v1/functions/%s/triggers" % fn,
                         dict(spec, queue=queue), status=201)

    def test_queue_trigger_success(self):
        self.fn("batch", "batch.py")
        self.e.ok("POST", "/v1/queues", {"name": "work"}, status=201)
        t = self.trigger("batch", "work", batch_size=5)
        self.assertEqual((t["batch_size"], t["enabled"]), (5, True))
        self.e.ok("POST", "/v1/queues/work/messages/batch", {"entries": [
            {"id": "1", "body": "a"}, {"id": "2", "body": "b"}]})
        self.until(lambda: self.counts("work")["total"] == 0)
        inv = self.invocations("batch")
        self.until(lambda: self.e.ok("GET", "/v1/functions/batch/triggers/"
                                     + t["id"])["in_flight"] == 0)
        self.assertTrue(inv)
        self.assertEqual(inv[0]["trigger"], "queue:work")
        bodies = sorted(r["body"] for i in inv
                        for r in i["input"]["Records"])
        self.assertEqual(bodies, ["a", "b"])
        rec = inv[0]["input"]["Records"][0]
        for k in ("messageId", "receiptHandle", "attributes",
                  "eventSourceARN"):
            self.assertIn(k, rec)
        self.assertEqual(len(self.e.ok(
            "GET", "/v1/functions/batch/triggers")["items"]), 1)

    def test_queue_trigger_batching_window(self):
        """The window runs on the engine clock: paused, only a full batch
        or an advance past the window starts an invocation."""
        self.fn("batch", "batch.py")
        self.e.ok("POST", "/v1/queues", {"name": "work"}, status=201)
        self.e.ok("POST", "/v1/clock", {"action": "pause"})
        self.trigger("batch", "work", batch_size=3,
                     batching_window_seconds=60)
        for b in ("a", "b"):
            self.e.ok("POST", "/v1/queues/work/messages", {"body": b},
                      status=201)
        time.sleep(0.5)
        self.assertEqual(self.counts("work")["visible"], 2)
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "c"},
                  status=201)
        self.until(lambda: self.counts("work")["total"] == 0)
        inv = self.invocations("batch")
        self.assertEqual(len(inv), 1)
        self.assertEqual(sorted(r["body"] for r in inv[0]["input"]["Records"]),
                         ["a", "b", "c"])
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "d"},
                  status=201)
        time.sleep(0.3)
        self.assertEqual(self.counts("work")["visible"], 1)
        self.e.ok("POST", "/v1/clock", {"action": "advance", "by": "61s"})
        self.until(lambda: self.counts("work")["total"] == 0)
        self.assertEqual(len(self.invocations("batch")), 2)

    def test_queue_trigger_partial_failure(self):
        self.fn("batch", "batch.py")
        self.e.ok("POST", "/v1/queues", {"name": "work"}, status=201)
        self.e.ok("POST", "/v1/clock", {"action": "pause"})
        self.e.ok("POST", "/v1/queues/work/messages/batch", {"entries": [
            {"id": "1", "body": "ok1"}, {"id": "2", "body": "bad"},
            {"id": "3", "body": "ok2"}]})
        self.trigger("batch", "work", batch_size=10)
        self.until(lambda: self.counts("work")["total"] == 1)
        left = self.e.ok("GET", "/v1/queues/work/messages?state=all")
        self.assertEqual([m["body"] for m in left["items"]], ["bad"])
        self.assertEqual(self.counts("work")["in_flight"], 1)

    def test_queue_trigger_failure_to_dead_letter_queue(self):
        self.fn("batch", "batch.py")
        self.e.ok("POST", "/v1/queues", {"name": "dlq"}, status=201)
        self.e.ok("POST", "/v1/queues", {
            "name": "work", "visibility_timeout": 30,
            "dead_letter_queue": "dlq", "max_receives": 2}, status=201)
        self.e.ok("POST", "/v1/clock", {"action": "pause"})
        t = self.trigger("batch", "work", batch_size=1)
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "crash"},
                  status=201)
        for n in (1, 2):
            self.until(lambda: len(self.finished("batch")) == n)
            self.until(lambda: self.counts("work")["in_flight"] == 1)
            self.assertEqual(self.invocations("batch")[0]["status"],
                             "failed")
            self.e.ok("POST", "/v1/clock", {"action": "advance",
                                            "by": "31s"})
        self.until(lambda: self.counts("dlq")["total"] == 1)
        self.assertEqual(self.counts("work")["total"], 0)
        # pause and resume
        p = self.e.ok("POST", "/v1/functions/batch/triggers/%s/pause"
                      % t["id"])
        self.assertEqual(p["state"], "paused")
        self.e.ok("POST", "/v1/queues/work/messages", {"body": "a"},
                  status=201)
        time.sleep(0.5)
        self.assertEqual(self.counts("work")["visible"], 1)
        self.e.ok("POST", "/v1/functions/batch/triggers/%s/resume" % t["id"])
        self.until(lambda: self.counts("work")["total"] == 0)
        self.e.ok("DELETE", "/v1/functions/batch/triggers/" + t["id"],
                  status=204)
        got, _ = self.e.get("/v1/functions/batch/triggers/" + t["id"])
        self.assertEqual(got, 404)

    # -- the CLI --
    def cli(self, *args, code=0):
        r = run_cli(["--endpoint", self.e.url] + list(args))
        self.assertEqual(r.returncode, code, (args, r.stdout, r.stderr))
        return r

    def test_cli(self):
        self.cli("fn", "create", "echo", "--env", '{"GREETING": "yo"}',
                 "--timeout", "5", "--", *handler("echo.py"))
        self.cli("fn", "create", "fail", "--", *handler("fail.py"))
        self.assertIn("echo", self.cli("fn", "list").stdout)
        shown = json.loads(self.cli("-o", "json", "fn", "show",
                                    "echo").stdout)
        self.assertEqual(shown["timeout_seconds"], 5)
        out = json.loads(self.cli("fn", "invoke", "echo", '{"n": 1}').stdout)
        self.assertEqual((out["echo"], out["greeting"]), ({"n": 1}, "yo"))
        r = self.cli("fn", "invoke", "fail", code=1)
        self.assertIn("disk on fire", r.stderr)
        logs = self.cli("fn", "logs", "fail").stdout
        self.assertIn("FunctionError", logs)
        self.assertIn("disk on fire", logs)
        self.e.ok("POST", "/v1/queues", {"name": "work"}, status=201)
        t = json.loads(self.cli("-o", "json", "fn", "trigger", "create",
                                "echo", "--queue", "work", "--batch-size",
                                "3").stdout)
        self.assertEqual(t["batch_size"], 3)
        self.assertIn("work", self.cli("fn", "trigger", "list",
                                       "echo").stdout)
        self.assertIn("paused", self.cli("fn", "trigger", "pause", "echo",
                                         t["id"]).stdout)
        self.cli("fn", "trigger", "delete", "echo", t["id"])
        self.cli("fn", "delete", "echo")
        self.cli("fn", "show", "echo", code=1)



if __name__ == "__main__":
    unittest.main()
