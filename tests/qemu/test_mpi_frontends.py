"""scripts/ipclab mpicc and mpirun: an MPI program written here is built with mpicc and run
with mpirun; its output, the exit status and the messages for failed ranks, MPI_Abort,
deadlock, timeout and bad input are checked.

The runs use --policy capability (POLICY): until the kernel knows mpirun's default policy,
mpi-rights, no other boots. Once it does, POLICY becomes [] so the default is tested."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import qemu_test  # first: puts the harness on the import path

import abi  # noqa: E402
import mpirun  # noqa: E402
import runner  # noqa: E402
from errors import UserError  # noqa: E402
from paths import BUILD  # noqa: E402

IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
POLICY = []

SOURCES = {
    # Every rank says who it is; rank 0 receives 10 * r from every other rank r.
    "hello.c": r"""
#include <mpi.h>
#include <math.h>
#include <stdio.h>

int main(int argc, char** argv) {
    int rank, size, sum = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("rank %d of %d\n", rank, size);
    if (rank == 0) {
        for (int r = 1; r < size; ++r) {
            int value;
            MPI_Recv(&value, 1, MPI_INT, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            sum += value;
        }
        printf("sum %d root %.0f\n", sum, sqrt((double)sum * sum));
    } else {
        int value = 10 * rank;
        MPI_Send(&value, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return 0;
}
""",
    "exit3.c": r"""
#include <mpi.h>
int main(int argc, char** argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 1) return 3;
    MPI_Finalize();
    return 0;
}
""",
    "abort7.c": r"""
#include <mpi.h>
#include <stdio.h>
int main(int argc, char** argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 1) {
        printf("rank 1 aborts\n");
        fflush(stdout);
        MPI_Abort(MPI_COMM_WORLD, 7);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
""",
    "spin.c": r"""
#include <mpi.h>
#include <stdio.h>
int main(int argc, char** argv) {
    volatile unsigned long turns = 0;
    MPI_Init(&argc, &argv);
    printf("spinning\n");
    fflush(stdout);
    for (;;) ++turns;
}
""",
    # C++ through the same wrapper; prints its arguments.
    "args.cpp": r"""
#include <mpi.h>
#include <stdio.h>
namespace { struct Offset { int base; int at(int i) const { return base + i; } }; }
int main(int argc, char** argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    Offset o{100 * rank};
    for (int i = 1; i < argc; ++i) printf("rank %d arg %d [%s]\n", rank, o.at(i), argv[i]);
    MPI_Finalize();
    return 0;
}
""",
    "syntax_error.c": "int main( { return 0; }\n",
}


def ipclab(*args, timeout=120):
    p = subprocess.run([IPCLAB, "--build-dir", BUILD] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class MpiFrontends(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ipclab-mpi-frontends-")
        for name, text in SOURCES.items():
            with open(os.path.join(cls.dir, name), "w") as f:
                f.write(text)
        for name in ("hello.c", "exit3.c", "abort7.c", "spin.c", "args.cpp"):
            flags = ["-lm"] if name == "hello.c" else []
            rc, out, err = ipclab("mpicc", "-O2", "-Wall", "-o", cls.path(os.path.splitext(name)[0]),
                                  cls.path(name), *flags)
            if rc != 0:
                raise AssertionError("mpicc %s failed (%d):\n%s%s" % (name, rc, out, err))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def test_ranks_print_and_exit_0(self):
        for n in (1, 2, 4):
            rc, out, err = ipclab("mpirun", "-np", str(n), *POLICY, self.path("hello"))
            self.assertEqual(rc, 0, out + err)
            lines = out.splitlines()
            self.assertEqual(sorted(l for l in lines if l.startswith("rank ")),
                             ["rank %d of %d" % (r, n) for r in range(n)])
            self.assertIn("sum %d root %d" % (10 * sum(range(n)), 10 * sum(range(n))), lines)
            self.assertNotIn('"event"', out + err)  # kernel records only with -v

    def test_a_reader_that_leaves_early_is_no_error(self):
        # 'mpirun ... | head -1': the job still runs to its end and exits 0, without a traceback.
        p = subprocess.Popen([IPCLAB, "--build-dir", BUILD, "mpirun", "-np", "4", *POLICY,
                              self.path("args"), *["word"] * 50], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        first = p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read()
        rc = p.wait(timeout=120)
        self.assertTrue(first.startswith("rank "), first)
        self.assertNotIn("Traceback", err)
        self.assertEqual(rc, 0, err)

    def test_verbose_shows_kernel_records(self):
        rc, out, err = ipclab("mpirun", "-np", "2", "-v", *POLICY, self.path("hello"))
        self.assertEqual(rc, 0, out + err)
        self.assertIn('"event":"run_end"', err)
        self.assertNotIn('"event"', out)

    def test_cxx_program_and_arguments(self):
        rc, out, err = ipclab("mpirun", "-np", "2", *POLICY, self.path("args"), "a", "b c", "-x")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(sorted(out.splitlines()), ["rank 0 arg 1 [a]", "rank 0 arg 2 [b c]", "rank 0 arg 3 [-x]",
                                                    "rank 1 arg 101 [a]", "rank 1 arg 102 [b c]",
                                                    "rank 1 arg 103 [-x]"])

    def test_failed_rank_is_named(self):
        rc, out, err = ipclab("mpirun", "-np", "2", *POLICY, self.path("exit3"))
        self.assertEqual(rc, 3, out + err)  # the first failure's status, as Open MPI's mpirun
        self.assertIn("rank 1 exited with status 3", err)

    def test_mpi_abort_code_is_the_exit_status(self):
        rc, out, err = ipclab("mpirun", "-np", "4", *POLICY, self.path("abort7"))
        self.assertEqual(rc, 7, out + err)
        self.assertIn("rank 1 aborts", out)
        self.assertIn("rank 1 called MPI_Abort with error code 7", err)

    def test_deadlock_is_reported(self):
        rc, out, err = ipclab("mpirun", "-np", "2", *POLICY, "mpi_deadlock")  # a program of build/user
        self.assertEqual(rc, mpirun.FAILED_STATUS, out + err)
        self.assertIn("deadlock", err)
        self.assertIn("rank 0", err)
        self.assertIn("rank 1", err)

    def test_timeout_stops_the_run(self):
        start = time.monotonic()
        rc, out, err = ipclab("mpirun", "-np", "2", "--timeout", "3", *POLICY, self.path("spin"))
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(rc, mpirun.TIMEOUT_STATUS, out + err)
        self.assertIn("did not end within 3 s", err)
        self.assertIn("spinning", out)  # relayed before the end

    def test_bad_input_is_named(self):
        with open(self.path("notes.txt"), "w") as f:
            f.write("not a program\n")
        cases = [
            (["-np", "0", self.path("hello")], "-np must be a whole number of ranks, 1..1024, not '0'"),
            (["-np", "x", self.path("hello")], "not 'x'"),
            (["-np", "5000", self.path("hello")], "not '5000'"),
            (["-np", "2", self.path("missing")], "no such file"),
            (["-np", "2", "no_such_program"], "no program 'no_such_program'"),
            (["-np", "2", self.path("notes.txt")], "is not an ELF executable"),
            (["-np", "2", self.path("hello.c")], "is not an ELF executable"),
            (["-np", "2", "--policy", "nonsense", self.path("hello")], "unknown policy 'nonsense'"),
            (["-np", "2", "--timeout", "0", self.path("hello")], "--timeout must be a positive"),
        ]
        for args, message in cases:
            rc, out, err = ipclab("mpirun", *args)
            self.assertEqual(rc, 2, "%s: %s%s" % (args, out, err))
            self.assertIn(message, err, args)

    def test_mpicc_errors(self):
        rc, out, err = ipclab("mpicc", "-o", self.path("bad"), self.path("syntax_error.c"))
        self.assertNotEqual(rc, 0)
        self.assertIn("syntax_error.c:1", err)
        self.assertFalse(os.path.exists(self.path("bad")))
        rc, out, err = ipclab("mpicc", "-O2")
        self.assertEqual(rc, 2)
        self.assertIn("no input files", err)
        rc, out, err = ipclab("mpicc", self.path("nothing.c"))
        self.assertEqual(rc, 2)
        self.assertIn("no such file", err)

    def test_mpicc_showme_and_default_output(self):
        rc, out, err = ipclab("mpicc", "--showme", "-O0", "prog.c")
        self.assertEqual(rc, 0, err)
        for word in ("libipclab_mpi.a", "libipclab_runtime.a", "musl-gcc.specs", "-static", "-no-pie", "-nostdinc"):
            self.assertIn(word, out)
        self.assertNotIn("-Werror", out)  # the project's own warning policy is not the user's
        self.assertLess(out.index("-O2"), out.index("-O0"))  # the user's flags come later and win
        p = subprocess.run([IPCLAB, "--build-dir", BUILD, "mpicc", "hello.c", "-lm"], cwd=self.dir,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        mpirun.check_elf(self.path("a.out"))  # the default output, as mpicc's

    def test_run_description(self):
        run = mpirun.job("2", "hello", ["x"])
        self.assertEqual(run["policy"], "mpi-rights")  # mpirun's default
        manifest, modules = runner.compose(run, {})
        self.assertIn("policy mpi-rights\n", manifest)
        self.assertNotIn("send_timeout", manifest)
        self.assertEqual(modules, [("hello", ["x"]), ("hello", ["x"])])
        manifest, _ = runner.compose(mpirun.job("2", "/abs/hello", [], "capability", 256, 0.25), {})
        self.assertIn("communicator world 1 1 2\nsend_timeout world 250000000\n", manifest)
        with self.assertRaises(UserError):
            mpirun.job("2", "hello", [], send_timeout=0)

    def test_list_shows_the_policies(self):
        rc, out, err = ipclab("list")
        self.assertEqual(rc, 0, err)
        for name, description in abi.policies():
            self.assertIn(name + ": " + description, out)
        self.assertIn("mpi-rights", [name for name, _ in abi.policies()])


if __name__ == "__main__":
    sys.exit(qemu_test.main())
