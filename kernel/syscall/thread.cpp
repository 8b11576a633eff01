// Thread system calls: create a thread in the caller's task; ask who one is.
#include <arch/page_table.hpp>

#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

Status sys_thread_create(Thread& self, arch::User_frame& frame) {
    const uint64_t entry = frame.arg(0), stack = frame.arg(1), priority = frame.arg(2);
    // Entry and stack must be user addresses: sysret/iretq to a non-canonical rip would
    // fault in the kernel.
    if (entry < arch::user_base || entry >= arch::user_end || stack < arch::user_base || stack > arch::user_end)
        return Status::invalid_pointer;
    if (priority > self.task().max_priority) return Status::insufficient_rights; // above the task's MCP
    Status s;
    Thread* t = Thread::create(self.task(), entry, stack, uint8_t(priority), s);
    if (!t) return s;
    t->frame().set_result(0, frame.arg(3)); // the argument arrives in rdi
    t->context().fs_base = self.context().fs_base;
    self.task().start_thread(*t);
    frame.set_result(0, t->id());
    return Status::ok;
}

Status sys_thread_self(Thread& self, arch::User_frame& frame) {
    frame.set_result(0, self.id());
    frame.set_result(1, self.priority);
    return Status::ok;
}

} // namespace kernel
