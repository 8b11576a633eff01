"""The code-size section (scripts/ipclab_cli/report_codesize.py) on synthetic figures: the
study's "MPI has got a huge amount of code" judged from them, the table and the plot. Needs no
QEMU and no build; writes only into a temporary folder."""
import os
import tempfile
import unittest

import qemu_test  # noqa: F401  first: puts the harness on the import path

import report_codesize  # noqa: E402


def rows(native_lines):
    return [{"part": "native IPC path (kernel)", "files": 10, "source_lines": native_lines, "text_bytes": 9000},
            {"part": "MPI layer, kernel part", "files": 5, "source_lines": 1000, "text_bytes": 18000},
            {"part": "MPI layer, user library", "files": 5, "source_lines": 4000, "text_bytes": None},
            {"part": "Open MPI 4.1 as installed (libmpi, libopen-pal, libopen-rte)", "files": 3, "source_lines": None,
             "text_bytes": 1700000}]


class Codesize(unittest.TestCase):
    def test_the_claim_comes_from_the_figures(self):
        verdict, evidence = report_codesize.claim(rows(800))
        self.assertEqual(verdict, "reproduced")
        self.assertIn("ipclab's own MPI layer", evidence)
        self.assertIn("5,000 (6.2x)", evidence)
        self.assertEqual(report_codesize.claim(rows(10000))[0], "refuted", "38x is not 'huge'")
        self.assertEqual(report_codesize.claim(rows(0))[0], "not measured")

    def test_section_and_plot(self):
        with tempfile.TemporaryDirectory() as d:
            lines = report_codesize.section(rows(800), d)
            self.assertTrue(os.path.getsize(os.path.join(d, "code_size.png")) > 0)
        text = "\n".join(lines)
        self.assertIn("| MPI layer, user library | 5 | 4,000 | not built |", text)
        self.assertIn("| Open MPI 4.1 as installed (libmpi, libopen-pal, libopen-rte) | 3 | - | 1,700,000 |", text)
        self.assertIn("Klein et al.", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
