#!/usr/bin/env python3
"""collect-results: the flow's check of the results queue. Peek at it
(nothing is consumed: the results stay for you to look at) and answer
the results of this run's correlation id once all are there; until then
fail with Results.Incomplete, which the flow retries."""

import json
import os
import sys
import urllib.request

inp = json.load(sys.stdin)
cid, expected = inp["correlationId"], int(inp.get("expected") or 1)

headers = {}
if os.environ.get("FLOWDECK_AUTH_TOKEN"):
    headers["Authorization"] = "Bearer " + \
        os.environ["FLOWDECK_AUTH_TOKEN"]
results, cursor = [], None
while True:
    url = "%s/v1/queues/%s/messages?state=all&limit=1000" % (
        os.environ["FLOWDECK_ENDPOINT"], os.environ["RESULTS_QUEUE"])
    if cursor:
        url += "&cursor=" + cursor
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                timeout=10) as resp:
        page = json.loads(resp.read())
    for m in page["items"]:
        try:
            r = json.loads(m["body"])
        except ValueError:
            continue
        if isinstance(r, dict) and r.get("correlationId") == cid:
            results.append(dict(r, messageId=m["id"]))
    cursor = page.get("next")
    if not cursor:
        break

if len(results) < expected:
    print(json.dumps({"errorType": "Results.Incomplete",
                      "errorMessage": "%d of %d results for %s" % (
                          len(results), expected, cid)}))
    sys.exit(1)
results.sort(key=lambda r: r["source"])
print(json.dumps({"results": results}))
