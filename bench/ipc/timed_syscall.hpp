// A system call bracketed by two time-stamp reads, in a fixed instruction sequence, as
// sel4bench measures seL4: `before` is read just before `syscall`, `after` just after it
// returns. timed_syscall<false> runs the same sequence with a no-op in place of `syscall`; its
// after - before is the measurement overhead to subtract (in guest instructions under
// qemu -icount shift=0).
#pragma once

#include <stdint.h>

#include "ipclab/syscall.hpp"

namespace bench {

struct Stamps {
    uint64_t before;
    uint64_t after;
};

// rdtsc; r15 = before; rdx = MR0 (r13); rax = number (r14); SYSCALL_OR_NOP;
// r14 = status; r13 = r2 (rdx); rdtsc -> after (rax).
#define IPCLAB_TIMED_SEQUENCE(middle)                                                              \
    "rdtsc\n\t"                                                                                    \
    "shl $32, %%rdx\n\t"                                                                           \
    "or %%rdx, %%rax\n\t"                                                                          \
    "mov %%rax, %%r15\n\t"                                                                         \
    "mov %%r13, %%rdx\n\t"                                                                         \
    "mov %%r14, %%rax\n\t" middle "\n\t"                                                           \
    "mov %%rax, %%r14\n\t"                                                                         \
    "mov %%rdx, %%r13\n\t"                                                                         \
    "rdtsc\n\t"                                                                                    \
    "shl $32, %%rdx\n\t"                                                                           \
    "or %%rdx, %%rax\n\t"

/// Issues `number` with `regs` (a0..a5, timeout) and returns its status; `regs` gets the
/// results and `stamps` the two time-stamp reads. `real` false: the same sequence with a
/// two-byte no-op instead of the system call (for the overhead).
template <bool real>
inline ipclab::Status timed_syscall(ipclab::Syscall number, ipclab::Syscall_registers& regs, Stamps& stamps) {
    register uint64_t rdi asm("rdi") = regs.r[0];
    register uint64_t rsi asm("rsi") = regs.r[1];
    register uint64_t r10 asm("r10") = regs.r[3];
    register uint64_t r8 asm("r8") = regs.r[4];
    register uint64_t r9 asm("r9") = regs.r[5];
    register uint64_t r12 asm("r12") = regs.timeout;
    register uint64_t r13 asm("r13") = regs.r[2];
    register uint64_t r14 asm("r14") = static_cast<uint64_t>(number);
    register uint64_t r15 asm("r15");
    uint64_t rax, rdx;
    if constexpr (real) {
        asm volatile(IPCLAB_TIMED_SEQUENCE("syscall")
                     : "=&a"(rax), "=&d"(rdx), "+r"(rdi), "+r"(rsi), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r13),
                       "+r"(r14), "=&r"(r15)
                     : "r"(r12)
                     : "rcx", "r11", "memory");
    } else {
        asm volatile(IPCLAB_TIMED_SEQUENCE("xchg %%ax, %%ax")
                     : "=&a"(rax), "=&d"(rdx), "+r"(rdi), "+r"(rsi), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r13),
                       "+r"(r14), "=&r"(r15)
                     : "r"(r12)
                     : "rcx", "r11", "memory");
    }
    (void)rdx;
    stamps = Stamps{r15, rax};
    regs.r[0] = rdi;
    regs.r[1] = rsi;
    regs.r[2] = r13;
    regs.r[3] = r10;
    regs.r[4] = r8;
    regs.r[5] = r9;
    return static_cast<ipclab::Status>(r14);
}

#undef IPCLAB_TIMED_SEQUENCE

} // namespace bench
