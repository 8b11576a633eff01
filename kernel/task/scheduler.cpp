// Round-robin scheduler, direct IPC switches, the idle loop and the reaping of dead threads.
#include "task/scheduler.hpp"

#include <arch/platform.hpp>

#include "lib/assert.hpp"
#include "task/run.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {
Scheduler the_scheduler;
alignas(16) char idle_stack[8192];

uint64_t root_of(Thread* t) { return t ? t->task().space().table().root() : arch::kernel_space_root(); }
arch::Thread_context& context_of(Thread* t, arch::Thread_context& idle) { return t ? t->context() : idle; }
} // namespace

Scheduler& scheduler() { return the_scheduler; }

void Scheduler::make_ready(Thread& t) {
    VERIFY(t.state() != Thread_state::dead);
    t.set_state(Thread_state::ready);
    if (&t != m_current && !t.sched_link.linked()) m_ready.push_back(t);
}

void Scheduler::remove(Thread& t) { m_ready.remove(t); }

void Scheduler::switch_to(Thread* next) {
    Thread* prev = m_current;
    if (next == prev) return;
    m_current = next;
    if (next && next->timeslice_left == 0) next->timeslice_left = timeslice_ticks;
    ++m_switches;
    arch::switch_context(context_of(prev, m_idle), context_of(next, m_idle), root_of(next));
    reap(); // back in `prev`: nobody can be running on a dead thread's stack now
}

void Scheduler::block() {
    VERIFY(m_current && m_current->blocked());
    switch_to(m_ready.pop_front());
}

void Scheduler::block_and_switch_to(Thread& next) {
    VERIFY(m_current && m_current->blocked() && next.state() == Thread_state::ready);
    if (next.sched_link.linked()) m_ready.remove(next);
    switch_to(&next);
}

void Scheduler::yield() {
    if (!m_current || m_ready.empty()) return;
    m_ready.push_back(*m_current);
    switch_to(m_ready.pop_front());
}

void Scheduler::tick() {
    if (!m_current) {
        if (!m_ready.empty()) switch_to(m_ready.pop_front());
        return;
    }
    if (m_current->timeslice_left > 1) {
        --m_current->timeslice_left;
        return;
    }
    m_current->timeslice_left = timeslice_ticks;
    if (m_ready.empty()) return;
    ++m_preemptions;
    m_ready.push_back(*m_current);
    switch_to(m_ready.pop_front());
}

void Scheduler::exit_current() {
    VERIFY(m_current && m_current->state() == Thread_state::dead);
    m_dead.push_back(*m_current);
    switch_to(m_ready.pop_front());
    PANIC("a dead thread was resumed");
}

void Scheduler::reap() {
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
    Thread* first = m_ready.pop_front();
    m_current = first;
    if (first) first->timeslice_left = timeslice_ticks;
    arch::start_first(context_of(first, m_idle), root_of(first));
}

void Scheduler::idle_loop() {
    for (;;) {
        the_scheduler.reap();
        // Nothing is ready and no timer can make anything ready: whoever is left is
        // blocked for good.
        run::idle_reached();
        arch::wait_for_interrupt();
    }
}

} // namespace kernel
