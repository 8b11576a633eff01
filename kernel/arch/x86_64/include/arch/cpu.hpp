// Thin wrappers around x86-64 instructions the kernel needs (no state, no policy).
#pragma once

#include <stdint.h>

namespace arch {

inline void outb(uint16_t port, uint8_t value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
inline void outl(uint16_t port, uint32_t value) { asm volatile("outl %0, %1" ::"a"(value), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline uint64_t read_msr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
inline void write_msr(uint32_t msr, uint64_t value) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)));
}

inline uint64_t read_cr2() {
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline uint64_t read_cr3() {
    uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }

/// Time stamp counter. Under `qemu -icount shift=0,sleep=off` it counts guest instructions
/// (one per virtual nanosecond), which is the cost unit of every in-kernel figure.
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

inline constexpr uint32_t msr_efer = 0xC0000080;
inline constexpr uint32_t msr_star = 0xC0000081;
inline constexpr uint32_t msr_lstar = 0xC0000082;
inline constexpr uint32_t msr_fmask = 0xC0000084;
inline constexpr uint32_t msr_fs_base = 0xC0000100;
inline constexpr uint32_t msr_gs_base = 0xC0000101;

} // namespace arch
