#!/usr/bin/env python3
"""The kill -9 soak: a mixed load on a real engine that is killed with
SIGKILL at random moments and restarted on the same data dir, with the
invariants checked after every restart and at the end.

    python3 tests/soak/soak.py [SECONDS] [--threads N] [--kill-min S]
                               [--kill-max S] [--seed N]

SECONDS (default 60) is how long the load runs; then come a last kill and
restart, a drain (callbacks answered, executions and the trigger's queue
left to finish) and the final checks. It uses the engine of
$FLOWDECK_BUILD_DIR (tests/integration/harness.py starts it), only the
Python standard library, prints a table at the end and exits 1 on any
violation (2 on a setup error). `scripts/dev soak [SECONDS]` runs it on
the release build; ctest runs a short one (soak/short) under the
sanitizers; the recorded long run is `scripts/dev soak 600`
(bench/README.md, "Soak").

The load, from several client threads at once (so kills land in the
middle of requests):
- queue sends (single and batches, some delayed, random priorities),
  receives with random visibility timeouts, deletes by receipt and by id,
  visibility changes; one queue has a dead-letter queue (max_receives 3);
- FIFO sends with de-duplication ids; a send whose answer was lost is
  sent again, with the same id, once the engine is back;
- topic publishes fanned out to three queue subscriptions;
- executions of three flows: a wait step; a waitForCallback task whose
  token goes through a queue and is answered (succeed, or fail with an
  error its retry takes) by the soak after a while; a function task
  (tests/soak/handler.py) with a retry on FC.EngineInterrupted;
- sends to a queue that triggers a function (handler.py), which records
  what it processed in a file.

A request whose answer was lost to a kill is "unknown": it may or may not
have happened, and the checks allow both, but never both at once. After
every restart, with the clients paused, and at the end:
- every acknowledged send is present (peeked with state=all), or was
  deleted by an acknowledged or unknown delete, or (trigger queue) was
  processed by the function; an unknown send is present at most once,
  and once seen absent never appears later; a FIFO send sent again
  is stored once (the second answer is a duplicate with the first id);
- no acknowledged delete comes back; nothing refused appears;
- no message is in two places: no id twice across all queues, no body
  twice in a queue (or in a queue and its dead-letter queue);
- a publish is in all three fan-out queues or (unknown) in none;
- every started execution exists, and each running one has a step that
  is running, waiting, sleeping or retrying; at the end all succeeded;
- every task token the soak holds is still waiting and its callback is
  accepted; every waiting task belongs to a running execution;
- the journal has no gaps: its seq numbers are 1..count with the count
  of GET /v1/info, and the records read before a kill are unchanged
  after it; at the end every message seen has journal records and every
  acknowledged delete a `deleted` record.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402

HANDLER = os.path.join(HERE, "handler.py")

Q_A, Q_B, Q_DLQ = "soak-a", "soak-b", "soak-dlq"
Q_TRIG, Q_CB, Q_F = "soak-trig", "soak-cb", "soak-f.fifo"
FAN = ["soak-fan1", "soak-fan2", "soak-fan3"]
TOPIC = "soak-topic"
HOME = {Q_A: Q_A, Q_B: Q_B, Q_DLQ: Q_B, Q_TRIG: Q_TRIG, Q_F: Q_F}
HOME.update({q: q for q in FAN})
TRACKED = [Q_A, Q_B, Q_DLQ, Q_TRIG, Q_F] + FAN  # every message is ours
CONSUMED = [Q_A, Q_B, Q_DLQ, Q_F] + FAN  # the soak receives, deletes


def flow(*lines):
    return "version: v1\ntype: flow\nsteps:\n" + "\n".join(lines) + "\n"


FLOWS = {
    "soak-sleep": flow(
        "  - type: wait", "    name: nap", "    duration: $.secs",
        "  - type: pass", "    name: done"),
    "soak-callback": flow(
        "  - type: task", "    name: ask",
        "    resourceArn: acs:mns:::/queues/%s/messages" % Q_CB,
        "    pattern: waitForCallback",
        "    inputMappings:",
        "      - target: token", "        source: $context.task.token",
        "      - target: n", "        source: $input.n",
        "    serviceParams:", "      MessageBody: $",
        "    timeoutSeconds: 86400",
        "    retry:", "      - errors: [Soak.Flaky]",
        "        intervalSeconds: 1", "        maxAttempts: 3",
        "    catch:", "      - errors: [Soak.Flaky]",
        "        goto: recovered",
        "  - type: wait", "    name: nap", "    duration: 1",
        "  - type: pass", "    name: done", "    end: true",
        "  - type: pass", "    name: recovered"),
    "soak-function": flow(
        "  - type: task", "    name: call",
        "    resourceArn: fn:soak-double",
        "    retry:", "      - errors: [FC.EngineInterrupted]",
        "        intervalSeconds: 1", "        maxAttempts: 8",
        "  - type: wait", "    name: nap", "    duration: 1"),
}


class Unknown(Exception):
    """The request's answer was lost (the engine died under it)."""


class Rec:
    """One message the soak sent (or published into one fan-out queue)."""
    __slots__ = ("home", "body", "status", "id", "deleted", "deleted_at",
                 "absent", "processed")

    def __init__(self, home, body):
        self.home, self.body = home, body
        self.status = "pending"  # acked | unknown | failed | committed
        self.id = None
        self.deleted = "no"  # acked | unknown | lost (reported)
        self.deleted_at = None  # time.monotonic() when it became "acked"
        self.absent = False  # an unknown send seen absent after a restart
        self.processed = False  # by the trigger's function


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.eng = harness.Engine()
        self.processed_path = os.path.join(self.eng.data_dir,
                                           "processed.txt")
        self.lock = threading.Lock()
        self.seq = itertools.count(1)
        self.recs = {}  # (home, body) -> Rec
        self.pubs = {}  # body -> [Rec] (one per fan-out queue)
        self.known = []  # Recs with an id, for deletes by id
        self.receipts = []  # (queue, receipt, body)
        self.fifo_retry = []  # FIFO sends whose answer was lost
        self.execs = {}  # name -> {"flow", "start", "done"}
        self.tokens = {}  # token -> [state, since]: held|busy|unknown|done
        self.ops = {}  # kind -> [ok, unknown, refused]
        self.violations = []
        self.checks = 0  # single invariant checks made
        self.rounds = 0  # check rounds (after each restart, at the end)
        self.kills = 0
        self.sabotaged = False
        self.restarts = 0
        self.journal = {}  # seq -> (kind, id, type) of the last window
        self.journal_max = 0
        self.journal_msgs = set()  # message ids with journal records
        self.journal_deleted = set()  # message ids journaled as deleted
        # clients run while `running` is set; parked counts those waiting
        self.running = threading.Event()
        self.stop = False
        self.cond = threading.Condition()
        self.parked = 0

    # -- requests --
    def call(self, method, path, body=None, timeout=15):
        try:
            return self.eng.request(method, path, body, timeout=timeout)
        except (OSError, http.client.HTTPException, ValueError) as ex:
            raise Unknown(str(ex))

    def must(self, method, path, body=None, status=(200,)):
        """A request of the checks or set-up: it must succeed."""
        got, j = self.call(method, path, body, timeout=60)
        if got not in status:
            raise RuntimeError("%s %s: %s %s" % (method, path, got, j))
        return j

    def count(self, kind, outcome):
        with self.lock:
            c = self.ops.setdefault(kind, [0, 0, 0])
            c[{"ok": 0, "unknown": 1, "refused": 2}[outcome]] += 1

    def violation(self, what):
        with self.lock:
            self.violations.append(what)
        print("VIOLATION: %s" % what, flush=True)

    def check(self, ok, what):
        with self.lock:
            self.checks += 1
        if not ok:
            self.violation(what)

    # -- set-up --
    def setup(self):
        for q in FAN + [Q_A, Q_DLQ, Q_CB]:
            self.must("POST", "/v1/queues", {"name": q,
                                             "visibility_timeout": 4},
                      (201,))
        self.must("POST", "/v1/queues", {
            "name": Q_B, "visibility_timeout": 3,
            "dead_letter_queue": Q_DLQ, "max_receives": 3}, (201,))
        self.must("POST", "/v1/queues", {"name": Q_F, "fifo": True,
                                         "visibility_timeout": 3}, (201,))
        self.must("POST", "/v1/queues", {"name": Q_TRIG,
                                         "visibility_timeout": 5}, (201,))
        self.must("POST", "/v1/topics", {"name": TOPIC}, (201,))
        for i, q in enumerate(FAN):
            self.must("POST", "/v1/topics/%s/subscriptions" % TOPIC, {
                "name": "s%d" % i, "endpoint": "queue:" + q,
                "format": "SIMPLIFIED"}, (201,))
        cmd = [sys.executable, HANDLER]
        env = {"SOAK_PROCESSED": self.processed_path}
        for name in ("soak-double", "soak-trigger"):
            self.must("POST", "/v1/functions", {
                "name": name, "command": cmd, "env": env,
                "timeout_seconds": 60}, (201,))
        self.must("POST", "/v1/functions/soak-trigger/triggers", {
            "queue": Q_TRIG, "batch_size": 5, "max_concurrency": 2},
            (201,))
        for name, text in FLOWS.items():
            self.must("POST", "/v1/flows", {"name": name,
                                            "definition": text}, (201,))

    # -- the load --
    def new_rec(self, queue, body):
        rec = Rec(HOME[queue], body)
        with self.lock:
            self.recs[(rec.home, body)] = rec
        return rec

    def acked(self, rec, msg_id):
        with self.lock:
            if rec.status != "failed":
                rec.status = "acked"
            rec.id = msg_id
            self.known.append(rec)

    def op_send(self, queue=None):
        queue = queue or self.rng.choice([Q_A, Q_B, Q_TRIG])
        rec = self.new_rec(queue, "m%d" % next(self.seq))
        body = {"body": rec.body, "priority": self.rng.randint(1, 16)}
        if self.rng.random() < 0.15:
            body["delay_seconds"] = self.rng.randint(1, 2)
        try:
            got, j = self.call("POST", "/v1/queues/%s/messages" % queue,
                               body)
        except Unknown:
            rec.status = "unknown"
            return "unknown"
        if got != 201:
            rec.status = "failed"
            self.violation("send to %s refused: %s %s" % (queue, got, j))
            return "refused"
        self.acked(rec, j["id"])
        return "ok"

    def op_send_fifo(self, rec=None):
        """A FIFO send with a de-duplication id; one whose answer was lost
        is sent again after the restart (fifo_retry): it must not be
        stored twice."""
        if rec is None:
            rec = self.new_rec(Q_F, "f%d" % next(self.seq))
        body = {"body": rec.body, "group_id": "g%d" % self.rng.randint(0, 3),
                "dedup_id": rec.body}
        try:
            got, j = self.call("POST", "/v1/queues/%s/messages" % Q_F, body)
        except Unknown:
            with self.lock:
                if rec.status == "pending":
                    rec.status = "unknown"
                self.fifo_retry.append(rec)
            return "unknown"
        if got != 201:
            self.violation("send to %s refused: %s %s" % (Q_F, got, j))
            return "refused"
        self.check(rec.id in (None, j["id"]), "FIFO send of %s again: id %s"
                   ", it was %s (duplicate %s)" % (rec.body, j["id"], rec.id,
                                                   j.get("duplicate")))
        self.check(not (rec.absent and j.get("duplicate")),
                   "FIFO send of %s again is a duplicate of a message a "
                   "restart found absent" % rec.body)
        rec.absent = False  # sent again: it may be there from now on
        if rec.id is None:
            self.acked(rec, j["id"])
        else:
            rec.status = "acked"
        return "ok"

    def op_fifo_retry(self):
        with self.lock:
            if not self.fifo_retry:
                return None
            rec = self.fifo_retry.pop(0)
        return self.op_send_fifo(rec)

    def op_send_batch(self):
        queue = self.rng.choice([Q_A, Q_B, Q_TRIG])
        recs = [self.new_rec(queue, "m%d" % next(self.seq))
                for _ in range(self.rng.randint(2, 5))]
        entries = [{"id": "e%d" % i, "body": r.body}
                   for i, r in enumerate(recs)]
        try:
            got, j = self.call("POST", "/v1/queues/%s/messages/batch" % queue,
                               {"entries": entries})
        except Unknown:
            for r in recs:
                r.status = "unknown"
            return "unknown"
        if got != 200 or j["failed"]:
            for r in recs:
                r.status = "unknown"  # some may be in: the checks decide
            self.violation("batch send to %s refused: %s %s" % (queue, got,
                                                                  j))
            return "refused"
        for s in j["successful"]:
            self.acked(recs[int(s["entry_id"][1:])], s["id"])
        return "ok"

    def op_publish(self):
        body = "p%d" % next(self.seq)
        recs = [self.new_rec(q, body) for q in FAN]
        with self.lock:
            self.pubs[body] = recs
        try:
            got, j = self.call("POST", "/v1/topics/%s/messages" % TOPIC,
                               {"body": body})
        except Unknown:
            for r in recs:
                r.status = "unknown"
            return "unknown"
        if got != 201:
            for r in recs:
                r.status = "failed"
            self.violation("publish refused: %s %s" % (got, j))
            return "refused"
        self.check(len(j.get("deliveries", [])) == len(FAN),
                   "publish %s fanned out to %s" % (body,
                                                    j.get("deliveries")))
        with self.lock:
            for r in recs:
                if r.status != "failed":
                    r.status = "acked"
        return "ok"

    def mark_deleted(self, rec):
        """Book an acknowledged delete of rec (under self.lock)."""
        if rec.deleted != "acked":
            rec.deleted, rec.deleted_at = "acked", time.monotonic()

    def seen(self, queue, m, how, asked):
        """A message the engine showed us (received or peeked) in the
        answer to a request sent at time.monotonic() `asked`. A delete
        acknowledged while that request was on its way may have been
        applied after it: only one acknowledged before it was sent
        rules the message out."""
        rec = self.recs.get((HOME[queue], m["body"]))
        self.check(rec is not None, "%s: %s %s in %s that was never sent" % (
            how, m["id"], m["body"], queue))
        if rec is None:
            return None
        self.check(rec.status != "failed", "%s: refused send %s in %s" % (
            how, m["body"], queue))
        self.check(rec.deleted != "acked" or rec.deleted_at > asked,
                   "%s: %s (%s) in %s came back after an acknowledged "
                   "delete" % (how, m["body"], m["id"], queue))
        self.check(not rec.absent, "%s: %s in %s appeared after a restart "
                   "found it absent" % (how, m["body"], queue))
        self.check(rec.id in (None, m["id"]),
                   "%s: %s in %s has id %s, sent as %s" % (
                       how, m["body"], queue, m["id"], rec.id))
        with self.lock:
            if rec.id is None:
                rec.id = m["id"]
                self.known.append(rec)
            if rec.status in ("unknown", "pending"):
                rec.status = "committed"
        return rec

    def op_receive(self):
        queue = self.rng.choice(CONSUMED)
        asked = time.monotonic()
        try:
            got, j = self.call("POST", "/v1/queues/%s/receive" % queue, {
                "max": self.rng.randint(1, 5),
                "visibility_timeout": self.rng.randint(1, 6),
                "wait_seconds": self.rng.choice([0, 0, 1])})
        except Unknown:
            return "unknown"
        if got != 200:
            self.violation("receive from %s: %s %s" % (queue, got, j))
            return "refused"
        for m in j["messages"]:
            if self.seen(queue, m, "receive", asked) is None:
                continue
            with self.lock:
                self.receipts.append((queue, m["receipt"], m["body"]))
                del self.receipts[:-300]
        return "ok"

    def take_receipt(self, pop):
        with self.lock:
            if not self.receipts:
                return None
            i = self.rng.randrange(len(self.receipts))
            return self.receipts.pop(i) if pop else self.receipts[i]

    def op_delete(self):
        r = self.take_receipt(pop=True)
        if r is None:
            return None
        queue, receipt, body = r
        rec = self.recs[(HOME[queue], body)]
        # 410: a later receive made the handle stale
        return self.settle_delete(rec, 410, "delete in %s" % queue, "POST",
                                  "/v1/queues/%s/delete" % queue,
                                  {"receipt": receipt})

    def settle_delete(self, rec, refused, what, method, path, body=None):
        """Send a delete of rec and book its outcome: "ok" (acknowledged),
        "unknown" (no answer) or "refused" (the status `refused`; any
        other is a violation)."""
        try:
            got, j = self.call(method, path, body)
        except Unknown:
            with self.lock:
                if rec.deleted != "acked":
                    rec.deleted = "unknown"
            return "unknown"
        if got == 204:
            with self.lock:
                self.mark_deleted(rec)
            return "ok"
        if got != refused:
            self.violation("%s: %s %s" % (what, got, j))
        return "refused"

    def op_delete_id(self):
        with self.lock:
            cands = [r for r in self.known[-500:]
                     if r.home in CONSUMED and r.deleted == "no"]
            if not cands:
                return None
            rec = self.rng.choice(cands)
        # 404: gone already, or in the dead-letter queue
        return self.settle_delete(rec, 404, "delete by id in %s" % rec.home,
                                  "DELETE", "/v1/queues/%s/messages/%s" % (
                                      rec.home, rec.id))

    def op_visibility(self):
        r = self.take_receipt(pop=False)
        if r is None:
            return None
        queue, receipt, _ = r
        try:
            got, j = self.call("POST", "/v1/queues/%s/visibility" % queue, {
                "receipt": receipt,
                "visibility_timeout": self.rng.randint(0, 5)})
        except Unknown:
            return "unknown"
        if got == 200:
            return "ok"
        if got != 410:
            self.violation("visibility in %s: %s %s" % (queue, got, j))
        return "refused"

    def op_start(self):
        name = "x%d" % next(self.seq)
        fl = self.rng.choice(["soak-sleep", "soak-callback",
                              "soak-callback", "soak-function"])
        inp = {"secs": self.rng.randint(1, 3), "n": self.rng.randint(1, 99)}
        with self.lock:
            self.execs[name] = {"flow": fl, "start": "pending",
                                "done": False}
        try:
            got, j = self.call("POST", "/v1/executions", {
                "flow": fl, "name": name, "input": inp})
        except Unknown:
            self.execs[name]["start"] = "unknown"
            return "unknown"
        if got != 201:
            self.execs[name]["start"] = "failed"
            self.violation("start %s of %s: %s %s" % (name, fl, got, j))
            return "refused"
        self.execs[name]["start"] = "acked"
        return "ok"

    def op_cb_receive(self):
        try:
            got, j = self.call("POST", "/v1/queues/%s/receive" % Q_CB, {
                "max": 10, "visibility_timeout": 3})
        except Unknown:
            return "unknown"
        if got != 200:
            self.violation("receive from %s: %s %s" % (Q_CB, got, j))
            return "refused"
        now = time.time()
        with self.lock:
            for m in j["messages"]:
                token = json.loads(m["body"])["token"]
                self.tokens.setdefault(token, ["held", now])
        if j["messages"]:
            try:
                self.call("POST", "/v1/queues/%s/delete" % Q_CB, {
                    "receipts": [m["receipt"] for m in j["messages"]]})
            except Unknown:
                pass
        return "ok"

    def answer(self, token, fail):
        """Returns: the status, or None when the answer was lost."""
        if fail:
            path, body = "fail", {"error": "Soak.Flaky", "cause": "soak"}
        else:
            path, body = "succeed", {"output": {"answered": True}}
        try:
            got, _ = self.call("POST", "/v1/tasks/%s/%s" % (token, path),
                               body)
        except Unknown:
            return None
        return got

    def op_cb_answer(self):
        now = time.time()
        with self.lock:
            cands = [t for t, (st, since) in self.tokens.items()
                     if st == "unknown" or (st == "held" and
                                            now - since > 0.5)]
            if not cands:
                return None
            token = self.rng.choice(cands)
            before = self.tokens[token][0]
            self.tokens[token][0] = "busy"
        got = self.answer(token, self.rng.random() < 0.25)
        with self.lock:
            if got is None:
                self.tokens[token][0] = "unknown"
                return "unknown"
            self.tokens[token][0] = "done"
        if got == 200:
            return "ok"
        if before == "held":
            self.violation("callback for waiting token %s: %s" % (token,
                                                                   got))
        return "refused"

    OPS = [("send", 18), ("send_batch", 5), ("publish", 8),
           ("receive", 14), ("delete", 9), ("delete_id", 3),
           ("visibility", 5), ("start", 7), ("cb_receive", 6),
           ("cb_answer", 8), ("send_trigger", 5), ("send_fifo", 5),
           ("fifo_retry", 3)]

    def client(self):
        kinds = [k for k, _ in self.OPS]
        weights = [w for _, w in self.OPS]
        while True:
            if not self.running.is_set():
                with self.cond:
                    self.parked += 1
                    self.cond.notify_all()
                self.running.wait()
                with self.cond:
                    self.parked -= 1
            if self.stop:
                return
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "send_trigger":
                outcome = self.op_send(Q_TRIG)
            else:
                outcome = getattr(self, "op_" + kind)()
            if outcome:
                self.count(kind, outcome)
            if outcome == "unknown" and self.running.is_set():
                time.sleep(0.05)

    def wait_parked(self, n):
        with self.cond:
            self.cond.wait_for(lambda: self.parked == n, timeout=120)
            if self.parked != n:
                raise RuntimeError("clients did not stop")

    # -- the checks --
    def peek_all(self, queue):
        items, cursor = [], None
        while True:
            path = "/v1/queues/%s/messages?state=all&limit=1000" % queue
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            j = self.must("GET", path)
            items += j["items"]
            cursor = j.get("next")
            if not cursor:
                return items

    def processed(self):
        done = {}
        try:
            with open(self.processed_path) as f:
                for line in f:
                    if line.endswith("\n"):
                        mid, body = line.split()
                        done.setdefault(body, mid)
        except FileNotFoundError:
            pass
        return done

    def check_messages(self, final=False):
        where = {}  # (home, body) -> [(queue, id)]
        ids = {}
        asked = time.monotonic()
        for q in TRACKED:
            for m in self.peek_all(q):
                self.checks += 1
                if m["id"] in ids:
                    self.violation("message %s is in %s and in %s" % (
                        m["id"], ids[m["id"]], q))
                ids[m["id"]] = q
                where.setdefault((HOME[q], m["body"]), []).append(
                    (q, m["id"]))
                self.seen(q, m, "peek", asked)
        done = self.processed()  # read after the peeks: see processed()
        for body, mid in done.items():
            rec = self.recs.get((Q_TRIG, body))
            self.check(rec is not None and rec.status != "failed",
                       "the trigger processed %s (%s), never sent" % (
                           body, mid))
            if rec:
                rec.processed = True
                if rec.status in ("unknown", "pending"):
                    rec.status = "committed"
        for key, places in where.items():
            self.check(len(places) == 1, "%s is in %d places: %s" % (
                key[1], len(places), places))
        for key, rec in list(self.recs.items()):
            self.checks += 1
            if key in where or rec.processed:
                continue
            if rec.deleted != "no":
                self.mark_deleted(rec)  # it is gone for good
                continue
            if rec.status in ("acked", "committed"):
                if rec.home == Q_TRIG and not final:
                    # taken by the function after the peek, perhaps not
                    # yet in the file: the final check decides
                    continue
                self.violation("lost: %s %s (%s) sent to %s" % (
                    rec.status, rec.body, rec.id, rec.home))
                rec.deleted = "lost"  # report it once
            elif rec.status == "unknown":
                rec.absent = True
        for body, recs in self.pubs.items():
            there = [r for r in recs if (r.home, body) in where or
                     r.deleted != "no"]
            self.check(len(there) in (0, len(FAN)),
                       "publish %s is in %s only" % (
                           body, [r.home for r in there]))
        return ids

    def check_execs(self, final=False):
        running = set()
        for name, x in list(self.execs.items()):
            if x["done"] or x["start"] == "failed":
                continue
            got, j = self.call("GET", "/v1/executions/" + name, timeout=60)
            self.checks += 1
            if got == 404:
                if x["start"] == "acked":
                    self.violation("execution %s (%s) is lost" % (
                        name, x["flow"]))
                x["done"] = True  # an unknown start that did not happen
                continue
            if got != 200:
                raise RuntimeError("GET execution %s: %s %s" % (name, got,
                                                                 j))
            x["start"] = "acked"
            if j["status"] == "Running":
                running.add(name)
                self.check(len(j["current"]) > 0,
                           "execution %s is running with nothing to do: %s"
                           % (name, j))
                if final:
                    self.violation("execution %s never finished: %s" % (
                        name, j["current"]))
                continue
            x["done"] = True
            self.check(j["status"] == "Succeeded", "execution %s (%s) "
                       "ended %s: %s %s" % (name, x["flow"], j["status"],
                                            j.get("error"), j.get("cause")))
        return running

    def check_tokens(self, running):
        # every task waiting belongs to a running execution
        cursor = None
        while True:
            path = "/v1/tasks?status=waiting&limit=1000"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            j = self.must("GET", path)
            for t in j["items"]:
                self.check(t["execution"] in running,
                           "task %s waits in execution %s, not running" % (
                               t["token"][:16], t["execution"]))
            cursor = j.get("next")
            if not cursor:
                break
        # every token held is still waiting and takes its callback
        for token, st in list(self.tokens.items()):
            if st[0] not in ("held", "unknown"):
                continue
            got, j = self.call("GET", "/v1/tasks/" + token, timeout=60)
            self.checks += 1
            if st[0] == "held":
                self.check(got == 200 and j["status"] == "waiting",
                           "held token %s is not waiting: %s %s" % (
                               token[:16], got, j))
            if got != 200 or j["status"] != "waiting":
                st[0] = "done"
                continue
            got = self.answer(token, False)
            self.check(got == 200, "waiting token %s refused its callback "
                       "after a restart: %s" % (token[:16], got))
            st[0] = "done"

    def read_journal(self, after):
        items, cursor = [], str(after)
        while True:
            j = self.must("GET", "/v1/journal?order=asc&limit=1000&cursor="
                          + cursor)
            items += j["items"]
            cursor = j.get("next")
            if not cursor:
                return items

    def check_journal(self, full=False):
        start = 0 if full else max(0, self.journal_max - 500)
        items = self.read_journal(start)
        # the count lies between two reads of the last seq (only the
        # engine's own work, no client, adds records meanwhile)
        first_last = items[-1]["seq"] if items else start
        count = self.must("GET", "/v1/info")["counts"]["journal"]
        items += self.read_journal(first_last)
        seqs = [r["seq"] for r in items]
        self.check(seqs == list(range(start + 1, start + 1 + len(seqs))),
                   "the journal's seqs after %d are not contiguous: %s" % (
                       start, [(a, b) for a, b in zip(seqs, seqs[1:])
                               if b != a + 1][:5]))
        last = seqs[-1] if seqs else start
        self.check(first_last <= count <= last, "the journal counts %d "
                   "records, its last seq is %d" % (count, last))
        self.check(last >= self.journal_max, "the journal ends at %d, it "
                   "ended at %d before the kill" % (last, self.journal_max))
        window = {}
        for r in items:
            rec = (r["kind"], r["id"], r["type"])
            old = self.journal.get(r["seq"])
            self.checks += 1
            if old is not None and old != rec:
                self.violation("journal record %d was %s, is %s" % (
                    r["seq"], old, rec))
            if r["seq"] > last - 600:
                window[r["seq"]] = rec
            if r["kind"] == "message":
                self.journal_msgs.add(r["id"])
                if r["type"] == "deleted":
                    self.journal_deleted.add(r["id"])
        self.journal = window
        self.journal_max = max(self.journal_max, last)

    def check_all(self, final=False):
        self.rounds += 1
        ids = self.check_messages(final)
        running = self.check_execs(final)
        self.check_tokens(running)
        self.check_journal(full=final)
        if final:
            for mid in ids:
                self.check(mid in self.journal_msgs,
                           "message %s has no journal record" % mid)
            for rec in self.recs.values():
                if rec.deleted == "acked" and rec.id and not rec.processed:
                    self.check(rec.id in self.journal_deleted,
                               "deleted message %s (%s) has no 'deleted' "
                               "journal record" % (rec.id, rec.body))

    # -- kills --
    def kill_and_restart(self, n=None):
        """Kill the engine (as the clients go on: n of them, who park at
        their next operation) and start it again on the same data dir."""
        self.running.clear()
        if self.eng.proc.poll() is not None:
            self.violation("the engine died by itself (exit %s): %s" % (
                self.eng.proc.returncode, self.eng.stderr_tail(20)))
            self.eng.proc.stdout.close()
        else:
            self.eng.kill9()
            self.kills += 1
        if n:
            self.wait_parked(n)
        if self.args.sabotage and self.kills == 2:
            self.sabotage_store()
        self.eng.start()
        self.restarts += 1

    def drain(self, limit):
        """Answer every callback and wait until the executions finished
        and the trigger's queue is empty."""
        deadline = time.time() + limit
        while self.fifo_retry and time.time() < deadline:
            self.op_fifo_retry()
        while time.time() < deadline:
            self.op_cb_receive()
            for token, st in list(self.tokens.items()):
                if st[0] in ("held", "unknown"):
                    got = self.answer(token, False)
                    if got is not None:
                        self.check(got == 200 or st[0] == "unknown",
                                   "callback for waiting token %s: %s" % (
                                       token[:16], got))
                        st[0] = "done"
            pending = [n for n, x in self.execs.items()
                       if not x["done"] and x["start"] != "failed"]
            for name in pending:
                got, j = self.call("GET", "/v1/executions/" + name)
                if got == 200 and j["status"] != "Running":
                    self.execs[name]["done"] = True
                    self.checks += 1
                    if j["status"] != "Succeeded":
                        self.violation("execution %s ended %s: %s %s" % (
                            name, j["status"], j.get("error"),
                            j.get("cause")))
                elif got == 404:
                    self.execs[name]["done"] = self.execs[name][
                        "start"] != "acked"
            left = [n for n, x in self.execs.items() if not x["done"]]
            trig = self.must("GET", "/v1/queues/" + Q_TRIG)["counts"]
            if not left and trig["total"] == 0:
                return
            time.sleep(0.3)

    # -- sabotage: proof that the checks can fail --
    SABOTAGE = {
        "a journal record deleted": "the journal counts",
        "an acknowledged message deleted behind the soak's back": "lost:",
        "a message sent twice": "in 2 places",
        "a deleted message sent again": "after an acknowledged delete",
        "a held token answered behind the soak's back": "is not waiting",
    }

    def sabotage_store(self):
        """While the engine is down: a hole in the journal."""
        db = sqlite3.connect(os.path.join(self.eng.data_dir, "flowdeck.db"))
        with db:
            db.execute("DELETE FROM journal_msg WHERE seq = "
                       "(SELECT seq FROM journal_msg LIMIT 1 OFFSET "
                       "(SELECT count(*) / 2 FROM journal_msg))")
        db.close()

    def sabotage_state(self):
        """After the restart, before the checks: what the checks must
        find, done through the API without telling the books."""
        live = [r for r in self.recs.values() if r.home == Q_A and
                r.status == "acked" and r.deleted == "no" and r.id]
        gone = [r for r in self.recs.values() if r.home == Q_A and
                r.deleted == "acked"]
        held = [t for t, st in self.tokens.items() if st[0] == "held"]
        if len(live) < 2 or not gone or not held:
            return False  # at a later kill
        self.must("DELETE", "/v1/queues/%s/messages/%s" % (Q_A, live[0].id),
                  status=(204,))
        for body in (live[1].body, gone[0].body):
            self.must("POST", "/v1/queues/%s/messages" % Q_A,
                      {"body": body}, (201,))
        self.must("POST", "/v1/tasks/%s/succeed" % held[0],
                  {"output": {}})
        return True

    # -- the run --
    def run(self):
        a = self.args
        print("soak: %d s of load, %d clients, kills every %.1f-%.1f s, "
              "seed %d, engine %s, data %s" % (
                  a.seconds, a.threads, a.kill_min, a.kill_max, a.seed,
                  harness.FLOWDECKD, self.eng.data_dir), flush=True)
        self.eng.start()
        self.setup()
        threads = [threading.Thread(target=self.client, daemon=True)
                   for _ in range(a.threads)]
        self.running.set()
        for t in threads:
            t.start()
        t0 = time.time()
        load = a.seconds
        while time.time() - t0 < load:
            time.sleep(min(self.rng.uniform(a.kill_min, a.kill_max),
                           max(0.0, load - (time.time() - t0))))
            if a.sabotage and not self.sabotaged and load < a.seconds + 60:
                # not sabotaged yet: the load goes on a little longer
                load = max(load, time.time() - t0 + a.kill_max + 1)
            if time.time() - t0 < load:
                self.kill_and_restart(len(threads))
                if a.sabotage and self.kills >= 2 and not self.sabotaged:
                    self.sabotaged = self.sabotage_state()
                self.check_all()
                self.running.set()
        # the end: a last kill, then everything is driven to its end
        self.kill_and_restart(len(threads))
        self.check_all()
        self.stop = True
        self.running.set()
        for t in threads:
            t.join()
        self.drain(180)
        self.check_all(final=True)
        try:
            self.eng.stop()
        except harness.EngineError as ex:
            self.violation("the engine did not stop cleanly: %s" % ex)
        return self.report(time.time() - t0)

    def engine_log_counts(self):
        """What the engine's log says its restarts recovered."""
        pats = {"invocations found interrupted": re.compile(
                    r"(\d+) function invocations left running"),
                "function tasks failed over": re.compile(
                    r"(\d+) flow tasks waiting on invocations")}
        got = dict.fromkeys(pats, 0)
        try:
            with open(self.eng.stderr_path, errors="replace") as f:
                for line in f:
                    for what, pat in pats.items():
                        m = pat.search(line)
                        if m:
                            got[what] += int(m.group(1))
        except OSError:
            pass
        return got

    def report(self, elapsed):
        tot = [0, 0, 0]
        print("\nsoak: %.0f s (load %d s), %d clients, seed %d" % (
            elapsed, self.args.seconds, self.args.threads, self.args.seed))
        print("%-14s %9s %9s %9s" % ("operation", "ok", "unknown",
                                     "refused"))
        for kind, _ in self.OPS:
            c = self.ops.get(kind, [0, 0, 0])
            tot = [x + y for x, y in zip(tot, c)]
            print("%-14s %9d %9d %9d" % (kind, c[0], c[1], c[2]))
        print("%-14s %9d %9d %9d" % ("total", tot[0], tot[1], tot[2]))
        execs = sum(1 for x in self.execs.values()
                    if x["start"] == "acked")
        print("%-30s %9d" % ("messages tracked", len(self.recs)))
        print("%-30s %9d" % ("executions (all finished)", execs))
        print("%-30s %9d" % ("task tokens answered", len(self.tokens)))
        print("%-30s %9d" % ("journal records", self.journal_max))
        for what, n in self.engine_log_counts().items():
            print("%-30s %9d" % (what, n))
        print("%-30s %9d" % ("kills (SIGKILL)", self.kills))
        print("%-30s %9d" % ("restarts", self.restarts))
        print("%-30s %9d" % ("check rounds", self.rounds))
        print("%-30s %9d" % ("invariant checks", self.checks))
        print("%-30s %9d" % ("violations", len(self.violations)))
        for v in self.violations[:50]:
            print("  " + v)
        if self.args.sabotage:
            missed = [what for what, says in self.SABOTAGE.items()
                      if not any(says in v for v in self.violations)]
            for what in self.SABOTAGE:
                print("sabotage: %-55s %s" % (
                    what, "MISSED" if what in missed else "found"))
            if not self.sabotaged:
                print("sabotage: the run was too short to sabotage")
                return 1
            shutil.rmtree(self.eng.data_dir, ignore_errors=True)
            return 1 if missed else 0
        if self.violations:
            print("data dir kept: %s" % self.eng.data_dir)
            return 1
        shutil.rmtree(self.eng.data_dir, ignore_errors=True)
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("seconds", nargs="?", type=int, default=60,
                   help="how long the load runs (default 60)")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--kill-min", type=float, default=0.5,
                   help="shortest time between kills, s (default 0.5)")
    p.add_argument("--kill-max", type=float, default=4.0,
                   help="longest time between kills, s (default 4)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--sabotage", action="store_true",
                   help="test the checks: at the second kill, break the "
                   "state (a journal hole, a message lost, one twice, a "
                   "deleted one back, a token answered) behind the soak's "
                   "back; exit 0 only when every break is reported")
    a = p.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    if a.seconds < 1 or a.threads < 1 or not 0 < a.kill_min <= a.kill_max:
        p.error("SECONDS and --threads must be positive, and "
                "0 < --kill-min <= --kill-max")
    s = Soak(a)
    try:
        return s.run()
    except (RuntimeError, Unknown, harness.EngineError) as ex:
        print("soak: stopped: %s (data dir %s)" % (ex, s.eng.data_dir))
        if s.eng.proc and s.eng.proc.poll() is None:
            s.eng.kill9()
        return 2


if __name__ == "__main__":
    sys.exit(main())
