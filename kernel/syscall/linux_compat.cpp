// The Linux system calls the C library (musl) makes, served in one isolated file so the
// native IPC path never sees them (DESIGN "The C library of user programs"). Console output,
// memory (brk, anonymous mmap), time, the thread pointer and exit; the rest fail with
// ENOSYS and are reported once per task.
#include <arch/context.hpp>
#include <arch/console.hpp>
#include <arch/cpu.hpp>
#include <arch/page_table.hpp>

#include "lib/print.hpp"
#include "mem/user_memory.hpp"
#include "syscall/syscall.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

// Linux x86-64 system-call numbers and constants (include/uapi, arch/x86/entry/syscalls).
enum Linux : long {
    sys_read = 0, sys_write = 1, sys_mmap = 9, sys_mprotect = 10, sys_munmap = 11, sys_brk = 12,
    sys_rt_sigaction = 13, sys_rt_sigprocmask = 14, sys_ioctl = 16, sys_writev = 20,
    sys_sched_yield = 24, sys_mremap = 25, sys_madvise = 28, sys_getpid = 39, sys_exit = 60,
    sys_kill = 62, sys_uname = 63, sys_getuid = 102, sys_getgid = 104, sys_geteuid = 107,
    sys_getegid = 108, sys_arch_prctl = 158, sys_gettid = 186, sys_tkill = 200,
    sys_set_tid_address = 218, sys_clock_gettime = 228, sys_exit_group = 231, sys_tgkill = 234,
};
constexpr long e_perm = 1, e_badf = 9, e_nomem = 12, e_fault = 14, e_inval = 22, e_notty = 25,
               e_nosys = 38;
constexpr long map_private = 0x02, map_fixed = 0x10, map_anonymous = 0x20;
constexpr long prot_write = 0x2, prot_exec = 0x4;
constexpr long tiocgwinsz = 0x5413;
constexpr long arch_set_fs = 0x1002, arch_get_fs = 0x1003;
constexpr long clock_realtime = 0;
/// CLOCK_REALTIME at virtual time 0: the harness starts QEMU with -rtc base=2024-01-01.
constexpr uint64_t epoch_2024_01_01 = 1704067200;

long write_console(Thread& self, uint64_t buffer, uint64_t bytes) {
    char chunk[256];
    for (uint64_t done = 0; done < bytes;) {
        uint64_t n = bytes - done < sizeof chunk ? bytes - done : sizeof chunk;
        if (copy_from_user(self.task().space(), buffer + done, chunk, n) != Status::ok) return -e_fault;
        for (uint64_t i = 0; i < n; ++i)
            if (chunk[i] == kernel_record_mark) chunk[i] = '?'; // only the kernel writes records
        arch::console_write(chunk, n);
        done += n;
    }
    return static_cast<long>(bytes);
}

long do_writev(Thread& self, long fd, uint64_t iov, uint64_t count) {
    if (fd != 1 && fd != 2) return -e_badf;
    if (count > 1024) return -e_inval;
    long total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t vec[2];
        if (copy_from_user(self.task().space(), iov + 16 * i, vec, sizeof vec) != Status::ok) return -e_fault;
        long n = write_console(self, vec[0], vec[1]);
        if (n < 0) return n;
        total += n;
    }
    return total;
}

long do_mmap(Thread& self, uint64_t length, long prot, long flags, long fd) {
    if ((flags & (map_private | map_anonymous)) != (map_private | map_anonymous) || (flags & map_fixed) || fd != -1)
        return -e_inval;
    if (length == 0) return -e_inval;
    uint64_t va = self.task().space().map_anonymous(length, {(prot & prot_write) != 0, (prot & prot_exec) != 0});
    return va ? static_cast<long>(va) : -e_nomem;
}

long do_munmap(Thread& self, uint64_t addr, uint64_t length) {
    // Only anonymous mappings may go: the UTCB and the initial image stay.
    if ((addr & 0xfff) || addr < Layout::mmap_base || addr >= Layout::mmap_end ||
        length > Layout::mmap_end - addr)
        return -e_inval;
    self.task().space().unmap(addr, length);
    return 0;
}

long do_clock_gettime(Thread& self, long clock, uint64_t out) {
    uint64_t ns = arch::rdtsc(); // one guest instruction per virtual nanosecond under -icount
    uint64_t ts[2] = {ns / 1000000000, ns % 1000000000};
    if (clock == clock_realtime) ts[0] += epoch_2024_01_01;
    return copy_to_user(self.task().space(), out, ts, sizeof ts) == Status::ok ? 0 : -e_fault;
}

long do_uname(Thread& self, uint64_t out) {
    char u[6][65] = {"ipclab", "ipclab", "0", "ipclab", "x86_64", ""};
    return copy_to_user(self.task().space(), out, u, sizeof u) == Status::ok ? 0 : -e_fault;
}

long do_ioctl(Thread& self, long fd, long request, uint64_t arg) {
    if (fd < 0 || fd > 2) return -e_badf;
    if (request != tiocgwinsz) return -e_notty;
    // The console is a terminal: the C library then line-buffers standard output.
    uint16_t winsize[4] = {24, 80, 0, 0};
    return copy_to_user(self.task().space(), arg, winsize, sizeof winsize) == Status::ok ? 0 : -e_fault;
}

long do_arch_prctl(Thread& self, long code, uint64_t addr) {
    if (code == arch_set_fs) {
        if (addr >= arch::user_end) return -e_perm;
        arch::set_thread_pointer(self.context(), addr);
        return 0;
    }
    if (code == arch_get_fs) {
        uint64_t fs = self.context().fs_base;
        return copy_to_user(self.task().space(), addr, &fs, sizeof fs) == Status::ok ? 0 : -e_fault;
    }
    return -e_inval;
}

/// kill/tkill/tgkill: a task may only signal itself, which ends it (no handlers are ever run).
long do_signal_self(Thread& self, uint64_t target, long sig, bool by_thread) {
    if (target != (by_thread ? self.id() : self.task().id())) return -e_perm;
    if (sig == 0) return 0;
    self.task().end(Exit_reason::signal, 128 + sig);
    return 0; // not reached
}

long unsupported(Thread& self, long number) {
    uint64_t& word = self.task().unsupported_reported[(number / 64) % 8];
    if (number < 512 && !(word & (1ull << (number % 64)))) {
        word |= 1ull << (number % 64);
        Json_line("unsupported_syscall").field("task", self.task().name()).field("number", int64_t(number));
    }
    return -e_nosys;
}

} // namespace

long linux_syscall(Thread& self, arch::User_frame& f) {
    const long n = f.number();
    const uint64_t a0 = f.arg(0), a1 = f.arg(1), a2 = f.arg(2), a3 = f.arg(3), a4 = f.arg(4);
    switch (n) {
    case sys_read: return a0 == 0 ? 0 : -e_badf; // standard input is always at its end
    case sys_write: return (a0 == 1 || a0 == 2) ? write_console(self, a1, a2) : -e_badf;
    case sys_writev: return do_writev(self, long(a0), a1, a2);
    case sys_ioctl: return do_ioctl(self, long(a0), long(a1), a2);
    case sys_brk: return static_cast<long>(self.task().space().set_break(a0));
    case sys_mmap: return do_mmap(self, a1, long(a2), long(a3), long(a4));
    case sys_munmap: return do_munmap(self, a0, a1);
    case sys_mremap: return -e_nomem; // the C library then allocates, copies and frees
    case sys_madvise: return 0;       // advice only
    case sys_rt_sigaction:
    case sys_rt_sigprocmask: return 0; // no signal is ever delivered
    case sys_sched_yield: scheduler().yield(); return 0;
    case sys_getpid: return self.task().id();
    case sys_gettid: return self.id();
    case sys_getuid:
    case sys_getgid:
    case sys_geteuid:
    case sys_getegid: return 0;
    case sys_uname: return do_uname(self, a0);
    case sys_clock_gettime: return do_clock_gettime(self, long(a0), a1);
    case sys_arch_prctl: return do_arch_prctl(self, long(a0), a1);
    case sys_set_tid_address: self.task().clear_child_tid = a0; return self.id();
    case sys_kill: return do_signal_self(self, a0, long(a1), false);
    case sys_tkill: return do_signal_self(self, a0, long(a1), true);
    case sys_tgkill: return do_signal_self(self, a1, long(a2), true);
    case sys_exit: self.task().exit_thread(self, long(a0 & 0xff)); return 0; // this thread only
    case sys_exit_group: self.task().end(Exit_reason::exited, long(a0 & 0xff)); return 0;
    default: return unsupported(self, n);
    }
}

} // namespace kernel
