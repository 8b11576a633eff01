// Per-thread CPU state: the user register frame at the top of each kernel stack, the saved
// kernel stack pointer, the FS base (the C library's thread pointer) and the FPU/SSE state.
#pragma once

#include <stdint.h>

#include <arch/user_frame.hpp>

namespace arch {

/// Architecture part of a thread.
struct Thread_context {
    uint64_t kernel_rsp = 0;   ///< saved by switch_context while the thread is not running
    uint64_t kernel_stack_top = 0;
    uint64_t fs_base = 0;
    uint64_t gs_base = 0;      ///< the thread's UTCB (user code reads it through %gs)
    alignas(16) uint8_t fpu_state[512]; ///< fxsave image

    User_frame& frame() const {
        return *reinterpret_cast<User_frame*>(kernel_stack_top - sizeof(User_frame));
    }
    /// Prepares a new thread that will enter user mode at `entry` with stack `user_rsp`.
    void init(uint64_t stack_top, uint64_t entry, uint64_t user_rsp);
    /// Prepares a kernel-mode context (the idle loop) that starts in `entry`.
    void init_kernel(uint64_t stack_top, void (*entry)());
};

/// Sets the running thread's FS base (the C library's thread pointer).
void set_thread_pointer(Thread_context& running, uint64_t fs_base);

/// Page-table root of the kernel-only address space (for kernel-mode contexts).
uint64_t kernel_space_root();

/// Saves the running thread's callee-saved state in `from` and resumes `to`: address space,
/// kernel stack, FS base and FPU state. Returns when `from` is resumed.
void switch_context(Thread_context& from, Thread_context& to, uint64_t to_page_table_root);

/// Makes `to` the context the CPU enters the kernel on: address space, kernel stack for
/// system calls and interrupts, FS base.
void load(Thread_context& to, uint64_t page_table_root);

/// The IPC fast path's switch: saves `from` like switch_context (a later switch_context to
/// it returns from this call) and returns to user mode in `to`, a thread blocked in a system
/// call whose frame holds its results. Does not return to the caller until `from` resumes.
inline void fast_switch(Thread_context& from, Thread_context& to, uint64_t to_page_table_root) {
    asm volatile("fxsave64 %0" : "=m"(from.fpu_state));
    load(to, to_page_table_root);
    asm volatile("fxrstor64 %0" ::"m"(to.fpu_state));
    extern void fast_switch_stacks(uint64_t * save_rsp, User_frame * to) asm("fast_switch_stacks");
    fast_switch_stacks(&from.kernel_rsp, &to.frame());
}

/// Starts running `to` on the boot stack, which is abandoned.
[[noreturn]] void start_first(Thread_context& to, uint64_t page_table_root);

} // namespace arch
