// Communicator: matching queues, the single copy of a rendezvous, eager messages, and
// breaking down sends (timeouts, abort_sends, a member's death).
#include "mpi_shim/kernel/communicator.hpp"

#include <new>

#include "abi/comm.hpp"
#include "lib/assert.hpp"
#include "lib/bytes.hpp"
#include "mem/kmem.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/matching.hpp"
#include "policy/policy.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/timeouts.hpp"

namespace kernel {

namespace {

uint32_t next_context_id = 1;

Envelope envelope_of(const Comm_op& send) { return Envelope{send.rank, send.tag, send.context}; }
Receive_pattern pattern_of(const Comm_op& receive) {
    return Receive_pattern{receive.peer, receive.tag, receive.context};
}

/// Frees an eager message: its payload, itself, and its sender's pin.
void free_eager(Comm_op& op) {
    Task* sender = op.task;
    if (op.bytes) kmem::free(op.data, op.bytes, sender->account());
    sender->comm_buffer_released(op.bytes + sizeof(Comm_op));
    op.~Comm_op();
    kmem::free(&op, sizeof(Comm_op), sender->account());
    sender->unpin();
}

} // namespace

Communicator::Communicator(uint32_t size, uint32_t context_id, Account& account)
    : Kobject(Object_type::communicator), m_size(size), m_context_id(context_id),
      m_send_timeout(policy().comm_send_timeout()), m_account(account) {}

Communicator* Communicator::create(uint32_t size, Account& account, Status& status) {
    if (size == 0 || size > ipclab::comm_max_group) {
        status = Status::invalid_argument;
        return nullptr;
    }
    void* memory = kmem::allocate(sizeof(Communicator), account);
    auto* c = memory ? new (memory) Communicator(size, next_context_id++, account) : nullptr;
    if (c) {
        c->m_members = static_cast<Task**>(kmem::allocate(size * sizeof(Task*), account));
        c->m_mailboxes = static_cast<Mailbox*>(kmem::allocate(size * sizeof(Mailbox), account));
        if (c->m_members && c->m_mailboxes) {
            for (uint32_t r = 0; r < size; ++r) new (&c->m_mailboxes[r]) Mailbox();
            status = Status::ok;
            return c;
        }
        destroy(c);
    }
    status = Status::out_of_memory;
    return nullptr;
}

void Communicator::destroy(Communicator* c) {
    Account& account = c->m_account;
    c->drop_creations();
    if (c->m_mailboxes) {
        for (uint32_t r = 0; r < c->m_size; ++r) {
            Mailbox& box = c->m_mailboxes[r];
            while (Comm_op* op = box.unexpected.pop_front(c->m_size, account)) {
                op->comm = nullptr;
                complete(*op, Status::invalid_capability);
            }
            while (Comm_op* op = box.posted.pop_front()) {
                op->comm = nullptr;
                complete(*op, Status::invalid_capability);
            }
            while (Thread* t = box.probers.front()) t->stop_waiting(Status::invalid_capability);
        }
        kmem::free(c->m_mailboxes, c->m_size * sizeof(Mailbox), account);
    }
    if (c->m_rights) kmem::free(c->m_rights, (uint64_t(c->m_size) * c->m_size + 7) / 8, account);
    if (c->m_members) kmem::free(c->m_members, c->m_size * sizeof(Task*), account);
    c->~Communicator();
    kmem::free(c, sizeof(Communicator), account);
}

bool Communicator::may_send(int32_t from, int32_t to) const {
    if (!m_rights) return true;
    const uint64_t bit = uint64_t(from) * m_size + uint64_t(to);
    return !(m_rights[bit / 8] & (1u << (bit % 8)));
}

Status Communicator::set_right(int32_t from, int32_t to, bool allowed) {
    if (!m_rights) {
        if (allowed) return Status::ok;
        m_rights = static_cast<uint8_t*>(kmem::allocate((uint64_t(m_size) * m_size + 7) / 8, m_account));
        if (!m_rights) return Status::out_of_memory;
    }
    for (uint32_t f = 0; f < m_size; ++f) {
        if (from >= 0 && f != uint32_t(from)) continue;
        for (uint32_t t = 0; t < m_size; ++t) {
            if (to >= 0 && t != uint32_t(to)) continue;
            const uint64_t bit = uint64_t(f) * m_size + t;
            if (allowed)
                m_rights[bit / 8] &= uint8_t(~(1u << (bit % 8)));
            else
                m_rights[bit / 8] |= uint8_t(1u << (bit % 8));
        }
    }
    return Status::ok;
}

void Communicator::complete(Comm_op& op, Status result) {
    op.done = true;
    op.result = result;
    if (op.eager) {
        free_eager(op);
        return;
    }
    if (Thread* w = op.waiter) {
        op.waiter = nullptr;
        w->comm_op = nullptr;
        w->comm_waiting_on = nullptr;
        timeouts().disarm(*w);
        w->wake_status = result;
        if (op.kind == Comm_op::Kind::receive) { // a blocked receive returns the envelope in r0..r2
            w->frame().set_result(0, uint64_t(int64_t(op.peer)));
            w->frame().set_result(1, uint64_t(int64_t(op.tag)));
            w->frame().set_result(2, op.bytes);
            if (op.in_registers) store_payload(w->frame(), op.words);
        }
        scheduler().make_ready_partner(*w);
    }
}

namespace {

/// The first `n` bytes of `send`'s payload (user memory, an eager kernel buffer or its
/// registers) into `receive`'s buffer (user memory or its registers): the one copy.
Status copy_payload(const Comm_op& send, Comm_op& receive, uint64_t n) {
    const void* kernel_source = send.in_registers ? send.words : send.eager ? send.data : nullptr;
    if (receive.in_registers) { // n <= comm_register_bytes: the receive's capacity
        if (kernel_source) {
            copy_bytes(receive.words, kernel_source, n);
            return Status::ok;
        }
        return copy_from_user(send.task->space(), send.buffer, receive.words, n);
    }
    if (kernel_source) return copy_to_user(receive.task->space(), receive.buffer, kernel_source, n);
    return copy_between(receive.task->space(), receive.buffer, send.task->space(), send.buffer, n);
}

} // namespace

void Communicator::deliver(Comm_op& send, Comm_op& receive) {
    uint64_t n = send.bytes;
    Status status = Status::ok;
    if (n > receive.bytes) {
        n = receive.bytes;
        status = Status::truncated; // the receiver's error (MPI_ERR_TRUNCATE); the send succeeded
    }
    Status copy = copy_payload(send, receive, n);
    receive.peer = send.rank;
    receive.tag = send.tag;
    receive.bytes = n;
    complete(receive, copy == Status::ok ? status : copy);
    complete(send, copy);
}

void Communicator::enqueue(List<Comm_op, &Comm_op::link>& list, Comm_op& op) {
    op.comm = this;
    list.push_back(op);
}

void Communicator::wake_probers(Mailbox& box) {
    while (Thread* t = box.probers.front()) t->stop_waiting(Status::ok); // they look again
}

bool Communicator::start_send(Comm_op& op, bool queue) {
    if (!m_members[op.peer]) {
        op.done = true;
        op.result = Status::partner_dead;
        return true;
    }
    Mailbox& box = m_mailboxes[op.peer];
    const Envelope e = envelope_of(op);
    for (Comm_op* r = box.posted.front(); r; r = box.posted.next(*r)) {
        if (!pattern_of(*r).matches(e)) continue;
        box.posted.remove(*r);
        r->comm = nullptr;
        deliver(op, *r);
        return true;
    }
    if (queue) {
        queue_unexpected(box, op);
        wake_probers(box);
    }
    return false;
}

uint64_t Communicator::buffered_bytes(int32_t from, int32_t to) const {
    uint64_t total = 0;
    const Unexpected_queue& queue = m_mailboxes[to].unexpected;
    for (const Comm_op* op = queue.first_from(from); op; op = queue.next_from(*op)) {
        if (op->rank != from) continue;
        if (op->eager) total += op->bytes + sizeof(Comm_op);
        else if (op->handle) total += sizeof(Comm_op);
    }
    return total;
}

void Communicator::queue_eager(Comm_op& op) {
    op.eager = true;
    op.task->pin();
    op.task->comm_buffer_charged(op.bytes + sizeof(Comm_op));
    Mailbox& box = m_mailboxes[op.peer];
    queue_unexpected(box, op);
    wake_probers(box);
}

void Communicator::start_receive(Comm_op& op) {
    Mailbox& box = m_mailboxes[op.rank];
    Comm_op* s = box.unexpected.first_match(pattern_of(op));
    if (s) {
        box.unexpected.remove(*s, m_size, m_account);
        s->comm = nullptr;
        deliver(*s, op);
    } else if (op.peer != ipclab::comm_any_source && !m_members[op.peer]) {
        complete(op, Status::partner_dead);
    } else {
        enqueue(box.posted, op);
    }
}

Status Communicator::block_on(Thread& self, Comm_op& op, Thread_state state, uint64_t deadline) {
    op.waiter = &self;
    self.comm_op = &op;
    self.comm_waiting_on = this;
    self.set_state(state);
    if (deadline) timeouts().arm(self, deadline);
    scheduler().block();
    return self.wake_status;
}

Status Communicator::send(Thread& self, Comm_op& op) {
    if (start_send(op, true)) return op.result;
    return block_on(self, op, Thread_state::blocked_comm_send, Timeouts::deadline_after(m_send_timeout));
}

Status Communicator::receive(Thread& self, Comm_op& op, uint64_t deadline) {
    start_receive(op);
    if (op.done) return op.result;
    return block_on(self, op, Thread_state::blocked_comm_recv, deadline);
}

Status Communicator::try_receive(Comm_op& op) {
    start_receive(op);
    if (op.done) return op.result;
    withdraw(op);
    return Status::would_block;
}

Status Communicator::wait(Thread& self, Comm_op& op, uint64_t deadline) {
    if (op.done) return op.result;
    return block_on(self, op, Thread_state::blocked_comm_wait, deadline);
}

Status Communicator::probe(Thread& self, Comm_op& op, bool block, uint64_t deadline) {
    Mailbox& box = m_mailboxes[op.rank];
    for (;;) {
        Comm_op* s = box.unexpected.first_match(pattern_of(op));
        if (s) {
            op.peer = s->rank;
            op.tag = s->tag;
            op.bytes = s->bytes;
            return Status::ok;
        }
        if (op.peer != ipclab::comm_any_source && !m_members[op.peer]) return Status::partner_dead;
        if (!block) return Status::would_block;
        self.comm_op = &op;
        self.comm_waiting_on = this;
        self.set_state(Thread_state::blocked_comm_probe);
        box.probers.push_back(self);
        if (deadline) timeouts().arm(self, deadline);
        scheduler().block();
        if (self.wake_status != Status::ok) return self.wake_status;
    }
}

void Communicator::withdraw(Comm_op& op) {
    if (op.kind == Comm_op::Kind::send)
        m_mailboxes[op.peer].unexpected.remove(op, m_size, m_account);
    else
        m_mailboxes[op.rank].posted.remove(op);
    op.comm = nullptr;
}

void Communicator::cancel(Thread& t) {
    Comm_op* op = t.comm_op;
    switch (t.state()) {
    case Thread_state::blocked_comm_send:
    case Thread_state::blocked_comm_recv:
        if (op->comm) withdraw(*op);
        op->waiter = nullptr;
        break;
    case Thread_state::blocked_comm_wait: op->waiter = nullptr; break; // the request stays
    case Thread_state::blocked_comm_probe: m_mailboxes[op->rank].probers.remove(t); break;
    default: break;
    }
    t.comm_op = nullptr;
    t.comm_waiting_on = nullptr;
}

uint64_t Communicator::abort_sends(int32_t rank, Status why) {
    uint64_t aborted = 0;
    while (Comm_op* op = m_mailboxes[rank].unexpected.pop_front(m_size, m_account)) {
        op->comm = nullptr;
        complete(*op, why);
        ++aborted;
    }
    return aborted;
}

void Communicator::fail_receives_from(int32_t rank) {
    for (uint32_t r = 0; r < m_size; ++r) {
        Mailbox& box = m_mailboxes[r];
        for (Comm_op* op = box.posted.front(); op;) {
            Comm_op* next = box.posted.next(*op);
            if (op->peer == rank) { // no message of the rank matched it when it was posted
                box.posted.remove(*op);
                op->comm = nullptr;
                complete(*op, Status::partner_dead);
            }
            op = next;
        }
        for (Thread* t = box.probers.front(); t;) {
            Thread* next = box.probers.next(*t);
            if (t->comm_op->peer == rank) t->stop_waiting(Status::ok); // it looks again
            t = next;
        }
    }
}

void Communicator::member_ended(int32_t rank, const Task& task) {
    if (rank < 0 || uint32_t(rank) >= m_size || m_members[rank] != &task) return;
    m_members[rank] = nullptr;
    abort_sends(rank, Status::partner_dead);
    fail_receives_from(rank);
    // Its own receives and probes (other threads of a task that left) end too.
    Mailbox& own = m_mailboxes[rank];
    while (Comm_op* op = own.posted.pop_front()) {
        op->comm = nullptr;
        complete(*op, Status::invalid_capability);
    }
    while (Thread* t = own.probers.front()) t->stop_waiting(Status::invalid_capability);
    creations_member_ended(rank, task);
}

void Communicator::abort(long code) {
    Thread* self = scheduler().current();
    for (uint32_t r = 0; r < m_size; ++r) {
        Task* t = m_members[r];
        if (t && (!self || t != &self->task()) && !t->ended()) t->end(Exit_reason::aborted, code);
    }
    if (self) self->task().end(Exit_reason::aborted, code);
}

} // namespace kernel
