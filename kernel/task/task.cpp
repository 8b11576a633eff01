// Task creation and ending.
#include "task/task.hpp"

#include <new>

#include "lib/print.hpp"
#include "mem/kmem.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "task/run.hpp"
#include "task/scheduler.hpp"

namespace kernel {

namespace {

uint32_t next_task_id = 1;

const char* reason_name(Exit_reason r) {
    switch (r) {
    case Exit_reason::exited: return "exited";
    case Exit_reason::fault: return "fault";
    case Exit_reason::signal: return "signal";
    case Exit_reason::aborted: return "aborted";
    case Exit_reason::run_ended: return "run_ended";
    }
    return "unknown";
}

} // namespace

Task::Task(uint32_t id, const char* name) : m_id(id), m_space(m_account) {
    unsigned i = 0;
    for (; name[i] && i < sizeof m_name - 1; ++i) m_name[i] = name[i];
    m_name[i] = 0;
}

Task* Task::create(const char* name, Status& status) {
    // The task's own account pays for the task: construct into memory charged to a
    // temporary account, then move the charge over.
    Account staging;
    void* memory = kmem::allocate(sizeof(Task), staging);
    if (!memory) {
        status = Status::out_of_memory;
        return nullptr;
    }
    auto* task = new (memory) Task(next_task_id++, name);
    task->m_own_bytes = staging.kernel_bytes();
    (void)task->m_account.charge_kernel(task->m_own_bytes);
    status = task->m_space.create();
    if (status != Status::ok) {
        task->~Task();
        kmem::free(memory, sizeof(Task), staging);
        return nullptr;
    }
    run::task_created(*task);
    return task;
}

void Task::start_thread(Thread& t) {
    m_thread_list.push_back(t);
    ++m_threads;
    scheduler().make_ready(t);
}

uint64_t Task::next_utcb_address() {
    uint64_t address = Layout::utcb_base + 4096 * uint64_t(m_utcbs);
    if (address >= Layout::utcb_end) return 0;
    ++m_utcbs;
    return address;
}

void Task::exit_thread(Thread& t, long code) {
    if (m_thread_list.front() == &t && !m_thread_list.next(t)) {
        end(Exit_reason::exited, code);
        return;
    }
    m_thread_list.remove(t);
    t.abandon_ipc();
    t.set_state(Thread_state::dead);
    if (&t == scheduler().current()) scheduler().exit_current();
    scheduler().bury(t);
}

void Task::end(Exit_reason reason, long code) {
    if (m_ended) return;
    m_ended = true;
    m_failed = reason == Exit_reason::fault || reason == Exit_reason::signal ||
               reason == Exit_reason::aborted || (reason == Exit_reason::exited && code != 0);

    bool caller_is_ours = false;
    while (Thread* t = m_thread_list.pop_front()) {
        t->abandon_ipc();
        t->set_state(Thread_state::dead);
        if (t == scheduler().current())
            caller_is_ours = true;
        else
            scheduler().bury(*t);
    }
    m_comm_requests.clear(m_account); // before the address space their buffers are in goes
    // Leave every communicator this task is a member of (its capabilities say which).
    for (unsigned slot = 0; slot < ipclab::cap_slots; ++slot) {
        const Capability& c = m_caps.at(slot);
        if (c.object && c.object->type() == Object_type::communicator)
            static_cast<Communicator*>(c.object)->member_ended(static_cast<int32_t>(c.badge), *this);
    }
    Json_line("task_exit")
        .field("task", m_name)
        .field("id", m_id)
        .field("reason", reason_name(reason))
        .field("status", int64_t(code))
        .field("failed", m_failed)
        .field("peak_bytes", m_account.peak_bytes())
        .field("comm_buffer_peak_bytes", m_comm_buffered_peak);
    m_caps.clear();
    m_space.destroy();
    run::task_ended(*this);
    if (caller_is_ours) scheduler().exit_current();
}

void Task::thread_reaped(Thread* t) {
    Task& task = t->task();
    Thread::destroy(t);
    --task.m_threads;
    free_if_unused(task);
}

void Task::unpin() {
    --m_pins;
    if (m_ended) free_if_unused(*this);
}

void Task::free_if_unused(Task& task) {
    if (task.m_threads || task.m_pins) return;
    Account staging; // the task's account goes with the task
    (void)staging.charge_kernel(task.m_own_bytes);
    task.~Task();
    kmem::free(&task, sizeof(Task), staging);
}

Task::Ipc_right Task::ipc_right(uint64_t target) const {
    for (const Ipc_right_entry& e : m_ipc_rights)
        if (e.target == target) return e.granted ? Ipc_right::granted : Ipc_right::refused;
    return Ipc_right::unknown;
}

void Task::record_ipc_right(uint64_t target, bool granted) {
    for (Ipc_right_entry& e : m_ipc_rights) {
        if (e.target == target) {
            e.granted = granted;
            return;
        }
    }
    m_ipc_rights[m_ipc_rights_next] = Ipc_right_entry{target, granted};
    m_ipc_rights_next = (m_ipc_rights_next + 1) % ipc_rights_kept;
}

} // namespace kernel
