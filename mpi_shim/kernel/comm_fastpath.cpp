// The communicator fast path (the comm_send / comm_recv counterpart of ipc/fastpath.cpp):
// for small messages between ranks that are already waiting for each other, a chain of
// "if unlikely, take the slow path" checks with no side effects, then the commit: one copy
// within a page on each side (none for messages in registers, abi/comm.hpp), the partner's
// results straight into its user frame, and a direct switch when the receiver blocks. Results are exactly the slow path's; it handles
// everything else (queues, timeouts, truncation, requests, eager buffers, page crossings).
#include <arch/memory.hpp>

#include "abi/capability.hpp"
#include "abi/comm.hpp"
#include "abi/timeout.hpp"
#include "ipc/fastpath.hpp"
#include "lib/bytes.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "mpi_shim/kernel/matching.hpp"
#include "policy/policy.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/timeouts.hpp"

namespace kernel {

namespace {

constexpr uint64_t page = 4096;

/// The communicator in `slot` with `right` and the caller's rank (a member), else nullptr.
[[gnu::always_inline]] inline Communicator* comm_in(Thread& self, uint64_t slot, uint8_t right, int32_t& rank) {
    if (unlikely(slot >= ipclab::cap_slots)) return nullptr;
    const Capability& c = self.task().caps().at(unsigned(slot));
    if (unlikely(!c.object || c.object->type() != Object_type::communicator || !(c.rights & right))) return nullptr;
    auto* comm = static_cast<Communicator*>(c.object);
    if (unlikely(c.badge >= comm->size() || !comm->is_member(int32_t(c.badge), self.task()))) return nullptr;
    rank = int32_t(c.badge);
    return comm;
}

/// Kernel pointer to `bytes` at `addr` in `space`, all in one page, or nullptr.
char* one_page(const Address_space& space, uint64_t addr, uint64_t bytes, arch::Access access) {
    if (unlikely((addr & (page - 1)) + bytes > page)) return nullptr;
    uint64_t phys;
    if (unlikely(!space.table().translate(addr, access, phys))) return nullptr;
    return static_cast<char*>(arch::phys_to_virt(phys));
}

/// A blocked thread's blocking operation at the head of a queue, which the fast path may
/// complete: no request, not eager. A send timeout may be armed: waking the thread disarms
/// it (Scheduler::make_ready_partner).
Thread* blocked_owner(const Comm_op* op, Thread_state state) {
    if (!op || op->eager || op->handle) return nullptr;
    Thread* t = op->waiter;
    if (unlikely(!t || t->state() != state)) return nullptr;
    return t;
}

/// The thread's own blocking operation, filled in field by field (cheaper than a fresh
/// Comm_op; its link is off every queue): owned and waited for by `self`, not yet queued.
Comm_op& fast_op(Thread& self, Comm_op::Kind kind, int32_t rank, int32_t peer, int32_t tag, uint8_t context,
                 uint64_t buffer, uint64_t bytes, bool in_registers) {
    Comm_op& op = self.fast_op;
    op.comm = nullptr;
    op.kind = kind;
    op.eager = false;
    op.done = false;
    op.in_registers = in_registers;
    op.result = Status::ok;
    op.rank = rank;
    op.peer = peer;
    op.tag = tag;
    op.context = context;
    op.buffer = buffer;
    op.bytes = bytes;
    op.task = &self.task();
    op.data = nullptr;
    op.waiter = &self;
    op.handle = 0;
    op.words[0] = op.words[1] = op.words[2] = 0;
    return op;
}

/// Completes the partner's blocking operation `op` (already unlinked) with success.
void wake_partner(Thread& partner, Comm_op& op) {
    op.done = true;
    op.result = Status::ok;
    op.waiter = nullptr;
    partner.comm_op = nullptr;
    partner.comm_waiting_on = nullptr;
    partner.wake_status = Status::ok;
    arch::User_frame& f = partner.frame();
    if (op.kind == Comm_op::Kind::receive) {
        f.set_result(0, uint64_t(int64_t(op.peer)));
        f.set_result(1, uint64_t(int64_t(op.tag)));
        f.set_result(2, op.bytes);
    }
    f.set_status(long(Status::ok));
    scheduler().make_ready_partner(partner);
    partner.user_frame_complete = true;
}

/// The next thread to run if the fast path may switch to it directly: its results are in
/// its user frame already (the partner our last operation woke, typically).
Thread* direct_successor() {
    Thread* next = scheduler().next_ready();
    return next && next->user_frame_complete ? next : nullptr;
}

/// Blocks `self` in `op` (already queued) until `deadline` (0: none) and switches straight
/// to `next`. Returns once resumed by the slow path (a completion, the timeout), with the
/// status in the frame.
void block_and_switch(Thread& self, arch::User_frame& frame, Communicator& comm, Comm_op& op, Thread_state state,
                      Thread& next, uint64_t deadline = 0) {
    self.comm_op = &op;
    self.comm_waiting_on = &comm;
    self.set_state(state);
    if (deadline) timeouts().arm(self, deadline);
    scheduler().remove(next);
    next.user_frame_complete = false;
    scheduler().fast_switch(next);
    // Resumed by the slow path (a resumption by the fast path never comes back here): the
    // completion put the results in the frame and the status in wake_status.
    frame.set_status(long(self.wake_status));
}

/// comm_send with no receive posted at the destination: queue the send and block (with the
/// communicator's send timeout armed), if the slow path would do just that (nobody probing)
/// and a direct switch is possible.
bool block_sending(Thread& self, arch::User_frame& frame, Communicator& comm, int32_t rank, bool in_registers) {
    const auto dest = int32_t(frame.arg(1));
    const uint64_t buffer = frame.arg(3), bytes = frame.arg(4);
    Thread* next = direct_successor();
    if (unlikely(!next || comm.has_probers(dest))) return false;
    if (unlikely(policy().comm_send(comm, rank, dest) != Status::ok)) return false;
    if (unlikely(!in_registers &&
                 check_user_range(self.task().space(), buffer, bytes, arch::Access::read) != Status::ok))
        return false;

    // Point of no return.
    Comm_op& op = fast_op(self, Comm_op::Kind::send, rank, dest, int32_t(frame.arg(2)), uint8_t(frame.arg(5)), buffer,
                          bytes, in_registers);
    if (in_registers) load_payload(frame, op.words);
    comm.post_send(op);
    const uint64_t timeout = comm.send_timeout();
    block_and_switch(self, frame, comm, op, Thread_state::blocked_comm_send, *next,
                     timeout == ipclab::timeout_infinite ? 0 : Timeouts::deadline_after(timeout));
    return true;
}

} // namespace

bool fastpath_comm_send(Thread& self, arch::User_frame& frame) {
    if (unlikely(!ipc_fastpath_enabled)) return false;
    int32_t rank;
    Communicator* comm = comm_in(self, frame.arg(0), ipclab::right_send, rank);
    if (unlikely(!comm)) return false;
    const int64_t dest = int64_t(frame.arg(1)), tag = int64_t(frame.arg(2));
    const uint64_t buffer = frame.arg(3), bytes = frame.arg(4);
    const bool in_registers = frame.arg(5) & ipclab::comm_in_registers;
    const uint64_t context = frame.arg(5) & ~ipclab::comm_in_registers;
    if (unlikely(dest < 0 || dest >= int64_t(comm->size()) || tag < 0 || tag > ipclab::comm_tag_ub ||
                 context >= ipclab::context_count || bytes > (in_registers ? ipclab::comm_register_bytes : page)))
        return false;
    if (unlikely(!comm->member(int32_t(dest)))) return false;
    Comm_op* receive = comm->first_posted(int32_t(dest));
    if (!receive) return block_sending(self, frame, *comm, rank, in_registers);
    Thread* receiver = blocked_owner(receive, Thread_state::blocked_comm_recv);
    if (unlikely(!receiver || receive->bytes < bytes)) return false;
    const Receive_pattern pattern{receive->peer, receive->tag, receive->context};
    if (unlikely(!pattern.matches(Envelope{rank, int32_t(tag), uint8_t(context)}))) return false;
    if (unlikely(policy().comm_send(*comm, rank, int32_t(dest)) != Status::ok)) return false;
    uint64_t words[3];
    const void* from = words;
    void* to = receive->words;
    if (in_registers) {
        load_payload(frame, words);
    } else if (bytes) {
        from = one_page(self.task().space(), buffer, bytes, arch::Access::read);
        if (unlikely(!from)) return false;
    }
    if (!receive->in_registers && bytes) {
        to = one_page(receiver->task().space(), receive->buffer, bytes, arch::Access::write);
        if (unlikely(!to)) return false;
    }

    // Point of no return.
    if (in_registers && receive->in_registers) { // register to register: no copy loop
        // Both places: a receiver blocked by the slow path returns its operation's words.
        receive->words[0] = words[0];
        receive->words[1] = words[1];
        receive->words[2] = words[2];
        store_payload(receiver->frame(), words);
    } else {
        copy_bytes(to, from, bytes);
        if (receive->in_registers) store_payload(receiver->frame(), receive->words);
    }
    comm->withdraw(*receive);
    receive->peer = rank;
    receive->tag = int32_t(tag);
    receive->bytes = bytes;
    wake_partner(*receiver, *receive);
    frame.set_status(long(Status::ok));
    return true;
}

bool fastpath_comm_recv(Thread& self, arch::User_frame& frame) {
    if (unlikely(!ipc_fastpath_enabled || frame.arg(6) != ipclab::timeout_infinite)) return false;
    int32_t rank;
    Communicator* comm = comm_in(self, frame.arg(0), ipclab::right_receive, rank);
    if (unlikely(!comm)) return false;
    const int64_t source = int64_t(frame.arg(1)), tag = int64_t(frame.arg(2));
    const uint64_t buffer = frame.arg(3), capacity = frame.arg(4);
    const bool in_registers = frame.arg(5) & ipclab::comm_in_registers;
    const uint64_t context = frame.arg(5) & ~ipclab::comm_in_registers;
    if (unlikely(source < ipclab::comm_any_source || source >= int64_t(comm->size()) || tag < ipclab::comm_any_tag ||
                 tag > ipclab::comm_tag_ub || context >= ipclab::context_count ||
                 capacity > (in_registers ? ipclab::comm_register_bytes : ipclab::comm_max_bytes)))
        return false;
    const Receive_pattern want{int32_t(source), int32_t(tag), uint8_t(context)};

    if (Comm_op* send = comm->first_unexpected(rank, int32_t(source))) {
        // A sender waits: take its message if it is the first match and fits one page.
        Thread* sender = blocked_owner(send, Thread_state::blocked_comm_send);
        const uint64_t bytes = send->bytes;
        if (unlikely(!sender || bytes > capacity || bytes > page)) return false;
        if (unlikely(!want.matches(Envelope{send->rank, send->tag, send->context}))) return false;
        // The slow path checks the whole receive buffer before matching; so must we.
        if (unlikely(!in_registers && capacity && (!bytes || (buffer & (page - 1)) + capacity > page) &&
                     check_user_range(self.task().space(), buffer, capacity, arch::Access::write) != Status::ok))
            return false;
        const void* from = send->words;
        void* to = nullptr;
        uint64_t words[3];
        if (!send->in_registers && bytes) {
            from = one_page(sender->task().space(), send->buffer, bytes, arch::Access::read);
            if (unlikely(!from)) return false;
        }
        if (!in_registers && bytes) {
            to = one_page(self.task().space(), buffer, bytes, arch::Access::write);
            if (unlikely(!to)) return false;
        }
        // Point of no return.
        if (in_registers && send->in_registers) {
            store_payload(frame, send->words); // register to register: no copy loop
        } else if (in_registers) {
            copy_bytes(words, from, bytes);
            store_payload(frame, words);
        } else {
            copy_bytes(to, from, bytes);
        }
        comm->withdraw(*send);
        frame.set_result(0, uint64_t(int64_t(send->rank)));
        frame.set_result(1, uint64_t(int64_t(send->tag)));
        frame.set_result(2, bytes);
        wake_partner(*sender, *send);
        frame.set_status(long(Status::ok));
        return true;
    }

    // Nothing queued: block, and switch straight to the next thread if its results are in
    // its frame already (the partner our last send woke, typically).
    if (unlikely(source != ipclab::comm_any_source && !comm->member(int32_t(source)))) return false;
    Thread* next = direct_successor();
    if (unlikely(!next)) return false;
    if (unlikely(!in_registers &&
                 check_user_range(self.task().space(), buffer, capacity, arch::Access::write) != Status::ok))
        return false;

    // Point of no return.
    Comm_op& op = fast_op(self, Comm_op::Kind::receive, rank, want.source, want.tag, want.context, buffer, capacity,
                          in_registers);
    comm->post_receive(op);
    block_and_switch(self, frame, *comm, op, Thread_state::blocked_comm_recv, *next);
    return true;
}

} // namespace kernel

// Called by the syscall entry stub (entry.S) for comm_send and comm_recv before the
// dispatcher: false means the slow path must handle the call.
extern "C" bool fastpath_comm_send_entry(arch::User_frame* frame) {
    using namespace kernel;
    if (!fastpath_comm_send(*scheduler().current(), *frame)) return false;
    scheduler().preempt_if_needed(); // the receiver may outrank us
    return true;
}

extern "C" bool fastpath_comm_recv_entry(arch::User_frame* frame) {
    using namespace kernel;
    if (!fastpath_comm_recv(*scheduler().current(), *frame)) return false;
    scheduler().preempt_if_needed();
    return true;
}
