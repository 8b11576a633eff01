"""The front end: clear messages and non-zero exits for bad input; a hung run is stopped
after its timeout with its output kept."""
import copy
import os
import subprocess

import qemu_test  # first: puts the harness on the import path

import experiments  # noqa: E402
import results  # noqa: E402
from errors import UserError  # noqa: E402
from paths import BUILD  # noqa: E402

IPCLAB = os.path.join(qemu_test.ROOT, "scripts", "ipclab")


def ipclab(*args):
    p = subprocess.run([IPCLAB] + list(args), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


class Cli(qemu_test.QemuTest):
    def test_unknown_experiment(self):
        rc, text = ipclab("--build-dir", BUILD, "run", "no-such-experiment")
        self.assertEqual(rc, 2)
        self.assertIn("unknown experiment 'no-such-experiment'", text)
        self.assertIn("pingpong", text)  # the known ones are listed

    def test_missing_build(self):
        rc, text = ipclab("--build-dir", "/nonexistent/ipclab-build", "run", "pingpong")
        self.assertEqual(rc, 2)
        self.assertIn("no kernel image", text)
        self.assertIn("scripts/ipclab build", text)

    def test_bad_timeout_and_usage(self):
        rc, text = ipclab("--build-dir", BUILD, "run", "pingpong", "--timeout", "0")
        self.assertEqual(rc, 2)
        self.assertIn("--timeout must be a positive", text)
        rc, text = ipclab("frobnicate")
        self.assertEqual(rc, 2)
        self.assertIn("invalid choice", text)

    def test_run_under_another_policy(self):
        rc, text = ipclab("--build-dir", BUILD, "run", "pingpong", "--policy", "no-such-policy")
        self.assertEqual(rc, 2)
        self.assertIn("--policy: unknown policy 'no-such-policy'", text)
        e = experiments.find("attacks")
        chosen = experiments.under_policy(e, "mpi-credit")
        self.assertTrue(chosen["runs"])
        self.assertTrue(all(r["policy"] == "mpi-credit" for r in chosen["runs"]))
        labels = [r["label"] for r in chosen["runs"]]
        self.assertIn("dos-flood.mpi-credit", labels)
        self.assertEqual(len(labels), len(set(labels)), "one copy of each expanded run")
        pingpong = experiments.find("pingpong")
        plain = experiments.under_policy(pingpong, "mpi-rights")
        self.assertEqual([r["policy"] for r in plain["runs"]], ["mpi-rights"] * len(plain["runs"]))
        self.assertEqual([r["label"] for r in plain["runs"]], [r["label"] for r in pingpong["runs"]],
                         "plain runs keep their labels")
        only_open = {"name": "x", "runs": [{"label": "a.mpi-open", "layer": "mpi", "policy": "mpi-open"}]}
        with self.assertRaises(UserError) as ctx:
            experiments.under_policy(only_open, "mpi-rights")
        self.assertIn("experiment 'x' has no run for policy 'mpi-rights'", str(ctx.exception))

    def test_list(self):
        rc, text = ipclab("list")
        self.assertEqual(rc, 0, text)
        self.assertIn("pingpong (default)", text)

    def test_experiment_validation_names_the_problem(self):
        good = qemu_test.scenario("pingpong_small")
        cases = [
            (lambda e: e["runs"][0].update(layer="quantum"), "runs[0].layer: must be one of native, mpi"),
            (lambda e: e["runs"][0]["tasks"][0].update(argz=[]), "runs[0].tasks[0]: unknown key 'argz'"),
            (lambda e: e["runs"][0]["tasks"][0]["caps"][0].update(object="nope"),
             "runs[0].tasks[0].caps[0].object: no object 'nope'"),
            (lambda e: e["runs"][1]["mpi"].update(ranks=0), "runs[1].mpi.ranks: ranks must be 1..1024"),
            (lambda e: e["runs"][0]["tasks"][1].update(args=['a"b']), "cannot contain"),
        ]
        experiments.validate(copy.deepcopy(good), "x")  # the unmodified one passes
        for mutate, message in cases:
            bad = copy.deepcopy(good)
            mutate(bad)
            with self.assertRaises(UserError) as ctx:
                experiments.validate(bad, "x")
            self.assertIn(message, str(ctx.exception))

    def test_hung_run_is_stopped_and_output_kept(self):
        out = qemu_test.boot_raw("hang", "ipclab-run 1\npolicy capability\ntask 1 name=s\ntask 2 name=w\n",
                                 [("spin", []), ("worker", ["before-the-hang", "5"])], timeout=3)
        self.assertTrue(out.timed_out)
        self.assertEqual(out.status, "timeout")
        self.assertEqual([l["name"] for l in out.output if l.get("type") == "worker"], ["before-the-hang"])
        with open(out.log) as f:
            self.assertIn("before-the-hang", f.read())

    def test_a_failed_run_keeps_the_results_already_measured(self):
        e = copy.deepcopy(qemu_test.scenario("pingpong_small"))
        e["runs"][1] = {"label": "hangs", "layer": "native", "tasks": [{"name": "s", "program": "spin"}]}
        doc, problems = results.run_experiment(e, BUILD, timeout=3)
        self.assertEqual([r["status"] for r in doc["runs"]], ["ok", "timeout"])
        self.assertTrue(any(r["run"] == "native" for r in doc["results"]), "the first run's rows are kept")
        self.assertEqual(len(problems), 1)
        self.assertIn("[pingpong_small/hangs] timed out after 3 s", problems[0])

    def test_qemu_that_exits_early_is_named(self):
        env = dict(os.environ, IPCLAB_QEMU_ARGS="-no-such-option", IPCLAB_RESULTS_DIR=self.tmp_results())
        p = subprocess.run([IPCLAB, "--build-dir", BUILD, "run", "pingpong", "--timeout", "60"], capture_output=True,
                           text=True, timeout=300, env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("ended 'qemu_failed'", p.stderr)
        self.assertIn("QEMU said:", p.stderr)
        self.assertIn("-no-such-option", p.stderr)
        self.assertTrue(os.path.exists(os.path.join(env["IPCLAB_RESULTS_DIR"], "pingpong.json")),
                        "what was measured (nothing here) is still written, with each run's status")

    def tmp_results(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="ipclab-cli-")
        self.addCleanup(lambda: __import__("shutil").rmtree(d, ignore_errors=True))
        return d


if __name__ == "__main__":
    qemu_test.main()
