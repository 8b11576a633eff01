// GDT, TSS, IDT and the syscall MSRs.
#pragma once

#include <stdint.h>

namespace arch {

/// Loads the GDT, TSS and IDT and enables the syscall instruction.
void descriptors_init();
/// Stack the CPU switches to on an interrupt from user mode (TSS.rsp0).
void set_kernel_stack(uint64_t top);

} // namespace arch
