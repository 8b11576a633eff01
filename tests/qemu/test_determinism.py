"""Two runs of the same experiment give identical figures (qemu -icount shift=0,sleep=off)."""
import qemu_test

FIGURES = ["bytes", "min", "p10", "median", "p90", "max", "mean", "stddev"]


class Determinism(qemu_test.QemuTest):
    def test_two_runs_identical(self):
        e = qemu_test.scenario("pingpong_small")
        for label in ("native", "mpi"):
            # Identical inputs, down to the run description's file name (it is on a module's
            # command line, which the kernel reads).
            first = qemu_test.boot_run(e, label, "-determinism")
            second = qemu_test.boot_run(e, label, "-determinism")
            self.assertRunStatus(first, "ok")
            self.assertRunStatus(second, "ok")
            a = [[r[k] for k in FIGURES] for r in first.results()]
            b = [[r[k] for k in FIGURES] for r in second.results()]
            self.assertEqual(len(a), 5)
            self.assertEqual(a, b, label + ": figures differ between two runs")
            self.assertEqual(first.events("run_end")[0]["instructions"], second.events("run_end")[0]["instructions"])


if __name__ == "__main__":
    qemu_test.main()
