// Run bookkeeping: live tasks, the end of the run and its report.
#include "task/run.hpp"

#include <arch/cpu.hpp>
#include <arch/platform.hpp>

#include "lib/print.hpp"
#include "mem/frame_allocator.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"

namespace kernel::run {

namespace {

List<Task, &Task::all_tasks_link> live_tasks;
uint64_t tasks_total, tasks_failed;
bool ending;
bool over; ///< every task has ended; the report waits for the idle context
ipclab::Run_status final_status;
uint64_t start_object_bytes, start_free_frames;

bool only_daemons_left() {
    for (Task* t = live_tasks.front(); t; t = live_tasks.next(*t))
        if (!t->daemon) return false;
    return true;
}

ipclab::Run_status outcome() {
    return tasks_failed ? ipclab::Run_status::tasks_failed : ipclab::Run_status::ok;
}

void end_remaining_tasks() {
    ending = true;
    while (Task* t = live_tasks.front()) t->end(Exit_reason::run_ended, 0);
}

} // namespace

void memory_at_start(uint64_t object_bytes, uint64_t free_frames) {
    start_object_bytes = object_bytes;
    start_free_frames = free_frames;
}

void task_created(Task& task) {
    live_tasks.push_back(task);
    ++tasks_total;
}

void task_ended(Task& task) {
    live_tasks.remove(task);
    if (task.failed()) ++tasks_failed;
    if (ending) return;
    if (task.root || only_daemons_left()) {
        end_remaining_tasks();
        // A thread of an ended task may be running (its kernel stack is this one): end
        // from the idle context, where every dead thread can be freed first.
        if (!scheduler().current()) end(outcome());
        over = true;
        final_status = outcome();
    }
}

void finish_if_over() {
    if (over) end(final_status);
}

void idle_reached() {
    if (only_daemons_left()) {
        end_remaining_tasks();
        end(outcome());
    }
    uint64_t live = 0;
    for (Task* t = live_tasks.front(); t; t = live_tasks.next(*t)) live += !t->daemon;
    Json_line("deadlock").field("live_tasks", live);
    for (Task* t = live_tasks.front(); t; t = live_tasks.next(*t)) {
        Thread* th = t->main_thread();
        Json_line("blocked")
            .field("task", t->name())
            .field("daemon", t->daemon)
            .field("state", th ? thread_state_name(th->state()) : "no thread");
    }
    end_remaining_tasks();
    end(ipclab::Run_status::deadlock);
}

void end(ipclab::Run_status status) {
    scheduler().reap();
    kmem::release_empty_slabs();
    // Leak check (issue 7): with every task gone, the kernel memory must be as before them.
    // Not meaningful when the run ends on a running thread's stack (boot errors, a panic).
    const uint64_t object_bytes = kmem::bytes_in_use();
    const uint64_t free_frames = frames().free_frames();
    const bool checked = start_free_frames && !scheduler().current();
    Json_line("run_end")
        .field("status", ipclab::run_status_name(status))
        .field("tasks", tasks_total)
        .field("failed", tasks_failed)
        .field("context_switches", scheduler().switches())
        .field("preemptions", scheduler().preemptions())
        .field("kernel_object_bytes", object_bytes)
        .field("free_frames", free_frames)
        .field("memory_checked", checked)
        .field("leaked_object_bytes", checked ? int64_t(object_bytes - start_object_bytes) : 0)
        .field("leaked_frames", checked ? int64_t(start_free_frames - free_frames) : 0)
        .field("instructions", arch::rdtsc());
    arch::end_run(status);
}

} // namespace kernel::run
