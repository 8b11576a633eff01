// The scheduler (kernel/task/scheduler.cpp) and task ends (task/task.cpp, thread.cpp):
// round robin, timeslices, address-space switches, and what ending a task takes with it.
#include <gtest/gtest.h>

#include "abi/timeout.hpp"

#include <string>
#include <vector>

#include "support/kernel_test.hpp"
#include "task/scheduler.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;

using kernel::Status;
using kernel::Thread;

class Scheduler_test : public test::Kernel_test {
protected:
    std::vector<std::string> log;
};

TEST_F(Scheduler_test, threads_start_in_order_and_yield_round_robin) {
    for (const char* name : {"a", "b", "c"}) {
        spawn(name, [this, name](Thread&) {
            for (int round = 1; round <= 2; ++round) {
                log.push_back(name + std::to_string(round));
                kernel::scheduler().yield();
            }
        });
    }
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "c1", "a2", "b2", "c2"}));
}

TEST_F(Scheduler_test, yielding_alone_keeps_the_cpu) {
    spawn("a", [this](Thread& self) {
        const uint64_t switches = kernel::scheduler().switches();
        kernel::scheduler().yield();
        EXPECT_EQ(kernel::scheduler().switches(), switches);
        EXPECT_EQ(kernel::scheduler().current(), &self);
        log.push_back("a");
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"a"});
}

TEST_F(Scheduler_test, the_timer_preempts_a_thread_after_its_timeslice) {
    const uint64_t preemptions = kernel::scheduler().preemptions();
    spawn("spinner", [this](Thread&) {
        for (unsigned tick = 0; tick < 7; ++tick) {
            log.push_back("s" + std::to_string(tick));
            kernel::scheduler().tick(); // the timer interrupt while it runs
        }
    });
    spawn("other", [this](Thread&) { log.push_back("other"); });
    run_until_idle();
    static_assert(kernel::Scheduler::timeslice_ticks == 5);
    EXPECT_EQ(log, (std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "other", "s5", "s6"}));
    EXPECT_EQ(kernel::scheduler().preemptions(), preemptions + 1);
}

TEST_F(Scheduler_test, ticks_without_another_ready_thread_do_not_preempt) {
    const uint64_t preemptions = kernel::scheduler().preemptions();
    spawn("alone", [](Thread&) {
        for (int i = 0; i < 12; ++i) kernel::scheduler().tick();
    });
    run_until_idle();
    EXPECT_EQ(kernel::scheduler().preemptions(), preemptions);
}

TEST_F(Scheduler_test, each_thread_runs_in_its_own_address_space) {
    std::vector<bool> own_space;
    for (const char* name : {"a", "b"}) {
        spawn(name, [&](Thread& self) {
            own_space.push_back(arch::host::active_root() == self.task().space().table().root());
            kernel::scheduler().yield();
            own_space.push_back(arch::host::active_root() == self.task().space().table().root());
        });
    }
    run_until_idle();
    EXPECT_EQ(own_space, (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(arch::host::active_root(), arch::kernel_space_root()) << "idle runs in the kernel's space";
}

TEST_F(Scheduler_test, ending_a_task_takes_all_its_threads) {
    kernel::Endpoint& ep = make_endpoint();
    kernel::Task& task = make_task("two-threads");
    spawn(task, [&](Thread& self) { (void)ep.receive(self, inf); ADD_FAILURE() << "woke after its task ended"; });
    spawn(task, [this](Thread&) { log.push_back("second"); }); // returning ends the task
    spawn("bystander", [this](Thread&) { log.push_back("bystander"); });
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"second", "bystander"}));
    EXPECT_FALSE(ep.has_waiting_receivers());
    const std::string out = take_console();
    EXPECT_NE(out.find("\"task\":\"two-threads\""), std::string::npos);
    EXPECT_EQ(out.find("\"task\":\"two-threads\""), out.rfind("\"task\":\"two-threads\"")) << "one report per task";
}

TEST_F(Scheduler_test, a_task_end_is_reported_as_one_json_line) {
    kernel::Task& task = make_task("victim");
    spawn(task, [this](Thread& self) { park(self); });
    run_until_idle();
    take_console();
    forget(task);
    const uint32_t id = task.id();
    task.end(kernel::Exit_reason::exited, 3);
    const std::string expected = std::string(1, kernel::kernel_record_mark) +
                                 "{\"event\":\"task_exit\",\"task\":\"victim\",\"id\":" + std::to_string(id) +
                                 ",\"reason\":\"exited\",\"status\":3,\"failed\":true,\"peak_bytes\":";
    const std::string out = take_console();
    EXPECT_EQ(out.substr(0, expected.size()), expected);
    EXPECT_EQ(out.back(), '\n');
    EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST_F(Scheduler_test, a_clean_exit_is_not_a_failure) {
    spawn("fine", [](Thread&) {});
    run_until_idle();
    EXPECT_NE(take_console().find("\"reason\":\"exited\",\"status\":0,\"failed\":false"), std::string::npos);
}

/// Whole runs end the process (arch::end_run), so they run in a fresh child process.
class Run_test : public Scheduler_test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(Run_test, threads_blocked_for_good_are_a_deadlock) {
    EXPECT_EXIT(
        {
            kernel::Endpoint& ep = make_endpoint();
            spawn("a", [&](Thread& self) { (void)ep.receive(self, inf); });
            spawn("b", [&](Thread& self) { (void)ep.receive(self, inf); });
            keeper().end(kernel::Exit_reason::exited, 0);
            kernel::scheduler().start();
        },
        ::testing::ExitedWithCode(arch::host::exit_code(ipclab::Run_status::deadlock)),
        "\"event\":\"deadlock\",\"live_tasks\":2.*"
        "\"event\":\"blocked\",\"task\":\"a\",\"daemon\":false,\"state\":\"blocked in receive\".*"
        "\"event\":\"run_end\",\"status\":\"deadlock\"");
}

TEST_F(Run_test, the_root_task_ending_ends_the_run) {
    EXPECT_EXIT(
        {
            kernel::Endpoint& ep = make_endpoint();
            spawn("server", [&](Thread& self) { (void)ep.receive(self, inf); }).task().daemon = true;
            spawn("client", [](Thread&) {}).task().root = true;
            keeper().end(kernel::Exit_reason::exited, 0);
            kernel::scheduler().start();
        },
        ::testing::ExitedWithCode(arch::host::exit_code(ipclab::Run_status::ok)),
        "\"task\":\"server\",[^\n]*\"reason\":\"run_ended\".*\"event\":\"run_end\",\"status\":\"ok\"");
}

TEST_F(Run_test, a_failed_task_fails_the_run) {
    EXPECT_EXIT(
        {
            spawn("bad", [](Thread& self) { self.task().end(kernel::Exit_reason::exited, 1); });
            keeper().end(kernel::Exit_reason::exited, 0);
            kernel::scheduler().start();
        },
        ::testing::ExitedWithCode(arch::host::exit_code(ipclab::Run_status::tasks_failed)),
        "\"event\":\"run_end\",\"status\":\"tasks_failed\",\"tasks\":2,\"failed\":1");
}

} // namespace
