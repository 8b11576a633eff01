// Ending the run: QEMU's isa-debug-exit device.
#pragma once

#include "abi/run_status.hpp"

namespace arch {

/// Ends the emulator with exit status (status << 1) | 1 (QEMU isa-debug-exit at port 0xf4,
/// see abi/run_status.def). Never returns.
[[noreturn]] void end_run(ipclab::Run_status status);

/// Enables interrupts, waits for one, and disables them again (the idle loop).
inline void wait_for_interrupt() { asm volatile("sti; hlt; cli"); }

} // namespace arch
