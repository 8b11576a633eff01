// Interrupt and exception dispatch: user faults kill the task, kernel faults panic, the timer
// drives the scheduler.
#include <arch/context.hpp>
#include <arch/cpu.hpp>
#include <arch/timer.hpp>

#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "task/traps.hpp"

namespace {

const char* exception_name(uint64_t vector) {
    switch (vector) {
    case 0: return "divide error";
    case 1: return "debug";
    case 3: return "breakpoint";
    case 4: return "overflow";
    case 5: return "bound range exceeded";
    case 6: return "invalid opcode";
    case 7: return "device not available";
    case 8: return "double fault";
    case 10: return "invalid TSS";
    case 11: return "segment not present";
    case 12: return "stack fault";
    case 13: return "general protection";
    case 14: return "page fault";
    case 16: return "x87 floating point";
    case 17: return "alignment check";
    case 18: return "machine check";
    case 19: return "SIMD floating point";
    default: return "exception";
    }
}

/// Page-fault error code in words: "user write, not present".
const char* page_fault_cause(uint64_t error) {
    static const char* const causes[] = {
        "read, not present",  "read, protection",  "write, not present",  "write, protection",
    };
    if (error & 0x10) return error & 1 ? "instruction fetch, protection" : "instruction fetch, not present";
    return causes[error & 3];
}

} // namespace

extern "C" void interrupt_dispatch(arch::User_frame* f) {
    if (f->vector == 32) {
        arch::timer_acknowledge();
        kernel::handle_timer_interrupt();
        return;
    }
    if (f->vector == 39 || f->vector == 47) return; // spurious PIC interrupts
    if (f->vector >= 32) return;

    const bool page_fault = f->vector == 14;
    const uint64_t address = page_fault ? arch::read_cr2() : f->rip;
    if (!f->from_user()) {
        kernel::Json_line("panic")
            .field("message", exception_name(f->vector))
            .field("rip", kernel::Hex{f->rip})
            .field("address", kernel::Hex{address})
            .field("error", kernel::Hex{f->error});
        PANIC("exception in kernel mode");
    }
    kernel::handle_user_fault(kernel::User_fault{
        exception_name(f->vector), page_fault ? page_fault_cause(f->error) : "",
        static_cast<unsigned>(f->vector), f->rip, address});
}
