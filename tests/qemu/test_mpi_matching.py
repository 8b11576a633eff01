"""MPI matching on the communicator layer: ANY_SOURCE fan-in, non-overtaking, ANY_TAG,
MPI_Get_count, MPI_PROC_NULL and barriers, for several rank counts."""
import qemu_test


class MpiMatching(qemu_test.QemuTest):
    def test_rank_counts(self):
        e = qemu_test.scenario("mpi_matching")
        for run in e["runs"]:
            ranks = run["mpi"]["ranks"]
            out = qemu_test.boot_run(e, run["label"])
            self.assertRunStatus(out, "ok")
            self.assertEqual([l for l in out.output if l.get("type") == "mpi_matching"],
                             [{"type": "mpi_matching", "ranks": ranks, "messages": 30 * (ranks - 1), "ok": True}])
            self.assertEqual(len(out.events("task_exit")), ranks)


if __name__ == "__main__":
    qemu_test.main()
