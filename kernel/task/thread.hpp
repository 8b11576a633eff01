// The TCB: one thread of a task, its kernel stack, UTCB, scheduling and IPC state.
#pragma once

#include <stdint.h>

#include <arch/context.hpp>

#include "abi/status.hpp"
#include "abi/utcb.hpp"
#include "lib/list.hpp"

namespace kernel {

using ipclab::Status;

class Task;
class Endpoint;
class Communicator;

enum class Thread_state : uint8_t {
    ready,              ///< runnable (the running thread is ready too)
    blocked_send,       ///< queued on an endpoint to send or call
    blocked_recv,       ///< queued on an endpoint to receive
    blocked_reply,      ///< called and waits for the reply
    blocked_comm_send,  ///< MPI send waiting for its matching receive
    blocked_comm_recv,  ///< MPI receive waiting for its matching send
    dead,
};

const char* thread_state_name(Thread_state s);

/// A pending MPI operation of a blocked thread (mpi_shim/kernel/communicator.hpp).
struct Comm_request {
    Communicator* comm = nullptr;
    int32_t rank = 0;     ///< send: the sender's rank; receive: the receiver's rank
    int32_t peer = 0;     ///< send: destination; receive: source or any
    int32_t tag = 0;      ///< tag or any (receive)
    uint8_t context = 0;  ///< point-to-point or collective
    uint64_t buffer = 0;  ///< user address
    uint64_t bytes = 0;   ///< send: length; receive: capacity
};

class Thread final {
public:
    /// Bytes of one thread's kernel memory: this TCB at the bottom, its kernel stack above.
    static constexpr uint64_t block_bytes = 16384;

    /// Creates a thread of `task` that starts in user mode at `entry` with stack `user_rsp`,
    /// with a fresh UTCB mapped into the task. Charged to the task's account.
    /// Errors: out_of_memory. The thread is not yet on the ready queue.
    static Thread* create(Task& task, uint64_t entry, uint64_t user_rsp, Status& status);
    /// Frees a dead thread that is not running (its stack is not in use).
    static void destroy(Thread* t);

    Task& task() const { return m_task; }
    uint32_t id() const { return m_id; }
    Thread_state state() const { return m_state; }
    void set_state(Thread_state s) { m_state = s; }
    bool blocked() const { return m_state != Thread_state::ready && m_state != Thread_state::dead; }

    arch::Thread_context& context() { return m_context; }
    arch::User_frame& frame() { return m_context.frame(); }
    ipclab::Utcb& utcb() { return *m_utcb; }
    uint64_t utcb_address() const { return m_utcb_address; }

    /// Undoes every IPC relationship of a thread that is about to die: leaves endpoint and
    /// communicator queues and fails the partners that wait on it.
    void abandon_ipc();

    // Scheduling.
    Link sched_link;                   ///< on the ready queue or the dead list
    Link task_link;                    ///< on the task's thread list
    uint32_t timeslice_left = 0;

    // Native IPC state (ipc/endpoint.cpp).
    Link ipc_link;                     ///< on an endpoint queue
    Endpoint* waiting_on = nullptr;    ///< the endpoint whose queue holds this thread
    uint64_t send_badge = 0;           ///< badge of the capability a queued sender used
    bool send_is_call = false;         ///< the queued send is a call
    Thread* reply_to = nullptr;        ///< the one-shot reply capability: whom to answer
    Thread* reply_holder = nullptr;    ///< who holds this caller's reply capability
    Status wake_status = Status::ok;   ///< result set by whoever completed a blocked operation

    // MPI state (mpi_shim/kernel/communicator.cpp).
    Comm_request comm;

private:
    Thread(Task& task, uint32_t id) : m_task(task), m_id(id) {}

    arch::Thread_context m_context;
    Task& m_task;
    uint32_t m_id;
    Thread_state m_state = Thread_state::ready;
    ipclab::Utcb* m_utcb = nullptr;
    uint64_t m_utcb_address = 0;
};

} // namespace kernel
