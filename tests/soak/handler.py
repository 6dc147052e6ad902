#!/usr/bin/env python3
"""The soak's function handler (stdlib only).

Given a queue trigger's batch ({"Records": [...]}), it appends one line
"<messageId> <body>" per message it processed to the file named by
SOAK_PROCESSED (one write per line, O_APPEND, so concurrent handlers do
not interleave) and reports about one message in ten as a batch item
failure (not processed: the message comes back after its visibility
timeout). The soak then knows that a message gone from the trigger's
queue was processed first.

Given anything else (a flow task's input), it answers {"doubled": 2 * n}.
"""

import json
import os
import random
import sys

event = json.load(sys.stdin)
if isinstance(event, dict) and "Records" in event:
    failures, lines = [], []
    for r in event["Records"]:
        if random.random() < 0.1:
            failures.append({"itemIdentifier": r["messageId"]})
        else:
            lines.append("%s %s\n" % (r["messageId"], r["body"]))
    fd = os.open(os.environ["SOAK_PROCESSED"],
                 os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for line in lines:
            os.write(fd, line.encode())
    finally:
        os.close(fd)
    print(json.dumps({"batchItemFailures": failures}))
else:
    n = event.get("n", 0) if isinstance(event, dict) else 0
    print(json.dumps({"doubled": 2 * n}))
