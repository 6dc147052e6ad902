#!/usr/bin/env python3
"""job-worker: invoked by the queue trigger with one job at a time.

Each record's body is the JSON the flow sent: the job and its taskToken.
The worker "does" the job and reports the task through the engine API:
  outcome "success" (or none): POST /v1/tasks/TOKEN/succeed
  outcome "failure":           POST /v1/tasks/TOKEN/fail, Job.Retryable
  outcome "fatal":             POST /v1/tasks/TOKEN/fail, Job.Invalid
A job is deleted from the queue when this process exits 0.
"""

import json
import os
import sys
import urllib.error
import urllib.request

ENDPOINT = os.environ["FLOWDECK_ENDPOINT"]


def call(method, path, body):
    headers = {"Content-Type": "application/json"}
    if os.environ.get("FLOWDECK_AUTH_TOKEN"):
        headers["Authorization"] = "Bearer " + \
            os.environ["FLOWDECK_AUTH_TOKEN"]
    req = urllib.request.Request(ENDPOINT + path, method=method,
                                 data=json.dumps(body).encode(),
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def work(job):
    """The job itself: pretend to resize an image."""
    w = int(job.get("width") or 100)
    return {"image": job.get("image"), "width": w, "height": w * 3 // 4,
            "thumbnail": "thumbs/%s" % job.get("image")}


def handle(job):
    token = job["taskToken"]
    outcome = job.get("outcome") or "success"
    sys.stderr.write("job %s: %s -> %s\n" % (job.get("jobId"),
                                               job.get("action"), outcome))
    try:
        if outcome == "success":
            call("POST", "/v1/tasks/%s/succeed" % token, {"output": {
                "result": work(job), "worker": os.environ.get(
                    "FLOWDECK_INVOCATION", "")}})
        elif outcome == "fatal":
            call("POST", "/v1/tasks/%s/fail" % token, {
                "error": "Job.Invalid",
                "cause": "job %s cannot be done: bad input"
                         % job.get("jobId")})
        else:
            call("POST", "/v1/tasks/%s/fail" % token, {
                "error": "Job.Retryable",
                "cause": "could not open %s" % job.get("image")})
    except urllib.error.HTTPError as e:
        # 409: the task is no longer waiting (timed out, stopped): the job
        # is stale, drop it rather than retrying it for ever.
        if e.code not in (404, 409):
            raise
        sys.stderr.write("task not waiting any more (%s), job dropped\n"
                         % e.code)
    return outcome


event = json.load(sys.stdin)
done = [handle(json.loads(r["body"])) for r in event["Records"]]
print(json.dumps({"handled": done}))
