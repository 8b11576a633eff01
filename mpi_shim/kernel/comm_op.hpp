// One point-to-point operation of the communicator layer, as the matching queues hold it
// (MPI-3.1 section 3.5): a send waiting for its receive, or a receive waiting for its message.
#pragma once

#include <stdint.h>

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
    Communicator* comm = nullptr;    ///< whose queue holds it (nullptr: not queued)
    Kind kind = Kind::send;
    bool eager = false;              ///< send whose payload is in `data` (kernel memory)
    bool done = false;
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
};

} // namespace kernel
