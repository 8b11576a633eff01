// The run: which tasks exist, when the run is over, and how it ends (abi/run_status.def).
#pragma once

#include "abi/run_status.hpp"

namespace kernel {
class Task;
}

namespace kernel::run {

void task_created(Task& task);
/// A task ended. Ends the run when it was the root task or the last task that is not a
/// daemon (the remaining daemons are ended first).
void task_ended(Task& task);
/// The CPU went idle: nothing is ready and nothing but another task could wake a thread,
/// so any task still alive and not a daemon is deadlocked; reports and ends the run.
void idle_reached();
/// Prints the run_end report and ends the emulator with `status` (arch/platform.hpp).
[[noreturn]] void end(ipclab::Run_status status);

} // namespace kernel::run
