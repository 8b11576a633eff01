// Shared by the libFuzzer targets of tests/fuzz: the input read as a stream of operands, the
// invariant checks that abort (libFuzzer keeps the input as a crash), and the kernel state
// every input starts from and must leave as it found it: tasks of one thread each, no
// kernel-object memory leaked. The targets call the real portable core (the unit tests' host
// build, tests/unit/CMakeLists.txt) directly, as the unit tests do; no thread ever runs.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <arch/clock.hpp>
#include <arch/console.hpp>

#include <initializer_list>
#include <vector>

#include "abi/status.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"
#include "task/thread.hpp"

/// Aborts unless `condition` holds, naming it and its line: an invariant the kernel broke
/// (or the target's reference model disagrees with it).
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (__builtin_expect(!(condition), 0)) ::fuzz::violated(#condition, __FILE__, __LINE__);   \
    } while (0)

namespace fuzz {

using ipclab::Status;

[[noreturn]] inline void violated(const char* what, const char* file, int line) {
    fprintf(stderr, "fuzz invariant violated: %s at %s:%d\n", what, file, line);
    abort();
}

/// The input as operands, in order; past its end every read gives 0 (so every input is a
/// complete program and libFuzzer may cut it anywhere).
class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}

    bool more() const { return m_pos < m_size; }
    uint8_t u8() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    uint16_t u16() { return uint16_t(u8() | u8() << 8); }
    uint32_t u32() { return uint32_t(u16()) | uint32_t(u16()) << 16; }
    uint64_t u64() { return uint64_t(u32()) | uint64_t(u32()) << 32; }
    bool flag() { return u8() & 1; }
    /// A value below `n` (1..256).
    uint32_t below(uint32_t n) { return u8() % n; }
    /// An index into something of `n` elements: mostly one in range, sometimes the values
    /// just past it, the wildcard -1 or far beyond (what the kernel must reject).
    uint64_t index(uint64_t n) {
        const uint8_t b = u8();
        if (b < 0xe0) return b % n;
        switch (b & 7) {
        case 0:
            return n;
        case 1:
            return n + 1;
        case 2:
            return ~uint64_t(0); // -1
        case 3:
            return uint64_t(1) << 32; // 0 once truncated to 32 bits
        case 4:
            return uint64_t(int64_t(INT32_MIN));
        case 5:
            return uint64_t(1) << 63;
        case 6:
            return uint64_t(-2);
        default:
            return u64();
        }
    }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

/// The kernel state around one input: a keeper task that never ends (ending a fuzzer's last
/// task would end the run, task/run.cpp, and on the host the process), a clock at 0, and on
/// finish() the check that kernel-object memory and the kernel account are back where they
/// were (objects freed with their last capability, tasks with their last thread).
class Kernel_state {
public:
    Kernel_state() {
        static kernel::Task* keeper = [] {
            Status s;
            return kernel::Task::create("keeper", s);
        }();
        FUZZ_CHECK(keeper != nullptr);
        arch::host::set_now(0);
        m_kmem = kernel::kmem::bytes_in_use();
        m_kernel_account = kernel::kernel_account().kernel_bytes();
    }
    Kernel_state(const Kernel_state&) = delete;
    Kernel_state& operator=(const Kernel_state&) = delete;

    /// Frees the threads of ended tasks and checks that nothing leaked.
    void finish() {
        kernel::scheduler().reap();
        arch::host::console_output().clear(); // the task_exit lines of ended tasks
        FUZZ_CHECK(!kernel::scheduler().anyone_ready());
        FUZZ_CHECK(kernel::kmem::bytes_in_use() == m_kmem);
        FUZZ_CHECK(kernel::kernel_account().kernel_bytes() == m_kernel_account);
    }

private:
    uint64_t m_kmem;
    uint64_t m_kernel_account;
};

/// Tasks of one input with one thread each (made ready, never run). Ending them (end, or
/// the destructor) goes through Task::end as a dying task does.
class Tasks {
public:
    Tasks() = default;
    Tasks(const Tasks&) = delete;
    Tasks& operator=(const Tasks&) = delete;
    ~Tasks() {
        for (unsigned i = 0; i < m_tasks.size(); ++i)
            end(i);
    }

    /// A new task with one thread; its index.
    unsigned add() {
        Status s;
        kernel::Task* task = kernel::Task::create("fuzz", s);
        FUZZ_CHECK(task != nullptr);
        kernel::Thread* thread = kernel::Thread::create(*task, 0x401000, kernel::Layout::stack_top,
                                                        kernel::Thread::default_priority, s);
        FUZZ_CHECK(thread != nullptr);
        task->start_thread(*thread);
        m_tasks.push_back(task);
        m_threads.push_back(thread);
        return unsigned(m_tasks.size() - 1);
    }
    unsigned size() const { return unsigned(m_tasks.size()); }
    bool alive(unsigned i) const { return m_tasks[i] != nullptr; }
    kernel::Task& task(unsigned i) { return *m_tasks[i]; }
    kernel::Thread& thread(unsigned i) { return *m_threads[i]; }
    /// Ends task `i` as a fault would (its memory goes when its thread is reaped).
    void end(unsigned i) {
        if (!m_tasks[i]) return;
        m_tasks[i]->end(kernel::Exit_reason::fault, 128 + 11);
        m_tasks[i] = nullptr;
        m_threads[i] = nullptr;
        kernel::scheduler().reap();
    }

private:
    std::vector<kernel::Task*> m_tasks;
    std::vector<kernel::Thread*> m_threads;
};

/// Calls system-call handler `handler` for `thread` as the dispatcher would: a0.. from
/// `args`, a6 (r12) = `timeout`. Results are in thread.frame().arg(0..5).
inline Status call(Status (*handler)(kernel::Thread&, arch::User_frame&), kernel::Thread& thread,
                   std::initializer_list<uint64_t> args, uint64_t timeout = 0) {
    arch::User_frame& f = thread.frame();
    unsigned i = 0;
    for (uint64_t v : args)
        f.set_result(i++, v);
    for (; i < 6; ++i)
        f.set_result(i, 0);
    f.r12 = timeout;
    return handler(thread, f);
}

/// Whether `s` is one of the statuses of abi/status.def.
inline bool known(Status s) {
    switch (s) {
#define IPCLAB_STATUS(name, value, description) case Status::name:
#include "abi/status.def"
#undef IPCLAB_STATUS
        return true;
    }
    return false;
}

} // namespace fuzz
