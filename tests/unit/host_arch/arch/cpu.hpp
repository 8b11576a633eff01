// Host stand-in for arch/cpu.hpp: only what the portable core uses.
#pragma once

#include <stdint.h>

namespace arch {

/// There is no guest instruction count on the host; reports read 0 so they are repeatable.
inline uint64_t rdtsc() { return 0; }

} // namespace arch
