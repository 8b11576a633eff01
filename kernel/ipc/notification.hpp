// Notification: a word of bits for asynchronous signals without data (seeds/002: "an
// asynchronous notification mechanism ... does not carry data and therefore does not require
// buffering"; seL4 manual ch. 5). Signal never blocks; wait blocks until a bit is set.
#pragma once

#include <stdint.h>

#include "ipc/object.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "task/thread.hpp"

namespace kernel {

class Notification final : public Kobject {
public:
    static constexpr Object_type object_type = Object_type::notification;

    static Notification* create(Account& account);
    /// Frees the notification; threads still waiting fail with invalid_capability.
    static void destroy(Notification* n);

    /// Signals: a waiting thread (the first, FIFO) gets the word ORed with `badge` at once
    /// (result r0); otherwise the badge is ORed into the word and the notification stays
    /// signalled, even for badge 0 (as seL4's Active state). Never blocks.
    void signal(uint64_t badge);
    /// If the notification was signalled, returns the word in `self`'s r0 and clears it;
    /// otherwise blocks `self` until a signal (or `deadline`, 0 = none: Status::timed_out).
    /// With a zero timeout (`poll_only`) returns would_block instead of blocking.
    Status wait(Thread& self, uint64_t deadline, bool poll_only);
    /// Returns the word in `self`'s r0 and clears it (0 if nothing or only badge 0 was
    /// signalled).
    void poll(Thread& self);
    /// Removes a waiting thread (timeout or death).
    void cancel(Thread& t);

    uint64_t word() const { return m_word; }

private:
    explicit Notification(Account& account) : Kobject(Object_type::notification), m_account(account) {}

    uint64_t m_word = 0;
    bool m_signalled = false; ///< a signal came since the last wait or poll (badge 0 too)
    List<Thread, &Thread::ipc_link> m_waiters;
    Account& m_account;
};

} // namespace kernel
