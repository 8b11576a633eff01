// Endpoint: the rendezvous point of native IPC (seL4 manual ch. 4; seeds/003 "endpoint = small
// kernel object with a list of threads"). A state machine over a queue of blocked threads,
// highest priority first and FIFO within a priority; system-call decoding lives in
// syscall/ipc.cpp.
#pragma once

#include <stdint.h>

#include "ipc/object.hpp"
#include "lib/assert.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "task/thread.hpp"

namespace kernel {

class Endpoint final : public Kobject {
public:
    static constexpr Object_type object_type = Object_type::endpoint;

    /// A new endpoint charged to `account`, or nullptr when out of memory.
    static Endpoint* create(Account& account);
    /// Frees the endpoint; threads still queued fail with invalid_capability.
    static void destroy(Endpoint* ep);

    /// `self` (the running thread) sends the message in its registers/UTCB with `badge`
    /// (for a send by thread id: the sender's id, `by_thread_id` set). A waiting receiver
    /// gets it at once; otherwise `self` queues and blocks until `timeout` (abi/timeout.hpp:
    /// zero fails with would_block, a finite one with timed_out). A call then waits for the
    /// reply, switching directly to the receiver (L4's direct process switch); a finite
    /// timeout covers the reply too. Returns the send's status, or for a call the reply's.
    Status send(Thread& self, uint64_t badge, bool call, uint64_t timeout, bool by_thread_id = false);
    /// `self` receives the first queued message, or queues and blocks until `timeout`. When
    /// it blocks and `switch_to` is ready, runs `switch_to` directly (reply_recv hands the CPU
    /// to the caller it just answered). A call received leaves `self` holding the reply
    /// capability.
    Status receive(Thread& self, uint64_t timeout, Thread* switch_to = nullptr);
    /// Answers the caller whose reply capability `self` holds and wakes it. With `queue`
    /// false the caller is marked ready but left off the ready queues: the caller's caller
    /// (reply_recv) switches to it directly or queues it. Errors: no_reply_capability;
    /// transfer errors (the caller sees them too).
    static Status reply(Thread& self, bool queue = true);
    /// Removes a queued thread (timeout or death).
    void cancel(Thread& t);

    bool has_waiting_senders() const { return m_state == Queue_state::senders; }
    bool has_waiting_receivers() const { return m_state == Queue_state::receivers; }
    /// The first queued thread (for the fast path's checks).
    Thread* first_waiting() const { return m_queue.front(); }
    /// Takes the first queued thread off the queue (which must not be empty).
    Thread& dequeue() {
        Thread* t = m_queue.pop_front();
        VERIFY(t);
        t->waiting_on = nullptr;
        if (m_queue.empty()) m_state = Queue_state::idle;
        return *t;
    }
    /// Queues `self` as a receiver with no timeout (the fast path's reply_recv): at once if
    /// the queue is empty, else in priority order.
    void enqueue_receiver(Thread& self) {
        if (likely(m_queue.empty())) {
            self.waiting_on = this;
            m_queue.push_back(self);
            m_state = Queue_state::receivers;
            return;
        }
        enqueue(self, Queue_state::receivers, ~uint64_t(0));
    }

private:
    explicit Endpoint(Account& account) : Kobject(Object_type::endpoint), m_account(account) {}
    enum class Queue_state : uint8_t { idle, senders, receivers };

    /// Queues `t` behind every thread of its priority or higher (FIFO within a priority).
    void enqueue(Thread& t, Queue_state kind, uint64_t timeout);

    List<Thread, &Thread::ipc_link> m_queue; ///< all senders or all receivers
    Queue_state m_state = Queue_state::idle;
    Account& m_account;
};

/// `receiver` now holds `caller`'s one-shot reply capability. A capability it still held
/// (it received a call and never answered) is dropped: that caller fails with reply_dropped
/// instead of waiting forever.
void grant_reply(Thread& receiver, Thread& caller);

} // namespace kernel
