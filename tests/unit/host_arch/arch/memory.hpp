// Host stand-in for arch/memory.hpp: one arena of host memory plays physical memory, and
// physical address p is arena() + p (the kernel's direct map).
#pragma once

#include <stdint.h>

namespace arch {

namespace host {

/// Bytes of host memory that play physical memory.
inline constexpr uint64_t arena_bytes = 64ull << 20;
/// Physical memory below this is never handed to the frame allocator (low memory on a PC),
/// so no frame, page-table root or kmem object ever sits at physical address 0.
inline constexpr uint64_t arena_reserved = 1ull << 20;

/// Base of the arena: page aligned, allocated on first use, never freed.
char* arena();
/// Reports a misuse of the host stand-ins (not a kernel panic) and aborts the test process.
[[noreturn]] void fatal(const char* message);

} // namespace host

/// Kernel pointer to a physical address; an address outside the arena is a kernel bug.
inline void* phys_to_virt(uint64_t phys) {
    if (phys >= host::arena_bytes) host::fatal("phys_to_virt: physical address outside the arena");
    return host::arena() + phys;
}

/// Physical address of a pointer into the arena.
inline uint64_t virt_to_phys(const void* p) {
    const uint64_t offset = reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(host::arena());
    if (offset >= host::arena_bytes) host::fatal("virt_to_phys: pointer outside the arena");
    return offset;
}

} // namespace arch
