// The TCB: one thread of a task, its kernel stack, UTCB, scheduling and IPC state.
#pragma once

#include <stdint.h>

#include <arch/context.hpp>

#include "abi/status.hpp"
#include "abi/utcb.hpp"
#include "lib/list.hpp"
#include "mpi_shim/kernel/comm_op.hpp"

namespace kernel {

using ipclab::Status;

class Task;
class Endpoint;
class Communicator;
class Notification;

enum class Thread_state : uint8_t {
    ready,              ///< runnable (the running thread is ready too)
    blocked_send,       ///< queued on an endpoint to send or call
    blocked_recv,       ///< queued on an endpoint to receive
    blocked_reply,      ///< called and waits for the reply
    blocked_comm_send,  ///< MPI send waiting for its matching receive
    blocked_comm_recv,  ///< MPI receive waiting for its matching send
    blocked_comm_wait,  ///< waiting for a non-blocking MPI operation to complete
    blocked_comm_probe, ///< MPI probe waiting for a matching message to arrive
    blocked_notification, ///< waiting for a notification to be signalled
    dead,
};

const char* thread_state_name(Thread_state s);

class Thread final {
public:
    /// Bytes of one thread's kernel memory: this TCB at the bottom, its kernel stack above.
    static constexpr uint64_t block_bytes = 16384;

    /// Default priority of a task's first thread when the run description gives none.
    static constexpr uint8_t default_priority = 100;

    /// Creates a thread of `task` at `priority` that starts in user mode at `entry` with
    /// stack `user_rsp`, with a fresh UTCB mapped into the task. Charged to the task's
    /// account. Errors: out_of_memory. The thread is not yet on a ready queue.
    static Thread* create(Task& task, uint64_t entry, uint64_t user_rsp, uint8_t priority, Status& status);
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

    /// Ends the blocked operation of this thread (it timed out, say): leaves whatever queue
    /// holds it, drops a pending reply relationship, and makes it ready with `why` as the
    /// operation's status.
    void stop_waiting(Status why);
    /// Undoes every IPC relationship of a thread that is about to die: leaves endpoint and
    /// communicator queues and fails the partners that wait on it.
    void abandon_ipc();

    // Scheduling.
    uint8_t priority = default_priority;
    Link timeout_link;                 ///< on the timeout queue (task/timeouts.hpp)
    uint64_t deadline = 0;             ///< when the blocked operation times out
    Link sched_link;                   ///< on the ready queue or the dead list
    Link task_link;                    ///< on the task's thread list
    uint32_t timeslice_left = 0;

    // Native IPC state (ipc/endpoint.cpp).
    Link ipc_link;                     ///< on an endpoint or notification queue
    Endpoint* waiting_on = nullptr;    ///< the endpoint whose queue holds this thread
    Notification* waiting_for = nullptr; ///< the notification whose queue holds it
    Endpoint* inbox = nullptr;         ///< where messages sent to this thread's id arrive
    bool send_by_thread_id = false;    ///< the queued send addressed a thread id
    uint64_t send_badge = 0;           ///< badge of the capability a queued sender used
    bool send_is_call = false;         ///< the queued send is a call
    /// A send by thread id the policy redirected (kernel/syscall/ipc_tid.cpp): the thread it
    /// addressed, which the receiver learns from its UTCB; 0 otherwise.
    uint64_t send_intended_receiver = 0;
    /// Blocked in the exception IPC to its reference monitor (policy ref-monitor): the
    /// monitor's reply is an answer for the kernel (MR0 != 0: granted), not a message.
    bool fault_pending = false;
    bool fault_granted = false;
    Thread* reply_to = nullptr;        ///< the one-shot reply capability: whom to answer
    Thread* reply_holder = nullptr;    ///< who holds this caller's reply capability
    Status wake_status = Status::ok;   ///< result set by whoever completed a blocked operation

    // MPI state (mpi_shim/kernel/communicator.cpp): the operation a blocked thread waits on,
    // and the communicator whose queues hold it (or, probing, the thread itself).
    Comm_op* comm_op = nullptr;
    Communicator* comm_waiting_on = nullptr;
    /// The operation of a thread the communicator fast path blocked (it has no kernel stack
    /// frame to keep it in).
    Comm_op fast_op;
    /// Made ready with every result already in its user frame and not run since: the fast
    /// path may resume it straight at user level (cleared by make_ready and switch_to).
    bool user_frame_complete = false;

    // Thread-id lookup (task/thread_registry.hpp).
    Thread* tid_left = nullptr;
    Thread* tid_right = nullptr;
    int8_t tid_height = 0;

private:
    Thread(Task& task, uint32_t id) : m_task(task), m_id(id) {}
    /// Leaves the queue or relationship the blocked operation put this thread in.
    void leave_wait();

    arch::Thread_context m_context;
    Task& m_task;
    uint32_t m_id;
    Thread_state m_state = Thread_state::ready;
    ipclab::Utcb* m_utcb = nullptr;
    uint64_t m_utcb_address = 0;
};

} // namespace kernel
