"""A faulting task is killed and reported in one line; the kernel and the other tasks go on."""
import qemu_test

EXPECTED = [  # task, fault, cause, exit status (128 + signal), address (None: the faulting rip)
    ("pf", "page fault", "write, not present", 139, "0x10"),
    ("kr", "page fault", "read, protection", 139, "0xffffffff80100000"),
    ("gp", "general protection", "", 139, None),
    ("de", "divide error", "", 136, None),
    ("ud", "invalid opcode", "", 132, None),
]


class Faults(qemu_test.QemuTest):
    def test_faults_kill_only_the_faulting_task(self):
        out = qemu_test.boot_run(qemu_test.scenario("faults"), "all")
        self.assertRunStatus(out, "tasks_failed")
        self.assertNoPanic(out)
        for task, fault, cause, status, address in EXPECTED:
            f = self.event(out, "fault", task=task)
            self.assertEqual(f["fault"], fault)
            self.assertEqual(f["cause"], cause)
            self.assertEqual(f["address"], address or f["rip"])
            e = self.event(out, "task_exit", task=task)
            self.assertEqual((e["reason"], e["status"], e["failed"]), ("fault", status, True))
        worker = [l for l in out.output if l.get("type") == "worker"]
        self.assertEqual(worker, [{"type": "worker", "name": "bystander", "rounds": 200000,
                                   "sum": sum(i * i for i in range(200000))}])
        bystander = self.event(out, "task_exit", task="bystander")
        self.assertEqual((bystander["reason"], bystander["status"]), ("exited", 0))
        end = out.events("run_end")[0]
        self.assertEqual((end["tasks"], end["failed"]), (6, 5))


if __name__ == "__main__":
    qemu_test.main()
