// Thread start-up frames and the context switch (FPU, FS base, address space, kernel stack).
#include <arch/context.hpp>
#include <arch/cpu.hpp>
#include <arch/descriptors.hpp>
#include <arch/page_table.hpp>

#include <string.h>

extern "C" {
void switch_stacks(uint64_t* save_rsp, uint64_t new_rsp);
[[noreturn]] void resume_stack(uint64_t rsp);
void return_from_interrupt();
extern uint64_t syscall_kernel_rsp;
}

namespace arch {

namespace {
alignas(16) uint8_t initial_fpu_state[512];
bool fpu_template_ready;

uint64_t loaded_fs_base; ///< what the FS base MSR holds: threads of one task share it
uint64_t loaded_gs_base; ///< what the GS base MSR holds: each thread's UTCB

} // namespace

void load(Thread_context& to, uint64_t root) {
    if (read_cr3() != root) write_cr3(root);
    syscall_kernel_rsp = to.kernel_stack_top;
    set_kernel_stack(to.kernel_stack_top);
    if (to.fs_base != loaded_fs_base) {
        write_msr(msr_fs_base, to.fs_base);
        loaded_fs_base = to.fs_base;
    }
    if (to.gs_base != loaded_gs_base) {
        write_msr(msr_gs_base, to.gs_base);
        loaded_gs_base = to.gs_base;
    }
}

void Thread_context::init(uint64_t stack_top, uint64_t entry, uint64_t user_rsp) {
    if (!fpu_template_ready) {
        uint32_t mxcsr = 0x1f80; // all SSE exceptions masked, round to nearest
        asm volatile("fninit; ldmxcsr %1; fxsave64 %0" : "=m"(initial_fpu_state) : "m"(mxcsr));
        fpu_template_ready = true;
    }
    memcpy(fpu_state, initial_fpu_state, sizeof fpu_state);
    kernel_stack_top = stack_top;
    fs_base = 0;
    gs_base = 0;
    User_frame& f = frame();
    memset(&f, 0, sizeof f);
    f.rip = entry;
    f.cs = 0x23;
    f.rflags = 0x202; // IF
    f.rsp = user_rsp;
    f.ss = 0x1b;
    // Below the frame: what switch_stacks pops (six callee-saved registers, then the return
    // address), so the first switch to this thread leaves through return_from_interrupt.
    auto* sp = reinterpret_cast<uint64_t*>(&f);
    *--sp = reinterpret_cast<uint64_t>(&return_from_interrupt);
    for (int i = 0; i < 6; ++i) *--sp = 0;
    kernel_rsp = reinterpret_cast<uint64_t>(sp);
}

void Thread_context::init_kernel(uint64_t stack_top, void (*entry)()) {
    memcpy(fpu_state, initial_fpu_state, sizeof fpu_state);
    kernel_stack_top = stack_top;
    fs_base = 0;
    auto* sp = reinterpret_cast<uint64_t*>(stack_top);
    *--sp = 0; // the entry function never returns; keeps the ABI's stack alignment
    *--sp = reinterpret_cast<uint64_t>(entry);
    for (int i = 0; i < 6; ++i) *--sp = 0;
    kernel_rsp = reinterpret_cast<uint64_t>(sp);
}

void set_thread_pointer(Thread_context& running, uint64_t fs_base) {
    running.fs_base = fs_base;
    write_msr(msr_fs_base, fs_base);
    loaded_fs_base = fs_base;
}

void switch_context(Thread_context& from, Thread_context& to, uint64_t root) {
    asm volatile("fxsave64 %0" : "=m"(from.fpu_state));
    load(to, root);
    asm volatile("fxrstor64 %0" ::"m"(to.fpu_state));
    switch_stacks(&from.kernel_rsp, to.kernel_rsp);
}

void start_first(Thread_context& to, uint64_t root) {
    load(to, root);
    asm volatile("fxrstor64 %0" ::"m"(to.fpu_state));
    resume_stack(to.kernel_rsp);
}

} // namespace arch
