"""The report's robustness section and claim (scripts/ipclab_cli/report_robustness.py) on
synthetic results: the verdict follows crashes, hangs, leaks, violations, failed fault runs
and host crashes. Needs no QEMU and no build."""
import copy
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import fuzz  # noqa: E402
import report_robustness  # noqa: E402


def run(policy, seed, **bad):
    r = {"policy": policy, "seed": seed, "calls_done": 100000, "instructions": 290000000, "panic": None, "hang": False,
         "killed_tasks": [], "violations": 0, "leaked_object_bytes": 0, "leaked_frames": 0, "memory_checked": True,
         "statuses": {"ok": 9000, "linux_ok": 1000, "invalid_capability": 90000}}
    r.update(bad)
    return r


def doc(runs):
    return {"syscall_fuzz": {"runs": runs, "totals": fuzz.summarise([dict(r, passed=True) for r in runs])},
            "fault_injection": {"runs": [{"label": "send", "policy": "capability", "status": "tasks_failed",
                                          "kills": [{"task": "victim", "point": "send", "nth": 1,
                                                     "state": "blocked in send"}],
                                          "leaked_object_bytes": 0, "leaked_frames": 0, "passed": True}],
                                "totals": {"runs": 1, "passed": 1, "leaks": 0}},
            "host_fuzz": {"targets": [{"name": "cap_table_fuzz", "seconds": 20, "runs": 123456, "coverage_edges": 800,
                                       "crashes": 0}],
                          "overall": {"targets": 1, "crashes": 0, "total_runs": 123456, "clang_version": "14"}}}


class Robustness(unittest.TestCase):
    def test_clean_runs_hold(self):
        verdict, evidence = report_robustness.claim(doc([run("capability", 1), run("mpi-rights", 1)]))
        self.assertEqual(verdict, "holds")
        self.assertIn("200,000 system calls fuzzed under 2 policies: 0 crashes", evidence)
        self.assertIn("1 of 1 fault-injection runs", evidence)

    def test_any_failure_fails_the_claim(self):
        for bad in ({"panic": {"message": "x"}}, {"hang": True}, {"violations": 3}, {"leaked_frames": 2},
                    {"memory_checked": False}, {"killed_tasks": [{"task": "fuzzer"}]}):
            with self.subTest(bad=bad):
                self.assertEqual(report_robustness.claim(doc([run("capability", 1, **bad)]))[0], "fails")
        d = doc([run("capability", 1)])
        d["fault_injection"]["totals"]["passed"] = 0
        self.assertEqual(report_robustness.claim(d)[0], "fails")
        d = doc([run("capability", 1)])
        d["host_fuzz"]["overall"]["crashes"] = 1
        self.assertEqual(report_robustness.claim(d)[0], "fails")

    def test_not_measured_without_results(self):
        self.assertEqual(report_robustness.claim(None)[0], "not measured")

    def test_section_has_a_row_per_policy_and_the_long_runs(self):
        d = doc([run("capability", 1), run("capability", 2), run("none", 1, violations=2)])
        d["syscall_fuzz_long"] = copy.deepcopy(d["syscall_fuzz"])
        lines = report_robustness.section(d)
        self.assertEqual(lines[0], "## Robustness")
        self.assertIn("| capability | 1, 2 | 200,000 | 0 | 0 | 0 | 0 | 10% | 2,900 |", lines)
        self.assertIn("| none | 1 | 100,000 | 0 | 0 | 0 | 2 | 10% | 2,900 |", lines)
        self.assertTrue(any(l.startswith("Long runs") for l in lines))
        self.assertTrue(any("victim at send (#1, blocked in send)" in l for l in lines))
        self.assertTrue(any(l.startswith("| cap_table_fuzz | 20 | 123,456 | 800 | 0 |") for l in lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
