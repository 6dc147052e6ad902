"""Guessed and forged credentials through the real engine: task tokens
(random, truncated, another execution's with a part changed), receipt
handles (random, truncated, another queue's, stale) on the engine API
and on the SQS and MNS wire protocols, a non-loopback bind without an
API token, and, with a token, requests without it or with a wrong one on
every kind of endpoint and protocol. Each is refused with a clear 4xx
(or at start-up) and changes nothing.

Covered elsewhere, not repeated: tokens' shape and 144 random bits
(test_exec.test_tokens_are_unguessable_and_opaque), a used or unknown
token (test_exec.test_callback_fail_and_bad_callbacks, test_fnf), a
receipt handle with one character changed
(test_queues.test_receipt_handles_are_unguessable), the API token on
/v1/info and /v1/clock and a bind to 0.0.0.0 (test_engine.Auth), wrong
signatures on all four wire protocols and wire requests to an engine
with a token but no key table (tests/compat/test_signatures.py)."""

import base64
import json
import os
import re
import secrets
import unittest
import urllib.parse

from harness import (EngineTestCase, free_port, new_data_dir,
                     run_engine_cmd)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

WFC = """\
version: v1
type: flow
steps:
  - type: task
    name: work
    resourceArn: acs:mns:::/queues/jobs/messages
    pattern: waitForCallback
    inputMappings:
      - target: token
        source: $context.task.token
    serviceParams:
      MessageBody: $
"""


def b64(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unb64(token):
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


class Tokens(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "w", "definition": WFC},
                  status=201)
        self.tokens = {}
        for name in ("e1", "e2"):
            self.e.ok("POST", "/v1/executions", {"flow": "w", "name": name},
                      status=201)
            (m,) = self.e.ok("POST", "/v1/queues/jobs/receive",
                             {"max": 1})["messages"]
            self.e.ok("POST", "/v1/queues/jobs/delete",
                      {"receipt": m["receipt"]}, status=204)
            self.tokens[name] = json.loads(m["body"])["token"]

    def state(self):
        return (self.e.ok("GET", "/v1/tasks")["items"],
                [(x["name"], x["status"]) for x in
                 self.e.ok("GET", "/v1/executions")["items"]])

    def forgeries(self):
        t1, t2 = self.tokens["e1"], self.tokens["e2"]
        p1, p2 = unb64(t1).split("#"), unb64(t2).split("#")
        self.assertEqual(len(p1), len(p2))
        out = [secrets.token_urlsafe(n) for n in (8, 32, 64)]
        out += [t1[:-1], t1[:-8], t1[: len(t1) // 2], t1 + "A", t1 + t2,
                "A" * len(t1), t1.upper() if t1.upper() != t1 else t1.lower()]
        # e2's token with each of its parts in turn taken from e1's:
        # another execution's token with one part changed
        for i in range(len(p2)):
            if p1[i] != p2[i]:
                forged = list(p2)
                forged[i] = p1[i]
                out.append(b64("#".join(forged)))
        # the random part replaced, and dropped
        out.append(b64("#".join(p1[:-1] + [secrets.token_urlsafe(18)])))
        out.append(b64("#".join(p1[:-1])))
        out.append(b64("#".join(p1[:-1] + [""])))
        out += ["..%2F..%2Fetc", "x'; DROP TABLE tasks;--", "a" * 10000,
                "%FF%FE", b64("v1#t#" + "#" * 100)]
        for t in out:
            self.assertNotIn(t, (t1, t2))
        return out

    def test_forged_task_tokens_change_nothing(self):
        before = self.state()
        for forged in self.forgeries():
            path = "/v1/tasks/%s" % urllib.parse.quote(forged, safe="%")
            for verb, body in (("succeed", {"output": {"x": 1}}),
                               ("fail", {"error": "E", "cause": "c"}),
                               ("heartbeat", {})):
                got, _, text = self.e.raw(
                    "POST", "%s/%s" % (path, verb), json.dumps(body),
                    {"Content-Type": "application/json"})
                self.assertIn(got, (400, 404), (forged[:40], verb, text))
                j = json.loads(text)
                self.assertTrue(j["code"] and j["message"], j)
        self.assertEqual(self.state(), before)
        # the real tokens still work, each for its own execution
        self.e.ok("POST", "/v1/tasks/%s/succeed" % self.tokens["e2"],
                  {"output": {"who": "e2"}})
        x = self.e.ok("GET", "/v1/executions/e2")
        self.assertEqual(x["status"], "Succeeded")
        self.assertEqual(self.e.ok("GET", "/v1/executions/e1")["status"],
                         "Running")


class Receipts(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        for q in ("a", "b"):
            self.e.ok("POST", "/v1/queues", {"name": q}, status=201)
            self.e.ok("POST", "/v1/queues/%s/messages" % q,
                      {"body": "to " + q}, status=201)

    def receive(self, q):
        (m,) = self.e.ok("POST", "/v1/queues/%s/receive" % q,
                         {"max": 1})["messages"]
        self.any_handle = m["receipt"]
        return m["receipt"]

    def counts(self):
        return {q: self.e.ok("GET", "/v1/queues/%s" % q)["counts"]
                for q in ("a", "b")}

    def sqs(self, action, queue, **params):
        p = dict(params, Action=action, Version="2012-11-05",
                 QueueUrl="%s/000000000000/%s" % (self.e.url, queue))
        got, _, text = self.e.raw("POST", "/", urllib.parse.urlencode(p),
                                  FORM)
        return got, text.decode()

    def refused_everywhere(self, queue, handle):
        got, j = self.e.post("/v1/queues/%s/delete" % queue,
                             {"receipt": handle})
        self.assertIn(got, (400, 404, 410), (handle[:40], j))
        self.assertTrue(j["code"] and j["message"], j)
        got, j = self.e.post("/v1/queues/%s/visibility" % queue,
                             {"receipt": handle, "visibility_timeout": 0})
        self.assertIn(got, (400, 404, 410), (handle[:40], j))
        got, text = self.sqs("DeleteMessage", queue, ReceiptHandle=handle)
        if len(handle) == len(self.any_handle):
            # SQS reads a well-formed handle it cannot match, on a
            # standard queue, as deleted already: 200, and nothing is
            # deleted (the counts are checked by the caller)
            self.assertIn(got, (200, 404), text)
        else:
            self.assertEqual(got, 404, text)  # SQS's status for this code
            self.assertIn("<Code>ReceiptHandleIsInvalid</Code>", text)
        got, text = self.sqs("ChangeMessageVisibility", queue,
                             ReceiptHandle=handle, VisibilityTimeout="0")
        self.assertIn(got, (400, 404), text)
        self.assertRegex(text, r"<Code>(ReceiptHandleIsInvalid|"
                               r"InvalidParameterValue)</Code>")
        got, _, text = self.e.raw(
            "DELETE", "/queues/%s/messages?ReceiptHandle=%s" % (
                queue, urllib.parse.quote(handle, safe="")))
        self.assertIn(got, (400, 404), text)
        self.assertIn(b"<Code>", text)

    def test_forged_handles_change_nothing(self):
        ha, hb = self.receive("a"), self.receive("b")
        before = self.counts()
        forged = [secrets.token_urlsafe(n) for n in (8, 40, 120)]
        forged += [ha[:-1], ha[: len(ha) // 2], ha + "A", "A" * len(ha),
                   "x'; DROP TABLE messages;--", "a" * 5000]
        for h in forged:
            self.refused_everywhere("a", h)
        # a real handle of queue a, used on queue b
        self.refused_everywhere("b", ha)
        self.refused_everywhere("a", hb)
        self.assertEqual(self.counts(), before)
        for q in ("a", "b"):
            self.assertEqual(before[q]["in_flight"], 1)
        # and the real ones still work on their own queues
        self.e.ok("POST", "/v1/queues/a/delete", {"receipt": ha},
                  status=204)
        got, text = self.sqs("DeleteMessage", "b", ReceiptHandle=hb)
        self.assertEqual(got, 200, text)

    def test_stale_handle_changes_nothing(self):
        old = self.receive("a")
        # back to visible, and received again: a fresh handle
        self.e.ok("POST", "/v1/queues/a/visibility",
                  {"receipt": old, "visibility_timeout": 0})
        new = self.receive("a")
        self.assertNotEqual(old, new)
        before = self.counts()
        self.refused_everywhere("a", old)
        self.assertEqual(self.counts(), before)
        self.assertEqual(before["a"]["in_flight"], 1)
        self.e.ok("POST", "/v1/queues/a/delete", {"receipt": new},
                  status=204)


class ApiToken(EngineTestCase):
    def test_non_loopback_binds_refused_without_a_token(self):
        port = free_port()
        for listen, env in (("0.0.0.0:%d" % port, None),
                            ("[::]:%d" % port, None),
                            ("0.0.0.0:%d" % port,
                             {"FLOWDECK_AUTH_TOKEN": ""})):
            r = run_engine_cmd(["--foreground", "--listen", listen,
                                "--data-dir", new_data_dir()], env=env)
            self.assertEqual(r.returncode, 1, (listen, r.stderr))
            self.assertIn("not a loopback address", r.stderr, listen)
            self.assertIn("--auth-token", r.stderr, listen)
            self.assertNotIn("listening", r.stdout)
        r = run_engine_cmd(["--foreground", "--listen", "0.0.0.0:%d" % port,
                            "--auth-token", "", "--data-dir",
                            new_data_dir()])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("not a loopback address", r.stderr)

    def test_every_endpoint_and_protocol_needs_the_token(self):
        e = self.engine(auth_token="right-token")
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        e.ok("POST", "/v1/queues/q/messages", {"body": "m"}, status=201)

        def state():
            qs = e.ok("GET", "/v1/queues")["items"]
            for q in qs:
                q.pop("oldest_age_ms")  # grows as time passes
            return [qs] + [e.ok("GET", p)["items"] for p in (
                "/v1/topics", "/v1/flows", "/v1/functions",
                "/v1/snapshots", "/v1/timers", "/v1/stacks")] + [
                e.ok("GET", "/v1/queues/q")["counts"],
                e.ok("GET", "/v1/clock")["mode"]]

        before = state()
        writes = [
            ("POST", "/v1/queues", {"name": "x"}),
            ("DELETE", "/v1/queues/q", None),
            ("POST", "/v1/queues/q/messages", {"body": "x"}),
            ("POST", "/v1/queues/q/receive", {"max": 1}),
            ("POST", "/v1/queues/q/purge", {}),
            ("POST", "/v1/topics", {"name": "x"}),
            ("POST", "/v1/flows", {"name": "x", "definition": WFC}),
            ("POST", "/v1/functions", {"name": "x", "command": ["true"]}),
            ("POST", "/v1/snapshots", {"name": "x"}),
            ("POST", "/v1/reset", {"confirm": True}),
            ("POST", "/v1/timers", {"after": "1h"}),
            ("POST", "/v1/clock", {"action": "pause"}),
            ("POST", "/v1/shutdown", {}),
            ("GET", "/v1/journal", None),
            ("GET", "/v1/queues/q", None),
        ]
        for auth in (None, "Bearer wrong-token", "Bearer right-toke",
                     "Bearer right-token ", "Bearer  right-token",
                     "Basic cmlnaHQtdG9rZW4=", "right-token",
                     "Bearer right-tokenright-token"):
            e.auth_token = None
            headers = {"Authorization": auth} if auth else {}
            for method, path, body in writes:
                got, h, text = e.raw(
                    method, path, json.dumps(body) if body else None,
                    dict(headers, **{"Content-Type": "application/json"}))
                self.assertEqual(got, 401, (auth, method, path, text))
                j = json.loads(text)
                self.assertEqual(j["code"], "Unauthorized")
                self.assertEqual(h.get("www-authenticate"), "Bearer")
            # a token in the query string is not a token
            got, _, _ = e.raw("GET", "/v1/queues?token=right-token",
                              headers=headers)
            self.assertEqual(got, 401)
        e.auth_token = None
        # the wire protocols, unsigned: refused in their own shapes
        for method, path, body, headers in (
                ("POST", "/", "Action=CreateQueue&QueueName=x&Version="
                              "2012-11-05", FORM),
                ("POST", "/", "Action=CreateTopic&Name=x&Version="
                              "2010-03-31", FORM),
                ("POST", "/", '{"QueueName": "x"}',
                 {"X-Amz-Target": "AmazonSQS.CreateQueue",
                  "Content-Type": "application/x-amz-json-1.0"}),
                ("PUT", "/queues/x", '<?xml version="1.0"?><Queue xmlns='
                 '"http://mns.aliyuncs.com/doc/v1/"/>',
                 {"Content-Type": "text/xml", "x-mns-version":
                  "2015-06-06", "Authorization": "Bearer right-token"}),
                ("POST", "/?Action=CreateFlow&Version=2019-03-15&Name=x",
                 "", {"Authorization": "Bearer wrong"})):
            got, _, text = e.raw(method, path, body, headers)
            self.assertIn(got, (401, 403), (path, text))
            self.assertRegex(text, rb"Code|__type|code", (path, text))
        e.auth_token = "right-token"
        self.assertEqual(state(), before)
        self.assertTrue(e.ok("GET", "/v1/info")["auth"])


if __name__ == "__main__":
    unittest.main()
