"""The timer preempts a task that never makes a system call; the root task's end ends the
run; a run whose tasks wait for each other ends as a reported deadlock."""
import qemu_test


class Scheduling(qemu_test.QemuTest):
    def test_preemption_and_root_task(self):
        out = qemu_test.boot_run(qemu_test.scenario("preemption"), "spin")
        self.assertRunStatus(out, "ok")
        self.assertEqual([l["name"] for l in out.output if l.get("type") == "worker"], ["main"])
        self.assertGreater(out.events("run_end")[0]["preemptions"], 0)
        spinner = self.event(out, "task_exit", task="spinner")
        self.assertEqual((spinner["reason"], spinner["failed"]), ("run_ended", False))

    def test_deadlock_is_detected(self):
        out = qemu_test.boot_run(qemu_test.scenario("deadlock"), "recv-recv")
        self.assertRunStatus(out, "deadlock")
        self.assertNoPanic(out)
        self.assertEqual(out.events("deadlock")[0]["live_tasks"], 2)
        for rank in ("rank0", "rank1"):
            self.assertEqual(self.event(out, "blocked", task=rank)["state"], "blocked in MPI receive")


if __name__ == "__main__":
    qemu_test.main()
