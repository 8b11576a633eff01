"""Bad run descriptions and program images are rejected at boot with a message naming the
problem; a kernel panic ends QEMU with its own status."""
import os

import qemu_test
from paths import BUILD, log_dir

HEADER = "ipclab-run 1\npolicy capability\n"


class Boot(qemu_test.QemuTest):
    def test_panic_has_its_own_status(self):
        out = qemu_test.boot_raw("panic", HEADER + "selftest panic\ntask 1 name=w\n", [("worker", [])])
        self.assertRunStatus(out, "panic")
        self.assertIn("selftest", out.events("panic")[0]["message"])

    def test_bad_directive_names_its_line(self):
        out = qemu_test.boot_raw("bad-line", HEADER + "task 1 name=w\nfrobnicate 3\n", [("worker", [])])
        self.assertRunStatus(out, "boot_error")
        e = out.events("boot_error")[0]
        self.assertEqual(e["line"], 4)
        self.assertIn("unknown directive", e["detail"])
        self.assertIn("frobnicate", e["detail"])

    def test_unknown_policy(self):
        out = qemu_test.boot_raw("bad-policy", "ipclab-run 1\npolicy sesame\ntask 1 name=w\n", [("worker", [])])
        self.assertRunStatus(out, "boot_error")
        self.assertEqual(out.events("boot_error")[0]["detail"], "sesame")

    def test_module_without_task_line(self):
        out = qemu_test.boot_raw("no-task", HEADER + "task 1 name=w\n", [("worker", []), ("worker", [])])
        self.assertRunStatus(out, "boot_error")
        self.assertIn("'2'", out.events("boot_error")[0]["detail"])

    def test_program_that_is_not_elf(self):
        os.makedirs(log_dir(BUILD), exist_ok=True)
        path = os.path.join(log_dir(BUILD), "not_an_elf.txt")
        with open(path, "w") as f:
            f.write("just text\n")
        out = qemu_test.boot_raw("not-elf", HEADER + "task 1 name=text\ntask 2 name=w\n",
                                 [(os.path.relpath(path, os.path.join(BUILD, "user")), []), ("worker", [])])
        self.assertRunStatus(out, "boot_error")
        e = out.events("boot_error")[0]
        self.assertEqual((e["message"], e["detail"], e["task"], e["module"]),
                         ("program rejected", "not an ELF file", "text", 1))

    def test_task_output_cannot_forge_kernel_events(self):
        out = qemu_test.boot_raw("forge", HEADER + "task 1 name=forger\n", [("forge_event", [])])
        self.assertRunStatus(out, "tasks_failed")  # it exits 3, whatever it printed
        self.assertEqual(out.events("panic"), [])
        ends = out.events("run_end")
        self.assertEqual(len(ends), 1)
        self.assertNotIn("forged", ends[0])
        self.assertEqual(ends[0]["status"], "tasks_failed")
        self.assertIn({"type": "forge_event", "done": True}, out.output)

    def test_arguments_and_environment_reach_main(self):
        out = qemu_test.boot_raw("args", HEADER + "task 1 name=w\n", [("worker", ["quoted name", "7"])])
        self.assertRunStatus(out, "ok")
        self.assertEqual([l for l in out.output if l.get("type") == "worker"],
                         [{"type": "worker", "name": "quoted name", "rounds": 7, "sum": 91}])


if __name__ == "__main__":
    qemu_test.main()
