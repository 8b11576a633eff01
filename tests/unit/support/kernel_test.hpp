// Fixture for tests that run kernel threads. The test plays the boot code and the idle loop:
// it creates tasks, gives each a thread whose "user code" is a test function calling kernel
// operations directly (as the system-call layer would), and drives the real scheduler like
// timer ticks from the idle loop. Every test must give back all the kernel memory it took.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include <arch/platform.hpp>

#include "abi/message.hpp"
#include "abi/syscall.hpp"
#include "abi/timeout.hpp"
#include "ipc/endpoint.hpp"
#include "lib/print.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "support/printers.hpp"
#include "task/task.hpp"

namespace test {

/// A thread's code; `self` is the running thread. When it returns, the thread's task ends
/// with status 0, as when a user program returns from main.
using Body = std::function<void(kernel::Thread& self)>;

class Kernel_test : public ::testing::Test {
protected:
    /// Notes the kernel memory in use: a derived fixture's members are created after it.
    Kernel_test();
    /// A task that never ends: without it, ending the last task of a test would end the
    /// run (task/run.cpp), which on the host ends the process. Tests of whole runs end it.
    static kernel::Task& keeper();
    /// Ends the tasks still alive, drops held objects, and checks that kernel-object memory
    /// and the kernel account are back where the constructor found them and that no
    /// timeout is left armed.
    void TearDown() override;

    /// A new task; give it a thread with spawn(): the kernel frees a task with its last
    /// thread, so a task that never had one would outlive the test.
    kernel::Task& make_task(const char* name);
    /// A new thread of `task` running `body`, ready to run, at `priority` (0..255).
    kernel::Thread& spawn(kernel::Task& task, Body body, uint8_t priority = kernel::Thread::default_priority);
    /// A new task named `name` with one thread running `body` at `priority`.
    kernel::Thread& spawn(const char* name, Body body, uint8_t priority = kernel::Thread::default_priority);
    /// Ends `task` from outside, as a fault in one of its threads would.
    void kill(kernel::Task& task);
    /// Stops tracking a task that kernel code ended (its memory goes with its last thread).
    void forget(kernel::Task& task);
    /// Runs ready threads until none is ready (all blocked or gone): the CPU went idle.
    void run_until_idle();
    /// Blocks `self` for good (a receive nobody answers), so its task stays alive for the
    /// test to inspect; TearDown ends it.
    void park(kernel::Thread& self);

    /// A new endpoint, charged to the kernel account and held until TearDown.
    kernel::Endpoint& make_endpoint();
    /// A new communicator of `size` ranks (members unset), held until TearDown.
    kernel::Communicator& make_communicator(uint32_t size);
    /// Keeps one reference to `object` until TearDown.
    void hold(kernel::Kobject& object);
    /// Maps `bytes` of zeroed memory at `va` into `task` (user read, and write if `writable`).
    void map(kernel::Task& task, uint64_t va, uint64_t bytes, bool writable = true);
    /// What the kernel printed since the test began or the last call.
    std::string take_console();

private:
    std::vector<kernel::Task*> m_tasks; ///< created by the test and not yet ended
    std::vector<kernel::Kobject*> m_held;
    kernel::Endpoint* m_park = nullptr;
    uint64_t m_kmem_before = 0;
    uint64_t m_kernel_account_before = 0;
};

/// Loads a native message as the system-call stub leaves it: tag in a1, MR0..MR3 in
/// a2..a5, MR4.. in the UTCB.
void load_message(kernel::Thread& t, ipclab::Message_tag tag, std::initializer_list<uint64_t> mrs);
/// Message register `i` as `t` received it (a2..a5 for MR0..MR3, the UTCB beyond).
uint64_t received_mr(kernel::Thread& t, unsigned i);

/// Makes native system call `number` from the running thread `self` as the entry stub
/// (entry.S) does: rax = number, a0.. from `args`, a6 (r12) = `timeout`; ipc_call,
/// ipc_call_tid, ipc_reply_recv, comm_send and comm_recv try the fast path first,
/// everything else (and what the fast path refuses) goes to syscall_dispatch. Returns the
/// status left in rax; results are in self.frame().arg(0..5).
ipclab::Status syscall(kernel::Thread& self, ipclab::Syscall number, std::initializer_list<uint64_t> args,
                       uint64_t timeout = ipclab::timeout_infinite);

/// Moves the virtual clock (arch::now()) forward by `ns` nanoseconds; it never goes back,
/// so the timeout queue and the tick of every test see one monotonic clock.
void advance_clock(uint64_t ns);
/// The timer interrupt as the architecture layer delivers it (task/traps.cpp): expires due
/// timeouts, delivers due ticks, preempts. Call it from the test (idle) or from a thread.
void timer_interrupt();

} // namespace test
