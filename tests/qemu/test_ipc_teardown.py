"""An object destroyed while a thread waits on it (experiments/tests/ipc_ops_threads.cpp,
teardown_case): a task deletes its last capability to an endpoint or a notification while
another of its threads waits there, or the thread whose inbox an endpoint is ends while a
sender is queued on it by thread id. As seL4 does when it destroys an object (cancelAllIPC,
cancelAllSignals), the kernel must end the wait with an error and carry on."""
import qemu_test


class IpcTeardown(qemu_test.QemuTest):
    def test_wait_ends_when_its_object_goes(self):
        experiment = qemu_test.scenario("ipc_teardown")
        for what in ("endpoint", "notification", "inbox"):
            with self.subTest(what=what):
                out = qemu_test.boot_run(experiment, what)
                self.assertNoPanic(out)
                self.assertRunStatus(out, "ok")
                cases = [l for l in out.output if l.get("type") == "case"]
                self.assertEqual(len(cases), 1, out.text[-2000:])
                self.assertTrue(cases[0]["ok"], cases[0])
                self.assertEqual([l for l in out.output if l.get("type") == "ipc_ops"],
                                 [{"type": "ipc_ops", "cases": 1, "failures": 0}])


if __name__ == "__main__":
    qemu_test.main()
