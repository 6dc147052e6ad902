"""The console tests' common ground: a real `flowdeck` in its own tmux
server, keys sent with send-keys and the screen read with capture-pane.

A screen is read only once it has settled (it matches, and a capture
50 ms later is the same), because a capture can land while a frame is
still being written. flowdeck runs under `sh -c` that prints its exit
status on the screen: tmux does not always collect a pane's status."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from harness import (FLOWDECK, EngineTestCase, check_sanitizers,  # noqa: E402
                     san_log_env)


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
class TmuxTestCase(EngineTestCase):
    def setUp(self):
        # one tmux server per test, so a server going away cannot take
        # the next test's session
        self.sock = "flowdeck-%s-%d-%s" % (type(self).__name__, os.getpid(),
                                           self._testMethodName[5:])
        self.addCleanup(self.remove_socket)
        self.addCleanup(self.tmux_quiet, "kill-server")

    def remove_socket(self):
        path = os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp",
                            "tmux-%d" % os.getuid(), self.sock)
        if os.path.exists(path):
            os.unlink(path)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock] + list(args),
                              capture_output=True, text=True, timeout=10,
                              check=True).stdout

    def tmux_quiet(self, *args):
        subprocess.run(["tmux", "-L", self.sock] + list(args),
                       capture_output=True, timeout=10)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "dash")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "dash", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "dash", "-l", text)

    def wait_for(self, predicate, what, timeout=10):
        """The screen once it matches and has settled."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.screen()
            if predicate(text):
                time.sleep(0.05)
                if self.screen() == text:
                    return text
                continue
            time.sleep(0.05)
        self.fail("%s did not show; the screen:\n%s" % (what, self.screen()))

    def wait_text(self, needle, timeout=10):
        return self.wait_for(lambda t: needle in t, repr(needle), timeout)

    def start_dashboard(self, url, lang="C.UTF-8", size=(80, 24),
                        extra_env=None, term=None, argv=()):
        """Run `flowdeck --endpoint url` in a new session named dash.
        tmux gives the pane its own TERM (tmux-256color); `term` sets
        another one for flowdeck alone. `argv` go on its command line."""
        # sanitizer reports go to files (the pane is the only stderr),
        # read by quit_status
        san = san_log_env()
        env = {k: san[k] for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")}
        env.update(LANG=lang, LC_ALL=lang, TERM="screen")
        env.update(extra_env or {})
        args = ["new-session", "-d", "-x", str(size[0]), "-y", str(size[1]),
                "-s", "dash"]
        for k, v in env.items():
            args += ["-e", "%s=%s" % (k, v)]
        cmd = "%s%s --endpoint %s%s; echo \"flowdeck exited $?\"; sleep 60" % (
            "TERM=%s " % shlex.quote(term) if term else "",
            shlex.quote(FLOWDECK), shlex.quote(url),
            "".join(" " + shlex.quote(a) for a in argv))
        self.tmux(*(args + ["sh", "-c", cmd]))

    def open_home(self, e, **kw):
        """The dashboard on engine e, once Home shows."""
        self.start_dashboard(e.url, **kw)
        self.wait_text("COUNTS")

    def jump(self, command):
        """The ':' line: type `command`, then Enter."""
        self.keys(":")
        self.wait_for(lambda t: t.splitlines()[-1].startswith(":"),
                      "the ':' line")
        self.type(command)
        self.keys("Enter")

    def quit_status(self, timeout=10):
        """Press q; returns flowdeck's exit status. A sanitizer report
        from the dashboard (or an engine it started) fails the test."""
        self.keys("q")
        text = self.wait_text("flowdeck exited", timeout)
        status = int(re.search(r"flowdeck exited (\d+)", text).group(1))
        check_sanitizers("the dashboard", status, text)
        return status
