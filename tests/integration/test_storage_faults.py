"""Storage faults through the real engine: a disk that fills up while the
engine runs, a data dir that cannot be written, and a database that is
truncated or damaged while no engine runs.

A full disk is made with the engine's file size limit (RLIMIT_FSIZE, set on
the running process with prlimit): past the limit every write fails with
EFBIG, as writes to a full disk fail with ENOSPC, and raising the limit
again is the space coming back. A read-only data dir is a folder the
engine's user cannot write: when the tests run as root (as CI does), the
engine runs as nobody (setpriv), since permissions do not stop root.
"""

import hashlib
import json
import os
import resource
import shutil
import stat
import subprocess
import time
import unittest
import urllib.parse

from harness import Engine, EngineTestCase, base_env, run_engine_cmd

NOBODY = 65534


def set_fsize(eng, limit):
    """Limit the files the engine writes to `limit` bytes (None: no
    limit). A limit of 0 fails every write: a disk with no space left."""
    lim = resource.RLIM_INFINITY if limit is None else limit
    resource.prlimit(eng.proc.pid, resource.RLIMIT_FSIZE,
                     (lim, resource.RLIM_INFINITY))


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class DiskFull(EngineTestCase):
    def setUp(self):
        self.e = self.engine()
        self.addCleanup(self.unlimit)

    def unlimit(self):
        if self.e.proc and self.e.proc.poll() is None:
            set_fsize(self.e, None)

    def send(self, body, queue="jobs"):
        return self.e.request("POST", "/v1/queues/%s/messages" % queue,
                              {"body": body})

    def assert_full(self, status, j):
        self.assertEqual(status, 507, j)
        self.assertEqual(j["code"], "InsufficientStorage", j)
        self.assertIn("is full", j["message"])
        self.assertIn(self.e.data_dir, j["message"])

    def test_writes_refused_reads_served_then_recovers(self):
        e = self.e
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        acked = [e.ok("POST", "/v1/queues/jobs/messages",
                      {"body": "before %d" % i}, status=201)["id"]
                 for i in range(20)]
        got = e.ok("POST", "/v1/queues/jobs/receive", {"max": 2})["messages"]
        self.assertEqual(len(got), 2)

        set_fsize(e, 0)
        for i in range(3):
            self.assert_full(*self.send("while full %d" % i))
        # a receive changes state too: refused, the message stays visible
        self.assert_full(*e.request("POST", "/v1/queues/jobs/receive",
                                    {"max": 1}))
        self.assert_full(*e.request("POST", "/v1/queues", {"name": "new"}))
        # reads are served, and show nothing of the refused writes
        q = e.ok("GET", "/v1/queues/jobs")
        self.assertEqual(q["counts"]["total"], 20)
        self.assertEqual(q["counts"]["in_flight"], 2)
        peek = e.ok("GET", "/v1/queues/jobs/messages?state=all&limit=100")
        ids = [m["id"] for m in peek["items"]]
        self.assertEqual(sorted(ids), sorted(acked))
        self.assertEqual(e.get("/v1/queues/new")[0], 404)
        self.assertEqual(e.get("/healthz")[0], 200)
        e.ok("GET", "/v1/info")

        # space comes back: the next write works, without a restart
        set_fsize(e, None)
        after = e.ok("POST", "/v1/queues/jobs/messages", {"body": "after"},
                     status=201)["id"]
        e.ok("POST", "/v1/queues", {"name": "new"}, status=201)

        # nothing acknowledged was lost, nothing refused was kept
        e.restart()
        peek = e.ok("GET", "/v1/queues/jobs/messages?state=all&limit=100")
        ids = sorted(m["id"] for m in peek["items"])
        self.assertEqual(ids, sorted(acked + [after]))
        bodies = [m["body"] for m in peek["items"]]
        self.assertFalse([b for b in bodies if b.startswith("while full")])

    def test_fills_up_while_sending(self):
        """The disk fills in the middle of a stream of sends: every send
        answered 201 survives a restart, every other one is a 507."""
        e = self.e
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        size = sum(os.path.getsize(os.path.join(e.data_dir, f))
                   for f in ("flowdeck.db", "flowdeck.db-wal")
                   if os.path.exists(os.path.join(e.data_dir, f)))
        # room for a few dozen of these in the WAL, then no more
        set_fsize(e, max(size, 64 << 10) + (600 << 10))
        acked, refused = [], 0
        for i in range(200):
            status, j = self.send("%d:" % i + "x" * 20000)
            if status == 201:
                acked.append(j["id"])
            else:
                self.assert_full(status, j)
                refused += 1
                if refused == 5:
                    break
        self.assertTrue(acked, "no send fitted")
        self.assertEqual(refused, 5, "the disk never filled")
        self.assertEqual(e.ok("GET", "/v1/queues/jobs")["counts"]["total"],
                         len(acked))
        set_fsize(e, None)
        e.restart()
        peek = e.ok("GET", "/v1/queues/jobs/messages?state=all&limit=500")
        self.assertEqual(sorted(m["id"] for m in peek["items"]),
                         sorted(acked))

    def test_background_work_waits_and_retries(self):
        """A timer that comes due on a full disk fails to commit: the
        engine neither spins nor loses it, and fires it once space is
        back."""
        e = self.e
        e.ok("POST", "/v1/timers", {"after": "300ms", "ref": "late"},
             status=201)
        set_fsize(e, 0)
        t0 = cpu_ticks(e.proc.pid)
        time.sleep(2.0)
        spent = cpu_ticks(e.proc.pid) - t0
        # a spinning loop burns about 200 ticks (two seconds) here
        self.assertLess(spent, 50, "the engine spins on a full disk")
        timers = e.ok("GET", "/v1/timers")["items"]
        self.assertEqual([t["ref"] for t in timers], ["late"])
        set_fsize(e, None)
        deadline = time.time() + 10
        while time.time() < deadline and e.ok("GET", "/v1/timers")["items"]:
            time.sleep(0.05)
        self.assertEqual(e.ok("GET", "/v1/timers")["items"], [])
        notes = e.ok("GET", "/v1/journal?kind=timer")["items"]
        self.assertEqual([n["id"] for n in notes
                          if n["type"] == "note"], ["late"])

    def test_wire_protocols_refuse_in_their_own_shape(self):
        """A wire protocol's write whose commit fails on the full disk is
        refused in that protocol's error shape, under the request id its
        answer carries, not in the engine API's."""
        e = self.e
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        e.ok("POST", "/v1/topics", {"name": "news"}, status=201)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        queue_url = "%s/000000000000/jobs" % e.url
        set_fsize(e, 0)

        # SQS, query protocol: an XML ErrorResponse
        got, h, text = e.raw("POST", "/", "Action=SendMessage&Version="
                             "2012-11-05&QueueUrl=%s&MessageBody=x" %
                             urllib.parse.quote(queue_url, safe=""), form)
        self.assertGreaterEqual(got, 500, text)
        self.assertIn(b"<ErrorResponse", text)
        self.assertIn(b"is full", text)
        self.assertIn(b"<RequestId>%s</RequestId>" %
                      h["x-amzn-requestid"].encode(), text)
        self.assertIn("x-amzn-query-error", h)

        # SQS, JSON protocol: a __type and a message
        got, h, text = e.raw("POST", "/", json.dumps(
            {"QueueUrl": queue_url, "MessageBody": "x"}),
            {"X-Amz-Target": "AmazonSQS.SendMessage",
             "Content-Type": "application/x-amz-json-1.0"})
        self.assertGreaterEqual(got, 500, text)
        j = json.loads(text)
        self.assertIn("__type", j)
        self.assertIn("is full", j["message"])
        self.assertNotIn("code", j)
        self.assertTrue(h["x-amzn-requestid"])

        # SNS: an XML ErrorResponse
        got, h, text = e.raw("POST", "/", "Action=Publish&Version=2010-03-31"
                             "&Message=x&TopicArn=arn%3Aaws%3Asns%3Aus-east-"
                             "1%3A000000000000%3Anews", form)
        self.assertGreaterEqual(got, 500, text)
        self.assertIn(b"<ErrorResponse", text)
        self.assertIn(b"is full", text)

        # MNS: an XML Error with its request id
        got, h, text = e.raw(
            "POST", "/queues/jobs/messages",
            '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://'
            'mns.aliyuncs.com/doc/v1/"><MessageBody>x</MessageBody>'
            '</Message>',
            {"Content-Type": "text/xml", "x-mns-version": "2015-06-06"})
        self.assertGreaterEqual(got, 500, text)
        self.assertIn(b"<Error", text)
        self.assertIn(b"<Code>", text)
        self.assertIn(b"<RequestId>%s</RequestId>" %
                      h["x-mns-request-id"].encode(), text)

        # the engine API keeps its own
        self.assert_full(*self.send("x"))
        set_fsize(e, None)
        self.assertEqual(e.ok("GET", "/v1/queues/jobs")["counts"]["total"], 0)


def page_size(path):
    """The page size a database file (or its WAL) says it has."""
    with open(path, "rb") as f:
        head = f.read(32)
    if path.endswith("-wal"):
        return int.from_bytes(head[8:12], "big")
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Damaged(EngineTestCase):
    """A database damaged while no engine ran: the engine says which file
    and what is wrong, exits non-zero, and leaves the file as it was."""

    def make(self, kill=False, n=300):
        e = self.engine()
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        for i in range(n):
            e.ok("POST", "/v1/queues/jobs/messages",
                 {"body": "%d " % i + "y" * 400}, status=201)
        if kill:
            e.kill9()
        else:
            e.stop()
        self.db = os.path.join(e.data_dir, "flowdeck.db")
        return e

    def refused(self, e, *words, path=None):
        path = path or self.db
        before = digest(path)
        r = run_engine_cmd(["--foreground", "--listen", "127.0.0.1:0",
                            "--data-dir", e.data_dir], timeout=30)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertNotIn("listening", r.stdout)
        self.assertIn(path, r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertIn("leaves the file as it is", r.stderr)
        self.assertEqual(digest(path), before, "the file was changed")
        return r

    def test_truncated_to_half(self):
        e = self.make()
        ps = page_size(self.db)
        os.truncate(self.db, os.path.getsize(self.db) // 2)
        self.refused(e, "is truncated", "pages of %d bytes" % ps)

    def test_truncated_to_nothing(self):
        e = self.make()
        os.truncate(self.db, 0)
        self.refused(e, "is empty", "truncated")

    def test_garbage_page_in_the_middle(self):
        e = self.make()
        ps = page_size(self.db)
        pages = os.path.getsize(self.db) // ps
        with open(self.db, "r+b") as f:
            f.seek(pages // 2 * ps)
            f.write(b"\xa5" * ps)
        self.refused(e, "is damaged", "quick_check")

    def test_garbage_header(self):
        e = self.make()
        with open(self.db, "r+b") as f:
            f.write(b"not a database at all, really" * 3)
        self.refused(e, "does not begin with a database header")

    def test_corrupt_wal_frame(self):
        e = self.make(kill=True, n=30)
        wal = self.db + "-wal"
        size, ps = os.path.getsize(wal), page_size(wal)
        self.assertGreater(size, 32 + 3 * (24 + ps), "no WAL to damage")
        with open(wal, "r+b") as f:  # the page of the second frame
            f.seek(32 + (24 + ps) + 24 + 1000)
            f.write(b"\x5a" * 200)
        self.refused(e, "frame 2 fails its checksum",
                     "committed transactions follow", path=wal)

    def test_corrupt_wal_header(self):
        e = self.make(kill=True, n=30)
        wal = self.db + "-wal"
        with open(wal, "r+b") as f:
            f.seek(12)
            f.write(b"\x01\x02\x03\x04")
        self.refused(e, "damaged header", "would be lost", path=wal)

    def test_whole_files_start_and_keep_everything(self):
        """The checks pass a sound database: after a clean stop, after
        kill -9 (the WAL replayed), and after a copy of the data dir (no
        seal matches: every page is read)."""
        e = self.make(kill=True, n=50)
        e.start()
        self.assertEqual(e.ok("GET", "/v1/queues/jobs")["counts"]["total"], 50)
        e.stop()
        copy = e.data_dir + "-copy"
        shutil.copytree(e.data_dir, copy)
        self.addCleanup(shutil.rmtree, copy, True)
        os.unlink(os.path.join(copy, "engine.stderr"))
        c = self.engine(data_dir=copy)
        self.assertEqual(c.ok("GET", "/v1/queues/jobs")["counts"]["total"], 50)
        with open(os.path.join(copy, "engine.log")) as f:
            self.assertIn("pages read back whole", f.read())


def chmod_tree(top, write):
    """Make the data dir `top` read-only (write False) for everyone, or
    writable by its owner again."""
    for root, dirs, files in os.walk(top):
        for name in dirs + files + [None]:
            path = root if name is None else os.path.join(root, name)
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            if write:
                mode |= stat.S_IWUSR
            else:
                mode &= ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                mode |= stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                if stat.S_ISDIR(mode):
                    mode |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
            os.chmod(path, mode)


class ReadOnlyEngine(Engine):
    """An engine that cannot write its data dir: as root, it runs as
    nobody, since permissions do not stop root."""

    def argv(self):
        argv = super().argv()
        if os.geteuid() == 0:
            argv = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                    "--clear-groups"] + argv
        return argv


class ReadOnly(EngineTestCase):
    def make(self, kill=False):
        e = self.engine()
        e.ok("POST", "/v1/queues", {"name": "jobs"}, status=201)
        self.ids = [e.ok("POST", "/v1/queues/jobs/messages",
                         {"body": "m%d" % i}, status=201)["id"]
                    for i in range(5)]
        e.ok("POST", "/v1/timers", {"after": "400ms", "ref": "later"},
             status=201)
        if kill:
            e.kill9()
        else:
            e.stop()
        chmod_tree(e.data_dir, False)
        self.addCleanup(chmod_tree, e.data_dir, True)
        return e

    def test_serves_reads_refuses_writes(self):
        w = self.make()
        e = ReadOnlyEngine(data_dir=w.data_dir).start()
        self.addCleanup(self._finish, e)
        q = e.ok("GET", "/v1/queues/jobs")
        self.assertEqual(q["counts"]["total"], 5)
        peek = e.ok("GET", "/v1/queues/jobs/messages?state=all")["items"]
        self.assertEqual(sorted(m["id"] for m in peek), sorted(self.ids))
        e.ok("GET", "/v1/info")
        for path, body in (("/v1/queues/jobs/messages", {"body": "x"}),
                           ("/v1/queues/jobs/receive", {}),
                           ("/v1/queues", {"name": "other"}),
                           ("/v1/timers", {"after": "1s"})):
            status, j = e.request("POST", path, body)
            self.assertEqual(status, 503, (path, j))
            self.assertEqual(j["code"], "ReadOnly")
            self.assertIn(w.data_dir, j["message"])
            self.assertIn("cannot be written", j["message"])
        # the timer came due: it waits for a writable start, no spinning
        t0 = cpu_ticks(e.proc.pid)
        time.sleep(1.0)
        self.assertLess(cpu_ticks(e.proc.pid) - t0, 30)
        self.assertEqual([t["ref"] for t in e.ok("GET", "/v1/timers")["items"]],
                         ["later"])
        with open(os.path.join(w.data_dir, "engine.stderr")) as f:
            self.assertIn("serving it read-only", f.read())
        e.stop()

        # writable again: everything is there, the timer fires
        chmod_tree(w.data_dir, True)
        w.start()
        self.assertEqual(w.ok("GET", "/v1/queues/jobs")["counts"]["total"], 5)
        w.ok("POST", "/v1/queues/jobs/messages", {"body": "again"},
             status=201)
        deadline = time.time() + 10
        while time.time() < deadline and w.ok("GET", "/v1/timers")["items"]:
            time.sleep(0.05)
        self.assertEqual(w.ok("GET", "/v1/timers")["items"], [])

    def test_unfolded_wal_refused_clearly(self):
        w = self.make(kill=True)
        e = ReadOnlyEngine(data_dir=w.data_dir)
        r = subprocess.run(e.argv(), capture_output=True, text=True,
                           timeout=30, env=base_env(),
                           stdin=subprocess.DEVNULL)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("flowdeck.db-wal", r.stderr)
        self.assertIn("make the data dir writable", r.stderr)
        # nothing was lost: writable, it starts with all of it
        chmod_tree(w.data_dir, True)
        w.start()
        self.assertEqual(w.ok("GET", "/v1/queues/jobs")["counts"]["total"], 5)


if __name__ == "__main__":
    unittest.main()
