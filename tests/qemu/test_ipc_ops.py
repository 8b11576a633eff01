"""Every native IPC operation (experiments/tests/ipc_ops*.cpp), booted twice: with the IPC
fast path and with the slow path only. Both runs must pass every case, and the fast path
must give the same results as the slow path: the case lines, without the virtual times they
measure, are identical."""
import qemu_test
import runner  # noqa: E402 (on the path through qemu_test)

# Operations and statuses the cases must cover (a case name starts with its group).
GROUPS = {"send_recv", "call_reply", "call_reply_recv", "registers", "long_ipc", "cap_transfer",
          "map", "zero_timeout", "timeout", "notify", "cap_info", "cap_derive", "cap_delete",
          "thread_id", "thread", "priority", "reply_dropped", "partner_dead"}
STATUSES = {"ok", "would_block", "timed_out", "message_too_long", "invalid_pointer",
            "insufficient_rights", "invalid_capability", "invalid_argument", "reply_dropped",
            "partner_dead", "no_reply_capability"}


def timeless(case):
    """A case line without the fields that measure virtual time."""
    return {k: v for k, v in case.items() if not k.startswith("elapsed")}


class IpcOps(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.experiment = qemu_test.scenario("ipc_ops")
        cls.outs = {label: qemu_test.boot_run(cls.experiment, label) for label in ("fastpath", "slowpath")}

    def cases(self, label):
        return [l for l in self.outs[label].output if l.get("type") == "case"]

    def test_every_case_passes_on_both_paths(self):
        for label, out in self.outs.items():
            with self.subTest(path=label):
                self.assertRunStatus(out, "ok")
                self.assertNoPanic(out)
                cases = self.cases(label)
                for c in cases:
                    self.assertTrue(c["ok"], c)
                self.assertEqual([l for l in out.output if l.get("type") == "error"], [])
                self.assertEqual([l for l in out.output if l.get("type") == "ipc_ops"],
                                 [{"type": "ipc_ops", "cases": len(cases), "failures": 0}])
                self.assertEqual({c["case"].split("/")[0] for c in cases}, GROUPS)
                seen = {c["status"] for c in cases} | {v for c in cases for k, v in c.items()
                                                       if k != "case" and isinstance(v, str)}
                self.assertLessEqual(STATUSES, seen)
                names = [c["case"] for c in cases]
                self.assertEqual(len(names), len(set(names)), "case names repeat")

    def test_timeouts_fire_at_their_virtual_time(self):
        for label in self.outs:
            timed = [c for c in self.cases(label) if c["status"] == "timed_out"]
            self.assertGreaterEqual(len(timed), 5, label)
            for c in timed:
                self.assertGreaterEqual(c["elapsed"], c["timeout"], c)
                self.assertLess(c["elapsed"], c["timeout"] + c["margin"], c)

    def test_fast_path_equals_slow_path(self):
        runs = {r["label"]: r for r in self.experiment["runs"]}
        self.assertEqual(runs["fastpath"]["tasks"], runs["slowpath"]["tasks"])
        self.assertNotIn("fastpath off", runner.compose(runs["fastpath"], qemu_test.ENV)[0].splitlines())
        self.assertIn("fastpath off", runner.compose(runs["slowpath"], qemu_test.ENV)[0].splitlines())
        fast = [timeless(c) for c in self.cases("fastpath")]
        slow = [timeless(c) for c in self.cases("slowpath")]
        self.assertGreater(len(fast), 0)
        self.assertEqual(fast, slow)


if __name__ == "__main__":
    qemu_test.main()
