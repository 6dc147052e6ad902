"""Hostile HTTP through the real engine, over raw sockets where
http.client would not send the thing: bodies over the cap on the engine
API and the wire protocols, lying Content-Length headers, oversized
headers, URLs and query strings, clients that send half a request and
stall, and more idle connections than the engine serves at once.

Each gets a clear 4xx (or its connection closed after --conn-timeout)
and changes nothing; the engine keeps serving others meanwhile. No
assertion is on timing: waits are generous timeouts on requests that
must succeed.

Covered elsewhere, not repeated here: a declared or chunked engine-API
body over the 4 MiB cap (test_engine.CentralChecks), SQS's 256 KiB
message cap (test_sqs), MNS's message cap (test_mns)."""

import re
import socket
import unittest

from harness import EngineTestCase

CAP = 4 << 20  # ENGINE_BODY_MAX


def exchange(e, data, timeout=60, close_write=False):
    """Send data on a fresh connection; returns what came back until the
    engine closed it (a reset after the answer is tolerated)."""
    s = socket.create_connection((e.host, e.port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
            if close_write:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the engine answered and closed before reading it all
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def status_of(reply):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", reply)
    return int(m.group(1)) if m else None


def json_error(test, reply, status):
    """The reply is `status` with a JSON {code, message}."""
    test.assertEqual(status_of(reply), status, reply[:300])
    body = reply.partition(b"\r\n\r\n")[2]
    test.assertRegex(body, rb'^\{"code":"[A-Za-z]+","message":"[^"]+',
                     reply[:300])
    return body


def request(method, target, headers=(), body=b"", length=None):
    head = [b"%s %s HTTP/1.1" % (method.encode(), target.encode()),
            b"Host: 127.0.0.1", b"Connection: close"]
    head += [h.encode() if isinstance(h, str) else h for h in headers]
    if length is None and body:
        length = len(body)
    if length is not None:
        head.append(b"Content-Length: %s" % str(length).encode())
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class Transport(EngineTestCase):
    def setUp(self):
        self.e = self.engine(extra_args=["--conn-timeout", "2"])
        self.e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        self.e.ok("POST", "/v1/topics", {"name": "t"}, status=201)

    def state(self):
        q = self.e.ok("GET", "/v1/queues/q")
        return (self.e.ok("GET", "/v1/queues")["items"],
                self.e.ok("GET", "/v1/topics")["items"],
                self.e.ok("GET", "/v1/info")["counts"],
                q.get("counts"))

    def test_declared_bodies_over_the_cap_on_every_protocol(self):
        before = self.state()
        form = "application/x-www-form-urlencoded"
        for method, target, ctype in (
                ("POST", "/v1/queues/q/messages", "application/json"),
                ("POST", "/", form),  # SQS and SNS query protocol
                ("POST", "/", "application/x-amz-json-1.0"),
                ("POST", "/queues/q/messages", "text/xml"),  # MNS
                ("POST", "/topics/t/messages", "text/xml"),
                ("POST", "/?Action=StartExecution", "application/json")):
            reply = exchange(self.e, request(
                method, target, ["Content-Type: " + ctype],
                length=CAP + 1))
            body = json_error(self, reply, 413)
            self.assertIn(b"PayloadTooLarge", body)
            self.assertIn(b"4194304 bytes", body)
        self.assertEqual(self.state(), before)

    def test_sent_bodies_over_the_cap_are_read_and_refused(self):
        # no Content-Length: chunked, 4 MiB + 1 in total, on a wire
        # protocol; the engine reads on to answer 413 at the end
        before = self.state()
        chunk = b"MessageBody=" + b"a" * (CAP - 11)
        data = (b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" +
                b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
        json_error(self, exchange(self.e, data), 413)
        self.assertEqual(self.state(), before)

    def test_lying_content_length(self):
        before = self.state()
        # shorter than the body: the body is cut there (not JSON), and
        # the rest is not a request
        reply = exchange(self.e, request(
            "POST", "/v1/queues", ["Content-Type: application/json"],
            body=b'{"name": "zz"}', length=5))
        json_error(self, reply, 400)
        self.assertIn(b"InvalidJSON", reply)
        # longer than the body, and the client stops: the connection is
        # closed after --conn-timeout, with nothing done
        reply = exchange(self.e, request(
            "POST", "/v1/queues", ["Content-Type: application/json"],
            body=b'{"name": "zz"}', length=1000))
        self.assertIsNone(status_of(reply), reply[:200])
        # and when the client half-closes, the same
        reply = exchange(self.e, request(
            "POST", "/v1/queues", ["Content-Type: application/json"],
            body=b'{"name": "zz"}', length=1000), close_write=True)
        self.assertNotEqual(status_of(reply), 201, reply[:200])
        # not a number, negative, or past 64 bits: MHD's own 400 / 413
        for bad in ("-1", "abc", "1e3", "9" * 30):
            reply = exchange(self.e, request(
                "POST", "/v1/queues", ["Content-Type: application/json"],
                body=b'{"name": "zz"}', length=bad))
            self.assertIn(status_of(reply), (400, 413), (bad, reply[:200]))
        # a chunk size past any cap
        reply = exchange(self.e, b"POST /v1/queues HTTP/1.1\r\nHost: x\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"
                         b"ffffffffffffffffff\r\n{}\r\n0\r\n\r\n")
        self.assertEqual(status_of(reply), 413, reply[:200])
        self.assertEqual(self.state(), before)

    def test_oversized_headers_urls_and_queries(self):
        before = self.state()
        # a large header still fits (SigV4 and MNS headers are long)
        reply = exchange(self.e, request(
            "GET", "/v1/queues", ["X-Big: " + "a" * 30000]))
        self.assertEqual(status_of(reply), 200, reply[:200])
        for data, statuses in (
                (request("GET", "/v1/queues", ["X-Big: " + "a" * 70000]),
                 (431,)),
                (request("GET", "/v1/queues", ["X-%d: a" % i
                                               for i in range(8000)]),
                 (431,)),
                (request("GET", "/v1/queues/" + "a" * 70000), (414, 431)),
                (request("GET", "/v1/queues?limit=1&x=" + "a" * 70000),
                 (414, 431)),
                (request("POST", "/?Action=CreateQueue&QueueName=" +
                         "a" * 70000), (414, 431)),
                (request("PUT", "/queues/" + "a" * 70000,
                         ["Content-Type: text/xml"],
                         b"<Queue xmlns=\"http://mns.aliyuncs.com/doc/v1/\""
                         b"/>"), (414, 431))):
            reply = exchange(self.e, data)
            self.assertIn(status_of(reply), statuses, reply[:200])
        # a long name that fits is a refused name, not a queue
        got, _, text = self.e.raw("GET", "/?Action=CreateQueue&QueueName=" +
                                  "a" * 20000)
        self.assertEqual(got, 400, text[:300])
        self.assertIn(b"<Code>", text)
        self.assertEqual(self.state(), before)


class SlowClients(EngineTestCase):
    def half_requests(self, e, n):
        socks = []
        for i in range(n):
            s = socket.create_connection((e.host, e.port), timeout=60)
            s.sendall(b"POST /v1/queues HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"name\": \"slow%d\"" % i)
            socks.append(s)
        return socks

    def closed_without_answer(self, s):
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            data = b""
        finally:
            s.close()
        self.assertEqual(data, b"")

    def test_stalled_clients_do_not_hold_up_others_and_time_out(self):
        e = self.engine(extra_args=["--conn-timeout", "2"])
        stalled = self.half_requests(e, 30)
        # another client is served while they stall (its timeout, 60 s,
        # is far beyond --conn-timeout: it is not served by their going)
        e.ok("POST", "/v1/queues", {"name": "fresh"}, status=201)
        # a header that never ends is timed out too
        s = socket.create_connection((e.host, e.port), timeout=60)
        s.sendall(b"GET /v1/queues HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        stalled.append(s)
        for s in stalled:
            self.closed_without_answer(s)
        self.assertEqual([q["name"] for q in
                          e.ok("GET", "/v1/queues")["items"]], ["fresh"])

    def test_connections_beyond_the_limit_wait_their_turn(self):
        e = self.engine(extra_args=["--conn-timeout", "2",
                                    "--max-connections", "4"])
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        idle = [socket.create_connection((e.host, e.port), timeout=60)
                for _ in range(4)]
        idle += self.half_requests(e, 12)  # 16: four times the limit
        # a fresh client is served once the idle ones are timed out
        got, j = e.request("GET", "/v1/queues", timeout=60)
        self.assertEqual(got, 200, j)
        for s in idle:
            self.closed_without_answer(s)
        # and the engine keeps serving, connection after connection
        for i in range(10):
            e.ok("POST", "/v1/queues/q/messages", {"body": "m%d" % i},
                 status=201)
        self.assertEqual([q["name"] for q in
                          e.ok("GET", "/v1/queues")["items"]], ["q"])
        self.assertEqual(e.ok("GET", "/v1/queues/q")["counts"]["visible"],
                         10)

    def test_flags_are_checked(self):
        from harness import run_engine_cmd
        for flag, value in (("--conn-timeout", "0"),
                            ("--conn-timeout", "soon"),
                            ("--max-connections", "-3"),
                            ("--max-connections", "100001")):
            r = run_engine_cmd([flag, value, "--foreground"])
            self.assertEqual(r.returncode, 2, (flag, value, r.stderr))
            self.assertIn(flag + " must be a whole number", r.stderr)


if __name__ == "__main__":
    unittest.main()
