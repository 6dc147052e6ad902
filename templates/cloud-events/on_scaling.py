#!/usr/bin/env python3
"""on-scaling: invoked by the scaling-activity queue trigger. The queue
subscribes to the scaling-events topic with format RAW, so each record's
body is the scaling event itself and its `lifecycle` publish attribute is
a message attribute. New instances are registered with the load
balancer, removed ones drained; the result goes to the results queue."""

import json
import os
import sys
import urllib.request


def send_result(result):
    headers = {"Content-Type": "application/json"}
    if os.environ.get("FLOWDECK_AUTH_TOKEN"):
        headers["Authorization"] = "Bearer " + \
            os.environ["FLOWDECK_AUTH_TOKEN"]
    req = urllib.request.Request(
        "%s/v1/queues/%s/messages" % (os.environ["FLOWDECK_ENDPOINT"],
                                      os.environ["RESULTS_QUEUE"]),
        method="POST", headers=headers,
        data=json.dumps({"body": json.dumps(result)}).encode())
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["id"]


event = json.load(sys.stdin)
for record in event["Records"]:
    ev = json.loads(record["body"])
    lifecycle = (record.get("messageAttributes") or {}).get("lifecycle", {})
    kind = lifecycle.get("value") or lifecycle.get("stringValue") \
        or ev.get("lifecycle")
    action = "register-instances" if kind == "scale-out" else "drain-instances"
    send_result({"correlationId": ev.get("correlationId"),
                 "source": "scaling", "event": kind, "action": action,
                 "detail": {"scalingGroup": ev.get("scalingGroup"),
                            "instances": ev.get("instances", []),
                            "capacity": ev.get("capacity")}})
    sys.stderr.write("%s %s -> %s\n" % (ev.get("scalingGroup"), kind, action))
print(json.dumps({"batchItemFailures": []}))
