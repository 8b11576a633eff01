"""Typed RPC (runtime/include/ipclab/rpc.hpp): two clients with badges 1 and 2 call every
method of a server, send malformed requests and get the distinct errors back."""
import qemu_test

ERRORS = {"unknown_opcode", "bad_length", "bad_reply"}


class Rpc(qemu_test.QemuTest):
    def test_demo(self):
        out = qemu_test.boot_run(qemu_test.scenario("rpc"), "demo")
        self.assertRunStatus(out, "ok")
        self.assertNoPanic(out)
        checks = [l for l in out.output if l.get("type") == "check"]
        for c in checks:
            self.assertTrue(c["ok"], c)
        for client in (1, 2):
            mine = [c for c in checks if c["client"] == client]
            self.assertEqual(len(mine), 23, mine)
            cases = {c["case"] for c in mine}
            self.assertIn("badge reaches the handler", cases)
            self.assertIn("per-client state by badge", cases)
            self.assertIn("64 registers each way", cases)
            self.assertIn("server still serving", cases)
            self.assertEqual({c["error"] for c in mine} - {"none"}, ERRORS)
        summaries = sorted((l for l in out.output if l.get("type") == "rpc_demo"), key=lambda l: l["client"])
        self.assertEqual(summaries, [{"type": "rpc_demo", "client": 1, "failures": 0},
                                     {"type": "rpc_demo", "client": 2, "failures": 0}])
        exits = out.events("task_exit")
        self.assertTrue(all(not e["failed"] for e in exits), exits)


if __name__ == "__main__":
    qemu_test.main()
