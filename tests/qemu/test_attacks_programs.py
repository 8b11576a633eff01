"""The attack programs (experiments/attacks, docs/attacks.md) under a few policies: every task
that ends its part prints one valid attack line with its role's fields, and the lines say
what the kernel did (denied, buffered, timed out, broke down). Asserts on counts and
statuses, never on timing; the runs come from experiments/attacks/experiment.json."""
import os

import qemu_test
from qemu_test import ROOT, BUILD, runner, experiments

REQUIRED = {"attacker": ("attempts", "accepted", "errors", "stopped_by"), "client": ("failed", "errors"),
            "server": ("received", "violations", "result"), "victim": ("received", "violations", "result"),
            "manager": ("aborted",)}


class AttackPrograms(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        e = experiments.load_file(os.path.join(ROOT, "experiments", "attacks", "experiment.json"))
        cls.runs = {r["label"]: r for r in e["runs"]}

    def boot(self, label):
        """Boots one run with its own policy in the environment; returns (outcome, {name: line})."""
        run = self.runs[label]
        env = dict(qemu_test.ENV, IPCLAB_POLICY=run["policy"], IPCLAB_EXPERIMENT="attacks")
        manifest, modules = runner.compose(run, env)
        out = runner.boot(BUILD, "test-attacks-" + label, manifest, modules, 120, memory_mib=run.get("memory_mib", 512))
        self.assertNoPanic(out)
        self.assertRunStatus(out, run["expect"])
        lines = {}
        for l in out.output:
            if l.get("type") != "attack":
                continue
            self.assertEqual((l["attack"], l["layer"], l["policy"]), (run["attack"]["name"], run["layer"], run["policy"]))
            for field in REQUIRED[l["role"]]:
                self.assertIn(field, l, "%s: %s" % (label, l))
            self.assertNotIn(l["name"], lines, "two lines from " + l["name"])
            lines[l["name"]] = l
        return out, lines

    def test_dos_flood_mpi(self):
        out, lines = self.boot("dos-flood.mpi-blocking")
        self.assertEqual(lines["rank4"]["stopped_by"], "MPI_ERR_UNSUPPORTED_OPERATION")
        self.assertEqual(lines["rank4"]["accepted"], 0)
        for client in ("rank2", "rank3"):
            self.assertEqual((lines[client]["failed"], lines[client]["round_trips_before"]), (0, 200))
        out, lines = self.boot("dos-flood.mpi-open")
        attacker = lines["rank4"]
        self.assertEqual(attacker["stopped_by"], "MPI_ERR_NO_MEM")
        self.assertGreater(attacker["buffer_peak_bytes"], 64 << 20)  # of a 128 MiB guest
        self.assertEqual(attacker["accepted"] + 1, attacker["attempts"])
        samples = [l for l in out.output if l.get("type") == "attack_sample"]
        self.assertTrue(0 < len(samples) <= 200)
        self.assertTrue(all(s["sent"] % 64 == 0 for s in samples))
        self.assertEqual([s["t"] for s in samples], sorted(s["t"] for s in samples))
        for name in ("rank0", "rank1", "rank2", "rank3"):  # every legitimate task finished its part
            self.assertIn(name, lines)
        out, lines = self.boot("dos-flood.mpi-credit")
        self.assertEqual(lines["rank4"]["stopped_by"], "MPIX_ERR_CREDIT")

    def test_dos_flood_native(self):
        out, lines = self.boot("dos-flood-native.capability")
        self.assertEqual(lines["attacker"]["buffer_peak_bytes"], 0)
        self.assertEqual(lines["attacker"]["errors"], {"would_block": 100000})
        self.assertEqual(lines["clientA"]["failed"], 0)

    def test_starve_and_deadlock(self):
        out, lines = self.boot("starve-send.mpi-blocking")
        self.assertEqual(lines, {})  # both blocked: the kernel ends the run (deadlock)
        out, lines = self.boot("starve-send.mpi-timeout")
        self.assertEqual(lines["rank0"]["result"], "timed_out")
        self.assertGreaterEqual(lines["rank0"]["blocked_instructions"], 100000000)
        self.assertEqual(lines["rank1"]["stopped_by"], "timed_out")
        out, lines = self.boot("starve-breakdown.mpi-open")
        self.assertEqual((lines["rank2"]["aborted"], lines["rank0"]["result"]), (1, "send_aborted"))
        out, lines = self.boot("starve-reply-native.capability")
        self.assertEqual(lines["server"]["result"], "no_reply_capability")
        self.assertEqual(lines["client"]["failed"], 0)
        out, lines = self.boot("deadlock-timeout-native.capability")
        self.assertEqual([lines[t]["result"] for t in ("taskA", "taskB")], ["timed_out", "timed_out"])

    def test_unauthorized(self):
        for policy, violations in (("mpi-open", 8), ("mpi-rights", 0)):
            out, lines = self.boot("unauthorized." + policy)
            self.assertEqual(lines["rank1"]["violations"], violations)
            self.assertEqual(lines["rank2"]["errors"].get("MPI_ERR_ACCESS", 0), 8 - violations)
        out, lines = self.boot("unauthorized-slots-native.capability")
        self.assertEqual((lines["attacker"]["accepted"], lines["server"]["violations"]), (0, 0))
        out, lines = self.boot("unauthorized-tid-native.capability")
        self.assertEqual((lines["attacker"]["accepted"], lines["server"]["violations"]), (1, 1))

    def test_spoof_and_forge(self):
        out, lines = self.boot("spoof.mpi-open")
        self.assertEqual(lines["rank0"]["violations"], 0)
        self.assertEqual(lines["rank2"]["errors"], {"invalid_argument": 1})  # the re-badge
        out, lines = self.boot("spoof-native.capability")
        self.assertEqual(lines["server"]["violations"], 0)
        self.assertEqual(lines["attacker"]["errors"], {"invalid_argument": 2})  # re-badge, thread-id bit
        out, lines = self.boot("forge.capability")
        self.assertEqual((lines["rank2"]["accepted"], lines["rank0"]["violations"]), (0, 0))
        out, lines = self.boot("forge-native.capability")
        self.assertEqual(lines["attacker"]["accepted"], 0)


if __name__ == "__main__":
    qemu_test.main()
