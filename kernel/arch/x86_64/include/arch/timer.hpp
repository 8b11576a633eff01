// The periodic timer interrupt: 8254 PIT channel 0 through the 8259 PIC (vector 32).
#pragma once

namespace arch {

/// Virtual nanoseconds between two timer interrupts (1 kHz; under -icount one guest
/// instruction is one virtual nanosecond).
inline constexpr unsigned long timer_period_ns = 1000000;

/// Remaps the PICs to vectors 32..47, masks every line but the timer, starts the PIT.
void timer_init();
/// Acknowledges the timer interrupt at the PIC.
void timer_acknowledge();

} // namespace arch
