// What the boot loader tells the portable kernel: free memory, boot modules, command line.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel {

struct Boot_module {
    uint64_t phys_start;
    uint64_t phys_end;
    const char* cmdline; ///< "path arg1 arg2 ..." (kernel pointer)
};

struct Boot_info {
    static constexpr unsigned max_ranges = 64;
    static constexpr unsigned max_modules = 1100;

    const char* cmdline;             ///< the kernel's command line (QEMU -append)
    uint64_t free_base[max_ranges];  ///< usable RAM from the firmware's memory map
    uint64_t free_bytes[max_ranges];
    unsigned free_count;
    Boot_module modules[max_modules];
    unsigned module_count;
    uint64_t reserved_end;           ///< physical memory below this holds the kernel image,
                                     ///< the modules and their command lines
    uint64_t kernel_end;             ///< end of the kernel image (physical)
};

/// Composes the run described by the boot modules and starts it. Never returns.
[[noreturn]] void boot(Boot_info& info);

} // namespace kernel
