"""The latency section (scripts/ipclab_cli/report_latency.py) on synthetic results: the series
taken from the ping-pong and the Linux guest's baseline, the study's "IPC is much faster"
judged from them, and the section without a baseline. Needs no QEMU and no build."""
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_latency  # noqa: E402


def rows(run, layer, medians, key="run"):
    return [{"run": run if key == "run" else layer, "transport": run, "layer": layer, "bytes": b, "median": m}
            for b, m in medians.items()]


PINGPONG = {"results": rows("native", "native", {0: 450, 8: 460}) + rows("mpi", "mpi", {0: 1600, 8: 1640})}
BASELINE = {"context": {"linux_kernel": "6.1", "openmpi": "4.1.4", "openmpi_note": "one vCPU"},
            "results": rows("pipe", "linux", {8: 10000}, "transport") + rows("syscall", "linux", {0: 335}, "transport") +
            rows("openmpi-4.1", "openmpi", {8: 7400}, "transport")}


class Latency(unittest.TestCase):
    def test_series_and_claim(self):
        data = report_latency.series(PINGPONG, BASELINE)
        self.assertEqual(set(data), {"ipclab native call/reply_recv", "ipclab MPI_Send/MPI_Recv", "Linux pipe",
                                     "Open MPI 4.1 on Linux"}, "the bare syscall is not a round-trip series")
        verdict, evidence = report_latency.claim(data)
        self.assertEqual(verdict, "reproduced")
        self.assertIn("1,640 (3.6x) and Open MPI on Linux 7,400 (16.1x)", evidence)
        close = {"results": rows("native", "native", {8: 1000}) + rows("mpi", "mpi", {8: 1500})}
        self.assertEqual(report_latency.claim(report_latency.series(close, None))[0], "refuted")

    def test_section_with_and_without_a_baseline(self):
        with tempfile.TemporaryDirectory() as d:
            text = "\n".join(report_latency.section(PINGPONG, BASELINE, d))
            self.assertTrue(os.path.getsize(os.path.join(d, "latency.png")) > 0)
            self.assertIn("costs 335 guest instructions", text)
            self.assertIn("| Linux pipe | - | 10,000 |", text)
            alone = "\n".join(report_latency.section(PINGPONG, None, d))
            self.assertIn("No `results/baseline.json` yet", alone)


if __name__ == "__main__":
    unittest.main(verbosity=2)
