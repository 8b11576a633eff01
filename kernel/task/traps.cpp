// User faults kill only the faulting task; timer ticks drive preemption.
#include "task/traps.hpp"

#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"

namespace kernel {

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
    t->task().end(Exit_reason::fault, fault.vector);
    PANIC("a faulting task survived");
}

void handle_timer_tick() { scheduler().tick(); }

} // namespace kernel
