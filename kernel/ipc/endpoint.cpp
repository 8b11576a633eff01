// Endpoint IPC: send, call, receive, reply, with the one-shot reply capability held in the
// receiving thread (seL4's non-MCS reply slot).
#include "ipc/endpoint.hpp"

#include <new>

#include "ipc/transfer.hpp"
#include "lib/assert.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"

namespace kernel {

Endpoint* Endpoint::create(Account& account) {
    void* memory = kmem::allocate(sizeof(Endpoint), account);
    return memory ? new (memory) Endpoint(account) : nullptr;
}

void Endpoint::destroy(Endpoint* ep) {
    VERIFY(ep->m_queue.empty()); // a queued thread's task holds a capability to it
    Account& account = ep->m_account;
    ep->~Endpoint();
    kmem::free(ep, sizeof(Endpoint), account);
}

void Endpoint::enqueue(Thread& t, Queue_state kind) {
    t.waiting_on = this;
    m_queue.push_back(t);
    m_state = kind;
}

Thread& Endpoint::dequeue() {
    Thread* t = m_queue.pop_front();
    VERIFY(t);
    t->waiting_on = nullptr;
    if (m_queue.empty()) m_state = Queue_state::idle;
    return *t;
}

void Endpoint::cancel(Thread& t) {
    m_queue.remove(t);
    t.waiting_on = nullptr;
    if (m_queue.empty()) m_state = Queue_state::idle;
}

namespace {

/// `receiver` now holds `caller`'s one-shot reply capability. A capability it still held
/// (it received a call and never answered) is dropped: that caller fails with
/// reply_dropped instead of waiting forever.
void grant_reply(Thread& receiver, Thread& caller) {
    if (Thread* old = receiver.reply_to) {
        old->reply_holder = nullptr;
        old->wake_status = Status::reply_dropped;
        scheduler().make_ready(*old);
    }
    receiver.reply_to = &caller;
    caller.reply_holder = &receiver;
    caller.set_state(Thread_state::blocked_reply);
}

} // namespace

Status Endpoint::send(Thread& self, uint64_t badge, bool call) {
    if (m_state != Queue_state::receivers) {
        self.send_badge = badge;
        self.send_is_call = call;
        self.set_state(Thread_state::blocked_send);
        enqueue(self, Queue_state::senders);
        scheduler().block();
        return self.wake_status;
    }
    Thread& receiver = dequeue();
    Status s = transfer_message(self, receiver, badge);
    receiver.wake_status = s;
    scheduler().make_ready(receiver);
    if (s != Status::ok || !call) return s;
    grant_reply(receiver, self);
    scheduler().block_and_switch_to(receiver);
    return self.wake_status;
}

Status Endpoint::receive(Thread& self, Thread* switch_to) {
    if (m_state != Queue_state::senders) {
        self.set_state(Thread_state::blocked_recv);
        enqueue(self, Queue_state::receivers);
        if (switch_to && switch_to->state() == Thread_state::ready)
            scheduler().block_and_switch_to(*switch_to);
        else
            scheduler().block();
        return self.wake_status;
    }
    Thread& sender = dequeue();
    Status s = transfer_message(sender, self, sender.send_badge);
    if (s == Status::ok && sender.send_is_call) {
        grant_reply(self, sender);
    } else {
        sender.wake_status = s;
        scheduler().make_ready(sender);
    }
    return s;
}

Status Endpoint::reply(Thread& self) {
    Thread* caller = self.reply_to;
    if (!caller) return Status::no_reply_capability;
    self.reply_to = nullptr;
    caller->reply_holder = nullptr;
    Status s = transfer_message(self, *caller, 0);
    caller->wake_status = s;
    scheduler().make_ready(*caller);
    return s;
}

} // namespace kernel
