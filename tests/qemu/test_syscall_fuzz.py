"""The syscall fuzzer (experiments/fuzz, scripts/ipclab_cli/fuzz.py, docs/robustness.md): the
CI-sized runs must pass, and each way a run can fail must be seen — a violation the oracle
reports, a panic, a run that does not finish — so that a pass means something."""
import os
import subprocess

import qemu_test

import fuzz  # scripts/ipclab_cli, on the path through qemu_test

CI_CALLS = 100000
# The CI-sized runs: 100,000 calls under every policy, the default one with two seeds.
CI_RUNS = [(policy, 1) for policy in fuzz.policies("all")] + [("capability", 2)]


def boot(name, manifest, modules, calls):
    out = qemu_test.runner.boot(qemu_test.BUILD, "test-fuzz-" + name, manifest, modules,
                                60 + fuzz.SECONDS_PER_MILLION_CALLS * calls / 1e6)
    return out, fuzz.judge(out, calls)


class SyscallFuzz(qemu_test.QemuTest):
    def test_ci_sized_runs_pass(self):
        for policy, seed in CI_RUNS:
            with self.subTest(policy=policy, seed=seed):
                r = fuzz.run_kernel(qemu_test.BUILD, seed, CI_CALLS, policy)
                self.assertTrue(r["passed"], "%s; replay: %s; log %s" % (r["problems"], r["replay"], r["log"]))
                self.assertEqual(r["calls_done"], CI_CALLS)
                self.assertEqual((r["leaked_object_bytes"], r["leaked_frames"]), (0, 0))
                # Calls got past the argument checks, and reached the oracle on its channels.
                self.assertGreater(r["statuses"].get("ok", 0), CI_CALLS // 20)
                self.assertGreater(r["oracle_messages"], 100)
                self.assertTrue(all(n > 0 for n in r["calls_by_op"].values()), r["calls_by_op"])

    def test_a_seed_replays_exactly(self):
        a, b = (fuzz.run_kernel(qemu_test.BUILD, 3, 20000, "mpi-open") for _ in range(2))
        self.assertEqual((a["statuses"], a["instructions"]), (b["statuses"], b["instructions"]))

    def test_oracle_reports_a_send_capability_it_should_not_have_needed(self):
        # Planted: the fuzzer holds a send right to the sealed endpoint after all.
        manifest, modules = fuzz.compose(4, 20000, "capability")
        planted = manifest.replace("cap 1 3 sealed r\n", "cap 1 3 sealed sr\n")
        self.assertNotEqual(planted, manifest)
        _, r = boot("planted-sealed", planted, modules, 20000)
        self.assertFalse(r["passed"])
        self.assertGreater(r["violations"], 0)
        self.assertTrue(any(v["channel"] == "sealed" for v in r["violation_lines"]), r["violation_lines"])

    def test_oracle_reports_messages_the_rights_table_should_have_stopped(self):
        # Planted: the oracle is told the rights table denies rank 0 -> 1, but the run has none.
        manifest, modules = fuzz.compose(5, 20000, "mpi-rights")
        planted = manifest.replace("rights world deny 0 1\n", "")
        _, r = boot("planted-rights", planted, modules, 20000)
        self.assertGreater(r["violations"], 0)
        self.assertTrue(any(v["channel"].startswith("world") for v in r["violation_lines"]), r["violation_lines"])

    def test_a_panic_or_an_unfinished_run_fails(self):
        manifest, modules = fuzz.compose(1, 1000, "capability")
        _, r = boot("panic", manifest + "selftest panic\n", modules, 1000)
        self.assertFalse(r["passed"])
        self.assertTrue(any(p.startswith("kernel panic") for p in r["problems"]), r["problems"])
        manifest, modules = fuzz.compose(1, 10 ** 9, "capability")  # stopped by the host's timeout
        out = qemu_test.runner.boot(qemu_test.BUILD, "test-fuzz-hang", manifest, modules, 3)
        r = fuzz.judge(out, 10 ** 9)
        self.assertTrue(r["hang"])
        self.assertFalse(r["passed"])
        self.assertIn("hang (host timeout)", r["problems"])

    def test_bad_arguments_get_a_clear_message(self):
        ipclab = os.path.join(qemu_test.ROOT, "scripts", "ipclab")
        env = dict(os.environ, IPCLAB_NO_INSTALL="1")
        for args, words in ((["--calls", "0"], "positive"), (["--policy", "nope"], "unknown policy 'nope'"),
                            (["--seed", "x"], "whole number")):
            with self.subTest(args=args):
                p = subprocess.run([ipclab, "--build-dir", qemu_test.BUILD, "fuzz"] + args, capture_output=True,
                                   text=True, env=env)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(words, p.stderr)


if __name__ == "__main__":
    qemu_test.main()
