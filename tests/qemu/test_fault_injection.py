"""Fault injection (issue 7; docs/fault-injection.md): a task killed by the run description's
`kill` line while blocked in send, recv, call, reply_recv, holding an unused reply capability,
in MPI_Send, MPI_Recv, MPI_Wait, and mid-collective. Each run asserts that the victim died at
its point (the kernel's `inject` event, then task_exit with reason "signal" and status 137),
what its partner's operations returned, how the run ended, and that kernel memory came back
to its starting figure (run_end: memory_checked, leaked_object_bytes 0, leaked_frames 0).

Where a partner stays blocked for good, the test says so and asserts the deadlock report:
- a native receiver or sender on an endpoint whose partner died: an endpoint is anonymous
  (seL4's are too), and the partner's own capability keeps it alive, so nothing can tell it
  that no one will come; with a finite timeout it gets timed_out ("recv" shows both);
- an MPI receive from MPI_ANY_SOURCE: another rank could still send (MPI-3.1 section 3.5;
  docs/mpi.md). A send to a dead rank never stays blocked, under any policy: mpi-timeout's
  send timeout does not come into it, the send fails with MPIX_ERR_PROC_FAILED at once.

Long IPC: the kernel runs with interrupts off and copy_between has no preemption point (as in
seL4, whose IPC has none), so a kill cannot land inside a copy: a kill is carried out only
where a thread blocks, before or after a transfer, never during one. The nearest real cases
are tested instead: the sender of a 64 KiB message killed while it is queued ("send": the
receiver gets nothing, its window untouched), the receiver killed while a 64 KiB call is
queued for it ("long_receiver"), MPI_Send of 64 KiB ("comm_send"), and a copy cut short by
its destination ("bad_window": half the window unmapped, then a read-only one; both sides
get invalid_pointer, the mapped prefix holds what was copied, nothing leaks).

A run with a kill line runs with the fast paths off (the kernel's rule, docs/fault-injection.md);
"call_reply" would fail without it: its two calls would take the fast path, which does not
count as blocking, and the victim would survive."""
import os
import sys

import qemu_test

sys.path.insert(0, os.path.join(qemu_test.ROOT, "scripts", "ipclab_cli"))
import experiments  # noqa: E402
import runner  # noqa: E402
from errors import UserError  # noqa: E402

PROC_FAILED = 74  # mpi.h MPIX_ERR_PROC_FAILED


class FaultInjection(qemu_test.QemuTest):
    @classmethod
    def setUpClass(cls):
        cls.experiment = qemu_test.scenario("fault_injection")

    def boot(self, label, status):
        out = qemu_test.boot_run(self.experiment, label)
        self.assertNoPanic(out)
        self.assertRunStatus(out, status)
        end = out.events("run_end")[0]
        self.assertEqual((end["memory_checked"], end["leaked_object_bytes"], end["leaked_frames"]),
                         (True, 0, 0), "kernel memory not back to its starting figure: %s" % end)
        self.assertEqual([l for l in out.output if l.get("survived")], [], "a victim survived its kill")
        return out

    def killed(self, out, task, point, nth, state):
        """The victim died once, at its point, as SIGKILL."""
        inject = self.event(out, "inject", task=task)
        self.assertEqual((inject["point"], inject["nth"], inject["state"]), (point, nth, state), inject)
        exit_ = self.event(out, "task_exit", task=task)
        self.assertEqual((exit_["reason"], exit_["status"], exit_["failed"]), ("signal", 137, True), exit_)
        return inject

    def ops(self, out, role):
        """(op, status) of every operation `role` reported, in order."""
        return [(l["op"], l["status"]) for l in out.output if l.get("type") == "op" and l.get("role") == role]

    def mpi_ops(self, out, rank):
        return [(l["op"], l["error"]) for l in out.output if l.get("type") == "op" and l.get("rank") == rank]

    def blocked_for_good(self, out, task, state):
        """The run ended by deadlock detection with `task` the one left, blocked in `state`."""
        self.assertEqual(out.events("deadlock")[0]["live_tasks"], 1)
        self.event(out, "blocked", task=task, state=state)
        self.assertEqual(self.event(out, "task_exit", task=task)["reason"], "run_ended")

    # ---- native IPC -------------------------------------------------------------------------

    def test_send(self):
        """Killed queued in a send of a 64 KiB long message: the message is withdrawn with
        its sender; a receive that comes later times out and its window is untouched."""
        out = self.boot("send", "tasks_failed")
        self.killed(out, "victim", "send", 1, "blocked in send")
        self.assertEqual(self.ops(out, "partner"), [("recv", "timed_out")])
        self.assertTrue(out.output[-1]["window_untouched"])

    def test_recv(self):
        """Killed blocked in ipc_recv: a finite send times out; an infinite one stays blocked
        for good (nothing can tell a sender that an anonymous endpoint's receivers are gone)
        and the run ends by deadlock detection."""
        out = self.boot("recv", "deadlock")
        self.killed(out, "victim", "recv", 1, "blocked in receive")
        self.assertEqual(self.ops(out, "partner"), [("send", "timed_out")])
        self.assertEqual([l["op"] for l in out.output if l.get("type") == "blocking_forever"], ["send"])
        self.blocked_for_good(out, "partner", "blocked in send")

    def test_call_queued(self):
        """Killed in a call still queued on the endpoint: the call is withdrawn, so a later
        receive times out and there is no caller to reply to."""
        out = self.boot("call_queued", "tasks_failed")
        self.killed(out, "victim", "call", 1, "blocked in send")
        self.assertEqual(self.ops(out, "partner"), [("recv", "timed_out"), ("reply", "no_reply_capability")])

    def test_threads(self):
        """A task of two threads, killed when its second thread blocks in a queued call: the
        whole task dies, its first thread (ready, after a yield) too; the call is withdrawn."""
        out = self.boot("threads", "tasks_failed")
        inject = self.killed(out, "victim", "call", 1, "blocked in send")
        created = next(l for l in out.output if l.get("op") == "thread_create")
        self.assertEqual((created["status"], inject["thread"]), ("ok", created["thread"]))
        self.assertEqual(self.ops(out, "partner"), [("recv", "timed_out"), ("reply", "no_reply_capability")])

    def test_call_waiting_for_reply(self):
        """Killed in its second call (nth 2), after the partner received it: the partner's
        reply finds no caller (no_reply_capability); the first call was answered."""
        out = self.boot("call_reply", "tasks_failed")
        self.killed(out, "victim", "call", 2, "waiting for a reply")
        self.assertEqual(self.ops(out, "victim"), [("call", "ok")])
        self.assertEqual(self.ops(out, "partner"),
                         [("recv", "ok"), ("reply", "ok"), ("recv", "ok"), ("reply", "no_reply_capability")])

    def test_reply_recv(self):
        """A server killed in the receive of reply_recv: its reply reached the client; the
        client's next call has no receiver and times out."""
        out = self.boot("reply_recv", "tasks_failed")
        self.killed(out, "victim", "reply_recv", 1, "blocked in receive")
        self.assertEqual(self.ops(out, "partner"), [("call", "ok"), ("call", "timed_out")])
        self.assertEqual(next(l for l in out.output if l.get("role") == "partner")["mr0"], 101)

    def test_reply_cap(self):
        """A server killed in notify_wait while holding the caller's unused reply capability:
        the caller, waiting for the reply, gets partner_dead."""
        out = self.boot("reply_cap", "tasks_failed")
        inject = self.killed(out, "victim", "reply_cap", 1, "waiting for a notification")
        self.assertTrue(inject["reply_cap"])
        self.assertEqual(self.ops(out, "victim"), [("recv", "ok")])
        self.assertEqual(self.ops(out, "partner"), [("call", "partner_dead")])

    def test_reply_cap_while_calling_on(self):
        """A forwarder killed in its own call onward (waiting for the reply) while holding its
        caller's reply capability: its caller gets partner_dead, and the server it called
        finds no caller to reply to."""
        out = self.boot("reply_cap_forwarder", "tasks_failed")
        inject = self.killed(out, "victim", "reply_cap", 1, "waiting for a reply")
        self.assertTrue(inject["reply_cap"])
        self.assertEqual(self.ops(out, "partner"), [("call", "partner_dead")])
        self.assertEqual(self.ops(out, "server"), [("recv", "ok"), ("reply", "no_reply_capability")])

    def test_long_receiver(self):
        """The receiver of a queued 64 KiB call killed while blocked elsewhere: the call stays
        queued until its finite timeout (the endpoint outlives the receiver) and nothing was
        copied."""
        out = self.boot("long_receiver", "tasks_failed")
        self.killed(out, "victim", "recv", 1, "blocked in receive")
        self.assertEqual(self.ops(out, "partner"), [("call", "timed_out")])
        self.assertTrue(out.output[-1]["window_untouched"])

    def test_copy_into_a_bad_window(self):
        """No kill: a 64 KiB copy that fails midway (the window's upper half is unmapped) and
        one into a read-only window. Both sides get invalid_pointer; the mapped half holds the
        prefix that was copied (a failed copy is not undone); nothing leaks."""
        out = self.boot("bad_window", "ok")
        self.assertEqual(out.events("inject"), [])
        self.assertEqual(self.ops(out, "sender"), [("send_half_mapped", "invalid_pointer"),
                                                   ("send_read_only", "invalid_pointer")])
        self.assertEqual(self.ops(out, "receiver"), [("recv_half_mapped", "invalid_pointer"),
                                                     ("recv_read_only", "invalid_pointer")])
        half = next(l for l in out.output if l.get("op") == "recv_half_mapped")
        self.assertEqual(half["copied_prefix"], half["window_bytes_mapped"])

    # ---- MPI ----------------------------------------------------------------------------------

    def test_comm_send(self):
        """Rank 0 killed in a 64 KiB MPI_Send nobody received: rank 1's receive from it and
        its send to it fail with MPIX_ERR_PROC_FAILED; nothing of the message arrived."""
        out = self.boot("comm_send", "tasks_failed")
        self.killed(out, "rank0", "comm_send", 1, "blocked in MPI send")
        self.assertEqual(self.mpi_ops(out, 1), [("MPI_Recv", PROC_FAILED), ("MPI_Send", PROC_FAILED)])
        self.assertTrue(next(l for l in out.output if l.get("op") == "MPI_Recv")["buffer_untouched"])

    def test_comm_recv(self):
        """Rank 0 killed in MPI_Recv while rank 1 is blocked in a send to it: the send fails
        with MPIX_ERR_PROC_FAILED under mpi-open and under mpi-timeout alike (the rank's death,
        not the send timeout, ends it), and a later send fails at once. Rank 1 then receives
        from MPI_ANY_SOURCE: that receive stays blocked for good, and the run ends by deadlock
        detection."""
        for policy in ("mpi-open", "mpi-timeout"):
            with self.subTest(policy=policy):
                out = self.boot("comm_recv." + policy, "deadlock")
                self.killed(out, "rank0", "comm_recv", 1, "blocked in MPI receive")
                self.assertEqual(self.mpi_ops(out, 1), [("MPI_Send", PROC_FAILED), ("MPI_Send", PROC_FAILED)])
                self.assertEqual([l["op"] for l in out.output if l.get("type") == "blocking_forever"],
                                 ["MPI_Recv(MPI_ANY_SOURCE)"])
                self.blocked_for_good(out, "rank1", "blocked in MPI receive")

    def test_comm_wait(self):
        """Rank 0 killed in MPI_Wait on a posted receive, with an eager message it sent still
        queued at rank 1: rank 1's blocked send fails with MPIX_ERR_PROC_FAILED, the eager
        message is still delivered (it outlives its sender, whose Task it pins until then),
        the next receive from rank 0 fails; the pending request is freed with the task."""
        out = self.boot("comm_wait", "tasks_failed")
        self.killed(out, "rank0", "comm_wait", 1, "waiting for an MPI request")
        self.assertEqual(self.mpi_ops(out, 0), [("MPI_Isend", 0), ("MPI_Irecv", 0)])
        self.assertEqual(self.mpi_ops(out, 1), [("MPI_Send", PROC_FAILED), ("MPI_Recv", 0), ("MPI_Recv", PROC_FAILED)])
        self.assertEqual(next(l for l in out.output if l.get("op") == "MPI_Recv")["value"], 333)

    def test_mid_collective(self):
        """Four ranks in MPI_Allreduce and MPI_Bcast; rank 2 killed in its 5th blocking
        receive. Every survivor's collective returns MPIX_ERR_PROC_FAILED, none hangs: the
        collectives only ever wait for a named rank (never MPI_ANY_SOURCE), and a survivor
        that sees the error stops, so a rank waiting for it learns it from its end. Which
        survivors hear of the death directly and which through another survivor is not
        uniform (as in ULFM without MPIX_Comm_agree, which ipclab does not offer)."""
        out = self.boot("collective", "tasks_failed")
        self.killed(out, "rank2", "comm_recv", 5, "blocked in MPI receive")
        reports = {l["rank"]: l for l in out.output if l.get("type") == "collective"}
        self.assertEqual(sorted(reports), [0, 1, 3])
        for rank, r in reports.items():
            self.assertEqual(r.get("error"), PROC_FAILED, r)
            self.assertNotIn("completed", r)
        self.assertEqual(len({r["iteration"] for r in reports.values()}), 1, reports)

    def test_mid_collective_default_handler(self):
        """The same with MPI_ERRORS_ARE_FATAL: the first survivor to see the error aborts the
        job (MPI_Abort), which ends every other rank with its error code."""
        out = self.boot("collective_fatal", "tasks_failed")
        self.killed(out, "rank2", "comm_recv", 5, "blocked in MPI receive")
        for task in ("rank0", "rank1", "rank3"):
            e = self.event(out, "task_exit", task=task)
            self.assertEqual((e["reason"], e["status"]), ("aborted", PROC_FAILED), e)

    # ---- the harness --------------------------------------------------------------------------

    def test_the_kill_key_becomes_a_kill_line(self):
        run = next(r for r in self.experiment["runs"] if r["label"] == "call_reply")
        manifest, _ = runner.compose(run, {})
        self.assertIn("kill 1 call 2\n", manifest)
        self.assertNotIn("fastpath", manifest)
        bad = {"name": "x", "description": "x", "runs": [dict(run, fastpath=True)]}
        with self.assertRaisesRegex(UserError, "fast paths off"):
            experiments.validate(bad, "x")
        for kill, message in (({"when": "sleep"}, "unknown kill point 'sleep'"), ({"when": "send", "nth": 0}, "from 1"),
                              ({"nth": 1}, "missing 'when'")):
            tasks = [dict(run["tasks"][0], kill=kill)] + run["tasks"][1:]
            with self.assertRaisesRegex(UserError, message):
                experiments.validate({"name": "x", "description": "x", "runs": [dict(run, tasks=tasks)]}, "x")


if __name__ == "__main__":
    qemu_test.main()
