// Native IPC by thread id (classic L4; abi/syscall.hpp): ipc_send_tid, ipc_call_tid and the
// chiefs' ipc_send_tid_as / ipc_call_tid_as. Every one asks the run's policy first
// (kernel/policy/policy.hpp): allow, deny, redirect to another thread's inbox (clans &
// chiefs), or ask the sender's reference monitor through an exception IPC (ref-monitor).
#include "abi/message.hpp"
#include "abi/timeout.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/transfer.hpp"
#include "policy/policy.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"
#include "task/thread_registry.hpp"

namespace kernel {

namespace {

constexpr unsigned arg_timeout = 6;
using Verdict = Ipc_decision::Verdict;

/// The exception IPC of the ref-monitor policy (seeds/004): the kernel calls the sender's
/// reference monitor on its behalf with ipc_right_fault_label (badge: the sender's id, MR0:
/// `target`, MR1: call) and keeps the answer in the sender's task. The sender's registers
/// are as they were afterwards. ok: an answer was recorded; denied: there is no monitor to
/// ask (it ended, or has no inbox) or it dropped the call.
Status ask_monitor(Thread& self, const Thread& target, bool call) {
    Thread* monitor = thread_registry().find(self.task().monitor);
    if (!monitor || !monitor->inbox) return Status::denied; // fail closed
    arch::User_frame& f = self.frame();
    const uint64_t saved_tag = f.rsi, saved_mr0 = f.rdx, saved_mr1 = f.r10;
    f.rsi = ipclab::Message_tag(ipclab::ipc_right_fault_label, 2).raw();
    f.rdx = target.id();
    f.r10 = call;
    self.fault_pending = true;
    self.fault_granted = false;
    // The reply does not reach the registers: Endpoint::reply takes the answer (MR0) instead.
    const Status s = monitor->inbox->send(self, self.id(), true, ipclab::timeout_infinite, true);
    self.fault_pending = false;
    f.rsi = saved_tag;
    f.rdx = saved_mr0;
    f.r10 = saved_mr1;
    if (s != Status::ok) return Status::denied;
    self.task().record_ipc_right(target.id(), self.fault_granted);
    return Status::ok;
}

/// A send or call to thread a0 by `self`, the receiver seeing `badge` as the sender's id.
Status send_to_thread(Thread& self, arch::User_frame& frame, bool call, uint64_t badge) {
    const Thread* target = thread_registry().find(frame.arg(0));
    if (!target || !target->inbox) return Status::invalid_capability; // the name names nothing
    TRY(check_outgoing(self, false)); // no capability, so nothing to grant with
    if (call) TRY(check_receive_window(self));
    Ipc_decision d = policy().ipc_send_tid(Ipc_request{self, *target, call});
    if (d.verdict == Verdict::ask_monitor) {
        TRY(ask_monitor(self, *target, call));
        d = policy().ipc_send_tid(Ipc_request{self, *target, call});
        if (d.verdict == Verdict::ask_monitor) return Status::denied; // a policy that never decides
    }
    Endpoint* inbox = target->inbox;
    if (d.verdict == Verdict::deny) return Status::denied;
    if (d.verdict == Verdict::redirect) {
        const Thread* via = thread_registry().find(d.redirect_to);
        if (!via || !via->inbox) return Status::denied; // the chief is gone: nobody to pass through
        inbox = via->inbox;
        self.send_intended_receiver = target->id();
    }
    const Status s = inbox->send(self, badge, call, frame.arg(arg_timeout), true);
    self.send_intended_receiver = 0;
    return s;
}

/// The virtual sender of ipc_send_tid_as: the caller's UTCB virtual_sender, if the policy
/// lets the caller speak for it towards a0.
Status deceiving_badge(Thread& self, arch::User_frame& frame, uint64_t& badge) {
    badge = self.utcb().virtual_sender;
    const Thread* target = thread_registry().find(frame.arg(0));
    if (!target || !target->inbox) return Status::invalid_capability;
    return policy().may_deceive(self, badge, *target) ? Status::ok : Status::denied;
}

} // namespace

Status sys_ipc_send_tid(Thread& self, arch::User_frame& frame) { return send_to_thread(self, frame, false, self.id()); }

Status sys_ipc_call_tid(Thread& self, arch::User_frame& frame) { return send_to_thread(self, frame, true, self.id()); }

Status sys_ipc_send_tid_as(Thread& self, arch::User_frame& frame) {
    uint64_t badge;
    TRY(deceiving_badge(self, frame, badge));
    return send_to_thread(self, frame, false, badge);
}

Status sys_ipc_call_tid_as(Thread& self, arch::User_frame& frame) {
    uint64_t badge;
    TRY(deceiving_badge(self, frame, badge));
    return send_to_thread(self, frame, true, badge);
}

} // namespace kernel
