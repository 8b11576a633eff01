// Kernel_test: tasks, coroutine threads and the leak check of every threaded test.
#include "support/kernel_test.hpp"

#include "abi/timeout.hpp"

#include <arch/clock.hpp>
#include <arch/console.hpp>
#include <arch/memory.hpp>

#include <algorithm>

#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"
#include "task/traps.hpp"

// The kernel's entry points from entry.S: syscall/dispatch.cpp and ipc/fastpath.cpp.
extern "C" void syscall_dispatch(arch::User_frame* frame);
extern "C" bool fastpath_call_entry(arch::User_frame* frame);
extern "C" bool fastpath_call_tid_entry(arch::User_frame* frame);
extern "C" bool fastpath_reply_recv_entry(arch::User_frame* frame);
extern "C" bool fastpath_comm_send_entry(arch::User_frame* frame);
extern "C" bool fastpath_comm_recv_entry(arch::User_frame* frame);

namespace test {

using kernel::Status;

kernel::Task& Kernel_test::keeper() {
    static kernel::Task* task = [] {
        Status s;
        return kernel::Task::create("keeper", s);
    }();
    if (!task) arch::host::fatal("cannot create the keeper task");
    return *task;
}

Kernel_test::Kernel_test() {
    (void)keeper();
    EXPECT_EQ(kernel::scheduler().current(), nullptr);
    EXPECT_FALSE(kernel::scheduler().anyone_ready());
    arch::host::console_output().clear();
    m_kmem_before = kernel::kmem::bytes_in_use();
    m_kernel_account_before = kernel::kernel_account().kernel_bytes();
}

void Kernel_test::TearDown() {
    EXPECT_EQ(kernel::scheduler().current(), nullptr);
    while (!m_tasks.empty()) {
        kernel::Task* t = m_tasks.back();
        m_tasks.pop_back();
        t->end(kernel::Exit_reason::run_ended, 0);
    }
    kernel::scheduler().reap();
    EXPECT_FALSE(kernel::scheduler().anyone_ready());
    EXPECT_FALSE(kernel::timeouts().pending()) << "a timeout outlived its thread's wait";
    for (kernel::Kobject* o : m_held) o->release();
    m_held.clear();
    EXPECT_EQ(kernel::kmem::bytes_in_use(), m_kmem_before) << "kernel-object memory leaked";
    EXPECT_EQ(kernel::kernel_account().kernel_bytes(), m_kernel_account_before);
}

kernel::Task& Kernel_test::make_task(const char* name) {
    Status s;
    kernel::Task* t = kernel::Task::create(name, s);
    if (!t) arch::host::fatal("Task::create failed");
    m_tasks.push_back(t);
    return *t;
}

kernel::Thread& Kernel_test::spawn(kernel::Task& task, Body body, uint8_t priority) {
    Status s;
    kernel::Thread* t = kernel::Thread::create(task, 0x401000, kernel::Layout::stack_top, priority, s);
    if (!t) arch::host::fatal("Thread::create failed");
    t->context().host_body = [this, t, body = std::move(body)] {
        body(*t);
        forget(t->task());
        t->task().end(kernel::Exit_reason::exited, 0); // does not return
    };
    task.start_thread(*t);
    return *t;
}

kernel::Thread& Kernel_test::spawn(const char* name, Body body, uint8_t priority) {
    return spawn(make_task(name), std::move(body), priority);
}

void Kernel_test::kill(kernel::Task& task) {
    forget(task);
    task.end(kernel::Exit_reason::fault, 128 + 11); // SIGSEGV, as task/traps.cpp reports it
}

void Kernel_test::forget(kernel::Task& task) {
    m_tasks.erase(std::remove(m_tasks.begin(), m_tasks.end(), &task), m_tasks.end());
}

void Kernel_test::run_until_idle() {
    ASSERT_EQ(kernel::scheduler().current(), nullptr) << "only the idle context drives the scheduler";
    while (kernel::scheduler().anyone_ready()) kernel::scheduler().tick();
}

void Kernel_test::park(kernel::Thread& self) {
    if (!m_park) m_park = &make_endpoint();
    (void)m_park->receive(self, ipclab::timeout_infinite);
    ADD_FAILURE() << "a parked thread woke up";
}

kernel::Endpoint& Kernel_test::make_endpoint() {
    kernel::Endpoint* ep = kernel::Endpoint::create(kernel::kernel_account());
    if (!ep) arch::host::fatal("Endpoint::create failed");
    hold(*ep);
    return *ep;
}

kernel::Communicator& Kernel_test::make_communicator(uint32_t size) {
    Status s;
    kernel::Communicator* c = kernel::Communicator::create(size, kernel::kernel_account(), s);
    if (!c) arch::host::fatal("Communicator::create failed");
    hold(*c);
    return *c;
}

void Kernel_test::hold(kernel::Kobject& object) {
    object.acquire();
    m_held.push_back(&object);
}

void Kernel_test::map(kernel::Task& task, uint64_t va, uint64_t bytes, bool writable) {
    ASSERT_EQ(task.space().map_zeroed(va, bytes, {writable, false}), Status::ok);
}

std::string Kernel_test::take_console() {
    std::string out;
    out.swap(arch::host::console_output());
    return out;
}

void load_message(kernel::Thread& t, ipclab::Message_tag tag, std::initializer_list<uint64_t> mrs) {
    t.frame().set_result(1, tag.raw());
    unsigned i = 0;
    for (uint64_t v : mrs) {
        if (i < ipclab::mr_in_registers)
            t.frame().set_result(2 + i, v);
        else
            t.utcb().mr[i] = v;
        ++i;
    }
}

uint64_t received_mr(kernel::Thread& t, unsigned i) {
    return i < ipclab::mr_in_registers ? t.frame().arg(2 + i) : t.utcb().mr[i];
}

ipclab::Status syscall(kernel::Thread& self, ipclab::Syscall number, std::initializer_list<uint64_t> args,
                       uint64_t timeout) {
    arch::User_frame& f = self.frame();
    f.rax = static_cast<uint64_t>(number);
    unsigned i = 0;
    for (uint64_t v : args) f.set_result(i++, v);
    f.r12 = timeout;
    // As entry.S: ipc_call, ipc_call_tid, ipc_reply_recv, comm_send and comm_recv try the
    // fast path first; it returns true once this thread is resumed with its results in the frame.
    const bool fast = (number == ipclab::Syscall::ipc_call && fastpath_call_entry(&f)) ||
                      (number == ipclab::Syscall::ipc_call_tid && fastpath_call_tid_entry(&f)) ||
                      (number == ipclab::Syscall::ipc_reply_recv && fastpath_reply_recv_entry(&f)) ||
                      (number == ipclab::Syscall::comm_send && fastpath_comm_send_entry(&f)) ||
                      (number == ipclab::Syscall::comm_recv && fastpath_comm_recv_entry(&f));
    if (!fast) syscall_dispatch(&f);
    return static_cast<ipclab::Status>(f.rax);
}

void advance_clock(uint64_t ns) { arch::host::set_now(arch::now() + ns); }

void timer_interrupt() { kernel::handle_timer_interrupt(); }

} // namespace test
