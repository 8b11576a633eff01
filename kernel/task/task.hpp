// A task: an address space, a capability space, an account, and its threads.
#pragma once

#include <stdint.h>

#include "ipc/capability.hpp"
#include "lib/list.hpp"
#include "mem/account.hpp"
#include "mem/address_space.hpp"
#include "mpi_shim/kernel/comm_requests.hpp"
#include "task/fault_injector.hpp"
#include "task/thread.hpp"

namespace kernel {

/// Why a task ended.
enum class Exit_reason : uint8_t { exited, fault, signal, aborted, run_ended };

class Task final {
public:
    /// Creates an empty task (no threads yet). Its kernel memory is charged to itself.
    static Task* create(const char* name, Status& status);

    uint32_t id() const { return m_id; }
    const char* name() const { return m_name; }
    Account& account() { return m_account; }
    Address_space& space() { return m_space; }
    Cap_space& caps() { return m_caps; }

    /// Adds a thread (from Thread::create) and makes it ready.
    void start_thread(Thread& t);
    /// The first thread not yet ended, or nullptr.
    Thread* main_thread() const { return m_thread_list.front(); }
    /// Address for the next thread's UTCB, or 0 when the UTCB area is full.
    uint64_t next_utcb_address();
    /// Ends one thread (Linux exit): the task ends with `code` when it was the last one.
    /// Does not return if `t` is the running thread.
    void exit_thread(Thread& t, long code);

    /// Ends the task: kills its threads, prints a task_exit report, releases its
    /// capabilities and address space. `code` is the exit status: the program's own, 128 +
    /// signal number for a fault or signal (as a shell reports it), or the MPI error code. Does not return if the running thread is one of its
    /// threads (it is the caller's last act).
    void end(Exit_reason reason, long code);
    bool ended() const { return m_ended; }
    /// Whether the task ended in a way that fails the run (fault, signal, abort, status != 0).
    bool failed() const { return m_failed; }

    /// Run-description flags: a daemon does not keep the run alive; the root task's end
    /// ends the run.
    bool daemon = false;
    bool root = false;
    /// Highest priority this task's threads may give a new thread (seL4's maximum controlled
    /// priority).
    uint8_t max_priority = Thread::default_priority;
    /// The run description's `kill` line for this task, if any (task/fault_injector.hpp).
    fault_injection::Directive kill;
    /// For the C library: where set_tid_address asked the kernel to keep the thread id.
    uint64_t clear_child_tid = 0;
    /// Linux system calls this task asked for and the kernel does not serve, each reported
    /// once (linux_compat.cpp).
    uint64_t unsupported_reported[8] = {};

    Link all_tasks_link;

    /// Clans & chiefs (policy clans-chiefs, seeds/004): the thread id of the chief that owns
    /// this task's clan, 0 at the top level. From the run description's `chief` lines.
    uint64_t chief = 0;
    /// IPC redirection (policy ref-monitor, seeds/004): the thread id of this task's reference
    /// monitor, 0 for none (the task is not checked). From the run description's `monitor`
    /// lines.
    uint64_t monitor = 0;
    /// What the reference monitor answered for a destination thread: granted, refused, or
    /// unknown (never asked, or forgotten: the cache keeps the last `ipc_rights_kept`).
    enum class Ipc_right : uint8_t { unknown, granted, refused };
    static constexpr unsigned ipc_rights_kept = 16;
    Ipc_right ipc_right(uint64_t target) const;
    void record_ipc_right(uint64_t target, bool granted);

    /// Non-blocking communicator operations of the task (MPI requests).
    Comm_requests& comm_requests() { return m_comm_requests; }
    /// Kernel memory buffering this task's undelivered eager messages, in bytes: now and at
    /// its peak (the figure a denial-of-service experiment reads).
    uint64_t comm_buffered() const { return m_comm_buffered; }
    uint64_t comm_buffered_peak() const { return m_comm_buffered_peak; }
    void comm_buffer_charged(uint64_t bytes) {
        m_comm_buffered += bytes;
        if (m_comm_buffered > m_comm_buffered_peak) m_comm_buffered_peak = m_comm_buffered;
    }
    void comm_buffer_released(uint64_t bytes) { m_comm_buffered -= bytes; }
    /// Keeps the Task (and the account its messages are charged to) after it ended while
    /// one of its eager messages still waits to be received.
    void pin() { ++m_pins; }
    void unpin();

    /// Called by the scheduler when a dead thread's memory can go; frees the task with
    /// its last thread.
    static void thread_reaped(Thread* t);

private:
    Task(uint32_t id, const char* name);

    uint32_t m_id;
    char m_name[32];
    Account m_account;
    Address_space m_space;
    Cap_space m_caps;
    List<Thread, &Thread::task_link> m_thread_list; ///< threads not yet ended
    uint32_t m_threads = 0;     ///< threads not yet reaped
    uint32_t m_utcbs = 0;
    uint64_t m_own_bytes = 0;   ///< kernel memory of this Task object, charged to itself
    Comm_requests m_comm_requests;
    uint64_t m_comm_buffered = 0;
    uint64_t m_comm_buffered_peak = 0;
    uint32_t m_pins = 0;        ///< eager messages of this task not yet received
    struct Ipc_right_entry {
        uint64_t target = 0;    ///< a thread id; 0: empty
        bool granted = false;
    };
    Ipc_right_entry m_ipc_rights[ipc_rights_kept];
    unsigned m_ipc_rights_next = 0; ///< the entry a new answer replaces (round robin)
    /// Frees the Task once its threads are reaped and nothing pins it.
    static void free_if_unused(Task& task);
    bool m_ended = false;
    bool m_failed = false;
};

} // namespace kernel
