// Endpoint IPC: send, call, receive, reply, with the one-shot reply capability held in the
// receiving thread (seL4's non-MCS reply slot) and timeouts on every wait.
#include "ipc/endpoint.hpp"

#include <new>

#include "ipc/transfer.hpp"
#include "lib/assert.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"

namespace kernel {

Endpoint* Endpoint::create(Account& account) {
    void* memory = kmem::allocate(sizeof(Endpoint), account);
    return memory ? new (memory) Endpoint(account) : nullptr;
}

void Endpoint::destroy(Endpoint* ep) {
    // The last capability is gone, but threads may still wait here (another thread of their
    // task deleted it, or they sent to a thread's inbox): their operations fail, as seL4's
    // cancelAllIPC ends them.
    while (Thread* t = ep->m_queue.front()) t->stop_waiting(Status::invalid_capability);
    Account& account = ep->m_account;
    ep->~Endpoint();
    kmem::free(ep, sizeof(Endpoint), account);
}

void Endpoint::enqueue(Thread& t, Queue_state kind, uint64_t timeout) {
    t.waiting_on = this;
    Thread* behind = m_queue.front();
    while (behind && behind->priority >= t.priority) behind = m_queue.next(*behind);
    if (behind)
        m_queue.insert_before(*behind, t);
    else
        m_queue.push_back(t);
    m_state = kind;
    if (uint64_t deadline = Timeouts::deadline_after(timeout)) timeouts().arm(t, deadline);
}

void Endpoint::cancel(Thread& t) {
    m_queue.remove(t);
    t.waiting_on = nullptr;
    if (m_queue.empty()) m_state = Queue_state::idle;
}

void grant_reply(Thread& receiver, Thread& caller) {
    if (Thread* old = receiver.reply_to) {
        old->reply_holder = nullptr;
        old->stop_waiting(Status::reply_dropped);
    }
    receiver.reply_to = &caller;
    caller.reply_holder = &receiver;
    caller.set_state(Thread_state::blocked_reply);
}

Status Endpoint::send(Thread& self, uint64_t badge, bool call, uint64_t timeout, bool by_thread_id) {
    if (m_state != Queue_state::receivers) {
        if (timeout == 0) return Status::would_block;
        self.send_badge = badge;
        self.send_is_call = call;
        self.send_by_thread_id = by_thread_id;
        self.set_state(Thread_state::blocked_send);
        enqueue(self, Queue_state::senders, timeout);
        scheduler().block();
        return self.wake_status;
    }
    Thread& receiver = dequeue();
    Status s = transfer_message(self, receiver, badge, by_thread_id);
    receiver.wake_status = s;
    if (s != Status::ok || !call) {
        scheduler().make_ready(receiver);
        return s;
    }
    grant_reply(receiver, self);
    if (uint64_t deadline = timeout ? Timeouts::deadline_after(timeout) : 0) timeouts().arm(self, deadline);
    timeouts().disarm(receiver);
    receiver.set_state(Thread_state::ready); // not queued: block_and_switch_to runs it directly
    scheduler().block_and_switch_to(receiver);
    return self.wake_status;
}

Status Endpoint::receive(Thread& self, uint64_t timeout, Thread* switch_to) {
    // `switch_to` (reply_recv's caller) is ready but on no queue: run it directly if we block,
    // queue it otherwise.
    const bool direct = switch_to && switch_to->state() == Thread_state::ready;
    if (m_state != Queue_state::senders && timeout != 0) {
        self.set_state(Thread_state::blocked_recv);
        enqueue(self, Queue_state::receivers, timeout);
        if (direct)
            scheduler().block_and_switch_to(*switch_to);
        else
            scheduler().block();
        return self.wake_status;
    }
    if (direct) scheduler().make_ready(*switch_to);
    if (m_state != Queue_state::senders) return Status::would_block;
    Thread& sender = dequeue();
    Status s = transfer_message(sender, self, sender.send_badge, sender.send_by_thread_id);
    if (s == Status::ok && sender.send_is_call) {
        grant_reply(self, sender); // the caller's timeout, if any, now covers the reply
    } else {
        sender.wake_status = s;
        scheduler().make_ready(sender);
    }
    return s;
}

Status Endpoint::reply(Thread& self, bool queue) {
    Thread* caller = self.reply_to;
    if (!caller) return Status::no_reply_capability;
    self.reply_to = nullptr;
    caller->reply_holder = nullptr;
    Status s = Status::ok;
    if (caller->fault_pending) // a reference monitor's answer (syscall/ipc_tid.cpp): MR0 != 0 grants
        caller->fault_granted = self.frame().arg(2) != 0;
    else
        s = transfer_message(self, *caller, 0, false);
    caller->wake_status = s;
    if (queue) {
        scheduler().make_ready(*caller);
    } else {
        timeouts().disarm(*caller);
        caller->set_state(Thread_state::ready);
    }
    return s;
}

} // namespace kernel
