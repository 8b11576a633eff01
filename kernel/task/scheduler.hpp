// Fixed-priority preemptive scheduling: 256 levels, round-robin within a level, and the
// direct switches of IPC.
#pragma once

#include <arch/context.hpp>

#include "lib/assert.hpp"
#include "lib/list.hpp"
#include "task/thread.hpp"

namespace kernel {

/// One CPU. The running thread is never on a ready queue; when no thread is ready the idle
/// loop runs (current() is then nullptr). Priority 255 is the highest.
class Scheduler {
public:
    static constexpr unsigned priority_levels = 256;
    /// Timer ticks (arch/clock.hpp tick_period_ns each) a thread runs before the next ready
    /// thread of its priority gets the CPU.
    static constexpr uint32_t timeslice_ticks = 5;

    Thread* current() const { return m_current; }
    bool anyone_ready() const { return m_ready_count != 0; }
    /// Priority of the highest ready thread, or -1 if none is ready. O(1).
    int highest_ready() const { return m_ready_count ? m_highest : -1; }

    /// Marks `t` ready and queues it at the back of its priority (the running thread is only
    /// marked). Cancels the thread's timeout. The switch to a thread that outranks the
    /// running one happens at the next preempt_if_needed().
    void make_ready(Thread& t);
    /// As make_ready, but at the front of its priority: an IPC partner that completed `t`'s
    /// operation lets it run next among its equals, before threads that were merely ready
    /// (the direct process switch of L4, seeds/002, taken lazily: when the waker blocks or
    /// yields). A thread that never blocks still gets its timeslices. The communicator wakes
    /// its partners so (an MPI round trip has no direct switch); endpoint queues keep FIFO
    /// order among equals, and call/reply_recv switch directly anyway.
    void make_ready_partner(Thread& t);
    /// Takes a ready thread off its queue (it is dying).
    void remove(Thread& t);
    /// The running thread has set a blocked state: runs the highest ready thread (or idle).
    /// Returns when someone makes the thread ready again and it is scheduled.
    void block();
    /// As block(), but runs `next` (ready, maybe queued) at once unless a ready thread
    /// outranks it: the direct process switch of L4 IPC (seeds/002), no queue pass.
    void block_and_switch_to(Thread& next);
    /// The thread block() would run next, or nullptr (idle).
    Thread* next_ready() const { return m_ready_count ? m_ready[m_highest].front() : nullptr; }
    /// Whether the IPC fast path may switch straight to `next`: no ready thread outranks it.
    bool may_run_directly(const Thread& next) const {
        return !m_ready_count || next.priority >= m_highest;
    }
    /// The IPC fast path's direct switch to `next` (ready, on no queue); the running thread
    /// has set a blocked state. Returns when the running thread is resumed by the slow path.
    void fast_switch(Thread& next);
    /// The running thread gives up the CPU to the next ready thread of its priority or above.
    void yield();
    /// Timer tick: charges the running thread's timeslice and rotates its level when spent.
    void tick();
    /// Switches to a ready thread that outranks the running one, if one was made ready since
    /// the last check; the running thread goes to the front of its level. Called when the
    /// kernel is about to return to user mode.
    void preempt_if_needed() {
        if (unlikely(m_woken)) preempt();
    }
    /// Queues a dead thread that is not running for freeing.
    void bury(Thread& t) { m_dead.push_back(t); }
    /// The running thread is dead: frees it later, runs someone else, never returns.
    [[noreturn]] void exit_current();
    /// Switches from the boot stack to the first ready thread (or idle).
    [[noreturn]] void start();
    /// Frees dead threads other than the running one.
    void reap() {
        if (unlikely(!m_dead.empty())) reap_dead();
    }

    uint64_t preemptions() const { return m_preemptions; }
    uint64_t switches() const { return m_switches; }

private:
    void preempt();
    void reap_dead();
    void switch_to(Thread* next);
    /// Fault injection (task/fault_injector.hpp): the running thread, blocked, is a kill
    /// directive's victim. Restarts the idle context, which kills it from the idle stack
    /// (never the victim's own) before any thread runs on, and does not return.
    [[noreturn]] void block_for_kill();
    [[noreturn]] static void kill_then_idle();
    void enqueue(Thread& t, bool front);
    void ready(Thread& t, bool front);
    /// Recomputes m_highest from the bitmap after a level emptied.
    void find_highest();
    Thread* dequeue_highest();
    [[noreturn]] static void idle_loop();

    List<Thread, &Thread::sched_link> m_ready[priority_levels];
    uint64_t m_bitmap[priority_levels / 64] = {}; ///< bit p set: m_ready[p] not empty
    uint32_t m_ready_count = 0;                   ///< threads on the ready queues
    int m_highest = -1;                           ///< highest non-empty level (when any)
    bool m_woken = false;                         ///< a thread was made ready since the last check
    List<Thread, &Thread::sched_link> m_dead;
    Thread* m_current = nullptr;
    arch::Thread_context m_idle;
    uint64_t m_preemptions = 0;
    uint64_t m_switches = 0;
};

/// The one scheduler (one CPU).
extern Scheduler the_scheduler;
inline Scheduler& scheduler() { return the_scheduler; }

} // namespace kernel

#include "task/task.hpp"

inline void kernel::Scheduler::fast_switch(Thread& next) {
    Thread* prev = m_current;
    m_current = &next;
    if (next.timeslice_left == 0) next.timeslice_left = timeslice_ticks;
    ++m_switches;
    arch::fast_switch(prev->context(), next.context(), next.task().space().table().root());
    reap(); // resumed by the slow path
}
