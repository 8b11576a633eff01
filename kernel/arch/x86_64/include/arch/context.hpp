// Per-thread CPU state: the user register frame at the top of each kernel stack, the saved
// kernel stack pointer, the FS base (the C library's thread pointer) and the FPU/SSE state.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

/// User registers as the entry stubs in entry.S save them (syscall and interrupt alike) at
/// the top of the thread's kernel stack. Field order is fixed by entry.S.
struct User_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; // the iretq frame

    /// System-call argument i (a0..a5 = rdi, rsi, rdx, r10, r8, r9; abi/syscall.hpp).
    uint64_t arg(unsigned i) const { return *slot(i); }
    /// Sets system-call result i; results use the argument registers.
    void set_result(unsigned i, uint64_t v) { *slot(i) = v; }
    long number() const { return static_cast<long>(rax); }
    void set_status(long s) { rax = static_cast<uint64_t>(s); }
    bool from_user() const { return (cs & 3) == 3; }
    void set_stack_pointer(uint64_t v) { rsp = v; }

private:
    // Index of a0..a5 (rdi, rsi, rdx, r10, r8, r9) among the words of the frame.
    static constexpr unsigned arg_word[6] = {9, 10, 11, 5, 7, 6};
    uint64_t* slot(unsigned i) const {
        return const_cast<uint64_t*>(reinterpret_cast<const uint64_t*>(this)) + arg_word[i];
    }
};

static_assert(offsetof(User_frame, rdi) == 9 * 8 && offsetof(User_frame, r10) == 5 * 8 &&
              offsetof(User_frame, r8) == 7 * 8 && offsetof(User_frame, r9) == 6 * 8 &&
              offsetof(User_frame, rip) == 17 * 8 && sizeof(User_frame) == 22 * 8,
              "entry.S and User_frame disagree");

/// Architecture part of a thread.
struct Thread_context {
    uint64_t kernel_rsp = 0;   ///< saved by switch_context while the thread is not running
    uint64_t kernel_stack_top = 0;
    uint64_t fs_base = 0;
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

/// Starts running `to` on the boot stack, which is abandoned.
[[noreturn]] void start_first(Thread_context& to, uint64_t page_table_root);

} // namespace arch
