// Endpoint: the rendezvous point of native IPC (seL4 manual ch. 4; seeds/003 "endpoint = small
// kernel object with a list of threads"). A pure state machine over a queue of blocked
// threads; system-call decoding lives in syscall/ipc.cpp.
#pragma once

#include <stdint.h>

#include "ipc/object.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "task/thread.hpp"

namespace kernel {

class Endpoint final : public Kobject {
public:
    static constexpr Object_type object_type = Object_type::endpoint;

    /// A new endpoint charged to `account`, or nullptr when out of memory.
    static Endpoint* create(Account& account);
    static void destroy(Endpoint* ep);

    /// `self` (the running thread) sends the message in its registers/UTCB with `badge`.
    /// A waiting receiver gets it at once; otherwise `self` queues (FIFO) and blocks.
    /// A call then waits for the reply, switching directly to the receiver (L4's direct
    /// process switch). Returns the send's status, or for a call the reply's.
    Status send(Thread& self, uint64_t badge, bool call);
    /// `self` receives the first queued message, or queues and blocks. When it blocks and
    /// `switch_to` is ready, runs `switch_to` directly (reply_recv hands the CPU to the
    /// caller it just answered). A call received leaves `self` holding the reply capability.
    Status receive(Thread& self, Thread* switch_to = nullptr);
    /// Answers the caller whose reply capability `self` holds and wakes it.
    /// Errors: no_reply_capability; transfer errors (the caller sees them too).
    static Status reply(Thread& self);
    /// Removes a queued thread (it is dying).
    void cancel(Thread& t);

    bool has_waiting_senders() const { return m_state == Queue_state::senders; }
    bool has_waiting_receivers() const { return m_state == Queue_state::receivers; }

private:
    explicit Endpoint(Account& account) : Kobject(Object_type::endpoint), m_account(account) {}
    enum class Queue_state : uint8_t { idle, senders, receivers };

    void enqueue(Thread& t, Queue_state kind);
    Thread& dequeue();

    List<Thread, &Thread::ipc_link> m_queue; ///< all senders or all receivers, FIFO
    Queue_state m_state = Queue_state::idle;
    Account& m_account;
};

} // namespace kernel
