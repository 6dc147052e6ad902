"""SQS on flowdeck's port, driven by the real clients.

boto3 1.26 (Debian's /usr/bin/python3) and awscli 2.9.19 (/usr/bin/aws)
speak the query protocol; @aws-sdk/client-sqs and sqs-consumer (Node,
js/sqs_*.mjs) speak JSON 1.0. One engine serves every test of the class;
each test uses its own queue names. A missing client fails its test.
"""

import json
import os
import shutil
import subprocess
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from harness import Engine  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SYS_PYTHON = "/usr/bin/python3"
AWS_CLI = "/usr/bin/aws"
CLIENT_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
              "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
              "AWS_CONFIG_FILE": "/dev/null",
              "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

# Run by /usr/bin/python3 (boto3 1.26, the query protocol) with the
# endpoint as argv[1]; an assertion failure exits non-zero with its text.
BOTO3_SCRIPT = r'''
import hashlib, sys, threading, time
import boto3, botocore
from botocore.config import Config

endpoint = sys.argv[1]
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test",
                   config=Config(retries={"max_attempts": 1}))
assert sqs.meta.service_model.protocol == "query", sqs.meta.service_model.protocol

def refused(fn, code, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, "%s: %s, want %s" % (fn.__name__, got, code)
        return e
    raise AssertionError("%s was accepted; want %s" % (fn.__name__, code))

# queues, URLs from the Host used, paging
url = sqs.create_queue(QueueName="py-a", Attributes={"VisibilityTimeout": "7"},
                       tags={"team": "a"})["QueueUrl"]
assert url == endpoint + "/000000000000/py-a", url
for n in ("py-b", "py-c"):
    sqs.create_queue(QueueName=n)
assert sqs.get_queue_url(QueueName="py-a")["QueueUrl"] == url
page = sqs.list_queues(QueueNamePrefix="py-", MaxResults=2)
assert [u.rsplit("/", 1)[1] for u in page["QueueUrls"]] == ["py-a", "py-b"], page
page = sqs.list_queues(QueueNamePrefix="py-", MaxResults=2,
                       NextToken=page["NextToken"])
assert [u.rsplit("/", 1)[1] for u in page["QueueUrls"]] == ["py-c"], page
assert "NextToken" not in page
assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing-")

# errors with the codes and classes botocore knows
e = refused(sqs.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue",
            QueueName="py-missing")
assert isinstance(e, sqs.exceptions.QueueDoesNotExist), type(e)
assert e.response["Error"]["Type"] == "Sender"
assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
refused(sqs.set_queue_attributes, "InvalidAttributeName", QueueUrl=url,
        Attributes={"Colour": "blue"})
refused(sqs.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
        Attributes={"DelaySeconds": "901"})
refused(sqs.create_queue, "InvalidParameterValue", QueueName="bad name")
refused(sqs.create_queue, "InvalidAttributeName", QueueName="py-std",
        Attributes={"FifoQueue": "false"})
e = refused(sqs.create_queue, "QueueAlreadyExists", QueueName="py-a",
            Attributes={"VisibilityTimeout": "8"})
assert isinstance(e, sqs.exceptions.QueueNameExists), type(e)
e = refused(sqs.send_message_batch,
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", QueueUrl=url,
            Entries=[{"Id": "x", "MessageBody": "1"},
                     {"Id": "x", "MessageBody": "2"}])
assert isinstance(e, sqs.exceptions.BatchEntryIdsNotDistinct), type(e)
refused(sqs.send_message_batch, "AWS.SimpleQueueService.InvalidBatchEntryId",
        QueueUrl=url, Entries=[{"Id": "a.b", "MessageBody": "1"}])
refused(sqs.receive_message, "InvalidParameterValue", QueueUrl=url,
        WaitTimeSeconds=21)

# attributes
sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0",
                         "MessageRetentionPeriod": "600"})
a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
assert a["VisibilityTimeout"] == "7" and a["MessageRetentionPeriod"] == "600", a
assert a["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:py-a", a
assert set(a) >= {"ApproximateNumberOfMessages", "CreatedTimestamp",
                  "LastModifiedTimestamp", "MaximumMessageSize"}, a
assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)

# send and receive: MD5s (spec vectors), attributes, bodies byte-exact
body = "a\r\nb & <c> \u00e9\U0001F600"
r = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={
    "color": {"DataType": "String", "StringValue": "red"},
    "n": {"DataType": "Number", "StringValue": "5"},
    "b": {"DataType": "Binary", "BinaryValue": b"\x01\x02\x03"}})
assert r["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest(), r
assert r["MD5OfMessageAttributes"] == "95fed59fc35e89f4a852447e0a51c6f4", r
m = sqs.receive_message(QueueUrl=url, AttributeNames=["All"],
                        MessageAttributeNames=["All"])["Messages"][0]
assert m["Body"] == body, repr(m["Body"])
assert m["MessageId"] == r["MessageId"]
assert m["MD5OfMessageAttributes"] == "95fed59fc35e89f4a852447e0a51c6f4"
assert m["MessageAttributes"]["b"]["BinaryValue"] == b"\x01\x02\x03"
assert m["Attributes"]["ApproximateReceiveCount"] == "1", m
# only the named attribute: the MD5 covers what is returned
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                              VisibilityTimeout=0)
m2 = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["color"])["Messages"][0]
assert list(m2["MessageAttributes"]) == ["color"], m2
assert m2["MD5OfMessageAttributes"] != m["MD5OfMessageAttributes"]
assert "Attributes" not in m2
sqs.delete_message(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"])
sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])  # stale: fine
refused(sqs.delete_message, "ReceiptHandleIsInvalid", QueueUrl=url,
        ReceiptHandle="nonsense")
assert "Messages" not in sqs.receive_message(QueueUrl=url)

# long poll woken by a send from another connection
other = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test")
got = {}
t = threading.Thread(target=lambda: got.update(sqs.receive_message(
    QueueUrl=url, WaitTimeSeconds=10)))
t.start()
time.sleep(0.3)
other.send_message(QueueUrl=url, MessageBody="wake")
t.join()
assert got["Messages"][0]["Body"] == "wake", got
sqs.delete_message(QueueUrl=url, ReceiptHandle=got["Messages"][0]["ReceiptHandle"])

# batches
r = sqs.send_message_batch(QueueUrl=url, Entries=[
    {"Id": "one", "MessageBody": "1"},
    {"Id": "two", "MessageBody": "2", "DelaySeconds": 0},
    {"Id": "bad", "MessageBody": "\x01"}])
assert sorted(e["Id"] for e in r["Successful"]) == ["one", "two"], r
assert r["Failed"][0]["Id"] == "bad" and r["Failed"][0]["SenderFault"], r
assert r["Failed"][0]["Code"] == "InvalidMessageContents", r
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
assert sorted(m["Body"] for m in msgs) == ["1", "2"], msgs
r = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
    {"Id": "m%d" % i, "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
    for i, m in enumerate(msgs)])
assert len(r["Successful"]) == 2 and "Failed" not in r, r
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
r = sqs.delete_message_batch(QueueUrl=url, Entries=[
    {"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in msgs])
assert len(r["Successful"]) == 2, r

# FIFO: groups in order, de-duplication, sequence numbers
f = sqs.create_queue(QueueName="py-f.fifo", Attributes={
    "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
refused(sqs.create_queue, "InvalidParameterValue", QueueName="py-g",
        Attributes={"FifoQueue": "true"})
refused(sqs.send_message, "MissingParameter", QueueUrl=f, MessageBody="x")
s1 = sqs.send_message(QueueUrl=f, MessageBody="g1-a", MessageGroupId="g1")
s2 = sqs.send_message(QueueUrl=f, MessageBody="g1-b", MessageGroupId="g1")
dup = sqs.send_message(QueueUrl=f, MessageBody="g1-a", MessageGroupId="g1")
assert int(s2["SequenceNumber"]) > int(s1["SequenceNumber"]), (s1, s2)
assert dup["MessageId"] == s1["MessageId"], dup
refused(sqs.send_message, "InvalidParameterValue", QueueUrl=f,
        MessageBody="d", MessageGroupId="g1", DelaySeconds=2)
fa = sqs.get_queue_attributes(QueueUrl=f, AttributeNames=["All"])["Attributes"]
assert fa["FifoQueue"] == "true" and fa["ContentBasedDeduplication"] == "true"
got = sqs.receive_message(QueueUrl=f, MaxNumberOfMessages=10,
                          AttributeNames=["All"])["Messages"]
assert [m["Body"] for m in got] == ["g1-a", "g1-b"], got
a = got[0]["Attributes"]
assert a["MessageGroupId"] == "g1", a
assert a["SequenceNumber"] == s1["SequenceNumber"], a
assert a["MessageDeduplicationId"] == hashlib.sha256(b"g1-a").hexdigest(), a
sqs.send_message(QueueUrl=f, MessageBody="g1-c", MessageGroupId="g1")
assert "Messages" not in sqs.receive_message(QueueUrl=f), "the group is locked"
h = sqs.create_queue(QueueName="py-h.fifo",
                     Attributes={"FifoQueue": "true"})["QueueUrl"]
refused(sqs.send_message, "InvalidParameterValue", QueueUrl=h,
        MessageBody="x", MessageGroupId="g")
r = sqs.send_message_batch(QueueUrl=h, Entries=[
    {"Id": "a", "MessageBody": "x", "MessageGroupId": "g",
     "MessageDeduplicationId": "d1"},
    {"Id": "b", "MessageBody": "y"},
    {"Id": "c", "MessageBody": "z", "MessageGroupId": "g"}])
assert {e["Id"]: e["Code"] for e in r["Failed"]} == {
    "b": "MissingParameter", "c": "InvalidParameterValue"}, r
assert [e["Id"] for e in r["Successful"]] == ["a"], r
assert r["Successful"][0]["SequenceNumber"], r

# dead letters after max receives, back with a message move
dlq = sqs.create_queue(QueueName="py-dlq")["QueueUrl"]
src = sqs.create_queue(QueueName="py-src", Attributes={"RedrivePolicy":
    '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:py-dlq",'
    '"maxReceiveCount":"2"}'})["QueueUrl"]
assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
sqs.send_message(QueueUrl=src, MessageBody="poison")
for _ in range(2):
    assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]
assert "Messages" not in sqs.receive_message(QueueUrl=src)
m = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"][0]
assert m["Body"] == "poison"
assert m["Attributes"]["DeadLetterQueueSourceArn"].endswith(":py-src"), m
sqs.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": ""})
a = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["All"])["Attributes"]
assert "RedrivePolicy" not in a, a
# a policy without one of its two keys (its error once read a freed key)
for pol in ('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:py-dlq"}',
            '{"maxReceiveCount":"2"}'):
    refused(sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=src,
            Attributes={"RedrivePolicy": pol})

# tags, permissions, purge, delete
sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}
sqs.add_permission(QueueUrl=url, Label="p1", AWSAccountIds=["111122223333"],
                   Actions=["SendMessage"])
refused(sqs.add_permission, "InvalidParameterValue", QueueUrl=url, Label="p1",
        AWSAccountIds=["111122223333"], Actions=["SendMessage"])
pol = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
assert '"Sid":"p1"' in pol["Attributes"]["Policy"].replace(" ", ""), pol
sqs.remove_permission(QueueUrl=url, Label="p1")
refused(sqs.remove_permission, "InvalidParameterValue", QueueUrl=url, Label="p1")
sqs.send_message(QueueUrl=url, MessageBody="gone soon")
sqs.purge_queue(QueueUrl=url)
e = refused(sqs.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress",
            QueueUrl=url)
assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403
sqs.delete_queue(QueueUrl=endpoint + "/000000000000/py-c")
refused(sqs.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue",
        QueueName="py-c")
print("ok")
'''


def client_missing(path):
    return not (os.path.isfile(path) and os.access(path, os.X_OK))


class SqsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.eng = Engine().start()
        cls.endpoint = "http://%s:%d" % (cls.eng.host, cls.eng.port)

    @classmethod
    def tearDownClass(cls):
        cls.eng.stop()

    def run_client(self, argv, what, timeout=90, cwd=None):
        env = dict(os.environ)
        env.update(CLIENT_ENV)
        p = subprocess.run(argv, capture_output=True, text=True, env=env,
                           timeout=timeout, cwd=cwd)
        if p.returncode != 0:
            self.fail("%s failed (exit %d):\n%s\n%s\nengine:\n%s" % (
                what, p.returncode, p.stdout[-3000:], p.stderr[-3000:],
                self.eng.stderr_tail()))
        return p.stdout

    def aws(self, *args, ok=True):
        if client_missing(AWS_CLI):
            self.fail("awscli is not installed at %s" % AWS_CLI)
        env = dict(os.environ)
        env.update(CLIENT_ENV)
        p = subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint,
                            "--output", "json", "sqs"] + list(args),
                           capture_output=True, text=True, env=env,
                           timeout=60)
        if ok and p.returncode != 0:
            self.fail("aws sqs %s: exit %d: %s" % (" ".join(args),
                                                    p.returncode, p.stderr))
        return p

    def node(self, script, *args):
        node = shutil.which("node")
        if node is None:
            self.fail("node is not installed")
        if not os.path.isdir(os.path.join(HERE, "node_modules",
                                          "@aws-sdk", "client-sqs")):
            self.fail("tests/compat/node_modules lacks @aws-sdk/client-sqs "
                      "(npm ci in tests/compat)")
        out = self.run_client([node, os.path.join("js", script)] +
                              list(args), script, cwd=HERE)
        self.assertEqual(out.strip().splitlines()[-1], "ok")

    # ---- query protocol ----

    def test_boto3_query(self):
        if client_missing(SYS_PYTHON):
            self.fail("%s (Debian's python3 with boto3) is missing" %
                      SYS_PYTHON)
        out = self.run_client([SYS_PYTHON, "-c", BOTO3_SCRIPT,
                               self.endpoint], "boto3 (query)")
        self.assertEqual(out.strip(), "ok")

    def test_awscli_query(self):
        url = json.loads(self.aws("create-queue", "--queue-name",
                                  "cli-q").stdout)["QueueUrl"]
        self.assertEqual(url, self.endpoint + "/000000000000/cli-q")
        sent = json.loads(self.aws("send-message", "--queue-url", url,
                                   "--message-body", "hello").stdout)
        self.assertEqual(sent["MD5OfMessageBody"],
                         "5d41402abc4b2a76b9719d911017c592")
        got = json.loads(self.aws("receive-message", "--queue-url", url,
                                  "--attribute-names", "All",
                                  "--wait-time-seconds", "1").stdout)
        m = got["Messages"][0]
        self.assertEqual(m["Body"], "hello")
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.aws("delete-message", "--queue-url", url, "--receipt-handle",
                 m["ReceiptHandle"])
        listed = json.loads(self.aws("list-queues", "--queue-name-prefix",
                                     "cli-").stdout)
        self.assertEqual(listed["QueueUrls"], [url])
        p = self.aws("get-queue-url", "--queue-name", "cli-missing", ok=False)
        self.assertEqual(p.returncode, 254)
        self.assertIn("AWS.SimpleQueueService.NonExistentQueue", p.stderr)
        p = self.aws("send-message-batch", "--queue-url", url, "--entries",
                     json.dumps([{"Id": "a", "MessageBody": "1"},
                                 {"Id": "a", "MessageBody": "2"}]), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("BatchEntryIdsNotDistinct", p.stderr)

    def test_query_error_shape(self):
        body = ("Action=GetQueueUrl&Version=2012-11-05&QueueName=nope")
        status, headers, text = self.raw_post(
            body, {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>",
                      text)
        self.assertIn("<Type>Sender</Type>", text)
        self.assertIn("does not exist for this wsdl version", text)
        self.assertTrue(headers.get("x-amzn-RequestId"))
        status, headers, text = self.raw_post(
            "Action=Frobnicate&Version=2012-11-05",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn("<Code>InvalidAction</Code>", text)

    def test_json_error_shape(self):
        status, headers, text = self.raw_post(
            json.dumps({"QueueName": "nope"}),
            {"Content-Type": "application/x-amz-json-1.0",
             "X-Amz-Target": "AmazonSQS.GetQueueUrl",
             "x-amzn-query-mode": "true"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(text), {
            "__type": "com.amazonaws.sqs#QueueDoesNotExist",
            "message": "The specified queue does not exist."})
        self.assertEqual(headers.get("x-amzn-query-error"),
                         "AWS.SimpleQueueService.NonExistentQueue;Sender")
        self.assertEqual(headers.get("Content-Type"),
                         "application/x-amz-json-1.0")

    def raw_post(self, body, headers):
        req = urllib.request.Request(self.endpoint + "/",
                                     data=body.encode(), headers=headers,
                                     method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    # ---- JSON 1.0 ----

    def test_js_sdk_json(self):
        self.node("sqs_core.mjs", self.endpoint)

    def test_sqs_consumer_stream(self):
        self.node("sqs_consumer.mjs", self.endpoint, "200")

    # ---- one namespace with the engine API ----

    def test_engine_api_sees_sqs_queues_and_back(self):
        url = json.loads(self.aws("create-queue", "--queue-name",
                                  "both-sqs").stdout)["QueueUrl"]
        q = self.eng.ok("GET", "/v1/queues/both-sqs")
        self.assertEqual(q["name"], "both-sqs")
        self.aws("send-message", "--queue-url", url, "--message-body", "hi")
        self.assertEqual(
            self.eng.ok("GET", "/v1/queues/both-sqs")["counts"]["visible"], 1)
        self.eng.ok("POST", "/v1/queues", {"name": "both-api"}, status=201)
        self.eng.ok("POST", "/v1/queues/both-api/messages",
                    {"body": "from the engine API"}, status=201)
        listed = json.loads(self.aws("list-queues", "--queue-name-prefix",
                                     "both-").stdout)["QueueUrls"]
        api_url = self.endpoint + "/000000000000/both-api"
        self.assertEqual(listed, [api_url, url])
        got = json.loads(self.aws("receive-message", "--queue-url",
                                  api_url).stdout)
        self.assertEqual(got["Messages"][0]["Body"], "from the engine API")

    def test_peek_changes_nothing(self):
        url = json.loads(self.aws("create-queue", "--queue-name",
                                  "peek-q").stdout)["QueueUrl"]
        self.aws("send-message", "--queue-url", url, "--message-body", "p1",
                 "--message-attributes",
                 '{"k":{"DataType":"String","StringValue":"v"}}')
        self.aws("send-message", "--queue-url", url, "--message-body", "p2")
        base = self.endpoint + "/_aws/sqs/messages?QueueUrl=" + \
            urllib.request.quote(url, safe="")
        for _ in range(2):
            req = urllib.request.Request(base, headers={
                "Accept": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                doc = json.loads(r.read())
            msgs = doc["ReceiveMessageResponse"]["ReceiveMessageResult"][
                "Message"]
            self.assertEqual([m["Body"] for m in msgs], ["p1", "p2"])
            attrs = {a["Name"]: a["Value"] for a in msgs[0]["Attribute"]}
            self.assertEqual(attrs["ApproximateReceiveCount"], "0")
            self.assertEqual(attrs["IsVisible"], "true")
            self.assertEqual(msgs[0]["MessageAttribute"][0]["Name"], "k")
        with urllib.request.urlopen(base, timeout=10) as r:
            text = r.read().decode()
        self.assertIn("<ReceiveMessageResponse", text)
        self.assertEqual(text.count("<Message>"), 2)
        # a receive still gets both: the peeks consumed nothing
        got = json.loads(self.aws("receive-message", "--queue-url", url,
                                  "--max-number-of-messages", "10").stdout)
        self.assertEqual(sorted(m["Body"] for m in got["Messages"]),
                         ["p1", "p2"])
        # in flight now: hidden unless asked for
        with urllib.request.urlopen(base, timeout=10) as r:
            self.assertEqual(r.read().decode().count("<Message>"), 0)
        with urllib.request.urlopen(base + "&ShowInvisible=true",
                                    timeout=10) as r:
            self.assertEqual(r.read().decode().count("<Message>"), 2)
        try:
            urllib.request.urlopen(self.endpoint + "/_aws/sqs/messages?"
                                   "QueueUrl=http://x/000000000000/none",
                                   timeout=10)
            self.fail("a peek at a missing queue was answered")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 400)
            self.assertIn("NonExistentQueue", e.read().decode())


if __name__ == "__main__":
    unittest.main()
