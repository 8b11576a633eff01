"""The MPI compatibility suite (issue 4): the programs of experiments/mpi_compat build unmodified
with Open MPI's mpicc and with ipclab, and with 2, 4 and 8 ranks print the same lines under
Open MPI's mpirun on Linux and under 'scripts/ipclab mpirun'. Each program prints only
deterministic lines, each prefixed "rank R: ", so the sorted output of all ranks is compared;
both runs must exit 0 and every rank must print "rank R: OK"."""
import concurrent.futures
import difflib
import glob
import os
import shutil
import subprocess
import tempfile

import qemu_test
from paths import BUILD, user_dir
from test_openmpi import ENV as OPEN_MPI_ENV

PROGRAMS = ["ordering", "fanin", "ring", "comms", "collectives", "truncate", "nonblocking"]
RANKS = (2, 4, 8)
SOURCES = os.path.join(qemu_test.ROOT, "experiments", "mpi_compat")
IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
RUN_TIMEOUT = 150  # host seconds for one run; the whole suite takes well under 3 minutes
WORKERS = 2        # QEMU and the Open MPI ranks share the machine's cores
DIFF_LINES = 200   # of a unified diff shown on a mismatch


class Run:
    """What one run printed: exit status, the sorted "rank " lines, and the rest for messages."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode = returncode
        self.lines = sorted(l for l in stdout.splitlines() if l.startswith("rank "))
        self.stdout, self.stderr = stdout, stderr

    def describe(self):
        return "exit %s\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s" % (
            self.returncode, self.stdout[-3000:], self.stderr[-3000:])


def run(cmd, env=None):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
        return Run(p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as e:
        def text(b):
            return b.decode(errors="replace") if isinstance(b, bytes) else (b or "")
        return Run("timeout after %d s" % RUN_TIMEOUT, text(e.stdout), text(e.stderr))


def open_mpi_run(binary, ranks):
    """mpirun relays the ranks' pipes in chunks that may split a line and interleave it with
    another rank's, so each rank's stdout is taken from its own file (--output-filename)."""
    out_dir = "%s-%d.out" % (binary, ranks)
    shutil.rmtree(out_dir, ignore_errors=True)
    r = run(["mpirun", "-np", str(ranks), "--oversubscribe", "--bind-to", "none", "--output-filename", out_dir,
             binary], OPEN_MPI_ENV)
    texts = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*", "rank.*", "stdout"))):
        with open(path) as f:
            texts.append(f.read())
    return Run(r.returncode, "".join(texts), r.stderr) if texts else r


def ipclab_run(binary, ranks):
    return run([IPCLAB, "--build-dir", BUILD, "mpirun", "-np", str(ranks), "--timeout", str(RUN_TIMEOUT - 20),
                binary])


class MpiCompat(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        """Builds every program with mpicc, then runs every (program, ranks) case under both
        libraries, two at a time; the test methods judge the results."""
        cls.tmp = tempfile.TemporaryDirectory(prefix="mpi-compat-")
        cls.built, cls.results = {}, {}
        for p in PROGRAMS:
            binary = os.path.join(cls.tmp.name, p)
            cc = subprocess.run(["mpicc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
                                 os.path.join(SOURCES, p + ".c")], capture_output=True, text=True)
            cls.built[p] = (binary if cc.returncode == 0 else None, cc.stdout + cc.stderr)
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for p in PROGRAMS:
                ours = os.path.join(user_dir(), "mpi_compat_" + p)
                for n in RANKS:
                    if cls.built[p][0]:
                        jobs[(p, n, "open_mpi")] = pool.submit(open_mpi_run, cls.built[p][0], n)
                    if os.path.isfile(ours):
                        jobs[(p, n, "ipclab")] = pool.submit(ipclab_run, ours, n)
            cls.results = {key: f.result() for key, f in jobs.items()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_program(self, program):
        binary, messages = self.built[program]
        self.assertIsNotNone(binary, "mpicc could not build %s.c:\n%s" % (program, messages))
        ours = os.path.join(user_dir(), "mpi_compat_" + program)
        self.assertTrue(os.path.isfile(ours), "no ipclab build of %s: %s is missing" % (program, ours))
        for n in RANKS:
            with self.subTest(ranks=n):
                theirs, mine = self.results[(program, n, "open_mpi")], self.results[(program, n, "ipclab")]
                self.assertEqual(theirs.returncode, 0, "%s with %d ranks under Open MPI: %s" % (
                    program, n, theirs.describe()))
                oks = ["rank %d: OK" % r for r in range(n)]
                self.assertEqual([l for l in theirs.lines if l.endswith(": OK")], sorted(oks),
                                 "%s with %d ranks under Open MPI did not pass its own checks:\n%s" % (
                                     program, n, theirs.describe()))
                self.assertEqual(mine.returncode, 0, "%s with %d ranks under ipclab: %s" % (program, n, mine.describe()))
                if mine.lines != theirs.lines:
                    diff = list(difflib.unified_diff(theirs.lines, mine.lines, "open-mpi", "ipclab", n=1, lineterm=""))
                    if len(diff) > DIFF_LINES:
                        diff = diff[:DIFF_LINES] + ["... %d more diff lines" % (len(diff) - DIFF_LINES)]
                    diff = "\n".join(diff)
                    self.fail("%s with %d ranks: ipclab's sorted output differs from Open MPI's:\n%s\n%s" % (
                        program, n, diff, mine.stderr[-2000:]))

    def test_ordering(self):
        self.check_program("ordering")

    def test_fanin(self):
        self.check_program("fanin")

    def test_ring(self):
        self.check_program("ring")

    def test_comms(self):
        self.check_program("comms")

    def test_collectives(self):
        self.check_program("collectives")

    def test_truncate(self):
        self.check_program("truncate")

    def test_nonblocking(self):
        self.check_program("nonblocking")

    def test_every_program_is_tested(self):
        """A program added to experiments/mpi_compat is added here too."""
        on_disk = sorted(f[:-2] for f in os.listdir(SOURCES) if f.endswith(".c"))
        self.assertEqual(on_disk, sorted(PROGRAMS))


if __name__ == "__main__":
    qemu_test.main()
