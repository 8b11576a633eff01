// Preemptive round-robin scheduling of ready threads, with direct switches for IPC.
#pragma once

#include <arch/context.hpp>

#include "lib/list.hpp"
#include "task/thread.hpp"

namespace kernel {

/// One CPU. The running thread is never on the ready queue; when no thread is ready the
/// idle loop runs (current() is then nullptr).
class Scheduler {
public:
    /// Timer ticks a thread runs before the next ready thread gets the CPU.
    static constexpr uint32_t timeslice_ticks = 5;

    Thread* current() const { return m_current; }
    bool anyone_ready() const { return !m_ready.empty(); }

    /// Marks `t` ready and queues it at the back (the running thread is only marked).
    void make_ready(Thread& t);
    /// Takes a ready thread off the queue (it is dying).
    void remove(Thread& t);
    /// The running thread has set a blocked state: runs the next ready thread (or idle).
    /// Returns when someone makes the thread ready again and it is scheduled.
    void block();
    /// As block(), but runs `next` (ready, maybe queued) at once: the direct process switch
    /// of L4 IPC (seeds/002), with no pass over the ready queue.
    void block_and_switch_to(Thread& next);
    /// The running thread gives up the CPU to the next ready thread, if any.
    void yield();
    /// Timer interrupt: charges the running thread's timeslice and preempts it when spent.
    void tick();
    /// Queues a dead thread that is not running for freeing.
    void bury(Thread& t) { m_dead.push_back(t); }
    /// The running thread is dead: frees it later, runs someone else, never returns.
    [[noreturn]] void exit_current();
    /// Switches from the boot stack to the first ready thread (or idle).
    [[noreturn]] void start();
    /// Frees dead threads other than the running one.
    void reap();

    uint64_t preemptions() const { return m_preemptions; }
    uint64_t switches() const { return m_switches; }

private:
    void switch_to(Thread* next);
    [[noreturn]] static void idle_loop();

    List<Thread, &Thread::sched_link> m_ready;
    List<Thread, &Thread::sched_link> m_dead;
    Thread* m_current = nullptr;
    arch::Thread_context m_idle;
    uint64_t m_preemptions = 0;
    uint64_t m_switches = 0;
};

Scheduler& scheduler();

} // namespace kernel
