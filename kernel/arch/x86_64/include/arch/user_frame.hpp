// The user registers every kernel entry saves (x86-64 layout, fixed by entry.S). Shared with
// the host unit tests, which emulate the same system-call registers.
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

    /// System-call argument i (a0..a6 = rdi, rsi, rdx, r10, r8, r9, r12; abi/syscall.hpp).
    uint64_t arg(unsigned i) const { return *slot(i); }
    /// Sets system-call result i (0..5); results use the argument registers.
    void set_result(unsigned i, uint64_t v) { *slot(i) = v; }
    long number() const { return static_cast<long>(rax); }
    void set_status(long s) { rax = static_cast<uint64_t>(s); }
    bool from_user() const { return (cs & 3) == 3; }
    void set_stack_pointer(uint64_t v) { rsp = v; }

private:
    // Index of a0..a6 (rdi, rsi, rdx, r10, r8, r9, r12) among the words of the frame.
    static constexpr unsigned arg_word[7] = {9, 10, 11, 5, 7, 6, 3};
    uint64_t* slot(unsigned i) const {
        return const_cast<uint64_t*>(reinterpret_cast<const uint64_t*>(this)) + arg_word[i];
    }
};

static_assert(offsetof(User_frame, rdi) == 9 * 8 && offsetof(User_frame, r10) == 5 * 8 &&
              offsetof(User_frame, r8) == 7 * 8 && offsetof(User_frame, r9) == 6 * 8 &&
              offsetof(User_frame, rip) == 17 * 8 && sizeof(User_frame) == 22 * 8,
              "entry.S and User_frame disagree");

} // namespace arch
