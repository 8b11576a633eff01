"""The ping-pong report on synthetic results: a row and an MPI/native ratio per size, the MPI
layer's two targets judged from the data (met, not met, not measured), the Open MPI figure
taken from a baseline file when there is one, and the same figures in the results JSON.
Needs no QEMU and no build; writes only into a temporary folder."""
import json
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_pingpong  # noqa: E402
import results  # noqa: E402
from errors import UserError  # noqa: E402


def row(run, size, median, iterations=1000):
    return {"type": "result", "experiment": "pingpong", "run": run, "layer": run, "bytes": size,
            "iterations": iterations, "warmup": 100, "min": median - 5, "p10": median, "median": median,
            "p90": median + 10, "max": median + 100, "mean": median + 1.0, "stddev": 3.0, "verified": True,
            "unit": "guest_instructions"}


def document(native, mpi, iterations=None):
    """A pingpong results document with the given {bytes: median} per run."""
    iterations = iterations or {}
    rows = [row("native", s, m, iterations.get(s, 1000)) for s, m in sorted(native.items())]
    rows += [row("mpi", s, m, iterations.get(s, 1000)) for s, m in sorted(mpi.items())]
    return {"experiment": "pingpong", "description": "synthetic", "claim": "IPC is much faster",
            "context": {"commit": "test"}, "results": rows,
            "runs": [{"label": "native", "layer": "native", "status": "ok", "guest_instructions": 123},
                     {"label": "mpi", "layer": "mpi", "status": "ok", "guest_instructions": 456}]}


class ReportPingpong(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def section(self, doc):
        lines = report_pingpong.section(doc, self.dir)
        self.assertTrue(os.path.getsize(os.path.join(self.dir, "pingpong_latency.png")) > 0)
        return lines

    def targets(self, lines):
        """The lines of the Targets list, (a) and (b)."""
        start = next(i for i, l in enumerate(lines) if l.startswith("**Targets**"))
        found = [l for l in lines[start:] if l.startswith("- (")]
        self.assertEqual([l[:5] for l in found], ["- (a)", "- (b)"], lines)
        return found

    def test_a_row_and_a_ratio_per_size(self):
        doc = document({0: 450, 8: 460, 65536: 27600}, {0: 900, 8: 2714, 4096: 5000, 65536: 31960})
        lines = self.section(doc)
        table = [l for l in lines if l.startswith("| ") and l[2].isdigit()]
        self.assertEqual(table, [
            "| 0 | 450 | 445..550 | 900 | 895..1000 | 2.00 |",
            "| 8 | 460 | 455..560 | 2714 | 2709..2814 | 5.90 |",
            "| 4096 | - | - | 5000 | 4995..5100 | - |",  # one layer only: no ratio
            "| 65536 | 27600 | 27595..27700 | 31960 | 31955..32060 | 1.16 |"])
        self.assertEqual(report_pingpong.ratios(doc), [
            {"bytes": 0, "native_median": 450, "mpi_median": 900, "mpi_over_native": 2.0},
            {"bytes": 8, "native_median": 460, "mpi_median": 2714, "mpi_over_native": 5.9},
            {"bytes": 65536, "native_median": 27600, "mpi_median": 31960, "mpi_over_native": 1.158}])
        self.assertIn("(1000 measured round trips per size after 100 discarded warm-up ones)", "\n".join(lines))

    def test_repetitions_by_size_are_stated(self):
        doc = document({8: 460, 8192: 4900, 65536: 27600}, {8: 600, 8192: 7000, 65536: 31960},
                       iterations={8192: 100, 65536: 100})
        self.assertEqual(report_pingpong.repetitions_text(doc),
                         "measured round trips per size: 1000 for 8 bytes, 100 for 8192..65536 bytes; "
                         "after 100 discarded warm-up ones")

    def test_targets_met(self):
        # 690 / 460 = 1.5 exactly (at most 1.5: met); 7358 / 690 = 10.66 (at least 10: met).
        doc = document({8: 460}, {8: 690})
        a, b = self.targets(self.section(doc))
        self.assertIn("MPI 690 / native 460 = **1.50x**: **met**.", a)
        self.assertIn("Open MPI 7358 / MPI 690 = **10.66x** fewer: **met**.", b)
        self.assertIn("reference figure", b)
        self.assertNotIn("NOT", a + b)
        checked = report_pingpong.targets(doc, report_pingpong.openmpi_baseline(self.dir))
        self.assertEqual([(t["id"], t["measured"], t["met"]) for t in checked],
                         [("mpi_over_native", 1.5, True), ("openmpi_over_mpi", 10.6638, True)])

    def test_targets_not_met(self):
        doc = document({8: 460}, {8: 2714})
        a, b = self.targets(self.section(doc))
        self.assertIn("MPI 2714 / native 460 = **5.90x**: **NOT met**; it would be met at 690 guest "
                      "instructions or fewer.", a)
        self.assertIn("Open MPI 7358 / MPI 2714 = **2.71x** fewer: **NOT met**; it would be met at 735 guest "
                      "instructions or fewer.", b)

    def test_targets_just_missed(self):
        # 691 / 460 = 1.502 > 1.5; 7358 / 736 = 9.997 < 10.
        checked = report_pingpong.targets(document({8: 460}, {8: 691}), (7358, "reference"))
        self.assertEqual([t["met"] for t in checked], [False, True])
        checked = report_pingpong.targets(document({8: 460}, {8: 736}), (7358, "reference"))
        self.assertEqual([t["met"] for t in checked], [False, False])

    def test_targets_not_measured_without_8_bytes(self):
        doc = document({0: 450, 64: 1045}, {0: 900, 64: 2500})
        a, b = self.targets(self.section(doc))
        self.assertIn("**not measured**", a)
        self.assertIn("**not measured**", b)
        self.assertEqual([t["met"] for t in report_pingpong.targets(doc, (7358, "reference"))], [None, None])

    def test_measured_baseline_replaces_the_reference_figure(self):
        doc = document({8: 460}, {8: 690})
        baseline = {"experiment": "baseline", "results": [
            dict(row("linux-pipe", 8, 13049), layer="linux"),
            dict(row("openmpi", 8, 6000), layer="openmpi")]}
        with open(os.path.join(self.dir, "baseline.json"), "w") as f:
            json.dump(baseline, f)
        self.assertEqual(report_pingpong.openmpi_baseline(self.dir), (6000, "measured: baseline.json, run 'openmpi'"))
        a, b = self.targets(self.section(doc))
        self.assertIn("Open MPI 6000 / MPI 690 = **8.70x** fewer: **NOT met**", b)
        self.assertIn("measured: baseline.json", b)
        # A baseline without an Open MPI 8-byte row leaves the reference figure, and says why.
        baseline["results"].pop()
        with open(os.path.join(self.dir, "baseline.json"), "w") as f:
            json.dump(baseline, f)
        figure, source = report_pingpong.openmpi_baseline(self.dir)
        self.assertEqual(figure, report_pingpong.OPENMPI_REFERENCE_ROUND_TRIP)
        self.assertIn("has no openmpi 8-byte row", source)
        with open(os.path.join(self.dir, "baseline.json"), "w") as f:
            f.write("{not json")
        with self.assertRaises(UserError) as ctx:
            report_pingpong.openmpi_baseline(self.dir)
        self.assertIn("baseline.json: not a results document", str(ctx.exception))

    def test_results_json_carries_ratios_and_targets(self):
        doc = report_pingpong.summarise(document({0: 450, 8: 460}, {0: 900, 8: 2714}), self.dir)
        results.write(doc, self.dir)
        with open(os.path.join(self.dir, "pingpong.json")) as f:
            written = json.load(f)
        self.assertEqual(len(written["results"]), 4)  # the rows are kept as they were
        self.assertEqual([(r["bytes"], r["mpi_over_native"]) for r in written["ratios"]], [(0, 2.0), (8, 5.9)])
        a, b = written["targets"]
        self.assertEqual((a["id"], a["measured"], a["at_most"], a["met"]), ("mpi_over_native", 5.9, 1.5, False))
        self.assertEqual((b["id"], b["openmpi_round_trip"], b["at_least"], b["met"]),
                         ("openmpi_over_mpi", 7358, 10.0, False))
        with open(os.path.join(self.dir, "pingpong.csv")) as f:
            self.assertEqual(len(f.read().splitlines()), 5)  # header and the four rows, no summary

    def test_reference_figure_is_the_design_figure(self):
        self.assertEqual(report_pingpong.OPENMPI_REFERENCE_ROUND_TRIP, 7358)
        self.assertEqual((report_pingpong.MAX_MPI_OVER_NATIVE, report_pingpong.MIN_OPENMPI_OVER_MPI), (1.5, 10.0))


if __name__ == "__main__":
    unittest.main(verbosity=2)
