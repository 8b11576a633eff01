// Notification signal, wait and poll.
#include "ipc/notification.hpp"

#include <new>

#include "lib/assert.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"

namespace kernel {

Notification* Notification::create(Account& account) {
    void* memory = kmem::allocate(sizeof(Notification), account);
    return memory ? new (memory) Notification(account) : nullptr;
}

void Notification::destroy(Notification* n) {
    while (Thread* t = n->m_waiters.front()) t->stop_waiting(Status::invalid_capability); // as seL4's cancelAllSignals
    Account& account = n->m_account;
    n->~Notification();
    kmem::free(n, sizeof(Notification), account);
}

void Notification::signal(uint64_t badge) {
    m_word |= badge;
    Thread* waiter = m_waiters.pop_front();
    if (!waiter) {
        m_signalled = true;
        return;
    }
    waiter->waiting_for = nullptr;
    waiter->frame().set_result(0, m_word);
    m_word = 0;
    waiter->wake_status = Status::ok;
    scheduler().make_ready(*waiter);
}

Status Notification::wait(Thread& self, uint64_t deadline, bool poll_only) {
    if (m_signalled) {
        poll(self);
        return Status::ok;
    }
    if (poll_only) return Status::would_block;
    self.waiting_for = this;
    self.set_state(Thread_state::blocked_notification);
    m_waiters.push_back(self);
    if (deadline) timeouts().arm(self, deadline);
    scheduler().block();
    return self.wake_status;
}

void Notification::poll(Thread& self) {
    self.frame().set_result(0, m_word);
    m_word = 0;
    m_signalled = false;
}

void Notification::cancel(Thread& t) {
    m_waiters.remove(t);
    t.waiting_for = nullptr;
}

} // namespace kernel
