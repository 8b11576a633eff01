"""The MPI ping-pong source builds with Open MPI's mpicc and runs under mpirun -np 2 on
Linux, checking every payload byte as it does on ipclab."""
import json
import os
import subprocess

import qemu_test
from paths import BUILD

SOURCE = os.path.join(qemu_test.ROOT, "experiments", "pingpong", "pingpong_mpi.c")
# Open MPI refuses root without these; shared memory without the single-copy mechanism works
# in containers that forbid process_vm_readv.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_plm="isolated",
           OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none", OMPI_MCA_rmaps_base_oversubscribe="1")


class OpenMpi(qemu_test.QemuTest):
    def test_pingpong_under_open_mpi(self):
        out_dir = os.path.join(BUILD, "openmpi")
        os.makedirs(out_dir, exist_ok=True)
        binary = os.path.join(out_dir, "pingpong_mpi")
        cc = subprocess.run(["mpicc", "-O2", "-Wall", "-Werror", "-o", binary, SOURCE], capture_output=True, text=True)
        self.assertEqual(cc.returncode, 0, cc.stdout + cc.stderr)
        run = subprocess.run(["mpirun", "-np", "2", "--bind-to", "none", binary, "--reps", "200", "--warmup", "20"],
                             capture_output=True, text=True, env=ENV, timeout=300)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        rows = [json.loads(l) for l in run.stdout.splitlines() if l.startswith("{")]
        self.assertEqual([r["bytes"] for r in rows], [0, 8, 64, 512, 4096], run.stdout + run.stderr)
        for r in rows:
            self.assertTrue(r["verified"], r)
            self.assertEqual(r["unit"], "tsc_ticks")  # wall-clock ticks on Linux, not guest instructions


if __name__ == "__main__":
    qemu_test.main()
