// Kernel views of physical memory: the direct map set up by boot.S.
#pragma once

#include <stdint.h>

#include "layout.h"

namespace arch {

/// Kernel pointer to a physical address (the direct map covers the first 4 GiB).
inline void* phys_to_virt(uint64_t phys) { return reinterpret_cast<void*>(phys + DIRECT_MAP_BASE); }

/// Physical address of a direct-map or kernel-image pointer.
inline uint64_t virt_to_phys(const void* p) {
    auto v = reinterpret_cast<uint64_t>(p);
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

} // namespace arch
