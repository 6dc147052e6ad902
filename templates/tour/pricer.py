#!/usr/bin/env python3
"""tour-pricer: the tour flow's task. Prices the items of an order:
{"items": [{"sku", "qty", "price"}]} -> {"total", "itemCount"}.

Errors a flow can retry or catch: print {"errorType", "errorMessage"}
and exit non-zero; the task fails with that errorType.
  simulate "busy"  -> Pricing.Busy (the flow retries it)
  no items         -> Pricing.NoItems (the flow catches it)
"""

import json
import sys


def fail(kind, message):
    print(json.dumps({"errorType": kind, "errorMessage": message}))
    sys.exit(1)


order = json.load(sys.stdin)
if order.get("simulate") == "busy":
    fail("Pricing.Busy", "the pricing service is busy, try again")
items = order.get("items") or []
if not items:
    fail("Pricing.NoItems", "an order needs at least one item")
total = sum(float(i.get("price", 0)) * int(i.get("qty", 1)) for i in items)
sys.stderr.write("priced %d items: %.2f\n" % (len(items), total))
print(json.dumps({"total": round(total, 2), "itemCount": len(items)}))
