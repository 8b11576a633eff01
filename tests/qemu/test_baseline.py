"""scripts/ipclab baseline (docs/baselines.md) on a tiny run: the initramfs is built (and then
cached), Debian's kernel boots it in the measurement mode, and the pipe and futex ping-pongs,
Open MPI's ping-pong with two sizes, and the Linux and Open MPI bulk transfers at 4 and 16 KiB
come back as result rows in results/baseline.json's format; a guest stopped by its timeout is
reported, not waited for; bad bulk sizes are refused before anything boots. Asserts on the rows, never
on their figures. Without a Linux kernel image that cannot be installed, the test is skipped
(exit SKIP_STATUS, ctest's SKIP_RETURN_CODE)."""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import qemu_test  # first: puts the harness on the import path

import baseline  # noqa: E402
import deps  # noqa: E402
import linux_guest  # noqa: E402
from errors import UserError  # noqa: E402
from paths import BUILD  # noqa: E402

SKIP_STATUS = 77
IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
TINY = ["--only", "pipe,futex,openmpi,bulk,openmpi-bulk", "--sizes", "0,8", "--mpi-sizes", "0,8", "--reps", "20",
        "--warmup", "5", "--bulk-sizes", "4096,16384", "--bulk-reps", "3", "--bulk-warmup", "1"]
BULK_LINUX = ["local", "local-memcpy", "pipe", "unix-socket", "shm-ring"]
BULK_OPENMPI = ["local", "local-memcpy", "mpi-send"]


def ipclab(results, *args):
    env = dict(os.environ, IPCLAB_RESULTS_DIR=results)
    p = subprocess.run([IPCLAB, "--build-dir", BUILD, "baseline", "--no-host"] + list(args), capture_output=True, text=True,
                       env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


class Baseline(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ipclab-baseline-")
        cls.addClassCleanup(cls.tmp.cleanup)
        start = time.monotonic()
        cls.rc, cls.out, cls.err = ipclab(cls.tmp.name, *TINY)
        cls.seconds = time.monotonic() - start
        path = os.path.join(cls.tmp.name, "baseline.json")
        cls.doc = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                cls.doc = json.load(f)

    def test_runs_and_writes_rows(self):
        self.assertEqual(self.rc, 0, self.out + self.err)
        self.assertIsNotNone(self.doc, self.out + self.err)
        got = sorted((r["layer"], r["transport"], r["bytes"]) for r in self.doc["results"]
                     if not r["transport"].endswith("-bulk"))
        self.assertEqual(got, [("linux", "futex", 0), ("linux", "futex", 8), ("linux", "pipe", 8),
                               ("openmpi", "openmpi-4.1", 0), ("openmpi", "openmpi-4.1", 8)])
        for r in self.doc["results"]:
            bulk = r["transport"].endswith("-bulk")
            self.assertEqual((r["experiment"], r["unit"], r["iterations"], r["warmup"]),
                             ("baseline", "guest_instructions", 3 if bulk else 20, 1 if bulk else 5), r)
            self.assertTrue(r["verified"], r)
            self.assertTrue(0 < r["min"] <= r["p10"] <= r["median"] <= r["p90"] <= r["max"], r)
        self.assertEqual(self.doc["runs"][0]["status"], "ok")
        skipped = [(s["transport"], s["bytes"]) for s in self.doc["runs"][0]["skipped"]]
        self.assertEqual(skipped, [("pipe", 0)])  # a stream cannot carry a 0-byte message

    def test_bulk_rows(self):
        rows = [r for r in self.doc["results"] if r["transport"].endswith("-bulk")]
        got = sorted((r["layer"], r["transport"], r["bytes"]) for r in rows)
        want = [("linux", t + "-bulk", b) for t in BULK_LINUX for b in (4096, 16384)]
        want += [("openmpi", t + "-bulk", b) for t in BULK_OPENMPI for b in (4096, 16384)]
        self.assertEqual(got, sorted(want))
        self.assertEqual(self.doc["results"][-len(rows):], rows, "the ping-pongs' rows come first")
        for r in rows:
            self.assertEqual(r["run"], r["layer"], r)
            self.assertNotIn("policy", r)
            self.assertAlmostEqual(r["per_byte"], r["median"] / r["bytes"], places=4)
            want_messages = {"shm-ring-bulk": r["bytes"] // 4096, "local-bulk": 0, "local-memcpy-bulk": 0}
            self.assertEqual(r["messages"], want_messages.get(r["transport"], 1), r)
        send = [r for r in rows if r["transport"] == "mpi-send-bulk"]
        self.assertTrue(all(r["op"] == "MPI_Send/MPI_Recv" for r in send), send)
        self.assertEqual([s["name"] for s in self.doc["runs"][0]["steps"]][-2:], ["bulk", "openmpi-bulk"])
        self.assertEqual((self.doc["context"]["bulk_reps"], self.doc["context"]["bulk_warmup"]), (3, 1))

    def test_bad_bulk_sizes_are_refused(self):
        with tempfile.TemporaryDirectory() as results:
            rc, out, err = ipclab(results, "--only", "bulk", "--bulk-sizes", "4096,12")
            self.assertEqual(rc, 2, out + err)
            self.assertIn("multiples of 8 bytes", err)
            self.assertFalse(os.path.exists(os.path.join(results, "baseline.json")))

    def test_context(self):
        c = self.doc["context"]
        self.assertEqual(c["qemu_mode"], "-icount shift=0,sleep=off -rtc clock=vm,base=2024-01-01T00:00:00")
        self.assertTrue(c["linux_kernel"] and c["qemu"].startswith("QEMU"), c)
        self.assertTrue(c["openmpi"].startswith("4.1"), c)
        self.assertEqual(c["guest"]["cpus"], 1)

    def test_csv_has_every_row(self):
        with open(os.path.join(self.tmp.name, "baseline.csv"), newline="") as f:
            self.assertEqual(len(list(csv.DictReader(f))), len(self.doc["results"]))

    def test_initramfs_is_cached(self):
        _, initramfs, rebuilt = linux_guest.build(BUILD)
        self.assertFalse(rebuilt, "inputs unchanged, yet the initramfs was rebuilt")
        self.assertTrue(os.path.isfile(initramfs))

    def test_hung_guest_is_stopped(self):
        with tempfile.TemporaryDirectory() as results:
            start = time.monotonic()
            rc, out, err = ipclab(results, "--only", "syscall", "--reps", "5", "--warmup", "0", "--timeout", "2")
            self.assertLess(time.monotonic() - start, 30, "the timeout did not stop the guest")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("the guest ended 'timeout'", err)


def main():
    if not linux_guest.kernel_image() or deps.missing(baseline.PACKAGES):
        try:
            deps.ensure(baseline.PACKAGES)
        except UserError as e:
            print("test_baseline: skipped: no Linux kernel image or tools, and they cannot be installed: %s" % e)
            return SKIP_STATUS
    if not linux_guest.kernel_image():
        print("test_baseline: skipped: linux-image-amd64 is installed but /boot has no vmlinuz-*")
        return SKIP_STATUS
    qemu_test.main()


if __name__ == "__main__":
    sys.exit(main())
