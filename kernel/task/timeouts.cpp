// Timeout queue and timer interrupt handling.
#include "task/timeouts.hpp"

#include <arch/clock.hpp>

#include "abi/timeout.hpp"
#include "task/scheduler.hpp"

namespace kernel {

namespace {
Timeouts the_timeouts;
}

Timeouts& timeouts() { return the_timeouts; }

uint64_t Timeouts::deadline_after(uint64_t timeout) {
    if (timeout == ipclab::timeout_infinite) return 0;
    const uint64_t t = arch::now();
    return timeout > ~uint64_t(0) - t ? ~uint64_t(0) : t + timeout;
}

void Timeouts::arm(Thread& t, uint64_t deadline) {
    disarm(t);
    t.deadline = deadline;
    Thread* after = m_queue.front();
    while (after && after->deadline <= deadline) after = m_queue.next(*after);
    if (after)
        m_queue.insert_before(*after, t);
    else
        m_queue.push_back(t);
    if (m_queue.front() == &t) program();
}

void Timeouts::disarm(Thread& t) {
    if (t.timeout_link.linked()) m_queue.remove(t);
}

void Timeouts::start() {
    m_next_tick = arch::now() + arch::tick_period_ns;
    program();
}

void Timeouts::program() {
    uint64_t next = m_next_tick;
    if (Thread* first = m_queue.front(); first && first->deadline < next) next = first->deadline;
    arch::timer_arm(next);
}

void Timeouts::on_timer() {
    const uint64_t t = arch::now();
    while (Thread* first = m_queue.front()) {
        if (first->deadline > t) break;
        m_queue.remove(*first);
        first->stop_waiting(Status::timed_out);
    }
    bool tick = false;
    while (m_next_tick <= t) { // after a long idle stretch, one tick stands for all
        m_next_tick += arch::tick_period_ns;
        tick = true;
    }
    program();
    if (tick) scheduler().tick();
}

} // namespace kernel
