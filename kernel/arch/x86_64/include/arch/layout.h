/* Virtual memory layout constants shared by the assembly and C++ parts of the kernel. */
#pragma once

#define KERNEL_VMA 0xFFFFFFFF80000000
#define DIRECT_MAP_BASE 0xFFFF800000000000
/* Physical memory reachable through the boot direct map (boot.S maps 4 GiB). */
#define DIRECT_MAP_BYTES 0x100000000
