"""The state services over HTTP: the engine clock, timers, the journal,
snapshots and reset, and state kept across kill -9."""

import time
import unittest

from harness import EngineTestCase


def journal(e, query=""):
    return e.ok("GET", "/v1/journal" + query)["items"]


class Clock(EngineTestCase):
    def test_real_by_default(self):
        e = self.engine()
        c = e.ok("GET", "/v1/clock")
        self.assertEqual((c["mode"], c["paused"], c["scale"]),
                         ("real", False, 1))
        self.assertLess(abs(c["offset_ms"]), 1000)

    def test_pause_freezes_and_resume_continues(self):
        e = self.engine()
        p = e.ok("POST", "/v1/clock", {"action": "pause"})
        self.assertEqual(p["mode"], "paused")
        time.sleep(0.3)
        self.assertEqual(e.ok("GET", "/v1/clock")["now_ms"], p["now_ms"])
        r = e.ok("POST", "/v1/clock", {"action": "resume"})
        self.assertEqual(r["mode"], "real")
        self.assertLess(r["now_ms"] - p["now_ms"], 200)
        time.sleep(0.2)
        self.assertGreater(e.ok("GET", "/v1/clock")["now_ms"], r["now_ms"])

    def test_scale(self):
        e = self.engine()
        s = e.ok("POST", "/v1/clock", {"action": "scale", "scale": 60})
        self.assertEqual((s["mode"], s["scale"]), ("scaled", 60))
        time.sleep(0.5)
        moved = e.ok("GET", "/v1/clock")["now_ms"] - s["now_ms"]
        self.assertGreater(moved, 20000)  # 0.5 s real at x60 is 30 s
        for bad in (0, -1, 1e9, "fast"):
            status, j = e.post("/v1/clock", {"action": "scale",
                                             "scale": bad})
            self.assertEqual(status, 400, bad)
            self.assertIn("scale", j["message"])

    def test_advance(self):
        e = self.engine()
        before = e.ok("GET", "/v1/clock")["now_ms"]
        a = e.ok("POST", "/v1/clock", {"action": "advance", "by": "10m"})
        self.assertGreaterEqual(a["now_ms"] - before, 600000)
        self.assertLess(a["now_ms"] - before, 600000 + 5000)
        self.assertGreaterEqual(a["offset_ms"], 599000)
        b = e.ok("POST", "/v1/clock", {"action": "advance", "by_ms": 1000})
        self.assertGreaterEqual(b["now_ms"] - a["now_ms"], 1000)
        for body, word in (({"action": "advance", "by": "soon"}, "duration"),
                           ({"action": "advance", "by_ms": -5}, "by_ms"),
                           ({"action": "advance"}, "by"),
                           ({"action": "rewind"}, "pause, resume"),
                           ({}, "action")):
            status, j = e.post("/v1/clock", body)
            self.assertEqual(status, 400, body)
            self.assertIn(word, j["message"], body)
        kinds = [r["type"] for r in journal(e, "?kind=clock&id=engine")]
        self.assertEqual(kinds, ["advance", "advance"])

    def test_clock_state_survives_restart_and_kill(self):
        e = self.engine()
        e.ok("POST", "/v1/clock", {"action": "advance", "by": "2h"})
        p = e.ok("POST", "/v1/clock", {"action": "pause"})
        e.kill9()
        e.start()
        c = e.ok("GET", "/v1/clock")
        self.assertEqual(c["mode"], "paused")
        self.assertEqual(c["now_ms"], p["now_ms"])
        e.ok("POST", "/v1/clock", {"action": "resume"})
        e.restart()
        c = e.ok("GET", "/v1/clock")
        self.assertEqual(c["mode"], "real")
        self.assertGreater(c["offset_ms"], 7000000)


class Timers(EngineTestCase):
    def test_note_fires_when_the_clock_passes_it(self):
        e = self.engine()
        t = e.ok("POST", "/v1/timers", {"after": "10m", "ref": "demo",
                                        "payload": {"say": "hi"}},
                 status=201)
        self.assertEqual((t["kind"], t["ref"]), ("note", "demo"))
        time.sleep(0.2)
        self.assertEqual(journal(e, "?kind=timer"), [])
        e.ok("POST", "/v1/clock", {"action": "advance", "by": "9m"})
        time.sleep(0.2)
        self.assertEqual(journal(e, "?kind=timer"), [])
        e.ok("POST", "/v1/clock", {"action": "advance", "by": "61s"})
        deadline = time.time() + 5
        while time.time() < deadline and not journal(e, "?kind=timer"):
            time.sleep(0.02)
        (rec,) = journal(e, "?kind=timer&id=demo")
        self.assertEqual(rec["type"], "note")
        self.assertEqual(rec["detail"]["payload"], {"say": "hi"})
        self.assertEqual(rec["detail"]["timer"], t["id"])
        self.assertEqual(e.ok("GET", "/v1/timers")["items"], [])

    def test_fire_in_due_order_on_a_scaled_clock(self):
        e = self.engine()
        for ref, after in (("c", "3h"), ("a", "1h"), ("b", "2h")):
            e.ok("POST", "/v1/timers", {"after": after, "ref": ref},
                 status=201)
        listed = [t["ref"] for t in e.ok("GET", "/v1/timers")["items"]]
        self.assertEqual(listed, ["a", "b", "c"])
        e.ok("POST", "/v1/clock", {"action": "scale", "scale": 100000})
        deadline = time.time() + 10
        while time.time() < deadline and len(journal(e, "?kind=timer")) < 3:
            time.sleep(0.05)
        fired = [r["id"] for r in journal(e, "?kind=timer&order=asc")]
        self.assertEqual(fired, ["a", "b", "c"])

    def test_pending_timers_rearmed_after_kill9(self):
        e = self.engine()
        e.ok("POST", "/v1/timers", {"after": "30m", "ref": "later"},
             status=201)
        e.kill9()
        e.start()
        self.assertEqual([t["ref"] for t in e.ok("GET", "/v1/timers")
                          ["items"]], ["later"])
        e.ok("POST", "/v1/clock", {"action": "advance", "by": "31m"})
        deadline = time.time() + 5
        while time.time() < deadline and not journal(e, "?kind=timer"):
            time.sleep(0.02)
        self.assertEqual(journal(e, "?kind=timer")[0]["id"], "later")

    def test_timer_due_during_downtime_fires_at_startup(self):
        e = self.engine()
        e.ok("POST", "/v1/timers", {"after": "300ms", "ref": "missed"},
             status=201)
        e.kill9()
        time.sleep(0.5)
        e.start()
        deadline = time.time() + 5
        while time.time() < deadline and not journal(e, "?kind=timer"):
            time.sleep(0.02)
        self.assertEqual(journal(e, "?kind=timer")[0]["id"], "missed")

    def test_cancel_and_bad_input(self):
        e = self.engine()
        t = e.ok("POST", "/v1/timers", {"at": "2100-01-01T00:00:00Z"},
                 status=201)
        self.assertEqual(t["due"], "2100-01-01T00:00:00.000Z")
        e.ok("DELETE", "/v1/timers/%d" % t["id"], status=204)
        self.assertEqual(e.get("/v1/timers/%d" % t["id"])[0], 405)
        self.assertEqual(e.request("DELETE", "/v1/timers/%d" % t["id"])[0],
                         404)
        self.assertEqual(e.request("DELETE", "/v1/timers/x")[0], 400)
        for body, word in (({"after": "1h", "kind": "delay"}, "note"),
                           ({}, "exactly one"),
                           ({"after": "1h", "at": "2100-01-01T00:00:00Z"},
                            "exactly one"),
                           ({"at": "tomorrow"}, "RFC 3339"),
                           ({"after": "1 hour"}, "duration")):
            status, j = e.post("/v1/timers", body)
            self.assertEqual(status, 400, body)
            self.assertIn(word, j["message"], body)
        self.assertEqual(e.ok("GET", "/v1/timers")["items"], [])


class Journal(EngineTestCase):
    def test_paging_by_kind_and_entity(self):
        e = self.engine()
        for i in range(7):
            e.ok("POST", "/v1/clock", {"action": "advance", "by": "1s"})
        seen, cursor = [], None
        while True:
            page = e.ok("GET", "/v1/journal?kind=clock&limit=3" +
                        ("&cursor=" + cursor if cursor else ""))
            seen += [r["seq"] for r in page["items"]]
            cursor = page.get("next")
            if not cursor:
                break
        self.assertEqual(seen, sorted(seen, reverse=True))
        self.assertEqual(len(seen), 7)
        asc = [r["seq"] for r in journal(e, "?kind=clock&id=engine")]
        self.assertEqual(asc, sorted(seen))
        self.assertEqual(journal(e, "?kind=clock&type=pause"), [])
        status, j = e.get("/v1/journal?id=engine")
        self.assertEqual(status, 400)
        self.assertIn("'kind'", j["message"])
        self.assertEqual(e.get("/v1/journal?order=sideways")[0], 400)


class Snapshots(EngineTestCase):
    def test_save_restore_round_trip(self):
        e = self.engine()
        e.ok("POST", "/v1/timers", {"after": "1h", "ref": "kept"},
             status=201)
        s = e.ok("POST", "/v1/snapshots", {"name": "demo-1"}, status=201)
        self.assertEqual(s["name"], "demo-1")
        self.assertGreater(s["size"], 0)
        # change everything after the snapshot
        e.ok("POST", "/v1/timers", {"after": "2h", "ref": "after"},
             status=201)
        e.ok("POST", "/v1/clock", {"action": "pause"})
        e.ok("POST", "/v1/snapshots/demo-1/restore")
        refs = [t["ref"] for t in e.ok("GET", "/v1/timers")["items"]]
        self.assertEqual(refs, ["kept"])
        self.assertEqual(e.ok("GET", "/v1/clock")["mode"], "real")
        self.assertEqual(journal(e, "?kind=engine&id=state")[-1]["type"],
                         "restored")
        # the restored state is the durable state
        e.kill9()
        e.start()
        refs = [t["ref"] for t in e.ok("GET", "/v1/timers")["items"]]
        self.assertEqual(refs, ["kept"])
        names = [x["name"] for x in e.ok("GET", "/v1/snapshots")["items"]]
        self.assertEqual(names, ["demo-1"])

    def test_names_conflicts_and_delete(self):
        e = self.engine()
        e.ok("POST", "/v1/snapshots", {"name": "a"}, status=201)
        status, j = e.post("/v1/snapshots", {"name": "a"})
        self.assertEqual(status, 409)
        self.assertIn("overwrite", j["message"])
        e.ok("POST", "/v1/snapshots", {"name": "a", "overwrite": True},
             status=201)
        for bad in ("../escape", ".hidden", "", "a/b", "x" * 65, "sp ace"):
            status, j = e.post("/v1/snapshots", {"name": bad})
            self.assertEqual(status, 400, bad)
        self.assertEqual(e.post("/v1/snapshots/nope/restore")[0], 404)
        self.assertEqual(e.post("/v1/snapshots/..%2Fx/restore")[0], 404)
        e.ok("DELETE", "/v1/snapshots/a", status=204)
        self.assertEqual(e.request("DELETE", "/v1/snapshots/a")[0], 404)
        self.assertEqual(e.ok("GET", "/v1/snapshots")["items"], [])

    def test_reset_needs_confirmation_and_empties_state(self):
        e = self.engine()
        e.ok("POST", "/v1/timers", {"after": "2h"}, status=201)
        e.ok("POST", "/v1/clock", {"action": "advance", "by": "1h"})
        status, j = e.post("/v1/reset", {})
        self.assertEqual(status, 400)
        self.assertIn("confirm", j["message"])
        self.assertEqual(len(e.ok("GET", "/v1/timers")["items"]), 1)
        e.ok("POST", "/v1/reset", {"confirm": True})
        self.assertEqual(e.ok("GET", "/v1/timers")["items"], [])
        records = journal(e)
        self.assertEqual([r["type"] for r in records], ["reset"])
        info = e.ok("GET", "/v1/info")
        self.assertEqual(info["counts"]["timers"], 0)


class Durability(EngineTestCase):
    def test_acknowledged_changes_survive_kill9(self):
        e = self.engine()
        ids = [e.ok("POST", "/v1/timers", {"after": "1h", "ref": "t%d" % i},
                    status=201)["id"] for i in range(50)]
        e.ok("DELETE", "/v1/timers/%d" % ids[0], status=204)
        e.ok("POST", "/v1/clock", {"action": "scale", "scale": 2})
        e.kill9()
        e.start()
        got = [t["id"] for t in e.ok("GET", "/v1/timers?limit=100")["items"]]
        self.assertEqual(got, ids[1:])
        self.assertEqual(e.ok("GET", "/v1/clock")["scale"], 2)


if __name__ == "__main__":
    unittest.main()
