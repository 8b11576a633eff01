// The timeout queue: blocked threads ordered by deadline, served by the one-shot timer,
// which also delivers the scheduler's periodic tick.
#pragma once

#include <stdint.h>

#include "lib/list.hpp"
#include "task/thread.hpp"

namespace kernel {

class Timeouts {
public:
    /// The deadline of a blocking call that starts now with `timeout` (abi/timeout.hpp):
    /// 0 for none (infinite), otherwise now + timeout, saturating.
    static uint64_t deadline_after(uint64_t timeout);

    /// Arms `t`'s timeout at virtual time `deadline` (FIFO among equal deadlines).
    void arm(Thread& t, uint64_t deadline);
    /// Cancels `t`'s timeout if armed.
    void disarm(Thread& t);
    /// Whether any timeout is armed (the idle loop then waits instead of declaring deadlock).
    bool pending() const { return !m_queue.empty(); }

    /// Starts the periodic tick.
    void start();
    /// The timer interrupt: fails every blocked operation whose deadline has passed with
    /// Status::timed_out, delivers due ticks to the scheduler, programs the next interrupt.
    void on_timer();

private:
    void program();

    List<Thread, &Thread::timeout_link> m_queue; ///< ascending deadlines
    uint64_t m_next_tick = 0;
};

Timeouts& timeouts();

} // namespace kernel
