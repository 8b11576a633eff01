"""The policy-cost report (scripts/ipclab_cli/report_policies.py) on synthetic results: the
seeds/004 claims judged from the data (reproduced, refuted, not measured), the table and the
plot. Needs no QEMU and no build; writes only into a temporary folder."""
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_policies  # noqa: E402


def row(run, layer, median, ipcs=None, transport="call_tid/reply_recv, message registers", size=8):
    r = {"type": "result", "run": run, "layer": layer, "policy": run.split(".")[-1], "bytes": size,
         "median": median, "transport": transport}
    if ipcs is not None:
        r["policy_ipcs"] = ipcs
    return r


def document(two_clan_ipcs=4.0, monitor_steady=520, monitor_first_ipcs=2.0):
    rows = [row("mpi.capability", "mpi", 1700), row("mpi.mpi-rights", "mpi", 1730),
            row("tid.capability", "native", 500, 0.0), row("tid-one-clan", "native", 530, 0.0),
            row("tid-two-clans", "native", 2700, two_clan_ipcs), row("tid-monitor", "native", monitor_steady, 0.0),
            row("tid-monitor", "native", 2000, monitor_first_ipcs, "call_tid/reply_recv, first call", 0)]
    return {"experiment": "policy_cost", "claim": "seeds/004", "results": rows}


class Claims(unittest.TestCase):
    def verdicts(self, doc):
        return [c[3] for c in report_policies.claims(doc)]

    def test_verdicts_come_from_the_data(self):
        self.assertEqual(self.verdicts(document()), ["reproduced", "reproduced"])
        self.assertEqual(self.verdicts(document(two_clan_ipcs=2.0)), ["refuted", "reproduced"],
                         "two IPCs each way is not three")
        self.assertEqual(self.verdicts(document(monitor_steady=800)), ["reproduced", "refuted"],
                         "+60% on every call is a per-IPC overhead")
        self.assertEqual(self.verdicts(document(monitor_first_ipcs=0.0)), ["reproduced", "refuted"],
                         "no exception at the first call")
        doc = document()
        doc["results"] = [r for r in doc["results"] if r["run"] != "tid-monitor"]
        self.assertEqual(self.verdicts(doc), ["reproduced", "not measured"])

    def test_section_and_plot(self):
        with tempfile.TemporaryDirectory() as d:
            lines = report_policies.section(document(), d)
            self.assertTrue(os.path.getsize(os.path.join(d, "policy_cost.png")) > 0)
        text = "\n".join(lines)
        self.assertIn("| `tid-two-clans` | native | tid-two-clans | 2,700 | 4 |", text)
        self.assertIn("each took 3 IPCs", text)
        self.assertIn("`tid-monitor`, first call (0 bytes, one sample)", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
