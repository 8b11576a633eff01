// Priority scheduler, direct IPC switches, the idle loop and the reaping of dead threads.
#include "task/scheduler.hpp"

#include <arch/platform.hpp>

#include "lib/assert.hpp"
#include "task/fault_injector.hpp"
#include "task/run.hpp"
#include "task/task.hpp"
#include "task/timeouts.hpp"

namespace kernel {

Scheduler the_scheduler;

namespace {
alignas(16) char idle_stack[8192];

uint64_t root_of(Thread* t) { return t ? t->task().space().table().root() : arch::kernel_space_root(); }
arch::Thread_context& context_of(Thread* t, arch::Thread_context& idle) { return t ? t->context() : idle; }
} // namespace

void Scheduler::find_highest() {
    m_highest = -1;
    for (int w = 3; w >= 0; --w) {
        if (m_bitmap[w]) {
            m_highest = w * 64 + 63 - __builtin_clzll(m_bitmap[w]);
            return;
        }
    }
}

void Scheduler::enqueue(Thread& t, bool front) {
    auto& level = m_ready[t.priority];
    if (front)
        level.push_front(t);
    else
        level.push_back(t);
    m_bitmap[t.priority / 64] |= 1ull << (t.priority % 64);
    ++m_ready_count;
    if (int(t.priority) > m_highest) m_highest = t.priority;
}

Thread* Scheduler::dequeue_highest() {
    int p = highest_ready();
    if (p < 0) return nullptr;
    Thread* t = m_ready[p].pop_front();
    --m_ready_count;
    if (m_ready[p].empty()) {
        m_bitmap[p / 64] &= ~(1ull << (p % 64));
        find_highest();
    }
    return t;
}

void Scheduler::make_ready(Thread& t) { ready(t, false); }

void Scheduler::make_ready_partner(Thread& t) { ready(t, true); }

void Scheduler::ready(Thread& t, bool front) {
    VERIFY(t.state() != Thread_state::dead);
    if (t.timeout_link.linked()) timeouts().disarm(t);
    t.set_state(Thread_state::ready);
    t.user_frame_complete = false;
    if (&t == m_current || t.sched_link.linked()) return;
    enqueue(t, front);
    // preempt() acts only on a thread that outranks the running one (or when idle).
    if (!m_current || t.priority > m_current->priority) m_woken = true;
}

void Scheduler::remove(Thread& t) {
    m_ready[t.priority].remove(t);
    if (m_ready[t.priority].empty()) {
        m_bitmap[t.priority / 64] &= ~(1ull << (t.priority % 64));
        if (--m_ready_count == 0)
            m_highest = -1;
        else if (int(t.priority) == m_highest)
            find_highest();
        return;
    }
    --m_ready_count;
}

void Scheduler::switch_to(Thread* next) {
    Thread* prev = m_current;
    if (next == prev) return;
    if (next) next->user_frame_complete = false; // resumed in its kernel context
    m_current = next;
    if (next && next->timeslice_left == 0) next->timeslice_left = timeslice_ticks;
    ++m_switches;
    arch::switch_context(context_of(prev, m_idle), context_of(next, m_idle), root_of(next));
    reap(); // back in `prev`: nobody can be running on a dead thread's stack now
}

void Scheduler::block() {
    VERIFY(m_current && m_current->blocked());
    if (unlikely(fault_injection::armed) && fault_injection::counts_as_kill(*m_current)) block_for_kill();
    switch_to(dequeue_highest());
}

void Scheduler::block_and_switch_to(Thread& next) {
    VERIFY(m_current && m_current->blocked() && next.state() == Thread_state::ready);
    if (unlikely(fault_injection::armed) && fault_injection::counts_as_kill(*m_current)) {
        if (!next.sched_link.linked()) enqueue(next, true); // it runs next, as it would have
        block_for_kill();
    }
    if (next.sched_link.linked()) remove(next);
    if (int(next.priority) < highest_ready()) { // someone outranks it: no direct switch
        enqueue(next, false);
        block();
        return;
    }
    switch_to(&next);
}

void Scheduler::yield() {
    if (!m_current || highest_ready() < int(m_current->priority)) return;
    enqueue(*m_current, false);
    switch_to(dequeue_highest());
}

void Scheduler::tick() {
    if (!m_current) {
        if (anyone_ready()) switch_to(dequeue_highest());
        return;
    }
    if (m_current->timeslice_left > 1) {
        --m_current->timeslice_left;
        return;
    }
    m_current->timeslice_left = timeslice_ticks;
    if (highest_ready() < int(m_current->priority)) return;
    ++m_preemptions;
    enqueue(*m_current, false);
    switch_to(dequeue_highest());
}

void Scheduler::preempt() {
    m_woken = false;
    if (!m_current) {
        if (anyone_ready()) switch_to(dequeue_highest());
        return;
    }
    if (highest_ready() <= int(m_current->priority)) return;
    ++m_preemptions;
    enqueue(*m_current, true); // preempted, not yielding: first in line at its level
    switch_to(dequeue_highest());
}

void Scheduler::exit_current() {
    VERIFY(m_current && m_current->state() == Thread_state::dead);
    m_dead.push_back(*m_current);
    switch_to(dequeue_highest());
    PANIC("a dead thread was resumed");
}

void Scheduler::reap_dead() {
    for (Thread* t = m_dead.front(); t;) {
        Thread* next = m_dead.next(*t);
        if (t != m_current) {
            m_dead.remove(*t);
            Task::thread_reaped(t);
        }
        t = next;
    }
}

void Scheduler::start() {
    m_idle.init_kernel(reinterpret_cast<uint64_t>(idle_stack + sizeof idle_stack), &idle_loop);
    Thread* first = dequeue_highest();
    m_current = first;
    m_woken = false;
    if (first) first->timeslice_left = timeslice_ticks;
    arch::start_first(context_of(first, m_idle), root_of(first));
}

void Scheduler::block_for_kill() {
    // The idle context's stack holds nothing of value while a thread runs (at most the
    // interrupt frame it was switched away in), so it starts afresh in kill_then_idle: no
    // interrupt can come between the switch and the kill.
    m_idle.init_kernel(reinterpret_cast<uint64_t>(idle_stack + sizeof idle_stack), &kill_then_idle);
    switch_to(nullptr);
    PANIC("a killed thread was resumed");
}

void Scheduler::kill_then_idle() {
    fault_injection::kill_victim(); // may end the run
    the_scheduler.reap();
    if (the_scheduler.anyone_ready()) the_scheduler.switch_to(the_scheduler.dequeue_highest());
    idle_loop();
}

void Scheduler::idle_loop() {
    for (;;) {
        the_scheduler.reap();
        run::finish_if_over();
        // Nothing is ready. Unless a timeout is pending, only another task could make a
        // thread ready, and none can run: whoever is left is blocked for good.
        if (!timeouts().pending()) run::idle_reached();
        arch::wait_for_interrupt();
    }
}

} // namespace kernel
