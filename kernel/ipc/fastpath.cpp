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
#include "task/scheduler.hpp"
#include "task/task.hpp"

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

/// The message in `from`'s registers into `to`'s frame, as transfer_message writes it.
void deliver(const arch::User_frame& from, Thread& to, uint64_t badge) {
    const uint64_t tag = from.arg(1);
    const unsigned length = unsigned(tag & 0x7f);
    arch::User_frame& f = to.frame();
    f.set_result(0, badge);
    f.set_result(1, tag);
    for (unsigned i = 0; i < ipclab::mr_in_registers; ++i) f.set_result(2 + i, i < length ? from.arg(2 + i) : 0);
    f.set_status(long(Status::ok));
    ipclab::Utcb& u = to.utcb();
    u.recv_string_bytes = 0;
    u.recv_map_received = 0;
}

} // namespace

bool fastpath_call(Thread& self, arch::User_frame& frame) {
    uint64_t badge;
    Endpoint* ep = endpoint_in(self, frame.arg(0), ipclab::right_send, badge);
    if (unlikely(!ep || !short_message(frame.arg(1)) || frame.arg(arg_timeout) != ipclab::timeout_infinite))
        return false;
    if (unlikely(!ep->has_waiting_receivers() || check_receive_window(self) != Status::ok)) return false;
    Thread& receiver = *ep->first_waiting();
    if (unlikely(receiver.reply_to || receiver.timeout_link.linked() || !scheduler().may_run_directly(receiver)))
        return false;

    // Point of no return.
    (void)ep->dequeue();
    deliver(frame, receiver, badge);
    receiver.wake_status = Status::ok;
    receiver.set_state(Thread_state::ready);
    receiver.reply_to = &self;
    self.reply_holder = &receiver;
    self.set_state(Thread_state::blocked_reply);
    scheduler().fast_switch(receiver);
    return true;
}

bool fastpath_reply_recv(Thread& self, arch::User_frame& frame) {
    uint64_t badge;
    Endpoint* ep = endpoint_in(self, frame.arg(0), ipclab::right_receive, badge);
    if (unlikely(!ep || !short_message(frame.arg(1)) || frame.arg(arg_timeout) != ipclab::timeout_infinite))
        return false;
    Thread* caller = self.reply_to;
    if (unlikely(!caller || ep->has_waiting_senders() || check_receive_window(self) != Status::ok)) return false;
    if (unlikely(caller->timeout_link.linked() || !scheduler().may_run_directly(*caller))) return false;

    // Point of no return.
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
