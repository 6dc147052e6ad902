"""The engine's skeleton over HTTP: health, info, central checks, auth,
shutdown, the data-dir lock, daemon mode and the log."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import (Engine, EngineError, EngineTestCase, FLOWDECKD,
                     base_env, free_port, new_data_dir, run_engine_cmd)


class HealthAndInfo(EngineTestCase):
    def test_health_and_info(self):
        e = self.engine()
        self.assertEqual(e.ok("GET", "/healthz"),
                         {"status": "ok", "name": "flowdeck"})
        info = e.ok("GET", "/v1/info")
        self.assertEqual(info["name"], "flowdeck")
        self.assertEqual(info["listen"], "127.0.0.1:%d" % e.port)
        self.assertEqual(info["data_dir"], e.data_dir)
        self.assertEqual(info["pid"], e.proc.pid)
        self.assertFalse(info["auth"])
        self.assertEqual(info["clock"]["mode"], "real")
        self.assertGreaterEqual(info["uptime_ms"], 0)
        for kind in ("timers", "journal", "snapshots"):
            self.assertEqual(info["counts"][kind], 0, kind)
        e.ok("POST", "/v1/timers", {"after": "1h"}, status=201)
        self.assertEqual(e.ok("GET", "/v1/info")["counts"]["timers"], 1)

    def test_head_is_get_without_body(self):
        e = self.engine()
        status, headers, body = e.raw("HEAD", "/v1/info")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")


class CentralChecks(EngineTestCase):
    def test_unknown_path_is_404_json(self):
        e = self.engine()
        status, j = e.get("/v1/nothing-here")
        self.assertEqual(status, 404)
        self.assertEqual(j["code"], "NotFound")
        self.assertIn("/v1/nothing-here", j["message"])

    def test_wrong_method_is_405_with_allow(self):
        e = self.engine()
        status, headers, body = e.raw("PUT", "/v1/clock", "{}")
        self.assertEqual(status, 405)
        self.assertEqual(json.loads(body)["code"], "MethodNotAllowed")
        self.assertIn("PUT", json.loads(body)["message"])
        self.assertEqual(headers["allow"], "GET, HEAD, POST")

    def _raw_exchange(self, e, head, body=b""):
        with socket.create_connection((e.host, e.port), timeout=10) as s:
            s.sendall(head + body)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            head_part, _, rest = data.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)content-length: *(\d+)", head_part)
            while m and len(rest) < int(m.group(1)):
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            return (head_part + b"\r\n\r\n" + rest).decode(
                errors="replace")

    def test_declared_body_over_cap_refused_before_reading(self):
        e = self.engine()
        head = (b"POST /v1/timers HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (5 << 20))
        reply = self._raw_exchange(e, head)  # no body sent at all
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        self.assertEqual(e.ok("GET", "/healthz")["status"], "ok")

    def test_chunked_body_over_cap_is_413(self):
        e = self.engine()
        head = (b"POST /v1/timers HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * (1 << 20)
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk)
                        for _ in range(5)) + b"0\r\n\r\n"
        reply = self._raw_exchange(e, head, body)
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        self.assertIn('"code":"PayloadTooLarge"', reply)
        self.assertEqual(e.ok("GET", "/v1/timers")["items"], [])

    def test_bad_json_names_line_and_column(self):
        e = self.engine()
        status, j = e.request("POST", "/v1/clock",
                              '{\n  "action": "pause",\n  oops\n}')
        self.assertEqual(status, 400)
        self.assertEqual(j["code"], "InvalidJSON")
        self.assertIn("line 3", j["message"])
        self.assertIn("column", j["message"])

    def test_body_must_be_an_object(self):
        e = self.engine()
        status, j = e.request("POST", "/v1/clock", "[1, 2]")
        self.assertEqual(status, 400)
        self.assertIn("JSON object", j["message"])

    def test_unknown_field_named(self):
        e = self.engine()
        status, j = e.post("/v1/clock", {"action": "pause", "speed": 3})
        self.assertEqual(status, 400)
        self.assertIn("'speed'", j["message"])
        # and nothing changed
        self.assertEqual(e.ok("GET", "/v1/clock")["mode"], "real")

    def test_bad_query_parameter_named(self):
        e = self.engine()
        status, j = e.get("/v1/journal?limit=0")
        self.assertEqual(status, 400)
        self.assertIn("'limit'", j["message"])
        self.assertIn("1 to 1000", j["message"])


class Auth(EngineTestCase):
    def test_token_required_and_compared(self):
        e = self.engine(auth_token="s3cret-token")
        # health is public
        status, _, _ = e.raw("GET", "/healthz",
                             headers={"Authorization": ""})
        self.assertEqual(status, 200)
        e.auth_token = None
        status, j = e.get("/v1/info")
        self.assertEqual(status, 401)
        self.assertEqual(j["code"], "Unauthorized")
        for wrong in ("Bearer s3cret-toke", "Bearer s3cret-token2",
                      "Basic s3cret-token", "Bearer "):
            status, j = e.request("GET", "/v1/info",
                                  headers={"Authorization": wrong})
            self.assertEqual(status, 401, wrong)
        # a write without the token changes nothing
        status, _ = e.post("/v1/clock", {"action": "pause"})
        self.assertEqual(status, 401)
        e.auth_token = "s3cret-token"
        info = e.ok("GET", "/v1/info")
        self.assertTrue(info["auth"])
        self.assertEqual(info["clock"]["mode"], "real")

    def test_non_loopback_refused_without_token(self):
        d = new_data_dir()
        r = run_engine_cmd(["--foreground", "--listen", "0.0.0.0:%d" %
                            free_port(), "--data-dir", d])
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a loopback address", r.stderr)
        self.assertIn("--auth-token", r.stderr)

    def test_non_loopback_allowed_with_token(self):
        port = free_port()
        e = self.engine(auth_token="t0ken", listen="0.0.0.0:%d" % port)
        e.host = "127.0.0.1"
        self.assertTrue(e.ok("GET", "/v1/info")["auth"])
        e.auth_token = None
        self.assertEqual(e.get("/v1/info")[0], 401)
        e.auth_token = "t0ken"

    def test_token_from_environment(self):
        e = Engine(env={"FLOWDECK_AUTH_TOKEN": "from-env"})
        e.start()
        self.addCleanup(e.stop)
        self.assertEqual(e.get("/v1/info")[0], 401)
        e.auth_token = "from-env"
        self.assertEqual(e.get("/v1/info")[0], 200)


class LifeCycle(EngineTestCase):
    def test_sigterm_stops_cleanly_and_releases_the_data_dir(self):
        e = self.engine()
        pid_file = os.path.join(e.data_dir, "flowdeckd.pid")
        with open(pid_file) as f:
            self.assertEqual(int(f.read()), e.proc.pid)
        self.assertEqual(e.stop(), 0)
        self.assertFalse(os.path.exists(pid_file))
        e.start()  # the same data dir is free again

    def test_shutdown_endpoint(self):
        e = self.engine()
        self.assertEqual(e.ok("POST", "/v1/shutdown", status=202),
                         {"stopping": True})
        self.assertEqual(e.proc.wait(timeout=10), 0)

    def test_second_engine_on_same_data_dir_refused(self):
        e = self.engine()
        r = run_engine_cmd(["--foreground", "--listen", "127.0.0.1:0",
                            "--data-dir", e.data_dir])
        self.assertEqual(r.returncode, 1)
        self.assertIn("in use by another flowdeckd (pid %d)" % e.proc.pid,
                      r.stderr)
        self.assertEqual(e.ok("GET", "/healthz")["status"], "ok")

    def test_port_in_use_is_clear(self):
        e = self.engine()
        r = run_engine_cmd(["--foreground", "--listen",
                            "127.0.0.1:%d" % e.port, "--data-dir",
                            new_data_dir()])
        self.assertEqual(r.returncode, 1)
        self.assertIn("address already in use", r.stderr)

    def test_bad_arguments_exit_2(self):
        r = run_engine_cmd(["--no-such-flag"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage", r.stderr)
        r = run_engine_cmd(["--log-level", "loud"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("debug, info, warn, error", r.stderr)
        # the paths read before the bad option are freed (a leak exits 23)
        r = run_engine_cmd(["--data-dir", "d", "--templates", "t",
                            "--access-keys", "k", "--no-such-flag"])
        self.assertEqual(r.returncode, 2, r.stderr)
        r = run_engine_cmd(["--data-dir", "d", "--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        for bad in ("100001", "-1", "1e3", ""):
            r = run_engine_cmd(["--busy-poll-us", bad])
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("--busy-poll-us must be a whole number from 0 to "
                          "100000, not '%s'" % bad, r.stderr)
        r = run_engine_cmd(["--foreground", "--listen", "nonsense",
                            "--data-dir", new_data_dir()])
        self.assertEqual(r.returncode, 1)
        self.assertIn("HOST:PORT", r.stderr)

    def test_daemon_mode_detaches_once_serving(self):
        d = new_data_dir()
        port = free_port()
        r = run_engine_cmd(["--listen", "127.0.0.1:%d" % port,
                            "--data-dir", d])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("listening on http://127.0.0.1:%d" % port, r.stdout)
        e = Engine(data_dir=d)
        e.port = port
        info = e.ok("GET", "/v1/info")
        pid = info["pid"]
        with open(os.path.join(d, "flowdeckd.pid")) as f:
            self.assertEqual(int(f.read()), pid)
        # a second daemon on the same dir reports why it cannot start
        r = run_engine_cmd(["--listen", "127.0.0.1:0", "--data-dir", d])
        self.assertEqual(r.returncode, 1)
        self.assertIn("in use by another flowdeckd", r.stderr)
        e.ok("POST", "/v1/shutdown", status=202)
        deadline = time.time() + 10
        while time.time() < deadline and os.path.exists(
                os.path.join(d, "flowdeckd.pid")):
            time.sleep(0.05)
        self.assertFalse(os.path.exists(os.path.join(d, "flowdeckd.pid")))

    def test_log_is_json_lines_and_readable(self):
        e = self.engine()
        e.ok("POST", "/v1/snapshots", {"name": "one"}, status=201)
        with open(os.path.join(e.data_dir, "engine.log")) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        self.assertTrue(any("started" in l["msg"] for l in lines))
        for l in lines:
            self.assertIn("time", l)
            self.assertIn(l["level"], ("debug", "info", "warn", "error"))
        logs = e.ok("GET", "/v1/logs?tail=1")
        self.assertEqual(len(logs["items"]), 1)
        self.assertIn("snapshot 'one' saved", logs["items"][0]["msg"])
        cursor = logs["next"]
        self.assertEqual(e.ok("GET", "/v1/logs?cursor=" + cursor)["items"],
                         [])
        e.ok("POST", "/v1/snapshots", {"name": "two"}, status=201)
        later = e.ok("GET", "/v1/logs?cursor=" + cursor)
        self.assertEqual([l["msg"] for l in later["items"]],
                         ["snapshot 'two' saved"])
        self.assertEqual(e.get("/v1/logs?cursor=abc")[0], 400)


class GroupCommit(EngineTestCase):
    def test_concurrent_writes_all_acknowledged_and_durable(self):
        """Writes from many connections share commits; every acknowledged
        one survives kill -9."""
        e = self.engine()
        acked, errors = [], []

        def worker(n):
            for i in range(40):
                ref = "w%d-%d" % (n, i)
                try:
                    s, j = e.post("/v1/timers", {"after": "1h", "ref": ref})
                    if s == 201:
                        acked.append(j["id"])
                    else:
                        errors.append((s, j))
                except Exception as ex:  # noqa: BLE001 - recorded
                    errors.append(ex)

        threads = [threading.Thread(target=worker, args=(n,))
                   for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(acked), 320)
        e.kill9()
        e.start()
        ids, cursor = set(), None
        while True:
            page = e.ok("GET", "/v1/timers?limit=100" +
                        ("&cursor=" + cursor if cursor else ""))
            ids.update(t["id"] for t in page["items"])
            cursor = page.get("next")
            if not cursor:
                break
        self.assertEqual(ids, set(acked))


class BusyPoll(EngineTestCase):
    """After a lone client's request the engine polls for its next one
    before it sleeps (--busy-poll-us); many clients are not polled for.
    Counted by /v1/info; a poll of 100 ms leaves a client that sends at
    once no chance to be missed."""

    def engine_with(self, us):
        e = self.engine(extra_args=["--busy-poll-us", str(us)])
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        if os.sysconf("SC_NPROCESSORS_ONLN") < 2:
            self.assertEqual(e.ok("GET", "/v1/info")["busy_poll"]["us"], 0)
            self.skipTest("one CPU: the engine never polls")
        return e

    def keep_alive(self, e):
        return http.client.HTTPConnection(e.host, e.port, timeout=30)

    def call(self, conn, method, path, body=None, status=200):
        conn.request(method, path, body=json.dumps(body) if body else None,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        self.assertEqual(r.status, status, data)
        return json.loads(data)

    def send(self, conn, i):
        self.call(conn, "POST", "/v1/queues/q/messages",
                  {"body": "m%d" % i}, status=201)

    def busy(self, conn):
        return self.call(conn, "GET", "/v1/info")["busy_poll"]

    def test_lone_client_polled_for(self):
        e = self.engine_with(100000)
        conn = self.keep_alive(e)
        before = self.busy(conn)
        self.assertEqual(before["us"], 100000)
        # the connection's fourth request in a row makes its client lone:
        # a poll follows an answer after that, and catches the request the
        # client sends at once. Not every answer: on a busy machine the
        # next request can be read in the same turn, or the turn can end
        # with work still due, and then the engine has no time to poll;
        # so up to 200 sends, in rounds of 20, until one was caught
        for i in range(200):
            self.send(conn, i)
            if i % 20 == 19:
                after = self.busy(conn)
                if after["caught"] > before["caught"]:
                    break
        polls = after["polls"] - before["polls"]
        caught = after["caught"] - before["caught"]
        self.assertGreaterEqual(polls, 1)
        self.assertGreaterEqual(caught, 1)
        self.assertLessEqual(caught, polls)
        conn.close()

    def test_many_clients_not_polled_for(self):
        e = self.engine_with(100000)
        a, b = self.keep_alive(e), self.keep_alive(e)
        for i in range(2):
            self.send(a, i)
            self.send(b, i)
        before = self.busy(a)
        for i in range(10):
            self.send(b, i)
            self.send(a, i)
        self.assertEqual(self.busy(b)["polls"], before["polls"])
        a.close()
        b.close()

    def test_zero_never_polls(self):
        e = self.engine(extra_args=["--busy-poll-us", "0"])
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)
        conn = self.keep_alive(e)
        for i in range(10):
            self.send(conn, i)
        self.assertEqual(self.busy(conn),
                         {"us": 0, "polls": 0, "caught": 0})
        conn.close()


if __name__ == "__main__":
    unittest.main()
