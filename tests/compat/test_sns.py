"""SNS query protocol against real clients: boto3 1.26 (Debian's
/usr/bin/python3), @aws-sdk/client-sns (node, js/sns_*.mjs) and awscli
(/usr/bin/aws). Queue contents are read through the engine API.

The boto3 scenarios run in a child /usr/bin/python3 (this file with
--boto NAME URL), so the unittest runner may be any python3; a child
asserts and exits non-zero with its traceback when something is wrong.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_PY = "/usr/bin/python3"
AWS_CLI = "/usr/bin/aws"
ACCOUNT = "000000000000"
REGION = "us-east-1"
ENVELOPE_KEYS = ["Type", "MessageId", "TopicArn", "Subject", "Message",
                 "Timestamp", "SignatureVersion", "Signature",
                 "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


# ---------------------------------------------------------------------
# helpers both sides use (stdlib only)

def api(url, method, path, body=None, status=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            code, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, text = e.code, e.read()
    if status is not None and code != status:
        raise AssertionError("%s %s: %d %s" % (method, path, code, text))
    return json.loads(text) if text else None


def make_queue(url, name):
    api(url, "POST", "/v1/queues", {"name": name}, status=201)


def take(url, queue):
    """Every message of a queue, consumed (engine API receive)."""
    got = api(url, "POST", "/v1/queues/%s/receive" % queue,
              {"max": 16, "wait_seconds": 0}, status=200)
    return got["messages"]


class Hook:
    """A small HTTP server that records every POST it gets."""

    def __init__(self):
        self.got = []
        self.cv = threading.Condition()
        hook = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode()
                with hook.cv:
                    hook.got.append({"path": self.path,
                                     "headers": {k.lower(): v for k, v in
                                                 self.headers.items()},
                                     "body": body})
                    hook.cv.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def wait(self, path, n=1, timeout=20):
        """The first n requests to path, waiting for them."""
        end = time.time() + timeout
        with self.cv:
            while True:
                got = [g for g in self.got if g["path"] == path]
                if len(got) >= n:
                    return got[:n]
                left = end - time.time()
                if left <= 0:
                    raise AssertionError("%s got %d of %d requests" % (
                        path, len(got), n))
                self.cv.wait(left)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


# ---------------------------------------------------------------------
# the boto3 side (runs in /usr/bin/python3)

def boto_client(url):
    import boto3
    return boto3.client("sns", endpoint_url=url, region_name=REGION,
                        aws_access_key_id="test",
                        aws_secret_access_key="test")


def raises(fn, code, text=None, status=None):
    from botocore.exceptions import ClientError
    try:
        fn()
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == code, (err, code)
        if text is not None:
            assert text in err["Message"], (err["Message"], text)
        if status is not None:
            got = e.response["ResponseMetadata"]["HTTPStatusCode"]
            assert got == status, (got, status)
        assert e.response["ResponseMetadata"]["RequestId"]
        return err
    raise AssertionError("no %s error" % code)


def sqs_arn(name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)


def boto_fanout(url):
    sns = boto_client(url)
    r = sns.create_topic(Name="orders",
                         Attributes={"DisplayName": "Orders"},
                         Tags=[{"Key": "team", "Value": "a"}])
    arn = r["TopicArn"]
    assert arn == "arn:aws:sns:%s:%s:orders" % (REGION, ACCOUNT), arn
    assert r["ResponseMetadata"]["RequestId"]
    # idempotent, and AWS's conflict texts
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    assert sns.create_topic(
        Name="orders", Attributes={"DisplayName": "Orders"})["TopicArn"] == arn
    raises(lambda: sns.create_topic(Name="orders",
                                    Attributes={"DisplayName": "Other"}),
           "InvalidParameter", "Topic already exists with different "
           "attributes", 400)
    raises(lambda: sns.create_topic(Name="orders",
                                    Tags=[{"Key": "team", "Value": "b"}]),
           "InvalidParameter", "Topic already exists with different tags")

    for q in ("all", "raw", "red", "body", "struct"):
        make_queue(url, q)
    subs = {}
    subs["all"] = sns.subscribe(TopicArn=arn, Protocol="sqs",
                                Endpoint=sqs_arn("all"))["SubscriptionArn"]
    subs["raw"] = sns.subscribe(
        TopicArn=arn, Protocol="sqs", Endpoint=sqs_arn("raw"),
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True)["SubscriptionArn"]
    subs["red"] = sns.subscribe(
        TopicArn=arn, Protocol="sqs", Endpoint=sqs_arn("red"),
        Attributes={"FilterPolicy": json.dumps(
            {"color": ["red"], "n": [{"numeric": [">", 3]}]})}
    )["SubscriptionArn"]
    subs["body"] = sns.subscribe(
        TopicArn=arn, Protocol="sqs", Endpoint=sqs_arn("body"),
        Attributes={"FilterPolicyScope": "MessageBody",
                    "FilterPolicy": json.dumps({"order": {"state": ["new"]}}),
                    "RawMessageDelivery": "true"})["SubscriptionArn"]
    for k, v in subs.items():
        assert v.startswith(arn + ":"), (k, v)
    assert len(set(subs.values())) == 4
    # the same subscription again, and one with other attributes
    assert sns.subscribe(TopicArn=arn, Protocol="sqs",
                         Endpoint=sqs_arn("red"))["SubscriptionArn"] == \
        subs["red"]
    raises(lambda: sns.subscribe(
        TopicArn=arn, Protocol="sqs", Endpoint=sqs_arn("raw"),
        Attributes={"RawMessageDelivery": "false"}),
        "InvalidParameter", "Subscription already exists with different "
        "attributes")

    a = sns.get_subscription_attributes(
        SubscriptionArn=subs["red"])["Attributes"]
    assert a["SubscriptionArn"] == subs["red"]
    assert a["TopicArn"] == arn and a["Protocol"] == "sqs"
    assert a["Endpoint"] == sqs_arn("red")
    assert a["PendingConfirmation"] == "false"
    assert a["RawMessageDelivery"] == "false"
    assert json.loads(a["FilterPolicy"]) == {"color": ["red"],
                                             "n": [{"numeric": [">", 3]}]}
    assert a["FilterPolicyScope"] == "MessageAttributes"
    assert a["Owner"] == ACCOUNT
    a = sns.get_subscription_attributes(
        SubscriptionArn=subs["all"])["Attributes"]
    assert "FilterPolicy" not in a and "FilterPolicyScope" not in a

    attrs = {"color": {"DataType": "String", "StringValue": "red"},
             "n": {"DataType": "Number", "StringValue": "5"},
             "bin": {"DataType": "Binary", "BinaryValue": b"\x01\x02\x03"},
             "tags": {"DataType": "String.Array",
                      "StringValue": '["a", "b"]'}}
    p1 = sns.publish(TopicArn=arn, Message="hello\r\nworld", Subject="Greet",
                     MessageAttributes=attrs)["MessageId"]
    p2 = sns.publish(TopicArn=arn, Message='{"order": {"state": "new"}}',
                     MessageAttributes={"color": {"DataType": "String",
                                                  "StringValue": "blue"}}
                     )["MessageId"]

    got = take(url, "all")
    assert len(got) == 2, got
    env1, env2 = (json.loads(m["body"]) for m in got)
    assert list(env1) == ENVELOPE_KEYS, list(env1)
    assert list(env2) == [k for k in ENVELOPE_KEYS if k != "Subject"], \
        list(env2)
    assert env1["Type"] == "Notification"
    assert env1["MessageId"] == p1 and env2["MessageId"] == p2
    assert env1["TopicArn"] == arn
    assert env1["Subject"] == "Greet"
    assert env1["Message"] == "hello\r\nworld"
    assert STAMP.match(env1["Timestamp"]), env1["Timestamp"]
    assert env1["SignatureVersion"] == "1" and env1["Signature"]
    assert env1["UnsubscribeURL"].startswith(url + "/?Action=Unsubscribe&")
    assert env1["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "n": {"Type": "Number", "Value": "5"},
        "bin": {"Type": "Binary", "Value": "AQID"},
        "tags": {"Type": "String.Array", "Value": '["a", "b"]'}}, \
        env1["MessageAttributes"]
    assert "attributes" not in got[0] or not got[0]["attributes"]

    raw = take(url, "raw")
    assert [m["body"] for m in raw] == ["hello\r\nworld",
                                        '{"order": {"state": "new"}}'], raw
    assert raw[0]["attributes"]["color"] == {"type": "String",
                                             "value": "red"}
    assert raw[0]["attributes"]["bin"] == {"type": "Binary", "value": "AQID"}
    red = take(url, "red")
    assert [json.loads(m["body"])["MessageId"] for m in red] == [p1], red
    body = take(url, "body")
    assert [m["body"] for m in body] == ['{"order": {"state": "new"}}']

    # change a filter; "" removes it and its scope
    sns.set_subscription_attributes(SubscriptionArn=subs["red"],
                                    AttributeName="FilterPolicy",
                                    AttributeValue='{"color": ["blue"]}')
    sns.publish(TopicArn=arn, Message="b",
                MessageAttributes={"color": {"DataType": "String",
                                             "StringValue": "blue"}})
    assert [json.loads(m["body"])["Message"] for m in take(url, "red")] == \
        ["b"]
    sns.set_subscription_attributes(SubscriptionArn=subs["red"],
                                    AttributeName="FilterPolicy",
                                    AttributeValue="")
    a = sns.get_subscription_attributes(
        SubscriptionArn=subs["red"])["Attributes"]
    assert "FilterPolicy" not in a and "FilterPolicyScope" not in a, a
    sns.set_subscription_attributes(SubscriptionArn=subs["red"],
                                    AttributeName="RawMessageDelivery",
                                    AttributeValue="true")
    sns.publish(TopicArn=arn, Message="now raw")
    assert [m["body"] for m in take(url, "red")] == ["now raw"]
    raises(lambda: sns.set_subscription_attributes(
        SubscriptionArn=subs["red"], AttributeName="RawMessageDelivery",
        AttributeValue="maybe"), "InvalidParameter",
        "Invalid value [maybe]. Must be true or false.")

    # MessageStructure=json: the sqs variant for sqs subscriptions
    for q in ("all", "raw", "body"):
        take(url, q)
    sns.publish(TopicArn=arn, MessageStructure="json",
                Message=json.dumps({"default": "d", "sqs": "for sqs",
                                    "http": "for http"}))
    assert json.loads(take(url, "all")[0]["body"])["Message"] == "for sqs"
    raises(lambda: sns.publish(TopicArn=arn, MessageStructure="json",
                               Message='{"sqs": "x"}'),
           "InvalidParameter", "No default entry in JSON message body")

    # PublishBatch: per-entry results
    take(url, "all")
    r = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "m1", "Subject": "s1"},
        {"Id": "two", "Message": "m2",
         "MessageAttributes": {"x": {"DataType": "Bogus",
                                     "StringValue": "1"}}},
        {"Id": "three", "Message": "m3"}])
    assert [s["Id"] for s in r["Successful"]] == ["one", "three"], r
    assert all(re.match(r"^[0-9a-f-]{36}$", s["MessageId"])
               for s in r["Successful"])
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in r["Failed"]] == \
        [("two", "ParameterValueInvalid", True)], r["Failed"]
    assert [json.loads(m["body"])["Message"] for m in take(url, "all")] == \
        ["m1", "m3"]
    raises(lambda: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "1"}, {"Id": "a", "Message": "2"}]),
        "BatchEntryIdsNotDistinct")
    raises(lambda: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "i%d" % i, "Message": "m"} for i in range(11)]),
        "TooManyEntriesInBatchRequest")
    raises(lambda: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "bad id!", "Message": "m"}]), "InvalidBatchEntryId")

    # tomodachi subscribes with FilterPolicy "{}" on every start, then sets
    # it again: the same subscription, taking everything
    make_queue(url, "tomo")
    t1 = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=sqs_arn("tomo"),
                       Attributes={"FilterPolicy": "{}"})["SubscriptionArn"]
    assert sns.subscribe(TopicArn=arn, Protocol="sqs",
                         Endpoint=sqs_arn("tomo"),
                         Attributes={"FilterPolicy": "{}"}
                         )["SubscriptionArn"] == t1
    sns.set_subscription_attributes(SubscriptionArn=t1,
                                    AttributeName="FilterPolicy",
                                    AttributeValue="{}")
    sns.publish(TopicArn=arn, Message="to all")
    assert [json.loads(m["body"])["Message"] for m in take(url, "tomo")] == \
        ["to all"]
    take(url, "all")

    # unsubscribe: no more deliveries
    sns.unsubscribe(SubscriptionArn=subs["all"])
    sns.publish(TopicArn=arn, Message="after")
    assert take(url, "all") == []
    raises(lambda: sns.get_subscription_attributes(
        SubscriptionArn=subs["all"]), "NotFound", "Subscription does not "
        "exist", 404)


def boto_http(url):
    sns = boto_client(url)
    hook = Hook()
    try:
        arn = sns.create_topic(Name="web")["TopicArn"]
        r = sns.subscribe(TopicArn=arn, Protocol="http",
                          Endpoint=hook.url + "/a")
        assert r["SubscriptionArn"] == "pending confirmation", r
        listed = sns.list_subscriptions_by_topic(TopicArn=arn)
        assert [s["SubscriptionArn"] for s in listed["Subscriptions"]] == \
            ["PendingConfirmation"], listed
        ta = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert ta["SubscriptionsPending"] == "1", ta
        assert ta["SubscriptionsConfirmed"] == "0", ta

        conf = hook.wait("/a")[0]
        h = conf["headers"]
        assert h["x-amz-sns-message-type"] == "SubscriptionConfirmation", h
        assert h["x-amz-sns-topic-arn"] == arn
        assert h["content-type"] == "text/plain; charset=UTF-8", h
        assert h["user-agent"] == "Amazon Simple Notification Service Agent"
        env = json.loads(conf["body"])
        assert list(env) == ["Type", "MessageId", "Token", "TopicArn",
                             "Message", "SubscribeURL", "Timestamp",
                             "SignatureVersion", "Signature",
                             "SigningCertURL"], list(env)
        assert env["Type"] == "SubscriptionConfirmation"
        assert h["x-amz-sns-message-id"] == env["MessageId"]
        assert len(env["Token"]) >= 64, env["Token"]
        assert env["SubscribeURL"].startswith(url + "/?Action="
                                              "ConfirmSubscription&")

        # not confirmed yet: nothing is delivered
        sns.publish(TopicArn=arn, Message="too early")
        raises(lambda: sns.confirm_subscription(TopicArn=arn,
                                                Token="0" * 128),
               "InvalidParameter", "Invalid token")
        sub = sns.confirm_subscription(TopicArn=arn,
                                       Token=env["Token"])["SubscriptionArn"]
        assert sub.startswith(arn + ":"), sub
        a = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        assert a["PendingConfirmation"] == "false", a
        assert "EffectiveDeliveryPolicy" in a
        p = sns.publish(TopicArn=arn, Message="hi", Subject="s",
                        MessageAttributes={"k": {"DataType": "String",
                                                 "StringValue": "v"}})
        note = hook.wait("/a", 2)[1]
        h = note["headers"]
        assert h["x-amz-sns-message-type"] == "Notification", h
        assert h["x-amz-sns-message-id"] == p["MessageId"]
        assert h["x-amz-sns-subscription-arn"] == sub
        assert h["x-amz-sns-topic-arn"] == arn
        assert "x-amz-sns-rawdelivery" not in h
        env = json.loads(note["body"])
        assert list(env) == ENVELOPE_KEYS, list(env)
        assert env["Message"] == "hi" and env["MessageId"] == p["MessageId"]

        # a second, raw endpoint confirmed by a GET of its SubscribeURL
        sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=hook.url + "/b",
                      Attributes={"RawMessageDelivery": "true"})
        env = json.loads(hook.wait("/b")[0]["body"])
        with urllib.request.urlopen(env["SubscribeURL"], timeout=10) as r:
            xml = r.read().decode()
        m = re.search(r"<SubscriptionArn>([^<]+)</SubscriptionArn>", xml)
        assert m and m.group(1).startswith(arn + ":"), xml
        assert "<ConfirmSubscriptionResponse" in xml
        sns.publish(TopicArn=arn, Message="raw body")
        note = hook.wait("/b", 2)[1]
        assert note["body"] == "raw body", note
        assert note["headers"]["x-amz-sns-rawdelivery"] == "true"
        assert note["headers"]["x-amz-sns-message-type"] == "Notification"
        # /a got exactly: confirmation, "hi", "raw body" (never "too early")
        got = [json.loads(g["body"]).get("Message")
               for g in hook.wait("/a", 3)[1:]]
        assert got == ["hi", "raw body"], got
        ta = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert ta["SubscriptionsConfirmed"] == "2", ta

        raises(lambda: sns.subscribe(TopicArn=arn, Protocol="https",
                                     Endpoint="http://x.invalid/"),
               "InvalidParameter", "Endpoint must match the specified "
               "protocol")
    finally:
        hook.close()


def boto_admin(url):
    sns = boto_client(url)
    names = ["t%03d" % i for i in range(105)]
    for n in names:
        sns.create_topic(Name=n)
    page = sns.list_topics()
    assert len(page["Topics"]) == 100 and page.get("NextToken"), page
    page2 = sns.list_topics(NextToken=page["NextToken"])
    assert "NextToken" not in page2, page2
    got = [t["TopicArn"].rsplit(":", 1)[1]
           for t in page["Topics"] + page2["Topics"]]
    assert got == names, got
    allt = [t["TopicArn"] for p in sns.get_paginator("list_topics").paginate()
            for t in p["Topics"]]
    assert len(allt) == 105

    arn = page["Topics"][0]["TopicArn"]
    make_queue(url, "q")
    for i in range(102):
        sns.subscribe(TopicArn=allt[i], Protocol="sqs",
                      Endpoint=sqs_arn("q"))
    p = sns.list_subscriptions()
    assert len(p["Subscriptions"]) == 100 and p.get("NextToken"), len(
        p["Subscriptions"])
    p2 = sns.list_subscriptions(NextToken=p["NextToken"])
    assert len(p2["Subscriptions"]) == 2 and "NextToken" not in p2, p2
    s = p["Subscriptions"][0]
    assert s["TopicArn"] == arn and s["Protocol"] == "sqs" and \
        s["Endpoint"] == sqs_arn("q") and s["Owner"] == ACCOUNT, s

    # attributes
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    for k in ("TopicArn", "Owner", "Policy", "DisplayName",
              "SubscriptionsConfirmed", "SubscriptionsPending",
              "SubscriptionsDeleted", "EffectiveDeliveryPolicy"):
        assert k in a, (k, a)
    assert a["TopicArn"] == arn and a["DisplayName"] == ""
    assert json.loads(a["Policy"])["Id"] == "__default_policy_ID"
    assert a["SubscriptionsConfirmed"] == "1"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                             AttributeValue="Shown")
    assert sns.get_topic_attributes(
        TopicArn=arn)["Attributes"]["DisplayName"] == "Shown"
    raises(lambda: sns.set_topic_attributes(TopicArn=arn,
                                            AttributeName="Nope",
                                            AttributeValue="1"),
           "InvalidParameter", "Nope")

    # tags
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                            {"Key": "b", "Value": "2"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["a"])
    tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert tags == [{"Key": "b", "Value": "2"}], tags
    missing = "arn:aws:sns:%s:%s:missing" % (REGION, ACCOUNT)
    raises(lambda: sns.list_tags_for_resource(ResourceArn=missing),
           "ResourceNotFound", status=404)

    # errors
    raises(lambda: sns.get_topic_attributes(TopicArn=missing), "NotFound",
           "Topic does not exist", 404)
    raises(lambda: sns.publish(TopicArn=missing, Message="x"), "NotFound")
    raises(lambda: sns.publish(TopicArn=arn, Message=""), "InvalidParameter",
           "Empty message")
    raises(lambda: sns.publish(TopicArn=arn, Message="x" * 262145),
           "InvalidParameter", "Message too long")
    raises(lambda: sns.publish(TopicArn=arn, Message="x",
                               MessageDeduplicationId="d"),
           "InvalidParameter", "MessageDeduplicationId")
    raises(lambda: sns.publish(TopicArn=arn, Message="x", MessageAttributes={
        "a": {"DataType": "Weird", "StringValue": "1"}}),
        "ParameterValueInvalid", "supported type prefixes is Binary, "
        "Number, and String")
    raises(lambda: sns.subscribe(TopicArn=arn, Protocol="sqs",
                                 Endpoint=sqs_arn("q2"),
                                 Attributes={"FilterPolicy": "{nope"}),
           "InvalidParameter", "FilterPolicy: failed to parse JSON")
    raises(lambda: sns.subscribe(TopicArn=arn, Protocol="sqs",
                                 Endpoint=sqs_arn("q2"),
                                 Attributes={"Colour": "red"}),
           "InvalidParameter", "Invalid attribute name: Colour")
    raises(lambda: sns.subscribe(TopicArn=arn, Protocol="sqs",
                                 Endpoint=sqs_arn("q.fifo")),
           "InvalidParameter", "FIFO SQS Queues can not be subscribed")
    raises(lambda: sns.subscribe(TopicArn=arn, Protocol="email",
                                 Endpoint="a@b.c"), "InvalidParameter")
    raises(lambda: sns.create_topic(Name="bad name"), "InvalidParameter")
    raises(lambda: sns.create_topic(Name="f.fifo",
                                    Attributes={"FifoTopic": "true"}),
           "InvalidParameter", "FIFO")
    # a refused call changed nothing
    assert len([t for p in sns.get_paginator("list_topics").paginate()
                for t in p["Topics"]]) == 105
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)  # idempotent
    raises(lambda: sns.get_topic_attributes(TopicArn=arn), "NotFound")


SCENARIOS = {"fanout": boto_fanout, "http": boto_http, "admin": boto_admin}


# ---------------------------------------------------------------------
# the unittest side

if __name__ != "__main__":
    import unittest

    from harness import EngineTestCase

    class SnsClients(EngineTestCase):
        def setUp(self):
            self.e = self.engine()

        def child(self, argv, timeout=120, env=None):
            missing = [p for p in (argv[0],) if not os.path.exists(p)]
            self.assertFalse(missing, "client missing: %s (install it)" %
                             missing)
            r = subprocess.run(argv, capture_output=True, text=True,
                               timeout=timeout, cwd=HERE,
                               env=dict(os.environ, **(env or {})))
            self.assertEqual(r.returncode, 0, "%s failed:\n%s\n%s" % (
                " ".join(argv[:3]), r.stdout[-4000:], r.stderr[-4000:]))
            return r.stdout

        def boto(self, name):
            self.child([DEBIAN_PY, os.path.abspath(__file__), "--boto", name,
                        self.e.url])

        def test_boto3_fanout_filters_envelopes_batch(self):
            self.boto("fanout")

        def test_boto3_http_confirmation_and_notifications(self):
            self.boto("http")

        def test_boto3_paging_attributes_tags_errors(self):
            self.boto("admin")

        def test_node_client_sns(self):
            node = subprocess.run(["sh", "-c", "command -v node"],
                                  capture_output=True, text=True).stdout
            self.assertTrue(node.strip(), "node is not installed")
            self.child([node.strip(), os.path.join(HERE, "js", "sns_basic.mjs"),
                        self.e.url])

        def test_awscli(self):
            env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY":
                   "test", "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": "",
                   "AWS_CONFIG_FILE": "/dev/null",
                   "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
            cli = [AWS_CLI, "--endpoint-url", self.e.url, "--output", "json",
                   "sns"]
            out = json.loads(self.child(cli + ["create-topic", "--name",
                                               "cli"], env=env))
            arn = out["TopicArn"]
            self.assertEqual(arn, "arn:aws:sns:%s:%s:cli" % (REGION,
                                                             ACCOUNT))
            make_queue(self.e.url, "cq")
            self.child(cli + ["subscribe", "--topic-arn", arn, "--protocol",
                              "sqs", "--notification-endpoint",
                              sqs_arn("cq"), "--attributes",
                              '{"RawMessageDelivery": "true"}'], env=env)
            out = json.loads(self.child(cli + ["publish", "--topic-arn", arn,
                                               "--message", "from cli"],
                                        env=env))
            self.assertRegex(out["MessageId"], r"^[0-9a-f-]{36}$")
            self.assertEqual([m["body"] for m in take(self.e.url, "cq")],
                             ["from cli"])
            topics = json.loads(self.child(cli + ["list-topics"], env=env))
            self.assertEqual([t["TopicArn"] for t in topics["Topics"]], [arn])
            r = subprocess.run(cli + ["get-topic-attributes", "--topic-arn",
                                      arn + "x"], capture_output=True,
                               text=True, env=dict(os.environ, **env),
                               timeout=60)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("NotFound", r.stderr)

        def test_unknown_action_and_raw_query(self):
            # an SNS request with no known Action, and the GET form of
            # Unsubscribe an envelope's UnsubscribeURL uses
            req = urllib.request.Request(
                self.e.url + "/", method="POST",
                data=b"Action=Frobnicate&Version=2010-03-31",
                headers={"Content-Type": "application/x-www-form-"
                         "urlencoded"})
            try:
                urllib.request.urlopen(req, timeout=10)
                self.fail("no error")
            except urllib.error.HTTPError as e:
                body = e.read().decode()
                self.assertEqual(e.code, 400)
                self.assertIn("<Code>InvalidAction</Code>", body)
                self.assertIn("<Type>Sender</Type>", body)
                self.assertTrue(e.headers["x-amzn-RequestId"])
            make_queue(self.e.url, "uq")
            api(self.e.url, "POST", "/v1/topics", {"name": "ut"}, status=201)
            q = urllib.parse.urlencode({
                "Action": "Subscribe", "Version": "2010-03-31",
                "TopicArn": "arn:aws:sns:%s:%s:ut" % (REGION, ACCOUNT),
                "Protocol": "sqs", "Endpoint": sqs_arn("uq")})
            with urllib.request.urlopen(self.e.url + "/?" + q) as r:
                sub = re.search(r"<SubscriptionArn>([^<]+)<",
                                r.read().decode()).group(1)
            api(self.e.url, "POST", "/v1/topics/ut/messages",
                {"body": "x"}, status=201)
            env = json.loads(take(self.e.url, "uq")[0]["body"])
            with urllib.request.urlopen(env["UnsubscribeURL"]) as r:
                self.assertIn("<UnsubscribeResponse", r.read().decode())
            self.assertEqual(api(self.e.url, "GET",
                                 "/v1/topics/ut/subscriptions",
                                 status=200)["items"], [])
            self.assertIn(sub.rsplit(":", 1)[1], env["UnsubscribeURL"])

elif len(sys.argv) == 4 and sys.argv[1] == "--boto":
    try:
        import boto3  # noqa: F401
    except ImportError:
        sys.exit("boto3 is not installed for %s (apt install python3-boto3)"
                 % sys.executable)
    SCENARIOS[sys.argv[2]](sys.argv[3])
    print("ok")
