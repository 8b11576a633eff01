// The local APIC timer in one-shot mode (vector 32); the 8259 PICs are masked.
#pragma once

namespace arch {

/// Masks the PICs, enables the local APIC and calibrates its timer against the TSC.
void timer_init();
/// Acknowledges the timer interrupt (local APIC end of interrupt).
void timer_acknowledge();

} // namespace arch
