// The IPC fast path: a chain of "if unlikely, take the slow path" checks with no side
// effects, then the commit: message registers into the partner's frame, reply capability,
// states, and the direct switch.
#include "ipc/fastpath.hpp"

#include "abi/capability.hpp"
#include "abi/message.hpp"
#include "abi/timeout.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/transfer.hpp"
#include "lib/assert.hpp"
#include "policy/policy.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/thread_registry.hpp"
#include "task/timeouts.hpp"

namespace kernel {

bool ipc_fastpath_enabled = true;

namespace {

constexpr unsigned arg_timeout = 6;

/// A message the fast path carries: MR0..MR3 at most, no items, no kernel-set bits.
bool short_message(uint64_t tag) {
    return (tag & ~(~uint64_t(0) << 12)) <= ipclab::mr_in_registers; // bits 0..11: length only
}

/// The endpoint in `slot` if the capability is one with `right`, else nullptr.
Endpoint* endpoint_in(Thread& self, uint64_t slot, uint8_t right, uint64_t& badge) {
    if (unlikely(slot >= ipclab::cap_slots)) return nullptr;
    const Capability& c = self.task().caps().at(unsigned(slot));
    if (unlikely(!c.object || c.object->type() != Object_type::endpoint || !(c.rights & right))) return nullptr;
    badge = c.badge;
    return static_cast<Endpoint*>(c.object);
}

/// The message in `from`'s registers into `to`'s frame, as transfer_message writes it:
/// r0 badge, r1 tag, r2..r5 = MR0..3 (rdx, r10, r8, r9), zero beyond the length.
[[gnu::always_inline]] inline void deliver(const arch::User_frame& from, Thread& to, uint64_t badge) {
    const uint64_t tag = from.rsi;
    const uint64_t length = tag & 0x7f; // at most 4: short_message() checked
    arch::User_frame& f = to.frame();
    f.rdi = badge;
    f.rsi = tag;
    f.rdx = length > 0 ? from.rdx : 0;
    f.r10 = length > 1 ? from.r10 : 0;
    f.r8 = length > 2 ? from.r8 : 0;
    f.r9 = length > 3 ? from.r9 : 0;
    f.rax = uint64_t(Status::ok);
}

} // namespace

bool fastpath_call(Thread& self, arch::User_frame& frame, bool by_thread_id) {
    // Cheapest first, so a message that needs the slow path costs little here. Any timeout:
    // the receiver waits, so only the wait for the reply can time out (as in the slow path).
    if (unlikely(!short_message(frame.arg(1)) || !ipc_fastpath_enabled)) return false;
    uint64_t badge;
    Endpoint* ep;
    if (by_thread_id) { // classic L4: search the thread, send to its inbox, the badge is our id
        Thread* target = thread_registry().find(frame.arg(0));
        ep = target ? target->inbox : nullptr;
        badge = self.id();
        // A policy that may redirect, deny or ask a monitor decides here; only a plain allow
        // stays on the fast path (a decision has no side effects, the slow path asks again).
        if (unlikely(ep && policy().restricts_thread_ids() &&
                     policy().ipc_send_tid(Ipc_request{self, *target, true}).verdict != Ipc_decision::Verdict::allow))
            return false;
    } else {
        ep = endpoint_in(self, frame.arg(0), ipclab::right_send, badge);
    }
    if (unlikely(!ep)) return false;
    if (unlikely(!ep->has_waiting_receivers() || !receive_window_ok(self))) return false;
    Thread& receiver = *ep->first_waiting();
    if (unlikely(receiver.reply_to || !scheduler().may_run_directly(receiver))) return false;

    // Point of no return.
    (void)ep->dequeue();
    if (unlikely(receiver.timeout_link.linked())) timeouts().disarm(receiver); // its receive timeout
    deliver(frame, receiver, badge);
    if (by_thread_id) receiver.frame().rsi |= ipclab::Message_tag::by_thread_id_bit;
    receiver.wake_status = Status::ok;
    receiver.set_state(Thread_state::ready);
    receiver.reply_to = &self;
    self.reply_holder = &receiver;
    self.set_state(Thread_state::blocked_reply);
    // A zero timeout applies to the send only; a finite one covers the reply (abi/syscall.hpp).
    if (const uint64_t timeout = frame.arg(arg_timeout);
        unlikely(timeout != ipclab::timeout_infinite && timeout != ipclab::timeout_zero))
        timeouts().arm(self, Timeouts::deadline_after(timeout));
    scheduler().fast_switch(receiver);
    return true;
}

bool fastpath_reply_recv(Thread& self, arch::User_frame& frame) {
    if (unlikely(!short_message(frame.arg(1)) || frame.arg(arg_timeout) != ipclab::timeout_infinite ||
                 !ipc_fastpath_enabled))
        return false;
    uint64_t badge;
    Endpoint* ep = endpoint_in(self, frame.arg(0), ipclab::right_receive, badge);
    if (unlikely(!ep)) return false;
    Thread* caller = self.reply_to;
    if (unlikely(!caller || ep->has_waiting_senders() || !receive_window_ok(self))) return false;
    if (unlikely(caller->fault_pending || !scheduler().may_run_directly(*caller))) return false;

    // Point of no return.
    if (unlikely(caller->timeout_link.linked())) timeouts().disarm(*caller); // its call's timeout
    self.reply_to = nullptr;
    caller->reply_holder = nullptr;
    deliver(frame, *caller, 0);
    caller->wake_status = Status::ok;
    caller->set_state(Thread_state::ready);
    self.set_state(Thread_state::blocked_recv);
    ep->enqueue_receiver(self);
    scheduler().fast_switch(*caller);
    return true;
}

} // namespace kernel

// Called by the syscall entry stub (entry.S) for ipc_call and ipc_reply_recv before the
// dispatcher: false means the slow path must handle the call.
extern "C" bool fastpath_call_entry(arch::User_frame* frame) {
    using namespace kernel;
    Thread& self = *scheduler().current();
    if (!fastpath_call(self, *frame, false)) return false;
    frame->set_status(long(self.wake_status)); // resumed by the slow path
    scheduler().preempt_if_needed();
    return true;
}

extern "C" bool fastpath_call_tid_entry(arch::User_frame* frame) {
    using namespace kernel;
    Thread& self = *scheduler().current();
    if (!fastpath_call(self, *frame, true)) return false;
    frame->set_status(long(self.wake_status)); // resumed by the slow path
    scheduler().preempt_if_needed();
    return true;
}

extern "C" bool fastpath_reply_recv_entry(arch::User_frame* frame) {
    using namespace kernel;
    Thread& self = *scheduler().current();
    if (!fastpath_reply_recv(self, *frame)) return false;
    frame->set_status(long(self.wake_status));
    scheduler().preempt_if_needed();
    return true;
}
