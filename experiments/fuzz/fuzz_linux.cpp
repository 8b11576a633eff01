// The fuzzer's Linux system calls (fuzz_ops.hpp): the ones kernel/syscall/linux_compat.cpp
// serves, with hostile arguments, and numbers it does not serve. Left out because they
// would end or corrupt the fuzzer, not the kernel: exit and exit_group, signals to itself,
// ARCH_SET_FS to a user address (musl's thread pointer), brk below the break (the heap),
// munmap of the scratch area, and writes of readable memory to the console (the harness
// reads the console).
#include "experiments/fuzz/fuzz_ops.hpp"

namespace fuzz {

namespace {

long linux_call(long number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3 = 0, uint64_t a4 = 0,
                uint64_t a5 = 0) {
    register uint64_t rdi asm("rdi") = a0;
    register uint64_t rsi asm("rsi") = a1;
    register uint64_t rdx asm("rdx") = a2;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    long rax = number;
    asm volatile("syscall" : "+a"(rax) : "r"(rdi), "r"(rsi), "r"(rdx), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return rax;
}

constexpr uint64_t kernel_address = 0xffffffff80100000ull;

/// A pointer the kernel cannot read: null, kernel, non-canonical, unmapped.
uint64_t unreadable(Ctx& c) {
    return c.rng.pick({uint64_t(0), kernel_address, uint64_t(0x0000800000000000ull), uint64_t(0x0000500000000000ull),
                       c.scratch + c.scratch_bytes});
}

uint64_t fd(Ctx& c) { return c.rng.pick({uint64_t(0), uint64_t(3), uint64_t(1000), ~uint64_t(0), c.rng.next()}); }

long read(Ctx& c) { return linux_call(0, fd(c), c.pointer(), c.length()); }

long write(Ctx& c) {
    if (c.rng.chance(50)) return linux_call(1, c.rng.below(3) + 1, unreadable(c), 1 + c.rng.below(64)); // console
    return linux_call(1, fd(c), c.pointer(), c.length());
}

long writev(Ctx& c) {
    if (c.rng.chance(50)) return linux_call(20, 1 + c.rng.below(2), unreadable(c), c.rng.below(4));
    return linux_call(20, fd(c), c.pointer(), c.rng.chance(50) ? c.rng.below(1100) : c.rng.next());
}

long ioctl(Ctx& c) { return linux_call(16, c.rng.below(4), c.rng.pick({uint64_t(0x5413), c.rng.next()}), c.pointer()); }

long brk(Ctx& c) {
    return linux_call(12, c.rng.pick({uint64_t(0), kernel_address, uint64_t(0x0000800000000000ull), ~uint64_t(0)}), 0, 0);
}

long mmap(Ctx& c) {
    static const uint64_t lengths[] = {0, 1, 4096, 65536, 1ull << 20, 1ull << 30, 1ull << 40, ~uint64_t(0)};
    const uint64_t length = c.rng.chance(60) ? c.rng.pick(lengths) : c.rng.below(1 << 21);
    const uint64_t flags = c.rng.chance(70) ? 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */ : c.rng.next() & 0xfffff;
    const uint64_t fd_arg = c.rng.chance(70) ? ~uint64_t(0) : fd(c);
    long va = linux_call(9, c.pointer(), length, c.rng.below(8), flags, fd_arg, c.rng.chance(80) ? 0 : c.rng.next());
    if (va > 0 && va < long(0x0000800000000000ull)) {
        if (c.mapped) (void)linux_call(11, c.mapped, c.mapped_bytes, 0); // one region at a time
        c.mapped = uint64_t(va);
        c.mapped_bytes = length;
    }
    return va;
}

long munmap(Ctx& c) {
    uint64_t addr, length;
    switch (c.rng.below(3)) {
    case 0:
        addr = c.window, length = c.rng.below(Ctx::window_pages + 2) * 4096;
        break;
    case 1:
        addr = c.mapped, length = c.rng.chance(50) ? c.mapped_bytes : c.length();
        if (length && length >= c.mapped_bytes) c.mapped = 0;
        break;
    default: addr = unreadable(c) + c.rng.below(2), length = c.length(); break;
    }
    return linux_call(11, addr, length, 0);
}

long signals(Ctx& c) {
    switch (c.rng.below(4)) {
    case 0: return linux_call(13, c.rng.next(), c.pointer(), c.pointer()); // rt_sigaction
    case 1: return linux_call(14, c.rng.next(), c.pointer(), c.pointer()); // rt_sigprocmask
    case 2: return linux_call(62, c.task_id + 1 + c.rng.below(1000), 9, 0); // kill another task
    default: return linux_call(234, c.task_id, c.self_tid + 1 + c.rng.below(1000), 9); // tgkill another thread
    }
}

long identity(Ctx& c) {
    static const long numbers[] = {24, 39, 102, 104, 107, 108, 186};
    return linux_call(c.rng.pick(numbers), c.rng.next(), c.rng.next(), c.rng.next());
}

long uname_clock(Ctx& c) {
    if (c.rng.chance(50)) return linux_call(63, c.pointer(), 0, 0);
    return linux_call(228, c.rng.chance(70) ? c.rng.below(8) : c.rng.next(), c.pointer(), 0);
}

long arch_prctl(Ctx& c) {
    switch (c.rng.below(3)) {
    case 0: return linux_call(158, 0x1002 /* ARCH_SET_FS */, c.rng.pick({uint64_t(0x0000800000000000ull), kernel_address, ~uint64_t(0)}), 0);
    case 1: return linux_call(158, 0x1003 /* ARCH_GET_FS */, c.pointer(), 0);
    default: return linux_call(158, c.rng.next(), c.pointer(), 0);
    }
}

long set_tid_address(Ctx& c) { return linux_call(218, c.pointer(), 0, 0); }

/// Numbers the kernel does not serve: reported once each, answered ENOSYS.
long unknown_linux(Ctx& c) {
    static const long served[] = {0, 1, 9, 11, 12, 13, 14, 16, 20, 24, 25, 28, 39, 60, 62, 63, 102, 104, 107,
                                  108, 158, 186, 200, 218, 228, 231, 234};
    long n;
    for (;;) {
        n = c.rng.chance(80) ? long(c.rng.below(512)) : long(c.rng.pick({512ull, 1ull << 20, 1ull << 40}));
        bool known = false;
        for (long s : served) known |= s == n;
        if (!known) break;
    }
    return linux_call(n, c.rng.next(), c.rng.next(), c.rng.next(), c.rng.next(), c.rng.next(), c.rng.next());
}

} // namespace

const Op linux_ops[] = {
    {"linux_read", read, true},           {"linux_write", write, true},   {"linux_writev", writev, true},
    {"linux_ioctl", ioctl, true},         {"linux_brk", brk, true},       {"linux_mmap", mmap, true},
    {"linux_munmap", munmap, true},       {"linux_signals", signals, true}, {"linux_identity", identity, true},
    {"linux_uname_clock", uname_clock, true}, {"linux_arch_prctl", arch_prctl, true},
    {"linux_set_tid_address", set_tid_address, true}, {"linux_unknown", unknown_linux, true},
};
const unsigned linux_op_count = sizeof linux_ops / sizeof linux_ops[0];

} // namespace fuzz
