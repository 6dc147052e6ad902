"""flowdeckd links libmicrohttpd, SQLite, jansson, libyaml, expat, Nettle
and jemalloc from their static archives (FLOWDECK_STATIC_DEPS, on by
default): the running engine maps none of them as shared libraries,
exports none of their functions, and, with jemalloc, exports the
allocator's functions, so every shared library, a lazily opened one too,
allocates and frees with the one malloc. libmicrohttpd's archive links
without GnuTLS (backend/http/notls): GnuTLS, the shared Nettle and
libcrypto arrive only with a lazily opened libcurl, and the digests are
the same before and after."""
import hashlib
import os
import subprocess
import unittest

from harness import BUILD_DIR, FLOWDECKD, EngineTestCase
from test_lazy_libs import mapped
from test_topics import Receiver

STATIC = ["libmicrohttpd", "libsqlite3", "libjansson", "libyaml-0",
          "libexpat", "libnettle", "libjemalloc"]
# GnuTLS and the libraries it brings
TLS = ["libgnutls", "libp11-kit", "libunistring", "libtasn1", "libhogweed"]
# their functions stay inside the engine, the stand-ins for GnuTLS too
PRIVATE_PREFIXES = ("MHD_", "sqlite3_", "json_", "yaml_", "XML_", "nettle_",
                    "gnutls_", "je_")
# glibc's "replacing malloc" list, less pvalloc (jemalloc has none)
ALLOCATOR = ["malloc", "free", "calloc", "realloc", "posix_memalign",
             "aligned_alloc", "memalign", "valloc", "malloc_usable_size"]


def cache_flag(name):
    """The build's CMake cache value of option `name` (True/False)."""
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip().upper() in (
                    "ON", "1", "TRUE", "YES")
    return False


def exported(path):
    """The names of the functions and objects `path` defines in its
    dynamic symbol table."""
    out = subprocess.run(["readelf", "--dyn-syms", "-W", path],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        # Num: Value Size Type Bind Vis Ndx Name
        if len(f) >= 8 and f[0].endswith(":") and f[6] != "UND":
            names.add(f[7].split("@")[0])
    return names


class StaticLibs(EngineTestCase):
    def setUp(self):
        if not cache_flag("FLOWDECK_STATIC_DEPS"):
            self.skipTest("built with FLOWDECK_STATIC_DEPS off")
        self.jemalloc = (cache_flag("FLOWDECK_JEMALLOC") and
                         not cache_flag("FLOWDECK_SANITIZE"))

    def test_archives_linked_not_mapped(self):
        e = self.engine()
        libs = mapped(e.proc.pid)
        self.assertIn("libc", libs)  # the check can see libraries
        for lib in STATIC + TLS:
            self.assertNotIn(lib, libs)
        if self.jemalloc:  # jemalloc's shared library brought libstdc++
            self.assertNotIn("libstdc++", libs)

    def test_exports(self):
        names = exported(FLOWDECKD)
        leaked = sorted(n for n in names if n.startswith(PRIVATE_PREFIXES))
        self.assertEqual(leaked, [])
        if self.jemalloc:
            for fn in ALLOCATOR:
                self.assertIn(fn, names)

    def test_digests_beside_libcurls_crypto(self):
        # the engine's digests before and after the first HTTP push opens
        # libcurl, which brings the shared libcrypto, GnuTLS and Nettle
        e = self.engine()
        libs = mapped(e.proc.pid)
        for lib in ["libcrypto", "libgnutls", "libnettle"]:
            self.assertNotIn(lib, libs)
        e.ok("POST", "/v1/queues", {"name": "q"}, status=201)

        def send(body):
            got = e.ok("POST", "/v1/queues/q/messages", {"body": body},
                       status=201)
            self.assertEqual(got["body_md5"],
                             hashlib.md5(body.encode()).hexdigest())

        send("before")
        r = Receiver()
        self.addCleanup(r.close)
        e.ok("POST", "/v1/topics", {"name": "t"}, status=201)
        e.ok("POST", "/v1/topics/t/subscriptions",
             {"name": "hook", "endpoint": r.url("/hook")}, status=201)
        e.ok("POST", "/v1/topics/t/messages", {"body": "hi"}, status=201)
        self.assertIn("hi", r.wait("/hook")[0]["body"])
        libs = mapped(e.proc.pid)
        self.assertIn("libcurl", libs)
        self.assertIn("libcrypto", libs)
        self.assertIn("libnettle", libs)
        send("after")
        e.ok("POST", "/v1/topics/t/messages", {"body": "again"}, status=201)
        self.assertEqual(len(r.wait("/hook", 2)), 2)


if __name__ == "__main__":
    unittest.main()
