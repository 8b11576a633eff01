// Thread creation, destruction, and leaving a blocked operation (timeout or death).
#include "task/thread.hpp"

#include <arch/memory.hpp>
#include <new>

#include "ipc/endpoint.hpp"
#include "ipc/notification.hpp"
#include "mem/kmem.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/thread_registry.hpp"
#include "task/timeouts.hpp"

namespace kernel {

namespace {
uint32_t next_thread_id = 1;
}

const char* thread_state_name(Thread_state s) {
    switch (s) {
    case Thread_state::ready: return "ready";
    case Thread_state::blocked_send: return "blocked in send";
    case Thread_state::blocked_recv: return "blocked in receive";
    case Thread_state::blocked_reply: return "waiting for a reply";
    case Thread_state::blocked_comm_send: return "blocked in MPI send";
    case Thread_state::blocked_comm_recv: return "blocked in MPI receive";
    case Thread_state::blocked_comm_wait: return "waiting for an MPI request";
    case Thread_state::blocked_comm_probe: return "blocked in MPI probe";
    case Thread_state::blocked_notification: return "waiting for a notification";
    case Thread_state::dead: return "dead";
    }
    return "unknown";
}

Thread* Thread::create(Task& task, uint64_t entry, uint64_t user_rsp, uint8_t priority, Status& status) {
    void* block = kmem::allocate(block_bytes, task.account());
    if (!block) {
        status = Status::out_of_memory;
        return nullptr;
    }
    auto* t = new (block) Thread(task, next_thread_id++);
    t->priority = priority;
    uint64_t utcb = task.next_utcb_address();
    status = utcb ? task.space().map_zeroed(utcb, sizeof(ipclab::Utcb), {true, false}) : Status::out_of_memory;
    uint64_t phys = 0;
    if (status == Status::ok && !task.space().table().translate(utcb, arch::Access::write, phys)) {
        task.space().unmap(utcb, sizeof(ipclab::Utcb)); // ours: we just mapped it
        status = Status::out_of_memory;
    }
    if (status != Status::ok) { // a page already there (a map item put it) is not ours to remove
        t->~Thread();
        kmem::free(block, block_bytes, task.account());
        return nullptr;
    }
    t->m_utcb = static_cast<ipclab::Utcb*>(arch::phys_to_virt(phys));
    t->m_utcb_address = utcb;
    t->m_utcb->self = utcb;
    t->m_context.init(reinterpret_cast<uint64_t>(block) + block_bytes, entry, user_rsp);
    t->m_context.gs_base = utcb;
    thread_registry().insert(*t);
    status = Status::ok;
    return t;
}

void Thread::destroy(Thread* t) {
    Task& task = t->m_task;
    if (!task.ended()) task.space().unmap(t->m_utcb_address, sizeof(ipclab::Utcb)); // else gone with the space
    t->~Thread();
    kmem::free(t, block_bytes, task.account());
}

void Thread::leave_wait() {
    switch (m_state) {
    case Thread_state::blocked_send:
    case Thread_state::blocked_recv: waiting_on->cancel(*this); break;
    case Thread_state::blocked_notification: waiting_for->cancel(*this); break;
    case Thread_state::blocked_comm_send:
    case Thread_state::blocked_comm_recv:
    case Thread_state::blocked_comm_wait:
    case Thread_state::blocked_comm_probe: comm_waiting_on->cancel(*this); break;
    case Thread_state::blocked_reply: // the callee's reply capability now leads nowhere
        if (reply_holder) reply_holder->reply_to = nullptr;
        reply_holder = nullptr;
        break;
    default: break;
    }
    timeouts().disarm(*this);
}

void Thread::stop_waiting(Status why) {
    if (!blocked()) return;
    leave_wait();
    wake_status = why;
    scheduler().make_ready(*this);
}

void Thread::abandon_ipc() {
    leave_wait();
    if (reply_to) { // a caller waits for this thread's reply that will never come
        Thread* caller = reply_to;
        reply_to = nullptr;
        caller->reply_holder = nullptr;
        caller->wake_status = Status::partner_dead;
        scheduler().make_ready(*caller);
    }
    if (inbox) {
        inbox->release();
        inbox = nullptr;
    }
    thread_registry().remove(*this);
    if (sched_link.linked()) scheduler().remove(*this);
}

} // namespace kernel
