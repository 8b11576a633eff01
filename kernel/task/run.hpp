// The run: which tasks exist, when the run is over, and how it ends (abi/run_status.def).
#pragma once

#include <stdint.h>

#include "abi/run_status.hpp"

namespace kernel {
class Task;
}

namespace kernel::run {

/// The kernel memory before the run's tasks existed: kernel-object bytes in use and free
/// frames (counting the boot modules' frames, which are freed once composition copied them).
/// The run's end reports what is not back as leaked.
void memory_at_start(uint64_t object_bytes, uint64_t free_frames);
void task_created(Task& task);
/// A task ended. Ends the run when it was the root task or the last task that is not a
/// daemon (the remaining daemons are ended first). The report is printed from the idle
/// context once the dead threads are freed (finish_if_over), unless no thread runs now.
void task_ended(Task& task);
/// From the idle loop, after reaping: ends the run if task_ended decided it is over.
void finish_if_over();
/// The CPU went idle: nothing is ready and nothing but another task could wake a thread,
/// so any task still alive and not a daemon is deadlocked; reports and ends the run.
void idle_reached();
/// Prints the run_end report and ends the emulator with `status` (arch/platform.hpp).
[[noreturn]] void end(ipclab::Run_status status);

} // namespace kernel::run
