// User faults kill only the faulting task; timer ticks drive preemption.
#include "task/traps.hpp"

#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/timeouts.hpp"

namespace kernel {

namespace {

/// The signal Linux would deliver for the exception: the exit status is 128 + signal, as a
/// shell reports a crashed process.
long signal_of(unsigned vector) {
    switch (vector) {
    case 0:
    case 16:
    case 19: return 8; // SIGFPE
    case 6: return 4;  // SIGILL
    case 3: return 5;  // SIGTRAP
    case 17: return 7; // SIGBUS
    default: return 11; // SIGSEGV: page faults, general protection, the rest
    }
}

} // namespace

void handle_user_fault(const User_fault& fault) {
    Thread* t = scheduler().current();
    VERIFY(t);
    Json_line("fault")
        .field("task", t->task().name())
        .field("thread", t->id())
        .field("fault", fault.name)
        .field("cause", fault.cause)
        .field("vector", fault.vector)
        .field("rip", Hex{fault.rip})
        .field("address", Hex{fault.address});
    t->task().end(Exit_reason::fault, 128 + signal_of(fault.vector));
    PANIC("a faulting task survived");
}

void handle_timer_interrupt() {
    timeouts().on_timer();
    scheduler().preempt_if_needed();
}

} // namespace kernel
