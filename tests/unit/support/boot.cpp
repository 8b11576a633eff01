// The host's stand-in for kernel/boot/main.cpp: the one frame allocator, fed with the
// arena, and panic, which reports as the kernel does and ends the test process.
#include <arch/memory.hpp>
#include <arch/platform.hpp>

#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "mem/frame_allocator.hpp"

namespace kernel {

Frame_allocator& frames() {
    static Frame_allocator allocator;
    static const bool seeded = [] {
        allocator.add_free_range(arch::host::arena_reserved, arch::host::arena_bytes - arch::host::arena_reserved);
        return true;
    }();
    (void)seeded;
    return allocator;
}

void panic(const char* message, const char* file, int line) {
    Json_line("panic").field("message", message).field("file", file).field("line", line);
    arch::end_run(ipclab::Run_status::panic);
}

} // namespace kernel
