#!/usr/bin/env python3
"""process-tasks: invoked by the tasks queue trigger with a batch.

Tasks of version 2 are processed. Version 1 tasks ({"op", "file"}) are
only understood with LEGACY_SUPPORT=on; without it they are reported as
batch item failures: the rest of the batch is deleted, they stay, come
back after the visibility timeout and are dead-lettered after two
receives. Redeploy with --param legacy_support=on and redrive tasks-dlq
to get them processed."""

import json
import os
import sys

legacy = os.environ.get("LEGACY_SUPPORT") == "on"
event = json.load(sys.stdin)
done, failures = [], []
for record in event["Records"]:
    task = json.loads(record["body"])
    count = record["attributes"]["ApproximateReceiveCount"]
    if task.get("version") == 1:
        if not legacy:
            sys.stderr.write("task %s: version 1 not supported (receive %s)\n"
                             % (task.get("id"), count))
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        task = {"id": task["id"], "action": task.get("op"),
                "target": task.get("file")}
    sys.stderr.write("task %s: %s %s done\n" % (task["id"], task["action"],
                                                 task["target"]))
    done.append(task["id"])
print(json.dumps({"processed": done, "batchItemFailures": failures}))
