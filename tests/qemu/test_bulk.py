"""The bulk-transfer programs (experiments/bulk): both runs of the experiment with a 4 KiB and a
64 KiB case and few repetitions. Every transport prints its row and every payload arrives
right; long IPC and the ring use the messages and slots they should; MPI_Send leaves nothing
in kernel buffers and the eager MPI_Isend its payload; a bad size is refused. Asserts on the
JSON the programs print, never on timing."""
import copy
import os

import qemu_test
from qemu_test import ROOT, BUILD, runner, experiments

SIZES = "4096,65536"
NATIVE = ["local", "local-memcpy", "long-ipc", "shared-ring", "shared-ring, no touch"]
MPI = ["local", "local-memcpy", "mpi-send", "mpi-send, probed", "mpi-isend, probed", "mpi-isend, window"]


def runs():
    e = experiments.load_file(os.path.join(ROOT, "experiments", "bulk", "experiment.json"))
    return {r["label"]: r for r in e["runs"]}


def shortened(run, sizes=SIZES):
    """`run` with `sizes`, 5 measured transfers and 2 warm-up ones per case."""
    run = copy.deepcopy(run)
    for args in [t.get("args", []) for t in run.get("tasks", [])] + [run.get("mpi", {}).get("args", [])]:
        for option, value in (("--sizes", sizes), ("--reps", "5"), ("--warmup", "2")):
            if option in args:
                args[args.index(option) + 1] = value
    return run


class Bulk(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.runs = runs()

    def boot(self, run, tag, expect="ok"):
        env = dict(qemu_test.ENV, IPCLAB_POLICY=run.get("policy", "capability"))
        manifest, modules = runner.compose(run, env)
        out = runner.boot(BUILD, "test-bulk-" + tag, manifest, modules, 60)
        self.assertNoPanic(out)
        self.assertRunStatus(out, expect)
        return out

    def rows(self, out, transports):
        """{(transport, bytes): row}, after checking there is one verified row for each."""
        rows = {(r["transport"], r["bytes"]): r for r in out.results()}
        self.assertEqual(sorted(rows), sorted((t, b) for t in transports for b in (4096, 65536)), out.text[-3000:])
        for r in rows.values():
            self.assertTrue(r["verified"], r)
            self.assertEqual(r["experiment"], "bulk")
            self.assertEqual(r["iterations"], 5)
            self.assertAlmostEqual(r["per_byte"], r["median"] / r["bytes"], places=4)
        return rows

    def test_native(self):
        rows = self.rows(self.boot(shortened(self.runs["native"]), "native"), NATIVE)
        self.assertEqual([rows[("long-ipc", b)]["messages"] for b in (4096, 65536)], [1, 1])  # up to 64 KiB each
        self.assertEqual([rows[("shared-ring", b)]["messages"] for b in (4096, 65536)], [1, 16])  # 4 KiB slots
        self.assertFalse(rows[("shared-ring, no touch", 4096)]["touch"])
        self.assertTrue(rows[("shared-ring", 4096)]["touch"])

    def test_native_transfers_of_several_messages(self):
        # 1 MiB: 16 long-IPC messages (ipc_send, the last ipc_call), the ring filled 16 times over
        run = shortened(self.runs["native"], "1048576")
        producer = next(t for t in run["tasks"] if t["name"] == "producer")
        producer["args"] += ["--transports", "long-ipc,shared-ring"]
        rows = {r["transport"]: r for r in self.boot(run, "native-1m").results()}
        self.assertEqual(sorted(rows), ["long-ipc", "shared-ring"])
        self.assertEqual((rows["long-ipc"]["messages"], rows["shared-ring"]["messages"]), (16, 256))
        self.assertTrue(rows["long-ipc"]["verified"] and rows["shared-ring"]["verified"])

    def test_mpi(self):
        rows = self.rows(self.boot(shortened(self.runs["mpi"]), "mpi"), MPI)
        buffered = {k: r.get("kernel_buffered_bytes") for k, r in rows.items()}
        for t in ("mpi-send", "mpi-send, probed"):
            self.assertEqual((buffered[(t, 4096)], buffered[(t, 65536)]), (0, 0), t)
        self.assertGreaterEqual(buffered[("mpi-isend, probed", 4096)], 4096)  # eager: into a kernel buffer
        self.assertEqual(buffered[("mpi-isend, probed", 65536)], 0)  # rendezvous: waits in the sender's buffer
        self.assertIsNone(buffered[("local", 4096)])

    def test_a_bad_size_is_refused(self):
        out = self.boot(shortened(self.runs["native"], "4100"), "bad-size", "tasks_failed")
        self.assertIn("sizes must be multiples of 8 bytes", out.text)
        self.assertEqual(out.results(), [])


if __name__ == "__main__":
    qemu_test.main()
