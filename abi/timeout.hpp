// Timeouts of blocking system calls, in virtual nanoseconds (= guest instructions under
// qemu -icount shift=0).
#pragma once

#include <stdint.h>

namespace ipclab {

/// Wait for a partner as long as it takes.
inline constexpr uint64_t timeout_infinite = ~uint64_t(0);
/// Do not wait: fail with Status::would_block unless a partner is already waiting.
inline constexpr uint64_t timeout_zero = 0;

} // namespace ipclab
