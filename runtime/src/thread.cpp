// Threads of a task: creation through the kernel and the exit of one thread.
#include "ipclab/ipc.hpp"

namespace ipclab {

Status thread_create(void (*entry)(uint64_t), void* stack_top, uint8_t priority, uint64_t argument, uint64_t& id) {
    Syscall_registers r;
    // The System V ABI wants rsp + 8 aligned to 16 at a function's entry, as after a call.
    r.r[0] = reinterpret_cast<uint64_t>(entry);
    r.r[1] = (reinterpret_cast<uint64_t>(stack_top) & ~uint64_t(15)) - 8;
    r.r[2] = priority;
    r.r[3] = argument;
    Status s = sys::thread_create(r);
    id = r.r[0];
    return s;
}

void thread_exit(int code) {
    // Linux exit (60) ends only the calling thread; exit_group would end the task.
    register long rdi asm("rdi") = code;
    asm volatile("syscall" ::"a"(60L), "r"(rdi) : "rcx", "r11", "memory");
    __builtin_unreachable();
}

} // namespace ipclab
