// One point-to-point operation of the communicator layer, as the matching queues hold it
// (MPI-3.1 section 3.5): a send waiting for its receive, or a receive waiting for its message.
#pragma once

#include <stdint.h>

#include <arch/user_frame.hpp>

#include "abi/status.hpp"
#include "lib/list.hpp"

namespace kernel {

using ipclab::Status;

class Communicator;
class Task;
class Thread;

/// A send sits on its destination's queue of unexpected messages, a receive on its rank's
/// queue of posted receives, both in arrival order. A blocking operation lives on its
/// thread's kernel stack; a non-blocking one is a request in its task's table
/// (comm_requests.hpp); an eager send, whose payload the kernel copied, belongs to no one
/// until it is received.
struct Comm_op {
    enum class Kind : uint8_t { send, receive };

    Link link;                       ///< on a mailbox queue while pending
    Link source_link;                ///< a send: on its source's list of an indexed unexpected queue
    Communicator* comm = nullptr;    ///< whose queue holds it (nullptr: not queued)
    Kind kind = Kind::send;
    bool eager = false;              ///< send whose payload is in `data` (kernel memory)
    bool done = false;
    bool in_registers = false;       ///< payload in `words`, not user memory (comm_in_registers)
    Status result = Status::ok;      ///< when done
    int32_t rank = 0;                ///< the owner's rank (sender or receiver)
    int32_t peer = 0;                ///< send: destination; receive: source or comm_any_source
    int32_t tag = 0;                 ///< receive: tag or comm_any_tag
    uint8_t context = 0;             ///< point-to-point or collective (abi/comm.hpp)
    uint64_t buffer = 0;             ///< user address in `task`'s address space
    uint64_t bytes = 0;              ///< send: length; receive: capacity; then length received
    Task* task = nullptr;            ///< whose buffer (an eager send pins its sender)
    void* data = nullptr;            ///< eager payload
    Thread* waiter = nullptr;        ///< thread blocked until the operation is done
    uint32_t handle = 0;             ///< request handle (0: not a request)
    /// With in_registers: a send's payload (its r13..r15), a receive's once delivered.
    uint64_t words[3] = {};
};

/// The payload registers of a comm_in_registers message (abi/comm.hpp): r13, r14, r15.
inline void load_payload(const arch::User_frame& frame, uint64_t (&words)[3]) {
    words[0] = frame.r13;
    words[1] = frame.r14;
    words[2] = frame.r15;
}
inline void store_payload(arch::User_frame& frame, const uint64_t (&words)[3]) {
    frame.r13 = words[0];
    frame.r14 = words[1];
    frame.r15 = words[2];
}

} // namespace kernel
