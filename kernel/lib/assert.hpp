// Kernel assertions and panic. Assertions state preconditions; they never replace the error
// handling of user input, which always ends in a Status.
#pragma once

namespace kernel {

/// Reports a kernel bug as a JSON line {"event":"panic",...} and ends the run with the
/// panic exit status (arch/platform.hpp). Never returns.
[[noreturn]] void panic(const char* message, const char* file, int line);

} // namespace kernel

#define PANIC(message) ::kernel::panic((message), __FILE__, __LINE__)
#define VERIFY(condition)                                                                          \
    do {                                                                                           \
        if (__builtin_expect(!(condition), 0)) PANIC("assertion failed: " #condition);             \
    } while (0)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
