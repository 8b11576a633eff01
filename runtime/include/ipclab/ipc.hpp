// The native IPC API for user programs: seL4-style send, receive, call, reply and
// reply-receive on endpoint capabilities (semantics in kernel/ipc/endpoint.hpp).
#pragma once

#include <stdint.h>

#include "abi/message.hpp"
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

/// The calling thread's UTCB (its address comes from the auxiliary vector).
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

/// Sends `m` through the endpoint in `slot` (needs the send right); blocks until received.
inline Status ipc_send(uint64_t slot, const Message& m) {
    auto r = detail::load(slot, m);
    return sys::ipc_send(r);
}

/// Receives from the endpoint in `slot` (needs the receive right); blocks for a sender.
inline Received ipc_recv(uint64_t slot) {
    Syscall_registers r;
    r.r[0] = slot;
    Status s = sys::ipc_recv(r);
    return detail::unload(s, r);
}

/// Sends `m` and waits for the reply (one-shot reply capability, seL4 Call).
inline Received ipc_call(uint64_t slot, const Message& m) {
    auto r = detail::load(slot, m);
    Status s = sys::ipc_call(r);
    return detail::unload(s, r);
}

/// Answers the last call received.
inline Status ipc_reply(const Message& m) {
    auto r = detail::load(0, m);
    return sys::ipc_reply(r);
}

/// Answers the last call received with `m`, then receives on `slot` (seL4 ReplyRecv).
inline Received ipc_reply_recv(uint64_t slot, const Message& m) {
    auto r = detail::load(slot, m);
    Status s = sys::ipc_reply_recv(r);
    return detail::unload(s, r);
}

} // namespace ipclab
