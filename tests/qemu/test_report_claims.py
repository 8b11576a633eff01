"""The report's table of claims (scripts/ipclab_cli/report_claims.py): every claim listed, not
measured where its experiment has no results, and the scaling claim judged from its rows.
Needs no QEMU and no build."""
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_claims  # noqa: E402


def scaling(tid_growth):
    rows = []
    for i, n in enumerate((2, 4, 8, 16)):
        rows.append({"run": "tasks-%d" % n, "tasks": n, "op": "call_by_capability", "median": 486})
        rows.append({"run": "tasks-%d" % n, "tasks": n, "op": "call_by_thread_id", "median": 529 + tid_growth * i})
    return {"results": rows}


class Claims(unittest.TestCase):
    def test_every_claim_is_listed_even_without_results(self):
        rows = report_claims.rows({}, [])
        self.assertEqual(len(rows), 7, "with results: 12 (the attacks, bulk and policy sections judge several)")
        self.assertTrue(all(r[4] == "not measured" for r in rows), rows)

    def test_the_scaling_claim_comes_from_the_rows(self):
        self.assertEqual(report_claims._scaling(scaling(9))[0], "reproduced")
        self.assertEqual(report_claims._scaling(scaling(0))[0], "partly", "by thread id does not grow")
        verdict, evidence = report_claims._scaling(scaling(9))
        self.assertIn("grows from 529 to 556", evidence)

    def test_section_is_a_table(self):
        lines = report_claims.section({"ipc_scaling": scaling(9)}, [])
        self.assertEqual(lines[0], "## The claims")
        self.assertTrue(any("A send by handle is O(1)" in l and "**reproduced**" in l for l in lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
