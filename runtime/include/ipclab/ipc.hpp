// The native IPC API for user programs: seL4-style send, receive, call, reply and
// reply-receive on endpoint capabilities (semantics in kernel/ipc/endpoint.hpp).
#pragma once

#include <stdint.h>

#include "abi/capability.hpp"
#include "abi/message.hpp"
#include "abi/timeout.hpp"
#include "abi/utcb.hpp"
#include "ipclab/syscall.hpp"

namespace ipclab {

/// The part of a message that travels in CPU registers: the tag and MR0..MR3.
/// MR4..MR63 and the string item are in the thread's UTCB (utcb()).
struct Message {
    Message_tag tag;
    uint64_t mr[mr_in_registers] = {};
};

/// A message received: its status, the badge of the sender's capability, and the message.
struct Received {
    Status status;
    uint64_t badge;
    Message message;
};

/// The calling thread's UTCB (one %gs-relative load: the kernel points GS at it).
Utcb& utcb();

namespace detail {
inline Syscall_registers load(uint64_t slot, const Message& m) {
    Syscall_registers r;
    r.r[0] = slot;
    r.r[1] = m.tag.raw();
    for (unsigned i = 0; i < mr_in_registers; ++i) r.r[2 + i] = m.mr[i];
    return r;
}
inline Received unload(Status s, const Syscall_registers& r) {
    Received out{s, r.r[0], Message{Message_tag{r.r[1]}, {}}};
    for (unsigned i = 0; i < mr_in_registers; ++i) out.message.mr[i] = r.r[2 + i];
    return out;
}
} // namespace detail

// Every blocking call takes a timeout in virtual nanoseconds (abi/timeout.hpp): infinite by
// default, timeout_zero to fail with would_block unless the partner waits, or a finite wait
// that fails with timed_out.

/// Sends `m` through the endpoint in `slot` (needs the send right); blocks until received.
inline Status ipc_send(uint64_t slot, const Message& m, uint64_t timeout = timeout_infinite) {
    auto r = detail::load(slot, m);
    r.timeout = timeout;
    return sys::ipc_send(r);
}

/// Receives from the endpoint in `slot` (needs the receive right); blocks for a sender.
inline Received ipc_recv(uint64_t slot, uint64_t timeout = timeout_infinite) {
    Syscall_registers r;
    r.r[0] = slot;
    r.timeout = timeout;
    Status s = sys::ipc_recv(r);
    return detail::unload(s, r);
}

/// Sends `m` and waits for the reply (one-shot reply capability, seL4 Call). A zero timeout
/// applies to the send only; a finite one to the send and the reply.
inline Received ipc_call(uint64_t slot, const Message& m, uint64_t timeout = timeout_infinite) {
    auto r = detail::load(slot, m);
    r.timeout = timeout;
    Status s = sys::ipc_call(r);
    return detail::unload(s, r);
}

/// Answers the last call received.
inline Status ipc_reply(const Message& m) {
    auto r = detail::load(0, m);
    return sys::ipc_reply(r);
}

/// Answers the last call received with `m`, then receives on `slot` (seL4 ReplyRecv); the
/// timeout is the receive's.
inline Received ipc_reply_recv(uint64_t slot, const Message& m, uint64_t timeout = timeout_infinite) {
    auto r = detail::load(slot, m);
    r.timeout = timeout;
    Status s = sys::ipc_reply_recv(r);
    return detail::unload(s, r);
}

// Classic L4 addressing by thread id (a search in the kernel, O(log n) in threads). The
// receiver's badge word holds the sender's thread id and the tag's by_thread_id() is set.

/// Sends `m` to the inbox of thread `thread_id`.
inline Status ipc_send_tid(uint64_t thread_id, const Message& m, uint64_t timeout = timeout_infinite) {
    auto r = detail::load(thread_id, m);
    r.timeout = timeout;
    return sys::ipc_send_tid(r);
}

/// Calls the inbox of thread `thread_id`.
inline Received ipc_call_tid(uint64_t thread_id, const Message& m, uint64_t timeout = timeout_infinite) {
    auto r = detail::load(thread_id, m);
    r.timeout = timeout;
    Status s = sys::ipc_call_tid(r);
    return detail::unload(s, r);
}

/// The thread a message sent by thread id was addressed to when the run's policy delivered
/// it elsewhere (clans & chiefs: to a chief, which decides and forwards it there), or 0 if `r`
/// was not redirected. Read from the UTCB, so valid until this thread receives again.
inline uint64_t intended_receiver(const Received& r) {
    return r.message.tag.redirected() ? utcb().intended_receiver : 0;
}

// "Deceiving" (seeds/004): a chief forwards a message in the name of its original sender. The
// receiver sees `virtual_sender` as the badge instead of the caller's id. Only a chief may, for
// a member of its clan or into its clan (policy clans-chiefs); every other caller, and every
// other policy, gets denied. Set in the UTCB (virtual_sender), which keeps it until changed.

/// Sends `m` to the inbox of thread `thread_id` as thread `virtual_sender`.
inline Status ipc_send_tid_as(uint64_t thread_id, uint64_t virtual_sender, const Message& m,
                              uint64_t timeout = timeout_infinite) {
    utcb().virtual_sender = virtual_sender;
    auto r = detail::load(thread_id, m);
    r.timeout = timeout;
    return sys::ipc_send_tid_as(r);
}

/// Calls the inbox of thread `thread_id` as thread `virtual_sender`; the reply comes back to
/// the caller. A call does not touch the caller's own reply capability: a chief that received
/// a call can forward it this way and then answer its caller with what came back.
inline Received ipc_call_tid_as(uint64_t thread_id, uint64_t virtual_sender, const Message& m,
                                uint64_t timeout = timeout_infinite) {
    utcb().virtual_sender = virtual_sender;
    auto r = detail::load(thread_id, m);
    r.timeout = timeout;
    Status s = sys::ipc_call_tid_as(r);
    return detail::unload(s, r);
}

/// Makes the endpoint in `slot` (receive right) the calling thread's inbox for messages sent
/// to its id; slot 0 unbinds.
inline Status ipc_bind_inbox(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    return sys::ipc_bind_inbox(r);
}

/// A notification word as wait or poll returns it.
struct Notified {
    Status status;
    uint64_t word;
};

/// ORs the badge of the capability in `slot` (send right) into the notification's word.
inline Status notify_signal(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    return sys::notify_signal(r);
}

/// Waits until the notification in `slot` (receive right) has bits set; returns and clears them.
inline Notified notify_wait(uint64_t slot, uint64_t timeout = timeout_infinite) {
    Syscall_registers r;
    r.r[0] = slot;
    r.timeout = timeout;
    Status s = sys::notify_wait(r);
    return Notified{s, r.r[0]};
}

/// Returns and clears the notification's word without waiting (0 if nothing was signalled).
inline Notified notify_poll(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    Status s = sys::notify_poll(r);
    return Notified{s, r.r[0]};
}

/// What a capability slot holds.
struct Cap_info {
    Status status;
    uint64_t type; ///< Object_kind: object_endpoint, object_communicator, object_notification
    uint64_t rights;
    uint64_t badge;
};

/// Derives into `to` a capability to what `from` names, with a subset of its rights and (if
/// the source is unbadged) a new badge.
inline Status cap_derive(uint64_t from, uint64_t to, uint64_t rights, uint64_t badge = 0) {
    Syscall_registers r;
    r.r[0] = from;
    r.r[1] = to;
    r.r[2] = rights;
    r.r[3] = badge;
    return sys::cap_derive(r);
}

inline Status cap_delete(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    return sys::cap_delete(r);
}

inline Cap_info cap_info(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    Status s = sys::cap_info(r);
    return Cap_info{s, r.r[0], r.r[1], r.r[2]};
}

/// A new thread in the caller's task, running `entry(argument)` on `stack_top` at `priority`
/// (at most the task's maximum controlled priority: the run description's mcp=). It shares the caller's FS base, so it must not use the C library
/// (no errno, stdio or malloc); it ends with thread_exit(). Returns its thread id in `id`.
Status thread_create(void (*entry)(uint64_t), void* stack_top, uint8_t priority, uint64_t argument, uint64_t& id);
/// Ends the calling thread (the task ends with its last thread).
[[noreturn]] void thread_exit(int code = 0);

/// The calling thread's id and priority.
struct Thread_self {
    uint64_t id;
    uint8_t priority;
};
inline Thread_self thread_self() {
    Syscall_registers r;
    (void)sys::thread_self(r);
    return Thread_self{r.r[0], uint8_t(r.r[1])};
}

} // namespace ipclab
