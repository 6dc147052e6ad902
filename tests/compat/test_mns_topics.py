"""MNS topics, subscriptions and publish (REST XML, 2015-06-06).

The real @alicloud/mns 1.2.0 client runs js/mns_topics.mjs (queue
subscriptions in the XML, JSON and SIMPLIFIED formats, a tag filter);
raw HTTP checks hold the XML shapes and error codes, and an HTTP
endpoint receives a pushed notification.
"""

import http.server
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from harness import EngineTestCase
from test_mns import ACCOUNT, MNS, NS, run_node


class TestMNSTopicsClient(EngineTestCase):
    def test_node_client_topics(self):
        eng = self.engine()
        p = run_node("mns_topics.mjs", eng)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ok", p.stdout)
        # the engine API sees what MNS made
        st, t = eng.get("/v1/topics/t2")
        self.assertEqual(st, 200, t)
        st, _ = eng.get("/v1/topics/t1")
        self.assertEqual(st, 404)


class Sink(http.server.BaseHTTPRequestHandler):
    got = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        Sink.got.append((self.path, self.rfile.read(n)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class TestMNSTopicsWire(EngineTestCase):
    def setUp(self):
        self.eng = self.engine()
        self.mns = MNS(self.eng)

    def test_shapes(self):
        m = self.mns
        st, rh, data = m.call("PUT", "/topics/wt", "<Topic/>")
        self.assertEqual((st, data), (201, b""))
        self.assertEqual(rh["location"], self.eng.url + "/topics/wt")
        _, root = m.xml("GET", "/topics/wt")
        self.assertEqual(root.tag, NS + "Topic")
        self.assertEqual([c.tag[len(NS):] for c in root],
                         ["TopicName", "CreateTime", "LastModifyTime",
                          "MaximumMessageSize", "MessageRetentionPeriod",
                          "MessageCount", "LoggingEnabled"])
        self.assertEqual(root.findtext(NS + "MaximumMessageSize"), "65536")
        m.xml("PUT", "/queues/wq", "<Queue/>", status=201)
        st, rh, _ = m.call(
            "PUT", "/topics/wt/subscriptions/s1",
            "<Subscription><Endpoint>acs:mns:cn-shanghai:999:queues/wq"
            "</Endpoint></Subscription>")
        self.assertEqual(st, 201)
        self.assertEqual(rh["location"],
                         self.eng.url + "/topics/wt/subscriptions/s1")
        _, root = m.xml("GET", "/topics/wt/subscriptions/s1")
        self.assertEqual(root.tag, NS + "Subscription")
        self.assertEqual([c.tag[len(NS):] for c in root],
                         ["SubscriptionName", "Subscriber", "TopicOwner",
                          "TopicName", "Endpoint", "NotifyStrategy",
                          "NotifyContentFormat", "CreateTime",
                          "LastModifyTime"])
        self.assertEqual(root.findtext(NS + "Subscriber"), ACCOUNT)
        self.assertEqual(root.findtext(NS + "NotifyContentFormat"), "XML")
        _, root = m.xml("GET", "/topics/wt/subscriptions")
        self.assertEqual(root.tag, NS + "Subscriptions")
        self.assertEqual(
            [s.findtext(NS + "SubscriptionURL") for s in root],
            [self.eng.url + "/topics/wt/subscriptions/s1"])
        st, _, data = m.call("POST", "/topics/wt/messages",
                             "<Message><MessageBody>hi &amp; bye"
                             "</MessageBody></Message>")
        self.assertEqual(st, 201, data)
        root = ET.fromstring(data)
        self.assertEqual([c.tag[len(NS):] for c in root],
                         ["MessageId", "MessageBodyMD5"])
        # the queue got an XML notification: it parses, and carries the
        # published text
        _, root = m.xml("GET", "/queues/wq/messages")
        note = ET.fromstring(root.findtext(NS + "MessageBody"))
        self.assertEqual(note.tag, NS + "Notification")
        self.assertEqual(note.findtext(NS + "Message"), "hi & bye")
        self.assertEqual(note.findtext(NS + "TopicName"), "wt")
        self.assertEqual(note.findtext(NS + "SubscriptionName"), "s1")
        _, root = m.xml("GET", "/topics", headers={"x-mns-with-meta": "true"})
        self.assertEqual(root.tag, NS + "Topics")
        t = root.find(NS + "Topic")
        self.assertEqual(t.findtext(NS + "TopicURL"), self.eng.url +
                         "/topics/wt")
        self.assertEqual(t.findtext(NS + "MessageCount"), "1")

    def test_errors(self):
        m = self.mns
        m.xml("PUT", "/topics/et", "<Topic><MaximumMessageSize>1024"
              "</MaximumMessageSize></Topic>", status=201)
        m.error("PUT", "/topics/et", "<Topic/>", status=409,
                code="TopicAlreadyExist")
        m.error("PUT", "/topics/" + "t" * 257, "<Topic/>",
                code="TopicNameLengthError")
        m.error("PUT", "/topics/a_b", "<Topic/>", code="TopicNameInvalid")
        m.error("PUT", "/topics/x", "<Topic><MaximumMessageSize>100"
                "</MaximumMessageSize></Topic>", code="InvalidArgument")
        m.error("GET", "/topics/none", status=404, code="TopicNotExist")
        m.error("DELETE", "/topics/none", status=404, code="TopicNotExist")
        m.error("PUT", "/topics/none?metaoverride=true", "<Topic/>",
                status=404, code="TopicNotExist")
        m.error("POST", "/topics/none/messages",
                "<Message><MessageBody>x</MessageBody></Message>",
                status=404, code="TopicNotExist")
        m.error("POST", "/topics/et/messages",
                "<Message><MessageBody>%s</MessageBody></Message>" %
                ("z" * 2000), code="InvalidArgument")
        m.error("POST", "/topics/et/messages", "<Message/>",
                code="InvalidArgument")
        m.error("POST", "/topics/et/messages", "<Message>", code="MalformedXML")
        m.error("GET", "/topics/et/subscriptions/none", status=404,
                code="SubscriptionNotExist")
        m.error("DELETE", "/topics/et/subscriptions/none", status=404,
                code="SubscriptionNotExist")
        sub = "/topics/et/subscriptions/s"
        m.error("PUT", sub, "<Subscription/>", code="EndpointInvalid")
        m.error("PUT", sub, "<Subscription><Endpoint>ftp://x</Endpoint>"
                "</Subscription>", code="EndpointInvalid")
        m.error("PUT", sub, "<Subscription><Endpoint>http://127.0.0.1:9/x"
                "</Endpoint><NotifyContentFormat>SNS</NotifyContentFormat>"
                "</Subscription>", code="InvalidArgument")
        m.error("PUT", sub, "<Subscription><Endpoint>http://127.0.0.1:9/x"
                "</Endpoint><NotifyStrategy>SOMETIMES</NotifyStrategy>"
                "</Subscription>", code="InvalidArgument")
        m.error("PUT", sub, "<Subscription><Endpoint>http://127.0.0.1:9/x"
                "</Endpoint><FilterTag>%s</FilterTag></Subscription>" %
                ("t" * 17), code="InvalidArgument")
        m.error("PUT", "/topics/et/subscriptions/bad_name",
                "<Subscription><Endpoint>http://127.0.0.1:9/x</Endpoint>"
                "</Subscription>", code="SubscriptionNameInvalid")
        _, root = m.xml("GET", "/topics/et/subscriptions")
        self.assertEqual(list(root), [])

    def test_http_endpoint_push(self):
        Sink.got = []
        srv = http.server.HTTPServer(("127.0.0.1", 0), Sink)
        th = threading.Thread(target=srv.serve_forever, daemon=True)
        th.start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        m = self.mns
        m.xml("PUT", "/topics/ht", "<Topic/>", status=201)
        m.xml("PUT", "/topics/ht/subscriptions/web",
              "<Subscription><Endpoint>http://127.0.0.1:%d/hook</Endpoint>"
              "<NotifyContentFormat>JSON</NotifyContentFormat>"
              "</Subscription>" % srv.server_address[1], status=201)
        m.xml("POST", "/topics/ht/messages",
              "<Message><MessageBody>pushed</MessageBody>"
              "<MessageTag>t1</MessageTag><MessageAttributes><DirectMail>{}"
              "</DirectMail></MessageAttributes></Message>", status=201)
        deadline = time.time() + 20
        while not Sink.got and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(Sink.got), 1)
        path, body = Sink.got[0]
        self.assertEqual(path, "/hook")
        self.assertIn(b'"Message":"pushed"', body.replace(b" ", b""))
        self.assertIn(b'"MessageTag":"t1"', body.replace(b" ", b""))


if __name__ == "__main__":
    unittest.main()
