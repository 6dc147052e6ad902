"""MNS queues and messages (REST XML, x-mns-version 2015-06-06).

The real @alicloud/mns 1.2.0 client runs js/mns_queues.mjs against a
fresh engine; raw HTTP checks hold the exact status codes, headers and
error XML to the spec, and the engine API shows what MNS made.
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import EngineTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "{http://mns.aliyuncs.com/doc/v1/}"
ACCOUNT = "1234567890123456"


def run_node(script, eng, *args, timeout=60):
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not installed: the MNS tests drive "
                             "the @alicloud/mns Node client")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "@alicloud",
                                      "mns")):
        raise AssertionError("tests/compat/node_modules lacks @alicloud/mns: "
                             "run npm ci in tests/compat")
    return subprocess.run([node, os.path.join("js", script), eng.url,
                           ACCOUNT] + list(args), cwd=HERE,
                          capture_output=True, text=True, timeout=timeout)


class MNS:
    """Raw MNS requests to one engine."""

    def __init__(self, eng):
        self.eng = eng

    def call(self, method, path, body=None, headers=None, timeout=40):
        h = {"x-mns-version": "2015-06-06",
             "Date": "Sat, 21 Nov 2026 10:00:00 GMT"}
        if body is not None:
            h["Content-Type"] = "text/xml;charset=utf-8"
        h.update(headers or {})
        status, rh, data = self.eng.raw(method, path, body, h, timeout)
        return status, rh, data

    def xml(self, method, path, body=None, headers=None, status=200):
        got, rh, data = self.call(method, path, body, headers)
        if got != status:
            raise AssertionError("%s %s: %s, expected %s: %s" % (
                method, path, got, status, data[:400]))
        return rh, ET.fromstring(data) if data else None

    def error(self, method, path, body=None, headers=None, status=400,
              code=None):
        """An error answer: checks its headers and XML; returns the root."""
        got, rh, data = self.call(method, path, body, headers)
        t = unittest.TestCase()
        t.assertEqual(got, status, data)
        t.assertEqual(rh.get("content-type"), "text/xml;charset=utf-8")
        t.assertEqual(rh.get("x-mns-version"), "2015-06-06")
        root = ET.fromstring(data)
        t.assertEqual(root.tag, NS + "Error")
        t.assertEqual([c.tag for c in root],
                      [NS + "Code", NS + "Message", NS + "RequestId",
                       NS + "HostId"])
        t.assertEqual(root.findtext(NS + "RequestId"),
                      rh.get("x-mns-request-id"))
        t.assertEqual(root.findtext(NS + "HostId"), self.eng.url)
        t.assertTrue(root.findtext(NS + "Message"))
        if code:
            t.assertEqual(root.findtext(NS + "Code"), code,
                          root.findtext(NS + "Message"))
        return root


def msg_xml(body, **extra):
    parts = "".join("<%s>%s</%s>" % (k, v, k) for k, v in extra.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><Message xmlns="'
            'http://mns.aliyuncs.com/doc/v1/"><MessageBody>%s</MessageBody>'
            '%s</Message>' % (body, parts))


class TestMNSClient(EngineTestCase):
    def test_node_client_queues_and_messages(self):
        eng = self.engine()
        p = run_node("mns_queues.mjs", eng)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ok", p.stdout)
        # what MNS made, the engine API shows
        st, q = eng.get("/v1/queues/mq1")
        self.assertEqual(st, 200, q)
        self.assertEqual(q["visibility_timeout"], 7)
        self.assertEqual(q["max_message_size"], 65536)
        self.assertEqual(q["counts"]["delayed"], 1)
        st, _ = eng.get("/v1/queues/mq2")
        self.assertEqual(st, 404)

    def test_node_client_signed(self):
        keys = os.path.join(self.id_dir(), "keys.json")
        with open(keys, "w") as f:
            json.dump({"LTAIlocal": "s3cret"}, f)
        eng = self.engine(extra_args=["--verify-signatures", "--access-keys",
                                      keys])
        p = run_node("mns_signed.mjs", eng, "LTAIlocal", "s3cret")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # an unsigned request is refused in MNS's shape
        MNS(eng).error("GET", "/queues/signed", status=400,
                       code="MissingAuthorizationHeader")
        st, _ = eng.get("/v1/queues/other")
        self.assertEqual(st, 404)

    def id_dir(self):
        d = tempfile.mkdtemp(prefix="mns-keys-")
        self.addCleanup(shutil.rmtree, d, True)
        return d


class TestMNSWire(EngineTestCase):
    def setUp(self):
        self.eng = self.engine()
        self.mns = MNS(self.eng)

    def test_headers_and_statuses(self):
        m = self.mns
        st, rh, data = m.call("PUT", "/queues/wq", "<Queue/>")
        self.assertEqual(st, 201, data)
        self.assertEqual(data, b"")
        self.assertEqual(rh["location"], self.eng.url + "/queues/wq")
        self.assertEqual(rh["x-mns-version"], "2015-06-06")
        self.assertEqual(len(rh["x-mns-request-id"]), 36)
        st, rh, data = m.call("PUT", "/queues/wq", "<Queue/>")
        self.assertEqual(st, 204)
        self.assertEqual(rh["location"], self.eng.url + "/queues/wq")
        # a body: text/xml;charset=utf-8, the namespace on the root
        st, rh, data = m.call("GET", "/queues/wq")
        self.assertEqual(st, 200)
        self.assertEqual(rh["content-type"], "text/xml;charset=utf-8")
        root = ET.fromstring(data)
        self.assertEqual(root.tag, NS + "Queue")
        want = ["QueueName", "CreateTime", "LastModifyTime", "DelaySeconds",
                "MaximumMessageSize", "MessageRetentionPeriod",
                "VisibilityTimeout", "PollingWaitSeconds", "ActiveMessages",
                "InactiveMessages", "DelayMessages", "LoggingEnabled"]
        self.assertEqual([c.tag[len(NS):] for c in root], want)
        # seconds, not milliseconds
        self.assertLess(int(root.findtext(NS + "CreateTime")), 10 ** 11)
        # send 201, receive 200 with all nine children, times in ms
        body = "caf\u00e9 &amp; &lt;tea&gt;"
        _, root = m.xml("POST", "/queues/wq/messages",
                        msg_xml(body, Priority=2), status=201)
        self.assertEqual(root.tag, NS + "Message")
        self.assertEqual(root.findtext(NS + "MessageBodyMD5"),
                         hashlib.md5("caf\u00e9 & <tea>".encode())
                         .hexdigest().upper())
        _, root = m.xml("GET", "/queues/wq/messages")
        self.assertEqual([c.tag[len(NS):] for c in root],
                         ["MessageId", "ReceiptHandle", "MessageBodyMD5",
                          "MessageBody", "EnqueueTime", "NextVisibleTime",
                          "FirstDequeueTime", "DequeueCount", "Priority"])
        self.assertEqual(root.findtext(NS + "MessageBody"),
                         "caf\u00e9 & <tea>")
        self.assertGreater(int(root.findtext(NS + "EnqueueTime")), 10 ** 12)
        handle = root.findtext(NS + "ReceiptHandle")
        # query names in any case; ChangeVisibility 200
        _, root = m.xml("PUT", "/queues/wq/messages?receipthandle=%s&"
                        "VISIBILITYTIMEOUT=0" % handle)
        self.assertEqual(root.tag, NS + "ChangeVisibility")
        self.assertNotEqual(root.findtext(NS + "ReceiptHandle"), handle)
        m.error("PUT", "/queues/wq/messages?receipthandle=%s&"
                "VisibilityTimeout=0" % handle, status=404,
                code="MessageNotExist")
        _, root = m.xml("GET", "/queues/wq/messages?WaitSeconds=1")
        handle = root.findtext(NS + "ReceiptHandle")
        self.assertEqual(root.findtext(NS + "DequeueCount"), "2")
        st, rh, data = m.call("DELETE", "/queues/wq/messages?receipthandle="
                              + handle)
        self.assertEqual((st, data), (204, b""))
        self.assertIn("x-mns-request-id", rh)
        # the queue is empty: receive and peek give 404 MessageNotExist
        m.error("GET", "/queues/wq/messages", status=404,
                code="MessageNotExist")
        m.error("GET", "/queues/wq/messages?waitseconds=1", status=404,
                code="MessageNotExist")
        m.error("GET", "/queues/wq/messages?peekonly=TRUE", status=404,
                code="MessageNotExist")
        # the deleted message's handle is stale now
        m.error("DELETE", "/queues/wq/messages?ReceiptHandle=" + handle,
                status=404, code="MessageNotExist")
        st, _, data = m.call("DELETE", "/queues/wq")
        self.assertEqual((st, data), (204, b""))

    def test_content_md5_quirk_tolerated(self):
        m = self.mns
        m.xml("PUT", "/queues/md5q", "<Queue/>", status=201)
        body = msg_xml("hello").encode()
        hexmd5 = hashlib.md5(body).hexdigest()
        for md5 in (base64.b64encode(hexmd5.encode()).decode(),
                    base64.b64encode(hashlib.md5(body).digest()).decode(),
                    "bm90IHRoZSBtZDU="):
            m.xml("POST", "/queues/md5q/messages", body,
                  {"Content-MD5": md5}, status=201)
        _, root = m.xml("GET", "/queues/md5q?x=1")
        self.assertEqual(root.findtext(NS + "ActiveMessages"), "3")

    def test_errors(self):
        m = self.mns
        m.xml("PUT", "/queues/eq", "<Queue><DelaySeconds>5</DelaySeconds>"
              "</Queue>", status=201)
        m.error("PUT", "/queues/eq", "<Queue><DelaySeconds>6</DelaySeconds>"
                "</Queue>", status=409, code="QueueAlreadyExist")
        # idempotent on the attributes given
        m.xml("PUT", "/queues/eq", "<Queue><DelaySeconds>5</DelaySeconds>"
              "</Queue>", status=204)
        m.error("GET", "/queues/nope", status=404, code="QueueNotExist")
        m.error("DELETE", "/queues/nope", status=404, code="QueueNotExist")
        m.error("POST", "/queues/nope/messages", msg_xml("x"), status=404,
                code="QueueNotExist")
        m.error("GET", "/queues/nope/messages", status=404,
                code="QueueNotExist")
        m.error("PUT", "/queues/bad_name", "<Queue/>",
                code="InvalidQueueName")
        m.error("PUT", "/queues/" + "a" * 257, "<Queue/>",
                code="QueueNameLengthError")
        root = m.error("PUT", "/queues/q2", "<Queue><VisibilityTimeout>0"
                       "</VisibilityTimeout></Queue>", code="InvalidArgument")
        self.assertIn("VisibilityTimeout", root.findtext(NS + "Message"))
        m.error("PUT", "/queues/q2", "<Queue><PollingWaitSeconds>31"
                "</PollingWaitSeconds></Queue>", code="InvalidArgument")
        m.error("PUT", "/queues/q2", "<Queue><LoggingEnabled>maybe"
                "</LoggingEnabled></Queue>", code="InvalidArgument")
        m.error("PUT", "/queues/q2", "<Queue><DelaySeconds>1",
                code="MalformedXML")
        m.error("PUT", "/queues/q2", "<Topic/>", code="MalformedXML")
        m.error("PUT", "/queues/q2",
                '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]>'
                "<Queue><DelaySeconds>&a;</DelaySeconds></Queue>",
                code="MalformedXML")
        m.error("PUT", "/queues/q2",
                '<!DOCTYPE q SYSTEM "file:///etc/passwd"><Queue/>',
                code="MalformedXML")
        # nothing of the refused creates was made
        st, _, _ = m.call("GET", "/queues/q2")
        self.assertEqual(st, 404)
        m.error("POST", "/queues/eq/messages", msg_xml("x", Priority=0),
                code="InvalidArgument")
        m.error("POST", "/queues/eq/messages", msg_xml("x", Priority=17),
                code="InvalidArgument")
        m.error("POST", "/queues/eq/messages", msg_xml("x", DelaySeconds=-1),
                code="InvalidArgument")
        m.error("POST", "/queues/eq/messages", msg_xml(""),
                code="InvalidArgument")
        m.error("POST", "/queues/eq/messages", "<Message/>",
                code="InvalidArgument")
        m.error("GET", "/queues/eq/messages?numOfMessages=17",
                code="InvalidArgument")
        m.error("GET", "/queues/eq/messages?waitseconds=31",
                code="InvalidArgument")
        m.error("DELETE", "/queues/eq/messages", code="MissingReceiptHandle")
        m.error("DELETE", "/queues/eq/messages?ReceiptHandle=abc",
                code="ReceiptHandleError")
        m.error("PUT", "/queues/eq/messages?ReceiptHandle=abc",
                code="MissingVisibilityTimeout")
        m.error("PUT", "/queues/eq/messages?VisibilityTimeout=3",
                code="MissingReceiptHandle")
        m.error("GET", "/nothing-here", code="InvalidRequestURL")
        m.error("POST", "/queues/eq", "<Queue/>", code="InvalidRequestURL")
        # a batch of 17
        many = "".join("<Message><MessageBody>m%d</MessageBody></Message>" % i
                       for i in range(17))
        m.error("POST", "/queues/eq/messages",
                "<Messages>%s</Messages>" % many, code="InvalidArgument")
        # over 64 KB in one batch
        big = "".join("<Message><MessageBody>%s</MessageBody></Message>" %
                      ("x" * 60000) for _ in range(2))
        m.error("POST", "/queues/eq/messages",
                "<Messages>%s</Messages>" % big, code="InvalidArgument")
        _, root = m.xml("GET", "/queues/eq")
        self.assertEqual(root.findtext(NS + "DelayMessages"), "0")

    def test_batch_partial_failures(self):
        m = self.mns
        m.xml("PUT", "/queues/bq", "<Queue><MaximumMessageSize>1024"
              "</MaximumMessageSize></Queue>", status=201)
        body = ("<Messages><Message><MessageBody>small</MessageBody></Message>"
                "<Message><MessageBody>%s</MessageBody></Message>"
                "<Message><MessageBody>also small</MessageBody></Message>"
                "</Messages>" % ("y" * 2000))
        st, rh, data = m.call("POST", "/queues/bq/messages", body)
        self.assertEqual(st, 400, data)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, NS + "Messages")
        entries = list(root)
        self.assertEqual(len(entries), 3)
        self.assertTrue(entries[0].findtext(NS + "MessageId"))
        self.assertEqual(entries[1].findtext(NS + "ErrorCode"),
                         "InvalidArgument")
        self.assertTrue(entries[1].findtext(NS + "ErrorMessage"))
        self.assertTrue(entries[2].findtext(NS + "MessageId"))
        # batch receive with a wait, then a partial batch delete
        _, root = m.xml("GET", "/queues/bq/messages?numOfMessages=16&"
                        "waitseconds=1")
        self.assertEqual(root.tag, NS + "Messages")
        handles = [e.findtext(NS + "ReceiptHandle") for e in root]
        self.assertEqual(len(handles), 2)
        st, _, data = m.call(
            "DELETE", "/queues/bq/messages",
            "<ReceiptHandles><ReceiptHandle>%s</ReceiptHandle>"
            "<ReceiptHandle>%s</ReceiptHandle></ReceiptHandles>" % (
                handles[0], handles[0]))
        self.assertEqual(st, 400, data)  # the same handle twice
        st, _, data = m.call(
            "DELETE", "/queues/bq/messages",
            "<ReceiptHandles><ReceiptHandle>%s</ReceiptHandle>"
            "<ReceiptHandle>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</ReceiptHandle>"
            "</ReceiptHandles>" % handles[0])
        self.assertEqual(st, 404, data)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, NS + "Errors")
        errs = list(root)
        self.assertEqual(len(errs), 1)
        self.assertEqual([c.tag[len(NS):] for c in errs[0]],
                         ["ErrorCode", "ErrorMessage", "ReceiptHandle"])
        self.assertEqual(errs[0].findtext(NS + "ErrorCode"),
                         "MessageNotExist")
        st, _, data = m.call(
            "DELETE", "/queues/bq/messages",
            "<ReceiptHandles><ReceiptHandle>%s</ReceiptHandle>"
            "</ReceiptHandles>" % handles[1])
        self.assertEqual((st, data), (204, b""))
        _, root = m.xml("GET", "/queues/bq")
        self.assertEqual(root.findtext(NS + "InactiveMessages"), "0")
        self.assertEqual(root.findtext(NS + "ActiveMessages"), "0")

    def test_list_queues(self):
        m = self.mns
        for name in ("la", "lb", "lc", "other"):
            m.xml("PUT", "/queues/" + name, "<Queue/>", status=201)
        _, root = m.xml("GET", "/queues", headers={"x-mns-prefix": "l",
                                                   "x-mns-ret-number": "2"})
        self.assertEqual(root.tag, NS + "Queues")
        urls = [q.findtext(NS + "QueueURL") for q in root.findall(NS + "Queue")]
        self.assertEqual(urls, [self.eng.url + "/queues/la",
                                self.eng.url + "/queues/lb"])
        self.assertIsNone(root.find(NS + "Queue").find(NS + "QueueName"))
        marker = root.findtext(NS + "NextMarker")
        self.assertTrue(marker)
        _, root = m.xml("GET", "/queues", headers={
            "x-mns-prefix": "l", "x-mns-ret-number": "2",
            "x-mns-marker": marker, "x-mns-with-meta": "true"})
        qs = root.findall(NS + "Queue")
        self.assertEqual([q.findtext(NS + "QueueName") for q in qs], ["lc"])
        self.assertIsNone(root.find(NS + "NextMarker"))
        m.error("GET", "/queues", headers={"x-mns-ret-number": "0"},
                code="InvalidArgument")
        # an absolute-URI request target, as a client behind a proxy sends
        conn = http.client.HTTPConnection(self.eng.host, self.eng.port,
                                          timeout=10)
        try:
            conn.request("GET", "http://%s.mns.cn-hangzhou.aliyuncs.com/"
                         "queues/la" % ACCOUNT,
                         headers={"x-mns-version": "2015-06-06"})
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        self.assertEqual(r.status, 200, data)
        self.assertEqual(ET.fromstring(data).findtext(NS + "QueueName"), "la")
        # the engine API lists what MNS made
        _, j = self.eng.get("/v1/queues?prefix=l")
        self.assertEqual([q["name"] for q in j["items"]], ["la", "lb", "lc"])

    def test_dead_letter_through_engine_api(self):
        """MNS 2015-06-06 has no dead-letter attributes; a rule set through
        the engine API applies to MNS receives."""
        m = self.mns
        m.xml("PUT", "/queues/src", "<Queue><VisibilityTimeout>30"
              "</VisibilityTimeout></Queue>", status=201)
        m.xml("PUT", "/queues/dead", "<Queue/>", status=201)
        st, j = self.eng.request("PATCH", "/v1/queues/src", {
            "dead_letter_queue": "dead", "max_receives": 2})
        self.assertEqual(st, 200, j)
        m.xml("POST", "/queues/src/messages", msg_xml("poison"), status=201)
        for n in (1, 2):
            _, root = m.xml("GET", "/queues/src/messages")
            self.assertEqual(root.findtext(NS + "DequeueCount"), str(n))
            m.xml("PUT", "/queues/src/messages?ReceiptHandle=%s&"
                  "VisibilityTimeout=0" % root.findtext(NS + "ReceiptHandle"))
        # the third receive would pass max_receives: it moves instead
        m.error("GET", "/queues/src/messages", status=404,
                code="MessageNotExist")
        _, root = m.xml("GET", "/queues/dead/messages?peekonly=true")
        self.assertEqual(root.findtext(NS + "MessageBody"), "poison")
        _, root = m.xml("GET", "/queues/dead/messages")
        self.assertEqual(root.findtext(NS + "MessageBody"), "poison")


if __name__ == "__main__":
    unittest.main()
