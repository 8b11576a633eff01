// Host stand-in for arch/context.hpp: the real User_frame, and a Thread_context that is a
// host coroutine (ucontext), so the real scheduler's switches run threads whose "user code"
// is a test function calling kernel operations directly.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <functional>

#include <arch/user_frame.hpp> // the real x86-64 layout (kernel/arch/x86_64/include)

namespace arch {

struct Host_coroutine; // context.cpp: saved registers and the host stack

/// Architecture part of a thread. As on x86-64 the User_frame sits at the top of the
/// thread's kernel stack; the code runs on a separate host stack that the coroutine owns,
/// large enough for gtest assertions.
struct Thread_context {
    uint64_t kernel_stack_top = 0;
    uint64_t fs_base = 0; ///< kept, as on x86-64, though host code never uses it
    uint64_t gs_base = 0; ///< likewise (the thread's UTCB on x86-64)
    /// What the thread runs instead of user code (set by the test after Thread::create).
    /// It must not return: it ends its task, as a user program's exit does.
    std::function<void()> host_body;
    Host_coroutine* host_coroutine = nullptr; ///< owned; made by init() or a first switch away

    Thread_context() = default;
    Thread_context(const Thread_context&) = delete;
    Thread_context& operator=(const Thread_context&) = delete;
    ~Thread_context();

    User_frame& frame() const {
        return *reinterpret_cast<User_frame*>(kernel_stack_top - sizeof(User_frame));
    }
    /// Prepares a new thread; it starts in host_body when first switched to.
    void init(uint64_t stack_top, uint64_t entry, uint64_t user_rsp);
    /// Prepares a kernel-mode context (the idle loop) that starts in `entry`.
    void init_kernel(uint64_t stack_top, void (*entry)());
};

/// Sets the running thread's FS base (host: only the field).
inline void set_thread_pointer(Thread_context& running, uint64_t fs_base) { running.fs_base = fs_base; }

/// Page-table root of the kernel-only address space.
uint64_t kernel_space_root();

/// Saves the running context in `from` and resumes `to` (starting it if new); activates
/// `to_page_table_root`. Returns when `from` is resumed. A context never initialised can be
/// switched from (the test's own context plays the idle loop) but not to.
void switch_context(Thread_context& from, Thread_context& to, uint64_t to_page_table_root);

namespace host {
/// How many switches the IPC fast path made: the tests see which path a call took.
inline uint64_t fast_switches = 0;
} // namespace host

/// The IPC fast path's switch. On the host a thread is a coroutine either way: the thread
/// switched to resumes where it blocked, and returns the results its frame holds.
inline void fast_switch(Thread_context& from, Thread_context& to, uint64_t to_page_table_root) {
    ++host::fast_switches;
    switch_context(from, to, to_page_table_root);
}

/// Starts running `to`; the caller's context is abandoned.
[[noreturn]] void start_first(Thread_context& to, uint64_t page_table_root);

} // namespace arch
