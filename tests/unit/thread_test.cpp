// Threads of a task (kernel/syscall/thread.cpp, Task::exit_thread in task/task.cpp):
// thread_create's checks and the state of the new thread, thread_self, and a task that
// lives until its last thread exits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/kernel_test.hpp"
#include "syscall/syscall.hpp"
#include "task/scheduler.hpp"
#include "task/thread_registry.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

constexpr Syscall linux_exit = Syscall(60); // Linux exit: this thread only
constexpr uint64_t entry = 0x402000, stack = 0x70000000;
constexpr uint64_t ep_slot = 2;

class Thread_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    std::vector<std::string> log;

    /// A task with a send-and-receive capability to `ep` in ep_slot.
    kernel::Task& task(const char* name) {
        kernel::Task& t = make_task(name);
        EXPECT_EQ(t.caps().insert(ep_slot, ep, ipclab::rights_all, 0), Status::ok);
        return t;
    }
    /// Creates a thread through the system call from `self` and gives it `body` (on the host
    /// a thread runs a test function instead of code at its entry). Returns it, or nullptr.
    /// The handler runs as the dispatcher runs it, but the body is given before the check
    /// for preemption that could run the new thread.
    Thread* create(Thread& self, uint64_t priority, uint64_t argument, test::Body body) {
        arch::User_frame& f = self.frame();
        f.rax = uint64_t(Syscall::thread_create);
        f.rdi = entry;
        f.rsi = stack;
        f.rdx = priority;
        f.r10 = argument;
        const Status s = kernel::sys_thread_create(self, f);
        f.set_status(long(s));
        Thread* t = s == Status::ok ? kernel::thread_registry().find(f.arg(0)) : nullptr;
        if (t) {
            t->context().host_body = [t, body = std::move(body)] {
                body(*t);
                (void)test::syscall(*t, linux_exit, {0});
                ADD_FAILURE() << "an exited thread ran on";
            };
        }
        kernel::scheduler().preempt_if_needed();
        return t;
    }
};

TEST_F(Thread_test, thread_self_reports_id_and_priority) {
    uint64_t id = 0, priority = 0;
    Thread& t = spawn(task("t"), [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::thread_self, {}), Status::ok);
        id = self.frame().arg(0);
        priority = self.frame().arg(1);
    }, 42);
    const uint32_t expected = t.id();
    run_until_idle();
    EXPECT_EQ(id, expected);
    EXPECT_EQ(priority, 42u);
}

TEST_F(Thread_test, thread_create_checks_addresses_and_priority_before_creating) {
    bool done = false;
    kernel::Task& t = task("t");
    t.max_priority = 120;
    spawn(t, [&](Thread& self) {
        const uint32_t threads = kernel::thread_registry().size();
        const auto create_with = [&](uint64_t at, uint64_t sp, uint64_t priority) {
            return test::syscall(self, Syscall::thread_create, {at, sp, priority, 0});
        };
        EXPECT_EQ(create_with(0, stack, 1), Status::invalid_pointer);
        EXPECT_EQ(create_with(arch::user_end, stack, 1), Status::invalid_pointer);
        EXPECT_EQ(create_with(0xffffffff80000000, stack, 1), Status::invalid_pointer);
        EXPECT_EQ(create_with(entry, 0, 1), Status::invalid_pointer);
        EXPECT_EQ(create_with(entry, arch::user_end + 8, 1), Status::invalid_pointer);
        EXPECT_EQ(create_with(entry, stack, 121), Status::insufficient_rights) << "above the task's maximum";
        EXPECT_EQ(create_with(entry, stack, 256 + 1), Status::insufficient_rights) << "not truncated to a byte";
        EXPECT_EQ(kernel::thread_registry().size(), threads) << "nothing was created";
        EXPECT_FALSE(kernel::scheduler().anyone_ready());
        done = true;
    }, 100);
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Thread_test, a_new_thread_shares_the_task_and_starts_with_its_argument) {
    Thread* child = nullptr;
    uint64_t received = 0;
    spawn(task("parent"), [&](Thread& self) {
        self.context().fs_base = 0x7f0000001000;
        child = create(self, 60, 0xa5a5, [&](Thread& me) {
            log.push_back("child");
            // The task's capabilities are the child's too.
            EXPECT_EQ(test::syscall(me, Syscall::ipc_send, {ep_slot, Message_tag(0, 1).raw(), 77}), Status::ok);
        });
        ASSERT_NE(child, nullptr);
        EXPECT_NE(child, &self);
        EXPECT_EQ(&child->task(), &self.task());
        EXPECT_EQ(child->priority, 60u);
        EXPECT_EQ(child->state(), Thread_state::ready);
        EXPECT_EQ(child->frame().rip, entry);
        EXPECT_EQ(child->frame().rsp, stack);
        EXPECT_EQ(child->frame().arg(0), 0xa5a5u) << "the argument in rdi";
        EXPECT_EQ(child->context().fs_base, 0x7f0000001000u) << "the creator's thread pointer";
        EXPECT_NE(child->utcb_address(), self.utcb_address());
        log.push_back("parent created");
        ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_slot}), Status::ok);
        received = self.frame().arg(2);
        log.push_back("parent received");
    }, 100);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"parent created", "child", "parent received"}));
    EXPECT_EQ(received, 77u);
}

TEST_F(Thread_test, a_thread_created_above_its_creator_runs_first) {
    kernel::Task& t = task("t");
    t.max_priority = 150;
    spawn(t, [&](Thread& self) {
        ASSERT_NE(create(self, 150, 0, [&](Thread&) { log.push_back("child"); }), nullptr);
        log.push_back("creator");
    }, 100);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"child", "creator"}));
}

TEST_F(Thread_test, one_thread_exiting_leaves_the_task_running) {
    kernel::Task& t = task("t");
    uint32_t child_id = 0;
    spawn(t, [&](Thread& self) {
        Thread* child = create(self, 100, 0, [&](Thread&) { log.push_back("child exits"); });
        ASSERT_NE(child, nullptr);
        child_id = child->id();
        kernel::scheduler().yield();
        EXPECT_FALSE(self.task().ended());
        EXPECT_EQ(kernel::thread_registry().find(child_id), nullptr) << "the exited thread's id names nothing";
        EXPECT_EQ(self.task().main_thread(), &self);
        log.push_back("main goes on");
    });
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"child exits", "main goes on"}));
    const std::string out = take_console();
    EXPECT_EQ(out.find("\"task_exit\""), out.rfind("\"task_exit\"")) << "one report, when the task ended";
    EXPECT_NE(out.find("\"task_exit\""), std::string::npos);
}

TEST_F(Thread_test, the_task_ends_with_its_last_thread) {
    kernel::Task& t = task("t");
    const uint32_t task_id = t.id(); // the task is gone at the end
    Thread* child = nullptr;
    Thread& main = spawn(t, [&](Thread& self) {
        child = create(self, 100, 0, [&](Thread& me) {
            ASSERT_EQ(test::syscall(me, Syscall::ipc_recv, {ep_slot}), Status::ok);
            log.push_back("child last");
            forget(me.task()); // the exit below ends and frees the task
            (void)test::syscall(me, linux_exit, {7});
        });
        log.push_back("main exits first");
        (void)test::syscall(self, linux_exit, {0});
        ADD_FAILURE() << "an exited thread ran on";
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"main exits first"});
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->state(), Thread_state::blocked_recv);
    EXPECT_FALSE(t.ended()) << "a thread is left";
    EXPECT_EQ(t.main_thread(), child);
    (void)main;
    const std::string before = take_console();
    EXPECT_EQ(before.find("task_exit"), std::string::npos);
    spawn("waker", [&](Thread& self) {
        ASSERT_EQ(self.task().caps().insert(ep_slot, ep, ipclab::right_send, 0), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_slot, Message_tag(0, 0).raw()}), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"main exits first", "child last"}));
    EXPECT_NE(take_console().find("\"task\":\"t\",\"id\":" + std::to_string(task_id) + ",\"reason\":\"exited\",\"status\":7"),
              std::string::npos);
}

TEST_F(Thread_test, exiting_a_blocked_sibling_takes_it_off_its_queue) {
    kernel::Task& t = task("t");
    Thread* child = nullptr;
    spawn(t, [&](Thread& self) {
        child = create(self, 100, 0, [&](Thread& me) {
            (void)test::syscall(me, Syscall::ipc_recv, {ep_slot});
            ADD_FAILURE() << "woke after it was ended";
        });
        park(self);
    });
    run_until_idle();
    ASSERT_NE(child, nullptr);
    ASSERT_TRUE(ep.has_waiting_receivers());
    const uint32_t id = child->id();
    t.exit_thread(*child, 0);
    kernel::scheduler().reap();
    EXPECT_FALSE(ep.has_waiting_receivers());
    EXPECT_EQ(kernel::thread_registry().find(id), nullptr);
    EXPECT_FALSE(t.ended());
}

} // namespace
