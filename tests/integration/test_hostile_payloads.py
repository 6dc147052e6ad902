"""Hostile payloads through the real engine: bytes that are not UTF-8 in
JSON bodies, form bodies and XML bodies; characters SQS does not allow;
deeply nested JSON on the engine API and the wire protocols; deeply
nested and aliased YAML in flow definitions; XML with entity
declarations (billion laughs, an external entity) and deep nesting on
the MNS endpoints. Each is refused with a 4xx and a code, nothing is
created or expanded, and text that is valid round-trips unchanged.

Covered elsewhere, not repeated: 100000 '[' as an execution's input
(test_exec.test_data_limits_and_deep_nesting), invalid JSON with line
and column (test_engine.CentralChecks)."""

import json
import unittest

from harness import EngineTestCase

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
SQS_JSON = {"Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage"}
XML = {"Content-Type": "text/xml"}
MNS_MSG = (b'<?xml version="1.0" encoding="UTF-8"?>%s<Message xmlns='
           b'"http://mns.aliyuncs.com/doc/v1/"><MessageBody>%s</MessageBody>'
           b'</Message>')
LAUGHS = (b'<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">' +
          b"".join(b'<!ENTITY %s "%s">' % (
              bytes([98 + i]), b"".join([b"&%s;" % bytes([97 + i])] * 10))
              for i in range(9)) + b"]>")
XXE = b'<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
DEEP = b"[" * 100000 + b"]" * 100000


class Payloads(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        self.e.ok("POST", "/v1/topics", {"name": "t"}, status=201)
        self.e.ok("POST", "/v1/flows", {"name": "f0", "definition": (
            "version: v1\ntype: flow\nsteps:\n  - type: pass\n"
            "    name: p\n")}, status=201)
        self.qurl = "%s/000000000000/q" % self.e.url

    def counts(self):
        return (self.e.ok("GET", "/v1/queues/q")["counts"],
                len(self.e.ok("GET", "/v1/queues")["items"]),
                len(self.e.ok("GET", "/v1/flows")["items"]),
                self.e.ok("GET", "/v1/topics/t").get("published"))

    def refused(self, method, path, body, headers, statuses=(400,),
                words=()):
        got, _, text = self.e.raw(method, path, body, headers)
        self.assertIn(got, statuses, (path, text[:300]))
        self.assertRegex(text, rb'"code":"|<Code>|"__type":"|"Code":"', text[:300])
        for w in words:
            self.assertIn(w, text, text[:300])
        return text

    def test_text_that_is_not_utf8_is_refused(self):
        before = self.counts()
        for raw in (b"a\xffb", b"a\xc0\xafb", b"a\xed\xa0\x80b", b"\xf8\x88"):
            self.refused("POST", "/v1/queues/q/messages",
                         b'{"body": "%s"}' % raw, JSON,
                         words=(b"InvalidJSON",))
            self.refused("POST", "/v1/topics/t/messages",
                         b'{"body": "%s"}' % raw, JSON)
            self.refused("POST", "/v1/flows",
                         b'{"name": "f", "definition": "%s"}' % raw, JSON)
            self.refused("POST", "/", b"Action=SendMessage&QueueUrl=%s&"
                         b"MessageBody=%s" % (self.qurl.encode(), raw.replace(
                             b"\xff", b"%FF")), FORM)
            self.refused("POST", "/", b'{"QueueUrl": "%s", "MessageBody": '
                         b'"%s"}' % (self.qurl.encode(), raw), SQS_JSON)
            self.refused("POST", "/queues/q/messages", MNS_MSG % (b"", raw),
                         XML, words=(b"MalformedXML",))
            # as a percent-escape in a query-protocol URL
            self.refused("GET", "/?Action=SendMessage&QueueUrl=%s&"
                         "MessageBody=a%%FFb" % self.qurl, None, {})
        self.assertEqual(self.counts(), before)

    def test_characters_sqs_does_not_allow(self):
        before = self.counts()
        for ch in ("\u0001", "\u0008", "\ufffe", "\uffff"):
            body = "Action=SendMessage&QueueUrl=%s&MessageBody=a%sb" % (
                self.qurl, "".join("%%%02X" % b for b in ch.encode()))
            self.refused("POST", "/", body, FORM,
                         words=(b"InvalidMessageContents",))
            self.refused("POST", "/", json.dumps({
                "QueueUrl": self.qurl, "MessageBody": "a%sb" % ch}),
                SQS_JSON, words=(b"InvalidMessageContents",))
        self.assertEqual(self.counts(), before)

    def test_valid_text_round_trips(self):
        text = "plain \t\r\n \u00e9\u4e2d \U0001F600 \u2028 \ufffd \"'<&>"
        self.e.ok("POST", "/v1/queues/q/messages", {"body": text},
                  status=201)
        (m,) = self.e.ok("POST", "/v1/queues/q/receive",
                         {"max": 1})["messages"]
        self.assertEqual(m["body"], text)
        # control characters the engine API takes and gives back, but
        # a NUL (which JSON text could carry) is refused by name
        self.e.ok("POST", "/v1/queues/q/messages", {"body": "a\u0001b"},
                  status=201)
        (m,) = self.e.ok("POST", "/v1/queues/q/receive",
                         {"max": 1})["messages"]
        self.assertEqual(m["body"], "a\u0001b")
        got, j = self.e.post("/v1/queues/q/messages", {"body": "a\u0000b"})
        self.assertEqual((got, j["code"]), (400, "InvalidJSON"), j)
        self.assertIn("u0000", j["message"])

    def test_deep_json_everywhere(self):
        before = self.counts()
        for path, body, headers in (
                ("/v1/queues", DEEP, JSON),
                ("/v1/queues/q/messages", b'{"body": "x", "a": ' + DEEP +
                 b"}", JSON),
                ("/v1/topics/t/messages", b'{"body": "x", "attributes": '
                 + DEEP + b"}", JSON),
                ("/v1/flows", b'{"name": "f", "definition": ' + DEEP + b"}",
                 JSON),
                ("/v1/functions", b'{"name": "f", "command": ' + DEEP +
                 b"}", JSON),
                ("/v1/topics/t/subscriptions", b'{"endpoint": "queue:q", '
                 b'"filter_policy": ' + DEEP + b"}", JSON),
                ("/", b'{"QueueUrl": "%s", "MessageBody": "x", '
                 b'"MessageAttributes": ' % self.qurl.encode() + DEEP + b"}",
                 SQS_JSON),
                ("/?Action=StartExecution&Version=2019-03-15&FlowName=f0",
                 b"Input=" + DEEP.replace(b"[", b"%5B").replace(
                     b"]", b"%5D"), FORM)):
            self.refused("POST", path, body, headers, statuses=(400, 404))
        # JSON text inside a field, nested deeply: a flow definition and
        # an SNS filter policy
        deep_text = "[" * 100000 + "]" * 100000
        self.refused("POST", "/v1/flows/validate",
                     json.dumps({"definition": deep_text}), JSON,
                     words=(b"nesting deeper",))
        self.refused("POST", "/v1/topics/t/subscriptions",
                     json.dumps({"endpoint": "queue:q",
                                 "filter_policy": deep_text}), JSON)
        self.refused("POST", "/", "Action=Subscribe&Version=2010-03-31&"
                     "TopicArn=arn:aws:sns:us-east-1:000000000000:t&"
                     "Protocol=sqs&Endpoint=arn:aws:sqs:us-east-1:"
                     "000000000000:q&Attributes.entry.1.key=FilterPolicy&"
                     "Attributes.entry.1.value=" + "%5B" * 50000, FORM)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.e.ok("GET", "/v1/topics/t/subscriptions")
                         ["items"], [])

    def test_deep_and_aliased_yaml_flows(self):
        before = self.counts()
        laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
            "%s: &%s [%s]\n" % (chr(98 + i), chr(98 + i),
                                ",".join(["*" + chr(97 + i)] * 10))
            for i in range(9))
        for definition, words in (
                ("version: v1\ntype: flow\nsteps: " + "[" * 100000 +
                 "]" * 100000 + "\n", "nesting deeper"),
                ("version: v1\ntype: flow\nsteps:\n  " + "- " * 50000 +
                 "x\n", "nesting deeper"),
                ("version: v1\ntype: flow\nsteps:\n" + "".join(
                    "  " * i + "- a:\n" for i in range(1, 200)),
                 "nesting deeper"),
                (laughs + "version: v1\ntype: flow\nsteps: *j\n",
                 "YAML aliases are not supported"),
                ("version: v1\ntype: flow\nsteps: &s\n  - type: pass\n"
                 "    name: p\nx: [" + ",".join(["*s"] * 1000) + "]\n",
                 "YAML aliases are not supported"),
                ("version: v1\ntype: flow\nsteps:\n  - type: pass\n"
                 "    name: &n p\n  - type: pass\n    name: *n\n",
                 "YAML aliases are not supported")):
            for path, name in (("/v1/flows", {"name": "f"}),
                               ("/v1/flows/validate", {})):
                text = self.refused("POST", path, json.dumps(
                    dict(name, definition=definition)), JSON,
                    words=(b"InvalidDefinition", words.encode()))
                self.assertRegex(text, rb":\d+:\d+: ")  # line:column
        self.assertEqual(self.counts(), before)

    def test_mns_xml_entities_are_refused_never_expanded(self):
        before = self.counts()
        mns_queue = (b'<?xml version="1.0"?>%s<Queue xmlns="http://mns.'
                     b'aliyuncs.com/doc/v1/"><DelaySeconds>&b;</DelaySeconds>'
                     b'</Queue>')
        for decl, ref in ((LAUGHS, b"&j;"), (XXE, b"&x;"),
                          (b'<!DOCTYPE m [<!ENTITY % p SYSTEM '
                           b'"http://127.0.0.1:1/x"> %p;]>', b"x"),
                          (b"<!DOCTYPE m>", b"x")):
            for method, path, body in (
                    ("POST", "/queues/q/messages", MNS_MSG % (decl, ref)),
                    ("POST", "/topics/t/messages",
                     MNS_MSG % (decl, ref)),
                    ("PUT", "/queues/newq", mns_queue % decl),
                    ("PUT", "/topics/newt", mns_queue.replace(
                        b"Queue", b"Topic") % decl)):
                text = self.refused(method, path, body, XML,
                                    words=(b"MalformedXML",))
                self.assertIn(b"DOCTYPE", text)
                self.assertNotIn(b"root:", text)
                self.assertNotIn(b"aaaaaaaaaaaaaaaaaaaa", text)
        deep = (b'<?xml version="1.0"?><Message xmlns="http://mns.aliyuncs.'
                b'com/doc/v1/">' + b"<a>" * 100000 + b"</a>" * 100000 +
                b"</Message>")
        self.refused("POST", "/queues/q/messages", deep, XML,
                     words=(b"nest too deeply",))
        self.assertEqual(self.counts(), before)
        got, _ = self.e.get("/v1/queues/newq")
        self.assertEqual(got, 404)


if __name__ == "__main__":
    unittest.main()
