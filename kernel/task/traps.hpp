// What the architecture layer reports to the portable kernel: user faults and timer ticks.
#pragma once

#include <stdint.h>

namespace kernel {

struct User_fault {
    const char* name;    ///< "page fault", "general protection", ...
    const char* cause;   ///< page faults: "write, not present" etc.; otherwise ""
    unsigned vector;
    uint64_t rip;        ///< faulting instruction
    uint64_t address;    ///< page faults: the address accessed (CR2); otherwise rip
};

/// A user thread faulted: its task is killed and reported (one JSON line); never returns to
/// the faulting thread.
[[noreturn]] void handle_user_fault(const User_fault& fault);
/// The timer interrupt: timeouts, the scheduler's tick, preemption.
void handle_timer_interrupt();

} // namespace kernel
