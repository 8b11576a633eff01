// User-side system-call stubs, generated from abi/syscalls.def (the list the kernel's
// dispatch table comes from). Register convention in abi/syscall.hpp.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "abi/syscall.hpp"
#include "abi/timeout.hpp"

namespace ipclab {

/// Arguments a0..a5 in, results r0..r5 out (the same six registers), and a6, the timeout of
/// a blocking call (in only; infinite unless set).
struct Syscall_registers {
    uint64_t r[6] = {};
    uint64_t timeout = timeout_infinite;
};

// The argument registers a0..a6 bound from a Syscall_registers, and the results copied back
// (abi/syscall.hpp), shared by the two stubs below.
#define IPCLAB_SYSCALL_ARGUMENTS(regs)                                                             \
    register uint64_t rdi asm("rdi") = (regs).r[0];                                                \
    register uint64_t rsi asm("rsi") = (regs).r[1];                                                \
    register uint64_t rdx asm("rdx") = (regs).r[2];                                                \
    register uint64_t r10 asm("r10") = (regs).r[3];                                                \
    register uint64_t r8 asm("r8") = (regs).r[4];                                                  \
    register uint64_t r9 asm("r9") = (regs).r[5];                                                  \
    register uint64_t r12 asm("r12") = (regs).timeout
#define IPCLAB_SYSCALL_RESULTS(regs)                                                               \
    (regs).r[0] = rdi;                                                                             \
    (regs).r[1] = rsi;                                                                             \
    (regs).r[2] = rdx;                                                                             \
    (regs).r[3] = r10;                                                                             \
    (regs).r[4] = r8;                                                                              \
    (regs).r[5] = r9

/// Issues native system call `number` with `regs` and returns its Status.
inline Status syscall(Syscall number, Syscall_registers& regs) {
    IPCLAB_SYSCALL_ARGUMENTS(regs);
    long rax = static_cast<long>(number);
    asm volatile("syscall"
                 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "r"(r12)
                 : "rcx", "r11", "memory");
    IPCLAB_SYSCALL_RESULTS(regs);
    return static_cast<Status>(rax);
}

/// As syscall(), with `payload` in r13, r14, r15 in and out: the message of a comm_send or
/// comm_recv with comm_in_registers (abi/comm.hpp), 24 bytes at most.
inline Status syscall_with_payload(Syscall number, Syscall_registers& regs, uint64_t (&payload)[3]) {
    IPCLAB_SYSCALL_ARGUMENTS(regs);
    register uint64_t r13 asm("r13") = payload[0];
    register uint64_t r14 asm("r14") = payload[1];
    register uint64_t r15 asm("r15") = payload[2];
    long rax = static_cast<long>(number);
    asm volatile("syscall"
                 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r13), "+r"(r14),
                   "+r"(r15)
                 : "r"(r12)
                 : "rcx", "r11", "memory");
    IPCLAB_SYSCALL_RESULTS(regs);
    payload[0] = r13;
    payload[1] = r14;
    payload[2] = r15;
    return static_cast<Status>(rax);
}

#undef IPCLAB_SYSCALL_ARGUMENTS
#undef IPCLAB_SYSCALL_RESULTS

/// One named stub per native system call: sys::ipc_send(regs), sys::comm_recv(regs), ...
namespace sys {
#define IPCLAB_SYSCALL(name, number)                                                               \
    inline Status name(Syscall_registers& regs) { return syscall(Syscall::name, regs); }
#include "abi/syscalls.def"
#undef IPCLAB_SYSCALL
} // namespace sys

} // namespace ipclab
