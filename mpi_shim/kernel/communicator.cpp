// Communicator: rendezvous matching and the single copy of MPI point-to-point messages.
#include "mpi_shim/kernel/communicator.hpp"

#include <new>

#include "lib/assert.hpp"
#include "mem/kmem.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/matching.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

Envelope envelope_of(const Thread& sender) {
    return Envelope{sender.comm.rank, sender.comm.tag, sender.comm.context};
}

Receive_pattern pattern_of(const Thread& receiver) {
    return Receive_pattern{receiver.comm.peer, receiver.comm.tag, receiver.comm.context};
}

} // namespace

Communicator* Communicator::create(uint32_t size, uint32_t context_id, Account& account, Status& status) {
    if (size == 0) {
        status = Status::invalid_argument;
        return nullptr;
    }
    void* memory = kmem::allocate(sizeof(Communicator), account);
    auto* c = memory ? new (memory) Communicator(size, context_id, account) : nullptr;
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
    if (c->m_mailboxes) {
        for (uint32_t r = 0; r < c->m_size; ++r) VERIFY(c->m_mailboxes[r].senders.empty() && !c->m_mailboxes[r].receiver);
        kmem::free(c->m_mailboxes, c->m_size * sizeof(Mailbox), account);
    }
    kmem::free(c->m_members, c->m_size * sizeof(Task*), account);
    c->~Communicator();
    kmem::free(c, sizeof(Communicator), account);
}

Status Communicator::deliver(Thread& sender, Thread& receiver) {
    uint64_t n = sender.comm.bytes;
    Status status = Status::ok;
    if (n > receiver.comm.bytes) {
        n = receiver.comm.bytes;
        status = Status::truncated;
    }
    Status copy = copy_between(receiver.task().space(), receiver.comm.buffer, sender.task().space(),
                               sender.comm.buffer, n);
    if (copy != Status::ok) return copy;
    receiver.comm.peer = sender.comm.rank;
    receiver.comm.tag = sender.comm.tag;
    receiver.comm.bytes = n;
    return status;
}

Status Communicator::send(Thread& self) {
    const int32_t dest = self.comm.peer;
    if (!m_members[dest]) return Status::partner_dead;
    Mailbox& box = m_mailboxes[dest];
    if (Thread* receiver = box.receiver; receiver && pattern_of(*receiver).matches(envelope_of(self))) {
        box.receiver = nullptr;
        Status s = deliver(self, *receiver);
        receiver->wake_status = s;
        scheduler().make_ready(*receiver);
        return s == Status::invalid_pointer ? s : Status::ok; // truncation is the receiver's error
    }
    self.comm.comm = this;
    self.set_state(Thread_state::blocked_comm_send);
    box.senders.push_back(self);
    scheduler().block();
    return self.wake_status;
}

Status Communicator::receive(Thread& self) {
    Mailbox& box = m_mailboxes[self.comm.rank];
    const Receive_pattern want = pattern_of(self);
    if (want.source != ipclab::comm_any_source && !m_members[want.source]) return Status::partner_dead;
    Thread* sender = first_match<decltype(box.senders), Thread>(box.senders, want, envelope_of);
    if (sender) {
        box.senders.remove(*sender);
        Status s = deliver(*sender, self);
        sender->wake_status = s == Status::invalid_pointer ? s : Status::ok;
        scheduler().make_ready(*sender);
        return s;
    }
    self.comm.comm = this;
    self.set_state(Thread_state::blocked_comm_recv);
    box.receiver = &self;
    scheduler().block();
    return self.wake_status;
}

void Communicator::cancel(Thread& t) {
    if (t.state() == Thread_state::blocked_comm_send)
        m_mailboxes[t.comm.peer].senders.remove(t);
    else if (m_mailboxes[t.comm.rank].receiver == &t)
        m_mailboxes[t.comm.rank].receiver = nullptr;
    t.comm.comm = nullptr;
}

void Communicator::member_ended(int32_t rank, const Task& task) {
    if (rank < 0 || uint32_t(rank) >= m_size || m_members[rank] != &task) return;
    m_members[rank] = nullptr;
    Mailbox& box = m_mailboxes[rank];
    while (Thread* sender = box.senders.pop_front()) {
        sender->comm.comm = nullptr;
        sender->wake_status = Status::partner_dead;
        scheduler().make_ready(*sender);
    }
    for (uint32_t r = 0; r < m_size; ++r) {
        Thread* receiver = m_mailboxes[r].receiver;
        if (receiver && receiver->comm.peer == rank) {
            m_mailboxes[r].receiver = nullptr;
            receiver->comm.comm = nullptr;
            receiver->wake_status = Status::partner_dead;
            scheduler().make_ready(*receiver);
        }
    }
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
