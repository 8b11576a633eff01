// Host stand-in for arch/platform.hpp: ending the run ends the test process.
#pragma once

#include "abi/run_status.hpp"

namespace arch {

namespace host {
/// Exit status of a test process whose run ended with `status`. Never 0, so a run that
/// ends in the middle of a test can never look like a passing test.
constexpr int exit_code(ipclab::Run_status status) { return 64 + static_cast<int>(status); }
} // namespace host

/// Copies the captured console to stderr (death tests match it) and exits the process with
/// host::exit_code(status).
[[noreturn]] void end_run(ipclab::Run_status status);

/// The idle loop only gets here after the run has ended, so on the host it is a bug.
void wait_for_interrupt();

} // namespace arch
