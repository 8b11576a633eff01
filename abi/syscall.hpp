// System-call numbers and register convention shared by the kernel and the user runtime.
#pragma once

namespace ipclab {

/// Native system calls (list in abi/syscalls.def). Negative numbers, as in seL4; a
/// non-negative number in rax is a Linux system call of the C library (linux_compat.cpp).
enum class Syscall : long {
#define IPCLAB_SYSCALL(name, number) name = number,
#include "syscalls.def"
#undef IPCLAB_SYSCALL
};

// Register convention of the `syscall` instruction (x86-64):
//   in:  rax = number; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9
//   out: rax = Status; results r0..r5 in rdi, rsi, rdx, r10, r8, r9
//   rcx and r11 are clobbered by the instruction itself; every other register is preserved.
//
// Native IPC (semantics after seL4's Send/Recv/Call/Reply/ReplyRecv, seL4 manual ch. 4):
//   ipc_send       a0 slot, a1 tag, a2..a5 MR0..MR3                -> status
//   ipc_recv       a0 slot                                          -> status, r0 badge, r1 tag,
//                                                                      r2..r5 MR0..MR3
//   ipc_call       a0 slot, a1 tag, a2..a5 MR0..MR3                 -> as ipc_recv (the reply)
//   ipc_reply      a1 tag, a2..a5 MR0..MR3                          -> status
//   ipc_reply_recv a0 slot to receive on, a1 reply tag, a2..a5 MRs  -> as ipc_recv
// MR4 and up travel in the thread's UTCB (abi/utcb.hpp); a string item (long IPC) is
// described there too.
//
// MPI communicator (semantics after MPI-3.1 section 3.4-3.5, blocking point-to-point):
//   comm_info   a0 slot                                   -> status, r0 rank, r1 size,
//                                                            r2 context id
//   comm_send   a0 slot, a1 dest rank, a2 tag, a3 buffer, a4 length (bytes),
//               a5 context (0 point-to-point, 1 collective) -> status
//   comm_recv   a0 slot, a1 source rank or -1 (any), a2 tag or -1 (any), a3 buffer,
//               a4 capacity (bytes), a5 context           -> status, r0 source, r1 tag,
//                                                            r2 length received (bytes)
//   comm_abort  a0 slot, a1 error code                    -> ends every task of the group
//                                                            (returns only on a bad slot)

} // namespace ipclab
