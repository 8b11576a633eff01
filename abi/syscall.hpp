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
//   in:  rax = number; arguments a0..a5 in rdi, rsi, rdx, r10, r8, r9; a6 in r12
//   out: rax = Status; results r0..r5 in rdi, rsi, rdx, r10, r8, r9
//   rcx and r11 are clobbered by the instruction itself; every other register is preserved.
// a6 is the timeout of every blocking call, in virtual nanoseconds (abi/timeout.hpp):
// timeout_infinite, timeout_zero (fail with would_block unless a partner waits) or a
// finite wait (fail with timed_out when it passes).
//
// Native IPC (semantics after seL4's Send/Recv/Call/Reply/ReplyRecv, seL4 manual ch. 4):
//   ipc_send       a0 slot, a1 tag, a2..a5 MR0..MR3, a6 timeout   -> status
//   ipc_recv       a0 slot, a6 timeout                            -> status, r0 badge, r1 tag,
//                                                                    r2..r5 MR0..MR3
//   ipc_call       a0 slot, a1 tag, a2..a5 MR0..MR3, a6 timeout   -> as ipc_recv (the reply);
//                  a zero timeout applies to the send only, a finite one to send and reply
//   ipc_reply      a1 tag, a2..a5 MR0..MR3                         -> status
//   ipc_reply_recv a0 slot to receive on, a1 reply tag, a2..a5 MRs, a6 timeout of the receive
//                                                                 -> as ipc_recv
// MR4 and up travel in the thread's UTCB (abi/utcb.hpp), as do string, capability and map
// items.
// Classic L4 addressing by thread id (a search, O(log n) in threads; for comparison):
//   ipc_send_tid   a0 thread id, otherwise as ipc_send
//   ipc_call_tid   a0 thread id, otherwise as ipc_call
//   ipc_bind_inbox a0 slot of an endpoint (receive right), or 0 to unbind -> status: messages
//                  sent to this thread's id arrive on that endpoint, with the tag's
//                  by-thread-id flag set and the sender's thread id as badge
//   ipc_send_tid_as, ipc_call_tid_as  as ipc_send_tid and ipc_call_tid, but the receiver sees
//                  the thread id in the caller's UTCB virtual_sender as the badge
//                  ("deceiving", seeds/004): only a chief, for a member of its clan or into
//                  its clan (policy clans-chiefs); denied otherwise
// The run's policy is consulted on every send by thread id (kernel/policy/policy.hpp): it
// may deny it (denied), redirect it to another thread's inbox (the tag's redirected flag
// and the UTCB's intended_receiver tell the receiver), or first ask the sender's reference
// monitor (an exception IPC, abi/message.hpp ipc_right_fault_label).
// Notifications (seL4 manual ch. 5):
//   notify_signal  a0 slot (send right)                     -> status; ORs the badge in
//   notify_wait    a0 slot (receive right), a6 timeout      -> status, r0 the word (cleared)
//   notify_poll    a0 slot (receive right)                  -> status, r0 the word (cleared,
//                                                              0 if nothing was signalled)
// Capabilities:
//   cap_derive     a0 source slot, a1 destination slot, a2 rights (a subset), a3 badge
//                  (0 keeps the source's; a badged capability cannot be re-badged) -> status
//   cap_delete     a0 slot                                   -> status
//   cap_info       a0 slot                                   -> status, r0 object type
//                  (1 endpoint, 2 communicator, 3 notification), r1 rights, r2 badge
// Threads:
//   thread_create  a0 entry, a1 stack pointer, a2 priority (at most the task's maximum
//                  controlled priority, the run description's mcp=), a3 argument
//                  (in rdi at entry)                        -> status, r0 thread id; the new
//                  thread shares the creator's address space, capabilities and FS base
//   thread_self    -                                         -> status, r0 thread id,
//                                                              r1 priority
//
// MPI communicator (semantics after MPI-3.1 sections 3.4-3.8 and 6.4; every rank argument is
// a rank of the communicator in a0, the caller's own rank is the badge of its capability):
//   comm_info   a0 slot                                   -> status, r0 rank, r1 size,
//                                                            r2 context id, r3 send timeout
//                                                            (ns, timeout_infinite for none)
//   comm_send   a0 slot, a1 dest rank, a2 tag, a3 buffer, a4 length (bytes),
//               a5 context (0 point-to-point, 1 collective) -> status; a rendezvous: returns
//               when the receiver has the message (MPI_Ssend semantics); the communicator's
//               send timeout bounds the wait (timed_out), a management abort or the
//               destination's death ends it (send_aborted, partner_dead)
//   comm_recv   a0 slot, a1 source rank or -1 (any), a2 tag or -1 (any), a3 buffer,
//               a4 capacity (bytes), a5 context           -> status, r0 source, r1 tag,
//                                                            r2 length received (bytes)
//               comm_send and comm_recv with comm_in_registers or-ed into a5 (abi/comm.hpp)
//               carry a message of at most 24 bytes in r13..r15 instead of memory
//   comm_isend  as comm_send                              -> status, r0 request handle, or 0
//               when the send is already complete (delivered into a posted receive, or
//               copied into a kernel buffer: messages up to comm_eager_bytes, charged to the
//               sender). Larger messages stay in the sender's buffer until received
//               (rendezvous), as do all with comm_isend_synchronous or-ed into a5 (MPI_Issend).
//               unsupported when the run's policy forbids non-blocking sends.
//   comm_irecv  as comm_recv                              -> status, r0 request handle
//   comm_wait   a0 request handle, a6 timeout             -> the request's status (as comm_send
//               or comm_recv), r0 source, r1 tag, r2 bytes; the handle is then freed. With
//               timeout_zero and the request incomplete: would_block, handle kept (MPI_Test).
//               Errors: invalid_request
//   comm_probe  a0 slot, a1 source or -1, a2 tag or -1, a5 context, a6 timeout
//                                                         -> status, r0 source, r1 tag,
//                                                            r2 length (bytes); nothing is
//                                                            received (MPI_Probe/MPI_Iprobe)
//   comm_abort  a0 slot, a1 error code                    -> ends every task of the group
//                                                            (returns only on a bad slot)
//   comm_create a0 parent slot, a1 address of int32 parent ranks (the new group, in new-rank
//               order), a2 their count, a3 key, a4 destination slot
//                                                         -> status, r0 rank in the new
//               communicator, r1 size, r2 context id. Every member calls it with the same key
//               and group (MPI_Comm_dup/split/create_group); the first caller creates the
//               communicator, each caller gets its capability (the parent capability's rights,
//               badged with its new rank). The rights table and send timeout are inherited.
//   comm_set_send_timeout a0 slot (grant right: the manager's), a1 timeout (ns) -> status
//   comm_abort_sends      a0 slot (grant right), a1 rank -> status, r0 sends aborted: every
//               send pending towards the rank fails with send_aborted ("breaking down the
//               send"); its kernel-buffered messages are discarded
//   comm_buffer_usage     -                               -> status, r0 bytes of kernel memory
//               buffering this task's undelivered messages now, r1 peak
//   comm_cancel a0 request handle                         -> status, r0 1 if the operation was
//               still pending and is withdrawn (the handle is then freed), 0 if it had
//               completed (wait for it as usual). Errors: invalid_request (MPI_Cancel)
// cap_delete of the task's last capability to a communicator leaves the communicator (as the
// task's end does); deleting one of several copies (cap_derive) does not.

} // namespace ipclab
