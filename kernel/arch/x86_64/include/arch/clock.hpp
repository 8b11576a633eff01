// Virtual time and the one-shot timer the portable kernel programs (timeouts, ticks).
#pragma once

#include <stdint.h>

namespace arch {

/// Virtual nanoseconds between scheduler ticks (timeslice accounting).
inline constexpr uint64_t tick_period_ns = 1000000;

/// Virtual nanoseconds since boot: the time stamp counter, which under
/// `qemu -icount shift=0,sleep=off` counts one per guest instruction.
uint64_t now();
/// Requests one timer interrupt at virtual time `deadline` (at once if it has passed);
/// replaces the previous request.
void timer_arm(uint64_t deadline);

} // namespace arch
