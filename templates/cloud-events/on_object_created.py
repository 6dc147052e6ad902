#!/usr/bin/env python3
"""on-object-created: invoked by the storage-events topic (format JSON:
the storage event is the text in `Message`). Decide what to do with the
new object and deliver the result to the results queue."""

import json
import os
import sys
import urllib.request

IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


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


notification = json.load(sys.stdin)
sent = []
for ev in json.loads(notification["Message"])["events"]:
    obj = ev["oss"]["object"]
    action = "make-thumbnail" if obj["key"].lower().endswith(IMAGES) \
        else "index-document"
    sent.append(send_result({
        "correlationId": ev.get("correlationId"), "source": "storage",
        "event": ev["eventName"], "action": action,
        "detail": {"bucket": ev["oss"]["bucket"]["name"], "key": obj["key"],
                   "size": obj["size"]}}))
    sys.stderr.write("%s %s -> %s\n" % (ev["eventName"], obj["key"], action))
print(json.dumps({"results": sent}))
