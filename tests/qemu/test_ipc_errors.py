"""Bad slots, wrong object types, missing rights, bad pointers, bad items, capability and
thread calls with bad arguments, and waits that cannot succeed come back as status codes."""
import qemu_test


class IpcErrors(qemu_test.QemuTest):
    def test_every_error_status(self):
        out = qemu_test.boot_run(qemu_test.scenario("ipc_errors"), "errors")
        self.assertRunStatus(out, "ok")
        self.assertNoPanic(out)
        checks = [l for l in out.output if l.get("type") == "check"]
        self.assertGreaterEqual(len(checks), 71)
        self.assertEqual(len({c["case"] for c in checks}), len(checks), "case names repeat")
        for c in checks:
            self.assertTrue(c["ok"], c)
        wanted = {c["want"] for c in checks}
        self.assertEqual(wanted, {"invalid_capability", "wrong_object_type", "insufficient_rights",
                                  "invalid_argument", "invalid_pointer", "message_too_long",
                                  "no_reply_capability", "unknown_syscall", "would_block", "timed_out",
                                  "invalid_request"})
        self.assertEqual([l for l in out.output if l.get("type") == "ipc_errors"], [{"type": "ipc_errors", "failures": 0}])


if __name__ == "__main__":
    qemu_test.main()
