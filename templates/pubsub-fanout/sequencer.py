#!/usr/bin/env python3
"""sequencer: subscribed to the orders topic (format JSON). Copies each
order event into the order-events.fifo queue with the order id as the
message group, so one order's events are received in the order they
were published, and the topic message id as the de-duplication id, so a
push that is retried cannot add the event twice."""

import json
import os
import sys
import urllib.request

notification = json.load(sys.stdin)
order = json.loads(notification["Message"])
headers = {"Content-Type": "application/json"}
if os.environ.get("FLOWDECK_AUTH_TOKEN"):
    headers["Authorization"] = "Bearer " + \
        os.environ["FLOWDECK_AUTH_TOKEN"]
req = urllib.request.Request(
    os.environ["FLOWDECK_ENDPOINT"] + "/v1/queues/order-events.fifo/messages",
    method="POST", headers=headers, data=json.dumps({
        "body": notification["Message"],
        "group_id": str(order.get("orderId", "none")),
        "dedup_id": notification["MessageId"]}).encode())
with urllib.request.urlopen(req, timeout=10) as resp:
    sent = json.loads(resp.read())
sys.stderr.write("%s %s -> seq %s\n" % (order.get("orderId"),
                                         order.get("event"),
                                         sent.get("sequence")))
print(json.dumps({"messageId": sent["id"], "sequence": sent.get("sequence"),
                  "duplicate": sent.get("duplicate", False)}))
