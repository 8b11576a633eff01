// The fuzz targets' stand-in for kernel/boot/main.cpp, as tests/unit/support/boot.cpp is the
// unit tests': the one frame allocator, fed with the host arena, and panic. Here a panic
// aborts, so that libFuzzer reports it as a crash and keeps the input (the unit tests' panic
// ends the process with an exit status, which libFuzzer would not take for a finding).
#include <arch/memory.hpp>

#include <stdio.h>
#include <stdlib.h>

#include "lib/assert.hpp"
#include "mem/frame_allocator.hpp"

namespace kernel {

Frame_allocator& frames() {
    static Frame_allocator allocator;
    static const bool seeded = [] {
        allocator.add_free_range(arch::host::arena_reserved,
                                 arch::host::arena_bytes - arch::host::arena_reserved);
        return true;
    }();
    (void)seeded;
    return allocator;
}

void panic(const char* message, const char* file, int line) {
    fprintf(stderr, "kernel panic: %s at %s:%d\n", message, file, line);
    abort();
}

} // namespace kernel
