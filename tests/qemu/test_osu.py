"""Third-party benchmarks: the OSU micro-benchmarks' osu_latency, osu_bw and osu_bcast build
unmodified with 'scripts/ipclab mpicc' — with the flags their autotools build passes, and with
OSU's own configure and make — and run under 'scripts/ipclab mpirun' printing their usual
tables (docs/mpi.md, "Third-party benchmarks: OSU"). Under --policy mpi-blocking osu_bw, which
sends with MPI_Isend, fails at once with MPI_ERR_UNSUPPORTED_OPERATION, while the blocking
osu_latency still runs.

OSU's code is never part of this repository: it is extracted at test time from
IPCLAB_OSU_SOURCES, an OSU source tree (an unpacked release) or a git repository of one (bare
or not; HEAD is used), by default DEFAULT_SOURCES. The layout is OSU 5.3's
(mpi/pt2pt/osu_pt2pt.c, mpi/collective/osu_coll.c). Without the default sources the test is
skipped (exit SKIP_STATUS, ctest's SKIP_RETURN_CODE); sources named by IPCLAB_OSU_SOURCES that
are not usable make it fail."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import qemu_test  # first: puts the harness on the import path

from paths import BUILD  # noqa: E402

DEFAULT_SOURCES = "/work/.mirror/forresti+osu-micro-benchmarks/repo"
SKIP_STATUS = 77
IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
# program -> (directory, its sources), as mpi/pt2pt/Makefile.am and mpi/collective/Makefile.am list them.
PROGRAMS = {
    "osu_latency": ("mpi/pt2pt", ["osu_latency.c", "osu_pt2pt.c"]),
    "osu_bw": ("mpi/pt2pt", ["osu_bw.c", "osu_pt2pt.c"]),
    "osu_bcast": ("mpi/collective", ["osu_bcast.c", "osu_coll.c"]),
}
NEEDED = ["configure.ac", "mpi/pt2pt/osu_pt2pt.h", "mpi/collective/osu_coll.h"] + sorted(
    {d + "/" + f for d, files in PROGRAMS.values() for f in files})
CFLAGS = ["-g", "-O2"]  # autoconf's default; configure finds sqrt and pthread_create in musl's libc: no LIBS
# Few iterations (-i) and warm-ups (-x), so each run takes seconds. OSU 5.3's pt2pt tests have
# no -m: they always run every size up to 4 MiB (MAX_MSG_SIZE).
ARGUMENTS = {"osu_latency": ["-i", "10", "-x", "2"], "osu_bw": ["-i", "2", "-x", "1"],
             "osu_bcast": ["-f", "-i", "10", "-x", "2"]}
RUN_TIMEOUT = 120  # host seconds mpirun lets one run take
NUMBER = r"(\d+\.\d\d)"
LATENCY_HEADER = "# Size          Latency (us)"
BANDWIDTH_HEADER = "# Size      Bandwidth (MB/s)"
BCAST_HEADER = "# Size       Avg Latency(us)   Min Latency(us)   Max Latency(us)  Iterations"


def git(path):
    return ["git", "-c", "safe.directory=" + os.path.abspath(path), "-C", path]


def usable(path):
    """'tree' or 'git' if `path` holds every file of NEEDED that way, else None."""
    if all(os.path.isfile(os.path.join(path, f)) for f in NEEDED):
        return "tree"
    try:
        if all(subprocess.run(git(path) + ["cat-file", "-e", "HEAD:" + f], capture_output=True).returncode == 0
               for f in NEEDED):
            return "git"
    except OSError:  # no git
        pass
    return None


def extract(path, kind, dest):
    """Copies the OSU sources at `path` into the new directory `dest`."""
    if kind == "tree":
        shutil.copytree(path, dest, ignore=shutil.ignore_patterns(".git"))
        return
    os.mkdir(dest)
    archive = dest + ".tar"
    subprocess.run(git(path) + ["archive", "-o", archive, "HEAD"], check=True)
    subprocess.run(["tar", "-xf", archive, "-C", dest], check=True)


def configure_defs(src):
    """The -D options OSU's configure puts in DEFS (it writes no config header) that the
    benchmarks read: the package name and version of AC_INIT and the unconditional
    AC_DEFINEs (FIELD_WIDTH, FLOAT_PRECISION). Returns (version, options)."""
    with open(os.path.join(src, "configure.ac")) as f:
        text = f.read()
    name, version = re.search(r"AC_INIT\(\[([^]]*)\],\s*\[([^]]*)\]", text).groups()
    defs = ['-DPACKAGE_NAME="%s"' % name, '-DPACKAGE_VERSION="%s"' % version,
            '-DPACKAGE_STRING="%s %s"' % (name, version)]
    defs += ["-D%s=%s" % m for m in re.findall(r"^AC_DEFINE\(\[(\w+)\],\s*\[([^]]*)\]", text, re.M)]
    return version, defs


def ipclab(*args):
    p = subprocess.run([IPCLAB, "--build-dir", BUILD] + list(args), capture_output=True, text=True,
                       timeout=RUN_TIMEOUT + 60)
    return p.returncode, p.stdout, p.stderr


def mpi_error_code(name):
    with open(os.path.join(qemu_test.ROOT, "mpi_shim", "include", "mpi.h")) as f:
        return int(re.search(r"#define %s (\d+)" % name, f.read()).group(1))


class Osu(qemu_test.QemuTest):
    sources = None  # (path, kind), set by main

    @classmethod
    def setUpClass(cls):
        """Extracts the sources and builds each program as make would: every source compiled
        with -c (DEFS, -I., CFLAGS), then linked."""
        cls.tmp = tempfile.TemporaryDirectory(prefix="ipclab-osu-")
        cls.addClassCleanup(cls.tmp.cleanup)  # also when the build below fails
        cls.src = os.path.join(cls.tmp.name, "src")
        extract(*cls.sources, cls.src)
        cls.version, defs = configure_defs(cls.src)
        cls.binaries = os.path.join(cls.tmp.name, "bin")
        os.mkdir(cls.binaries)
        for program, (directory, files) in PROGRAMS.items():
            objects = []
            for source in files:
                obj = os.path.join(cls.binaries, "%s-%s.o" % (program, source[:-2]))
                cls.step([IPCLAB, "--build-dir", BUILD, "mpicc"] + defs + ["-I."] + CFLAGS + ["-c", "-o", obj, source],
                         os.path.join(cls.src, directory))
                objects.append(obj)
            cls.step([IPCLAB, "--build-dir", BUILD, "mpicc"] + CFLAGS +
                     ["-o", os.path.join(cls.binaries, program)] + objects, cls.binaries)

    @staticmethod
    def step(cmd, cwd):
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise AssertionError("%s failed (%d) in %s:\n%s%s" % (
                shlex.join(cmd), p.returncode, cwd, p.stdout[-4000:], p.stderr[-4000:]))

    def run_osu(self, binary, ranks, policy=()):
        """mpirun of `binary` (an OSU program) with its ARGUMENTS: (status, stdout, stderr, seconds)."""
        start = time.monotonic()
        rc, out, err = ipclab("mpirun", "-np", str(ranks), "--timeout", str(RUN_TIMEOUT), *policy, binary,
                              *ARGUMENTS[os.path.basename(binary)])
        return rc, out, err, time.monotonic() - start

    def table(self, out, title, header, columns):
        """The rows (size, `columns` numbers, the trailing count or None) of the table under
        `title` and `header`; every line after them must be such a row."""
        lines = out.splitlines()
        self.assertIn("# OSU MPI %s v%s" % (title, self.version), lines, out)
        self.assertIn(header, lines, out)
        row = re.compile(r"^(\d+)\s+" + r"\s+".join([NUMBER] * columns) + r"(?:\s+(\d+))?$")
        rows = []
        for line in lines[lines.index(header) + 1:]:
            m = row.match(line)
            self.assertIsNotNone(m, "not a table row: %r in\n%s" % (line, out))
            rows.append((int(m.group(1)),) + tuple(float(v) for v in m.groups()[1:-1]) + (m.groups()[-1],))
        return rows

    def check_latency(self, binary, policy=()):
        rc, out, err, _ = self.run_osu(binary, 2, policy)
        self.assertEqual(rc, 0, out + err)
        rows = self.table(out, "Latency Test", LATENCY_HEADER, 1)
        self.assertEqual([r[0] for r in rows], [0] + [2 ** k for k in range(23)])
        for size, latency, _ in rows:
            self.assertGreater(latency, 0, "size %d: %s" % (size, out))
        self.assertGreater(rows[-1][1], rows[0][1], "4 MiB costs no more than 0 bytes?\n" + out)

    def check_bandwidth(self, binary):
        rc, out, err, _ = self.run_osu(binary, 2)
        self.assertEqual(rc, 0, out + err)
        rows = self.table(out, "Bandwidth Test", BANDWIDTH_HEADER, 1)
        self.assertEqual([r[0] for r in rows], [2 ** k for k in range(23)])
        for size, bandwidth, _ in rows:
            self.assertGreater(bandwidth, 0, "size %d: %s" % (size, out))

    def check_bcast(self, binary, ranks):
        rc, out, err, _ = self.run_osu(binary, ranks)
        self.assertEqual(rc, 0, out + err)
        rows = self.table(out, "Broadcast Latency Test", BCAST_HEADER, 3)
        self.assertEqual([r[0] for r in rows], [2 ** k for k in range(21)])  # 1 B .. 1 MiB, the default
        for size, avg, low, high, iterations in rows:
            self.assertTrue(0 < low <= avg + 0.01 and avg <= high + 0.01, "size %d: %s" % (size, out))
            self.assertEqual(iterations, "10")

    def test_latency(self):
        self.check_latency(os.path.join(self.binaries, "osu_latency"))

    def test_bandwidth(self):
        self.check_bandwidth(os.path.join(self.binaries, "osu_bw"))

    def test_broadcast(self):
        for ranks in (2, 4):
            with self.subTest(ranks=ranks):
                self.check_bcast(os.path.join(self.binaries, "osu_bcast"), ranks)

    def test_mpi_blocking_refuses_isend(self):
        """mpi-blocking forbids non-blocking sends: osu_bw's first MPI_Isend fails, the default
        error handler aborts the job with the error class as its status, and no row is printed."""
        code = mpi_error_code("MPI_ERR_UNSUPPORTED_OPERATION")
        rc, out, err, seconds = self.run_osu(os.path.join(self.binaries, "osu_bw"), 2, ["--policy", "mpi-blocking"])
        self.assertEqual(rc, code, out + err)
        self.assertIn("ipclab MPI: MPI_Isend: MPI_ERR_UNSUPPORTED_OPERATION: unsupported operation; "
                      "the run's policy does not offer this operation (rank 0)", out + err)
        self.assertIn("rank 0 called MPI_Abort with error code %d" % code, err)
        self.assertIn(BANDWIDTH_HEADER, out.splitlines())
        self.assertIsNone(re.search(r"^\d+\s+" + NUMBER + "$", out, re.M), "a bandwidth was measured:\n" + out)
        self.assertLess(seconds, RUN_TIMEOUT / 2, "the refusal took %.0f s" % seconds)

    def test_mpi_blocking_runs_blocking_benchmarks(self):
        self.check_latency(os.path.join(self.binaries, "osu_latency"), ["--policy", "mpi-blocking"])

    def test_osu_build_system(self):
        """OSU's own configure and make, with CC and CXX (osu_bcast links with it) set to
        ipclab's mpicc, build the same three programs, and they run."""
        if not shutil.which("make"):
            self.skipTest("make is not installed")
        if not os.path.isfile(os.path.join(self.src, "configure")):
            self.skipTest("the OSU sources have no generated configure script")
        tree = os.path.join(self.tmp.name, "autotools")
        shutil.copytree(self.src, tree)
        mpicc = shlex.join([IPCLAB, "--build-dir", BUILD, "mpicc"])
        self.step(["./configure", "CC=" + mpicc, "CXX=" + mpicc], tree)
        self.step(["make", "-C", "mpi/pt2pt", "osu_latency", "osu_bw"], tree)
        self.step(["make", "-C", "mpi/collective", "osu_bcast"], tree)
        self.check_latency(os.path.join(tree, "mpi", "pt2pt", "osu_latency"))
        self.check_bandwidth(os.path.join(tree, "mpi", "pt2pt", "osu_bw"))
        self.check_bcast(os.path.join(tree, "mpi", "collective", "osu_bcast"), 4)


def main():
    given = os.environ.get("IPCLAB_OSU_SOURCES")
    path = given or DEFAULT_SOURCES
    kind = usable(path)
    if not kind:
        print("test_osu: no OSU micro-benchmark sources at %s (%s): looked for %s as files or in a git "
              "repository's HEAD. Set IPCLAB_OSU_SOURCES to an OSU 5.3 source tree or a git clone of one "
              "(an unpacked osu-micro-benchmarks-5.3.tar.gz, or e.g. https://github.com/forresti/osu-micro-benchmarks)."
              % (path, "IPCLAB_OSU_SOURCES" if given else "the default; IPCLAB_OSU_SOURCES is not set",
                 ", ".join(NEEDED)))
        return 1 if given else SKIP_STATUS
    print("test_osu: OSU sources from %s (%s)" % (path, kind), flush=True)
    Osu.sources = (path, kind)
    qemu_test.main()


if __name__ == "__main__":
    sys.exit(main())
