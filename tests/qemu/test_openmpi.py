"""The project's MPI sources build with Open MPI's mpicc and run under mpirun on Linux with
the same results as on ipclab: the ping-pong (every payload byte checked) and the matching
test."""
import json
import os
import subprocess

import qemu_test
from paths import BUILD

SOURCES = os.path.join(qemu_test.ROOT, "experiments")
# Open MPI refuses root without the first two; the rest keep it on this machine's shared
# memory and work in containers that forbid process_vm_readv.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_plm="isolated",
           OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def build_and_run(test, source, ranks, args):
    """JSON lines printed by `source` built with mpicc and run with `ranks` ranks."""
    out_dir = os.path.join(BUILD, "openmpi")
    os.makedirs(out_dir, exist_ok=True)
    binary = os.path.join(out_dir, os.path.splitext(os.path.basename(source))[0])
    cc = subprocess.run(["mpicc", "-O2", "-Wall", "-Werror", "-o", binary, os.path.join(SOURCES, source)],
                        capture_output=True, text=True)
    test.assertEqual(cc.returncode, 0, cc.stdout + cc.stderr)
    run = subprocess.run(["mpirun", "-np", str(ranks), "--bind-to", "none", binary] + args,
                         capture_output=True, text=True, env=ENV, timeout=300)
    test.assertEqual(run.returncode, 0, run.stdout + run.stderr)
    return [json.loads(l) for l in run.stdout.splitlines() if l.startswith("{")]


class OpenMpi(qemu_test.QemuTest):
    def test_pingpong_under_open_mpi(self):
        rows = build_and_run(self, "pingpong/pingpong_mpi.c", 2, ["--reps", "200", "--warmup", "20"])
        self.assertEqual([r["bytes"] for r in rows], [0, 8, 64, 512, 4096])
        for r in rows:
            self.assertTrue(r["verified"], r)
            self.assertEqual(r["unit"], "tsc_ticks")  # wall-clock ticks on Linux, not guest instructions

    def test_matching_under_open_mpi(self):
        rows = build_and_run(self, "tests/mpi_matching.c", 4, ["30"])
        self.assertEqual(rows, [{"type": "mpi_matching", "ranks": 4, "messages": 90, "ok": True}])


if __name__ == "__main__":
    qemu_test.main()
