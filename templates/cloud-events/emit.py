#!/usr/bin/env python3
"""emit-events: play three cloud products for one demo run.

  object storage  -> topic storage-events   (an upload and a delete)
  monitoring      -> queue alarm-events     (an alert)
  auto scaling    -> topic scaling-events   (a scale-out)

Every event carries a fresh correlation id; the answer says how many
results the consumers should deliver for it. The delete is filtered out
by the storage subscription, so it yields no result.
"""

import json
import os
import sys
import time
import urllib.request
import uuid


def api(method, path, body=None):
    headers = {"Content-Type": "application/json"}
    if os.environ.get("FLOWDECK_AUTH_TOKEN"):
        headers["Authorization"] = "Bearer " + \
            os.environ["FLOWDECK_AUTH_TOKEN"]
    req = urllib.request.Request(os.environ["FLOWDECK_ENDPOINT"] + path,
                                 method=method, headers=headers,
                                 data=None if body is None else
                                 json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def storage_event(name, bucket, key, size, cid):
    return {"events": [{
        "eventName": name, "eventSource": "acs:oss", "eventTime": now(),
        "region": "local", "correlationId": cid,
        "oss": {"bucket": {"name": bucket},
                "object": {"key": key, "size": size}}}]}


inp = json.load(sys.stdin)
cid = str(uuid.uuid4())
bucket = inp.get("bucket", "photos")
emitted = []

# 1. object storage: an upload, and a delete nobody subscribed to
for name, key, size in (("ObjectCreated:PutObject",
                         inp.get("objectKey", "cat.jpg"), inp.get("size", 1)),
                        ("ObjectRemoved:DeleteObject", "tmp/old.log", 0)):
    r = api("POST", "/v1/topics/storage-events/messages", {
        "body": json.dumps(storage_event(name, bucket, key, size, cid)),
        "attributes": {"eventName": name}})
    emitted.append({"to": "topic:storage-events", "event": name,
                    "id": r["id"], "deliveries": len(r["deliveries"])})

# 2. monitoring: an alert into the alarm queue
alert = {"product": "monitoring", "alertName": inp.get("alarm", "cpu-high"),
         "severity": inp.get("severity", "warning"),
         "metric": "cpu_utilization",
         "value": 93.5, "threshold": 80, "instanceId": "i-web-01",
         "time": now(), "correlationId": cid}
r = api("POST", "/v1/queues/alarm-events/messages", {
    "body": json.dumps(alert),
    "attributes": {"severity": {"type": "String",
                                "value": alert["severity"]}}})
emitted.append({"to": "queue:alarm-events", "event": alert["alertName"],
                "id": r["id"]})

# 3. auto scaling: a scale-out, published with its lifecycle attribute
scaling = {"product": "autoscaling", "lifecycle": "scale-out",
           "scalingGroup": inp.get("scalingGroup", "web-asg"),
           "capacity": {"from": 2, "to": 4},
           "instances": ["i-new-01", "i-new-02"], "time": now(),
           "correlationId": cid}
r = api("POST", "/v1/topics/scaling-events/messages", {
    "body": json.dumps(scaling), "attributes": {"lifecycle": "scale-out"}})
emitted.append({"to": "topic:scaling-events", "event": "scale-out",
                "id": r["id"], "deliveries": len(r["deliveries"])})

sys.stderr.write("correlation %s: emitted %d events\n" % (cid, len(emitted)))
print(json.dumps({"correlationId": cid, "expected": 3, "emitted": emitted}))
