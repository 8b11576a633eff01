"""scripts/ipclab run EXPERIMENT --backend openmpi: the ping-pong's MPI run under Open MPI on
Linux (built with mpicc, started with mpirun, also through a hostfile naming this machine)
gives rows in the results format in wall-clock ns, its native run is skipped with a note, and
bad input gives a clear message and a non-zero exit. Asserts on the JSON, never on timing."""
import json
import os
import subprocess
import tempfile

import qemu_test  # first: puts the harness on the import path

from paths import BUILD  # noqa: E402

IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
SIZES = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]


def ipclab(*args, results=None, path=None):
    env = dict(os.environ)
    if results:
        env["IPCLAB_RESULTS_DIR"] = results
    if path is not None:
        env["PATH"] = path
    p = subprocess.run([IPCLAB, "--build-dir", BUILD] + list(args), capture_output=True, text=True, env=env,
                       timeout=300)
    return p.returncode, p.stdout + p.stderr


class OpenMpiBackend(qemu_test.QemuTest):
    def run_pingpong(self, *extra):
        with tempfile.TemporaryDirectory() as results:
            rc, text = ipclab("run", "pingpong", "--backend", "openmpi", "--timeout", "120", *extra, results=results)
            self.assertEqual(rc, 0, text)
            with open(os.path.join(results, "pingpong-openmpi.json"), encoding="utf-8") as f:
                doc = json.load(f)
            self.assertTrue(os.path.exists(os.path.join(results, "pingpong-openmpi.csv")))
        self.assertIn("run 'native' skipped", text)
        self.assertEqual(text.count("none applies"), 1, text)  # the policy note, once
        return doc

    def check_document(self, doc, hosts):
        ctx = doc["context"]
        self.assertEqual((ctx["backend"], ctx["unit"], ctx["policy"], ctx["hosts"]), ("openmpi", "ns", "n/a", hosts))
        self.assertIn("Open MPI", ctx["openmpi"])
        self.assertIn("none applies", ctx["policy_note"])
        self.assertGreater(ctx["tsc"][0]["ticks_per_ns"], 0)
        self.assertEqual([r["label"] for r in doc["skipped"]], ["native"])
        self.assertEqual([(r["label"], r["status"], r["ranks"]) for r in doc["runs"]], [("mpi", "ok", 2)])
        rows = doc["results"]
        self.assertEqual([r["bytes"] for r in rows], SIZES)
        for r in rows:
            self.assertEqual((r["experiment"], r["run"], r["layer"], r["unit"], r["policy"]),
                             ("pingpong", "mpi", "mpi", "ns", "n/a"), r)
            self.assertTrue(r["verified"], r)
            self.assertEqual((r["iterations"], r["warmup"]), (1000, 100))
            self.assertEqual(r["ticks_per_ns"], ctx["tsc"][0]["ticks_per_ns"])
            self.assertTrue(0 < r["min"] <= r["p10"] <= r["median"] <= r["p90"] <= r["max"], r)

    def test_pingpong_under_open_mpi(self):
        doc = self.run_pingpong()
        self.check_document(doc, [doc["context"]["hosts"][0]])
        self.assertIsNone(doc["context"]["hostfile"])

    def test_hostfile_naming_this_machine(self):
        with tempfile.NamedTemporaryFile("w", suffix=".hosts") as hostfile:
            hostfile.write("# this machine only\nlocalhost slots=2\n")
            hostfile.flush()
            doc = self.run_pingpong("--hostfile", hostfile.name)
        self.check_document(doc, ["localhost"])

    def test_bad_input(self):
        rc, text = ipclab("run", "no-such-experiment", "--backend", "openmpi")
        self.assertEqual(rc, 2)
        self.assertIn("unknown experiment 'no-such-experiment'", text)
        rc, text = ipclab("run", "pingpong", "--backend", "openmpi", "--hostfile", "/nonexistent/hosts")
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the hostfile /nonexistent/hosts", text)
        with tempfile.NamedTemporaryFile("w") as empty:
            rc, text = ipclab("run", "pingpong", "--backend", "openmpi", "--hostfile", empty.name)
        self.assertEqual(rc, 2)
        self.assertIn("names no host", text)
        rc, text = ipclab("run", "pingpong", "--hostfile", "/etc/hostname")
        self.assertEqual(rc, 2)
        self.assertIn("--hostfile needs --backend openmpi", text)
        rc, text = ipclab("run", "pingpong", "--backend", "openmpi", "--policy", "mpi-rights")
        self.assertEqual(rc, 2)
        self.assertIn("--policy does not apply with --backend openmpi", text)
        rc, text = ipclab("run", "pingpong", "--backend", "mpich")
        self.assertEqual(rc, 2)
        self.assertIn("invalid choice: 'mpich'", text)

    def test_without_open_mpi(self):
        with tempfile.TemporaryDirectory() as empty:  # a PATH without mpicc and mpirun
            for tool in ("git", "dirname"):  # scripts/ipclab needs dirname
                os.symlink("/usr/bin/" + tool, os.path.join(empty, tool))
            rc, text = ipclab("run", "pingpong", "--backend", "openmpi", path=empty)
        self.assertEqual(rc, 2)
        self.assertIn("needs Open MPI's mpicc and mpirun", text)
        self.assertIn("apt-get install openmpi-bin libopenmpi-dev", text)

    def test_native_only_experiment(self):
        with tempfile.TemporaryDirectory() as results:
            rc, text = ipclab("run", "ipc_bench", "--backend", "openmpi", results=results)
            self.assertEqual(os.listdir(results), [])
        self.assertEqual(rc, 1)
        self.assertIn("skipped: no 'mpi' key", text)
        self.assertIn("none of its runs can run under Open MPI; nothing written", text)


if __name__ == "__main__":
    qemu_test.main()
