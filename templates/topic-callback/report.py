#!/usr/bin/env python3
"""report-task: behind the function's HTTP trigger.

The topic pushes a JSON notification; its `Message` is the body the
flow published: {"messageBody": ..., "taskToken": ...}. Report the task
succeeded with {"status": "success"} and answer 200 OK, so the push
counts as delivered.
"""

import json
import os
import sys
import urllib.request

# {"method", "path", "query", "headers", "body", "isBase64Encoded"}
event = json.load(sys.stdin)
notification = json.loads(event["body"])
message = json.loads(notification["Message"])
token = message["taskToken"]
sys.stderr.write("topic %s, message %s\n" % (notification.get("TopicName"),
                                              notification.get("MessageId")))
sys.stderr.write("origin message body: %s\n" % message.get("messageBody"))

headers = {"Content-Type": "application/json"}
if os.environ.get("FLOWDECK_AUTH_TOKEN"):
    headers["Authorization"] = "Bearer " + \
        os.environ["FLOWDECK_AUTH_TOKEN"]
req = urllib.request.Request(
    "%s/v1/tasks/%s/succeed" % (os.environ["FLOWDECK_ENDPOINT"], token),
    data=json.dumps({"output": {"status": "success"}}).encode(),
    headers=headers, method="POST")
with urllib.request.urlopen(req, timeout=10) as resp:
    sys.stderr.write("report task response: %s\n" % resp.read().decode())

# An answer with a statusCode is the HTTP trigger's response.
print(json.dumps({"statusCode": 200, "headers": {"Content-Type": "text/plain"},
                  "body": "OK"}))
