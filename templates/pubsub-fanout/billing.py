#!/usr/bin/env python3
"""billing-worker-N: one of two competing consumers of the billing queue.

Bills each paid order of the batch. An order whose amount is not above
zero cannot be billed: it is reported in batchItemFailures, so it stays
in the queue, comes back after the visibility timeout, and after three
receives moves to billing-dlq. The others are deleted."""

import json
import os
import sys

worker = os.environ.get("WORKER", "?")
event = json.load(sys.stdin)
billed, failures = [], []
for record in event["Records"]:
    order = json.loads(record["body"])
    receives = record["attributes"]["ApproximateReceiveCount"]
    if not order.get("amount", 0) > 0:
        sys.stderr.write("worker %s: cannot bill %s (amount %s), receive %s\n"
                         % (worker, order.get("orderId"), order.get("amount"),
                            receives))
        failures.append({"itemIdentifier": record["messageId"]})
        continue
    billed.append(order["orderId"])
    sys.stderr.write("worker %s: billed %s %s %s\n" % (
        worker, order["orderId"], order["amount"], order["currency"]))
print(json.dumps({"worker": worker, "billed": billed,
                  "batchItemFailures": failures}))
