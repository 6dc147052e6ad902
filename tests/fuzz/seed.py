#!/usr/bin/env python3
"""Write the seed corpora of tests/fuzz/corpus from flowdeck's own files.

Each target's seeds are inputs the tests and the bundled templates already
use (flows, conditions, mapping paths, templates, filter policies) plus a
few written here for the wire protocols and the CLI. Files are named by
the SHA-1 of their content, so running this again only adds. Run it after
adding fixtures; the corpus is checked in.
"""
import glob
import hashlib
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns):
    for p in patterns:
        for f in sorted(glob.glob(os.path.join(ROOT, p), recursive=True)):
            with open(f, "rb") as fh:
                yield fh.read()


FLOWS = ("tests/fixtures/flows/*", "templates/*/flow*.yaml",
         "templates/*/flows/*.yaml", "tests/unit/flow/*.yaml")
DOC = '{"a": 1, "b": [1, {"c": "x"}], "s": "text", "n": null, "t": true}'

for text in files(*FLOWS):
    put("fuzz_fdl", text)
    for m in re.finditer(rb"condition:\s*(.+)", text):
        put("fuzz_cond", m.group(1).strip().strip(b"'") + b"\n" + DOC.encode())
    for m in re.finditer(rb"(?:source|target):\s*(\$\S+)", text):
        put("fuzz_path", m.group(1) + b"\n" + DOC.encode())
for c in ("$.a == 1 && $input.s != \"x\"", "!($local.t) || $.b[1].c < 'y'",
          "$.n == null", "($.a >= -1.5e3) && $context.task.token != ''"):
    put("fuzz_cond", c + "\n" + DOC)
for p in ("$", "$input", "$.b[1].c", "$local.a", "$context.execution.name",
          "$input.b[0]", "$.s"):
    put("fuzz_path", p + "\n" + DOC)

for text in files("templates/*/template.yaml"):
    put("fuzz_template", text)

# filter policies: the {policy, scope, attributes, body} cases of the unit test
src = open(os.path.join(ROOT, "tests/unit/topic/test_filter.c")).read()
cstr = r'"((?:[^"\\]|\\.)*)"'
for m in re.finditer(r"\{\s*" + cstr + r",\s*[AB],\s*(?:" + cstr + r"|NULL),\s*"
                     + cstr, src):
    pol, attrs, body = (bytes(g or "", "ascii").decode("unicode_escape")
                        for g in m.groups())
    put("fuzz_filter", pol + "\n" + (attrs or "{}") + "\n" + body)

MNS = [
    '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/">'
    '<MessageBody>hello &amp; &#x263A;</MessageBody><DelaySeconds>0</DelaySeconds>'
    '<Priority>8</Priority></Message>',
    '<?xml version="1.0"?><Messages xmlns="http://mns.aliyuncs.com/doc/v1/"><Message>'
    '<MessageBody>a</MessageBody></Message><Message><MessageBody>b</MessageBody>'
    '<Priority>1</Priority></Message></Messages>',
    '<?xml version="1.0"?><Queue xmlns="http://mns.aliyuncs.com/doc/v1/">'
    '<VisibilityTimeout>30</VisibilityTimeout><MaximumMessageSize>65536</MaximumMessageSize>'
    '<MessageRetentionPeriod>345600</MessageRetentionPeriod><DelaySeconds>0</DelaySeconds>'
    '<PollingWaitSeconds>0</PollingWaitSeconds><LoggingEnabled>False</LoggingEnabled></Queue>',
    '<?xml version="1.0"?><ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/">'
    '<ReceiptHandle>1-ODU4OTkzNDU5My0xNDM1</ReceiptHandle></ReceiptHandles>',
    '<?xml version="1.0"?><Subscription xmlns="http://mns.aliyuncs.com/doc/v1/">'
    '<Endpoint>acs:mns:cn-hangzhou:123:queues/q</Endpoint><FilterTag>t</FilterTag>'
    '<NotifyStrategy>BACKOFF_RETRY</NotifyStrategy>'
    '<NotifyContentFormat>SIMPLIFIED</NotifyContentFormat></Subscription>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Message><MessageBody>&a;</MessageBody></Message>',
]
for x in MNS:
    put("fuzz_mns_xml", x)

SQS = [
    "Action=SendMessage&QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq"
    "&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
    "&MessageAttribute.1.Value.StringValue=x&MessageAttribute.2.Name=b"
    "&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAEC"
    "&Version=2012-11-05",
    "Action=SendMessageBatch&QueueUrl=q&SendMessageBatchRequestEntry.1.Id=m1"
    "&SendMessageBatchRequestEntry.1.MessageBody=a&SendMessageBatchRequestEntry.2.Id=m2"
    "&SendMessageBatchRequestEntry.2.MessageBody=b&SendMessageBatchRequestEntry.2.DelaySeconds=3"
    "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
    "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
    "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=5",
    "Action=CreateQueue&QueueName=q.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
    "&Attribute.2.Name=RedrivePolicy&Attribute.2.Value=%7B%22maxReceiveCount%22%3A3%7D"
    "&Tag.1.Key=env&Tag.1.Value=dev",
    "Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=10&AttributeName.1=All"
    "&MessageAttributeName.1=All&WaitTimeSeconds=0",
    "Action=DeleteMessageBatch&QueueUrl=q&DeleteMessageBatchRequestEntry.1.Id=a"
    "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=h",
]
for q in SQS:
    put("fuzz_sqs_query", q)

CLI = [
    ["queues", "send", "q", "hello", "-p", "3", "--delay", "5", "--attrs", '{"a":"b"}'],
    ["queues", "create", "q", "--visibility", "30", "--dlq", "d", "--max-receives", "3"],
    ["queues", "peek", "q", "--state", "all", "-o", "json"],
    ["flows", "start", "f", "--input", '{"x": [1, 2]}', "--wait", "10"],
    ["tasks", "succeed", "TOKEN", "--output", '{"ok": true}'],
    ["topics", "subscribe", "t", "s", "queue:q", "--policy", '{"a": ["b"]}'],
    ["templates", "deploy", "tour", "--param", "prefix=x", "--endpoint", "http://127.0.0.1:1"],
    ["--endpoint", "http://127.0.0.1:9", "--token", "t", "status"],
    ["journal", "--entity", "queue/q", "-n", "20"],
    ["help", "queues"],
]
for argv in CLI:
    put("fuzz_cli", "\0".join(argv))

# whole requests to the engine in the process (fuzz_box.inc)
FLOW = open(os.path.join(ROOT, "tests/fixtures/flows/seed000_wait_for_callback.yaml")).read()
API = [
    ("PUT /v1/queues/q", '{"visibility_timeout": 30, "max_receives": 3, "dead_letter_queue": "d"}'),
    ("PUT /v1/queues/d", "{}"),
    ("PUT /v1/queues/f.fifo", '{"fifo": true, "content_dedup": true}'),
    ("POST /v1/queues/q/messages", '{"body": "hello", "priority": 3, "delay_seconds": 0, '
     '"attributes": {"a": {"type": "String", "value": "x"}}}'),
    ("POST /v1/queues/q/messages/batch", '{"entries": [{"id": "1", "body": "a"}, {"id": "2", "body": "b", "priority": 1}]}'),
    ("POST /v1/queues/q/receive", '{"max": 16, "wait_seconds": 0, "visibility_timeout": 5}'),
    ("GET /v1/queues/q/messages?state=all&limit=50", ""),
    ("POST /v1/queues/q/visibility", '{"receipt": "h", "visibility_timeout": 0}'),
    ("POST /v1/queues/q/redrive", '{"to": "q", "ids": ["x"]}'),
    ("GET /v1/queues?prefix=q&limit=2", ""),
    ("PUT /v1/flows/f", None),
    ("POST /v1/flows/validate", '{"definition": "version: v1\\ntype: flow\\nsteps: []"}'),
    ("POST /v1/executions", '{"flow": "f", "name": "e1", "input": {"a": 1}}'),
    ("GET /v1/executions/e1/history?limit=10", ""),
    ("POST /v1/tasks/dG9rZW4/succeed", '{"output": {"ok": true}}'),
    ("PUT /v1/topics/t", '{}'),
    ("PUT /v1/topics/t/subscriptions/s", '{"endpoint": "queue:q", "filter_tag": "x", '
     '"filter_policy": {"store": ["a"]}, "format": "JSON"}'),
    ("POST /v1/topics/t/messages", '{"body": "m", "tag": "x", "attributes": {"store": "a"}}'),
    ("POST /v1/topics/t/explain", '{"body": "m", "attributes": {"store": "b"}}'),
    ("POST /v1/clock", '{"advance": "10s"}'),
    ("GET /v1/journal?entity=queue/q&limit=5", ""),
    ("GET /v1/info", ""),
]
import json as _json
for line, body in API:
    if body is None:
        body = _json.dumps({"definition": FLOW})
    put("fuzz_api", line + "\n" + body)

SQSJ = [
    ("CreateQueue", '{"QueueName": "q", "Attributes": {"VisibilityTimeout": "30"}, "tags": {"a": "b"}}'),
    ("GetQueueUrl", '{"QueueName": "q"}'),
    ("SendMessage", '{"QueueUrl": "http://127.0.0.1/000000000000/q", "MessageBody": "x", '
     '"MessageAttributes": {"a": {"DataType": "String", "StringValue": "v"}, '
     '"b": {"DataType": "Binary", "BinaryValue": "AAE="}}}'),
    ("SendMessageBatch", '{"QueueUrl": "q", "Entries": [{"Id": "1", "MessageBody": "a"}, '
     '{"Id": "2", "MessageBody": "b", "DelaySeconds": 1}]}'),
    ("ReceiveMessage", '{"QueueUrl": "q", "MaxNumberOfMessages": 10, "AttributeNames": ["All"], '
     '"MessageAttributeNames": ["All"]}'),
    ("DeleteMessageBatch", '{"QueueUrl": "q", "Entries": [{"Id": "1", "ReceiptHandle": "h"}]}'),
    ("ChangeMessageVisibility", '{"QueueUrl": "q", "ReceiptHandle": "h", "VisibilityTimeout": 0}'),
    ("SetQueueAttributes", '{"QueueUrl": "q", "Attributes": {"RedrivePolicy": '
     '"{\\"deadLetterTargetArn\\":\\"arn:aws:sqs:us-east-1:000000000000:d\\",\\"maxReceiveCount\\":\\"2\\"}"}}'),
    ("GetQueueAttributes", '{"QueueUrl": "q", "AttributeNames": ["All"]}'),
    ("ListQueues", '{"QueueNamePrefix": "q", "MaxResults": 5}'),
    ("StartMessageMoveTask", '{"SourceArn": "arn:aws:sqs:us-east-1:000000000000:d"}'),
]
for action, body in SQSJ:
    put("fuzz_sqs_json", action + "\n" + body)

MNSR = [
    ("PUT /queues/q", MNS[2]),
    ("POST /queues/q/messages", MNS[0]),
    ("POST /queues/q/messages", MNS[1]),
    ("GET /queues/q/messages?numOfMessages=16&waitseconds=0", ""),
    ("GET /queues/q/messages?peekonly=true&numOfMessages=3", ""),
    ("DELETE /queues/q/messages", MNS[3]),
    ("PUT /queues/q/messages?receiptHandle=h&visibilityTimeout=5", ""),
    ("GET /queues?x-mns-prefix=q", ""),
    ("PUT /topics/t", '<?xml version="1.0"?><Topic><MaximumMessageSize>65536</MaximumMessageSize></Topic>'),
    ("PUT /topics/t/subscriptions/s", MNS[4]),
    ("POST /topics/t/messages", '<?xml version="1.0"?><Message><MessageBody>x</MessageBody>'
     '<MessageTag>t</MessageTag></Message>'),
]
for line, body in MNSR:
    put("fuzz_mns", line + "\n" + body)

from urllib.parse import urlencode
FNF = [
    {"Action": "CreateFlow", "Name": "f", "Definition": FLOW, "Type": "FDL",
     "Description": "d", "RoleArn": "acs:ram::1:role/x"},
    {"Action": "StartExecution", "FlowName": "f", "ExecutionName": "e", "Input": '{"a": 1}'},
    {"Action": "DescribeExecution", "FlowName": "f", "ExecutionName": "e", "WaitTimeSeconds": "0"},
    {"Action": "GetExecutionHistory", "FlowName": "f", "ExecutionName": "e", "Limit": "10"},
    {"Action": "ListExecutions", "FlowName": "f", "Limit": "5", "Status": "Running"},
    {"Action": "ReportTaskSucceeded", "TaskToken": "dG9rZW4", "Output": '{"x": 1}'},
    {"Action": "ReportTaskFailed", "TaskToken": "dG9rZW4", "Error": "E", "Cause": "c"},
    {"Action": "StopExecution", "FlowName": "f", "ExecutionName": "e", "Error": "E"},
    {"Action": "ListFlows", "Limit": "2"},
    {"Action": "UpdateFlow", "Name": "f", "Definition": FLOW},
]
for p in FNF:
    put("fuzz_fnf", urlencode(p))
