"""The ping-pong completes with correct data through native IPC and through the MPI layer."""
import qemu_test

SIZES = [0, 8, 64, 512, 4096]


class Pingpong(qemu_test.QemuTest):
    def check(self, label, transports):
        out = qemu_test.boot_run(qemu_test.scenario("pingpong_small"), label)
        self.assertRunStatus(out, "ok")
        rows = out.results()
        self.assertEqual([r["bytes"] for r in rows], SIZES)
        for r in rows:
            self.assertTrue(r["verified"], r)
            self.assertEqual(r["iterations"], 50)
            self.assertEqual(r["warmup"], 5)
            self.assertEqual(r["unit"], "guest_instructions")
            self.assertEqual(r["commit"], "test")
            self.assertEqual(r["policy"], "capability")
            self.assertIn(r["transport"], transports)
            self.assertTrue(0 < r["min"] <= r["median"] <= r["max"], r)
        exits = out.events("task_exit")
        self.assertTrue(all(not e["failed"] for e in exits), exits)
        return rows

    def test_native(self):
        rows = self.check("native", ["call/reply_recv, message registers", "call/reply_recv, long IPC"])
        self.assertEqual(rows[-1]["transport"], "call/reply_recv, long IPC")

    def test_mpi(self):
        self.check("mpi", ["MPI_Send/MPI_Recv"])


if __name__ == "__main__":
    qemu_test.main()
