#!/usr/bin/env python3
"""on-alert: invoked by the alarm-events queue trigger with a batch of
alerts. A critical alert pages the on-call engineer, anything else opens
a ticket; each result goes to the results queue. A record that is not an
alert is reported as a batch item failure (it is received again, and
dead-lettered after three receives)."""

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
failures = []
for record in event["Records"]:
    try:
        alert = json.loads(record["body"])
        name = alert["alertName"]
    except (ValueError, KeyError, TypeError):
        failures.append({"itemIdentifier": record["messageId"]})
        continue
    action = "page-on-call" if alert.get("severity") == "critical" \
        else "open-ticket"
    send_result({"correlationId": alert.get("correlationId"),
                 "source": "alert", "event": name, "action": action,
                 "detail": {"severity": alert.get("severity"),
                            "instanceId": alert.get("instanceId"),
                            "value": alert.get("value")}})
    sys.stderr.write("alert %s (%s) -> %s\n" % (name, alert.get("severity"),
                                                 action))
print(json.dumps({"batchItemFailures": failures}))
