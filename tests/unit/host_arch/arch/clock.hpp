// Host stand-in for arch/clock.hpp: a virtual clock the tests set, and the one-shot timer
// request the kernel last made, which the tests fire by hand.
#pragma once

#include <stdint.h>

namespace arch {

inline constexpr uint64_t tick_period_ns = 1000000;

/// Virtual nanoseconds: host::set_now() moves it.
uint64_t now();
/// Records the requested interrupt time (host::armed_deadline()).
void timer_arm(uint64_t deadline);

namespace host {
void set_now(uint64_t ns);
uint64_t armed_deadline();
} // namespace host

} // namespace arch
