"""The harness's own rules: what counts as a sanitizer report in the
files of processes whose stderr nobody reads."""

import os
import unittest

import harness


def write_log(name, text):
    os.makedirs(harness.SAN_LOG_DIR, exist_ok=True)
    with open(os.path.join(harness.SAN_LOG_DIR, name), "w") as f:
        f.write(text)


class SanitizerLogs(unittest.TestCase):
    def setUp(self):
        harness.san_logged_reports()    # start from an empty directory

    def test_leak_report_fails(self):
        write_log("san.101", "=================================\n"
                  "==101==ERROR: LeakSanitizer: detected memory leaks\n")
        with self.assertRaises(AssertionError) as cm:
            harness.check_sanitizers("flowdeck status", 2, "")
        self.assertIn("san.101", str(cm.exception))
        self.assertIn("detected memory leaks", str(cm.exception))

    def test_register_notice_alone_is_no_report(self):
        write_log("san.102",
                  "==107==Unable to get registers from thread 102.\n")
        harness.check_sanitizers("flowdeck status", 2, "")
        self.assertEqual([], harness.san_logged_reports())

    def test_register_notice_with_a_report_fails(self):
        write_log("san.103",
                  "==108==Unable to get registers from thread 103.\n"
                  "==103==ERROR: AddressSanitizer: heap-use-after-free\n")
        with self.assertRaises(AssertionError) as cm:
            harness.check_sanitizers("flowdeck status", 0, "")
        self.assertIn("heap-use-after-free", str(cm.exception))

    def test_any_other_text_fails(self):
        write_log("san.104", "==104==WARNING: something unexpected\n")
        with self.assertRaises(AssertionError):
            harness.check_sanitizers("flowdeck status", 0, "")

    def test_report_on_stderr_or_exit_status_fails(self):
        with self.assertRaises(AssertionError):
            harness.check_sanitizers("x", 0, "x.c:3:5: runtime error: boom")
        with self.assertRaises(AssertionError):
            harness.check_sanitizers("x", 23, "")
        harness.check_sanitizers("x", 2, "usage: flowdeck status\n")


if __name__ == "__main__":
    unittest.main()
