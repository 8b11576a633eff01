// Fixed-priority scheduling (kernel/task/scheduler.cpp): 256 levels found through the bitmap,
// FIFO within a level, preemption at preempt_if_needed(), and the direct switch of IPC that
// a ready thread of higher priority than the target refuses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/kernel_test.hpp"
#include "task/scheduler.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;

using ipclab::Message_tag;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

kernel::Scheduler& sched() { return kernel::scheduler(); }

class Priority_test : public test::Kernel_test {
protected:
    std::vector<std::string> log;
    /// A thread at `priority` that logs `name` and ends.
    Thread& logger(const std::string& name, uint8_t priority) {
        return spawn(name.c_str(), [this, name](Thread&) { log.push_back(name); }, priority);
    }
};

TEST_F(Priority_test, the_highest_level_runs_first_across_every_bitmap_word) {
    // Levels at both ends of each 64-bit word of the bitmap, spawned out of order.
    const std::vector<int> levels = {64, 0, 255, 127, 192, 63, 128, 191, 1};
    std::vector<std::string> seen;
    for (int p : levels) {
        spawn(std::to_string(p).c_str(), [&seen, p](Thread& self) {
            EXPECT_EQ(sched().current(), &self);
            // The level below is the highest once this one emptied.
            seen.push_back(std::to_string(p) + "<" + std::to_string(sched().highest_ready()));
        }, uint8_t(p));
    }
    EXPECT_EQ(sched().highest_ready(), 255);
    EXPECT_TRUE(sched().anyone_ready());
    run_until_idle();
    EXPECT_EQ(seen, (std::vector<std::string>{"255<192", "192<191", "191<128", "128<127", "127<64", "64<63",
                                              "63<1", "1<0", "0<-1"}));
    EXPECT_EQ(sched().highest_ready(), -1);
    EXPECT_FALSE(sched().anyone_ready());
}

TEST_F(Priority_test, threads_of_one_level_run_in_the_order_they_became_ready) {
    logger("low1", 7);
    logger("high1", 200);
    logger("low2", 7);
    logger("high2", 200);
    logger("low3", 7);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"high1", "high2", "low1", "low2", "low3"}));
}

TEST_F(Priority_test, yield_rotates_within_the_level_and_never_down) {
    for (const char* name : {"a", "b"}) {
        spawn(name, [this, name](Thread&) {
            for (int round = 1; round <= 2; ++round) {
                log.push_back(name + std::to_string(round));
                sched().yield();
            }
        }, 150);
    }
    logger("low", 50);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2", "b2", "low"}));
}

TEST_F(Priority_test, yield_keeps_the_cpu_when_only_lower_levels_are_ready) {
    spawn("high", [this](Thread& self) {
        const uint64_t switches = sched().switches();
        for (int i = 0; i < 3; ++i) sched().yield();
        EXPECT_EQ(sched().switches(), switches);
        EXPECT_EQ(sched().current(), &self);
        log.push_back("high");
    }, 150);
    logger("low", 149);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"high", "low"}));
}

TEST_F(Priority_test, a_spent_timeslice_rotates_only_among_equals) {
    const uint64_t preemptions = sched().preemptions();
    spawn("spinner", [this](Thread&) {
        for (int tick = 0; tick < 3 * int(kernel::Scheduler::timeslice_ticks); ++tick) sched().tick();
        log.push_back("spinner");
    }, 150);
    logger("low", 149);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"spinner", "low"}));
    EXPECT_EQ(sched().preemptions(), preemptions) << "no equal-priority thread was ready";
}

TEST_F(Priority_test, a_woken_higher_thread_preempts_at_the_next_check) {
    kernel::Endpoint& ep = make_endpoint();
    const uint64_t preemptions = sched().preemptions();
    Thread& high = spawn("high", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        log.push_back("high");
    }, 200);
    run_until_idle();
    ASSERT_EQ(high.state(), Thread_state::blocked_recv);
    spawn("low", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        ASSERT_EQ(ep.send(self, 0, false, inf), Status::ok);
        // Made ready, but the switch waits for the check on the way back to user mode.
        EXPECT_EQ(high.state(), Thread_state::ready);
        EXPECT_EQ(sched().current(), &self);
        EXPECT_EQ(sched().highest_ready(), 200);
        log.push_back("low sent");
        sched().preempt_if_needed();
        log.push_back("low resumed");
    }, 50);
    logger("low2", 50);
    run_until_idle();
    // The preempted thread goes back to the front of its level, ahead of low2.
    EXPECT_EQ(log, (std::vector<std::string>{"low sent", "high", "low resumed", "low2"}));
    EXPECT_EQ(sched().preemptions(), preemptions + 1);
}

TEST_F(Priority_test, an_equal_or_lower_wakeup_does_not_preempt) {
    kernel::Endpoint& ep = make_endpoint();
    const uint64_t preemptions = sched().preemptions();
    for (uint8_t p : {uint8_t(100), uint8_t(99)}) {
        spawn(("waiter" + std::to_string(p)).c_str(), [&, p](Thread& self) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            log.push_back("waiter" + std::to_string(p));
        }, p);
    }
    run_until_idle();
    spawn("sender", [&](Thread& self) {
        for (int i = 0; i < 2; ++i) {
            test::load_message(self, Message_tag(0, 0), {});
            ASSERT_EQ(ep.send(self, 0, false, inf), Status::ok);
            sched().preempt_if_needed();
            log.push_back("sent");
        }
    }, 100);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"sent", "sent", "waiter100", "waiter99"}));
    EXPECT_EQ(sched().preemptions(), preemptions);
}

TEST_F(Priority_test, the_idle_loop_runs_a_woken_thread_at_the_next_check) {
    kernel::Endpoint& ep = make_endpoint();
    Thread& t = spawn("waiter", [&](Thread& self) {
        EXPECT_EQ(ep.receive(self, inf), Status::timed_out);
        log.push_back("waiter");
    }, 3);
    run_until_idle();
    // A wakeup from outside any thread (an interrupt in the idle loop).
    t.stop_waiting(Status::timed_out);
    EXPECT_TRUE(log.empty());
    sched().preempt_if_needed();
    EXPECT_EQ(log, std::vector<std::string>{"waiter"});
}

TEST_F(Priority_test, may_run_directly_compares_with_the_highest_ready_level) {
    Thread& t10 = logger("t10", 10);
    Thread& t20 = logger("t20", 20);
    Thread& t20b = logger("t20b", 20);
    EXPECT_TRUE(sched().may_run_directly(t20));
    EXPECT_TRUE(sched().may_run_directly(t20b)) << "an equal level does not outrank";
    EXPECT_FALSE(sched().may_run_directly(t10));
    run_until_idle();
    EXPECT_TRUE(sched().may_run_directly(t10)) << "nobody ready";
}

TEST_F(Priority_test, removing_the_last_thread_of_a_level_clears_its_bit) {
    Thread& top = logger("top", 250);
    logger("next", 70);
    EXPECT_EQ(sched().highest_ready(), 250);
    kill(top.task());
    EXPECT_EQ(sched().highest_ready(), 70);
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"next"});
}

/// A call from a client at 200 to a server at 50 while a bystander at `bystander` is ready.
class Direct_switch_test : public Priority_test, public ::testing::WithParamInterface<int> {};

TEST_P(Direct_switch_test, a_ready_thread_above_the_server_refuses_the_direct_switch) {
    const uint8_t bystander = uint8_t(GetParam());
    kernel::Endpoint& ep = make_endpoint();
    Thread& server = spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        log.push_back("server");
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
    }, 50);
    run_until_idle();
    logger("bystander", bystander);
    spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        ASSERT_EQ(ep.send(self, 0, true, inf), Status::ok);
        log.push_back("client");
    }, 200);
    EXPECT_EQ(server.state(), Thread_state::blocked_recv);
    run_until_idle();
    if (bystander > 50)
        EXPECT_EQ(log, (std::vector<std::string>{"bystander", "server", "client"}));
    else // at the server's level or below it waits: the call hands the CPU to the server
        EXPECT_EQ(log, (std::vector<std::string>{"server", "client", "bystander"}));
}

INSTANTIATE_TEST_SUITE_P(bystander_priority, Direct_switch_test, ::testing::Values(51, 50, 49),
                         [](const ::testing::TestParamInfo<int>& info) { return "at_" + std::to_string(info.param); });

/// reply_recv: a server at 90 answers a caller at 60 after waking a bystander at GetParam().
class Reply_switch_test : public Priority_test, public ::testing::WithParamInterface<int> {};

TEST_P(Reply_switch_test, reply_recv_hands_the_cpu_to_the_caller_unless_outranked) {
    const uint8_t bystander = uint8_t(GetParam());
    kernel::Endpoint& ep = make_endpoint();
    kernel::Endpoint& side = make_endpoint();
    spawn("bystander", [&](Thread& self) {
        ASSERT_EQ(side.receive(self, inf), Status::ok);
        log.push_back("bystander");
    }, bystander);
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        Thread* caller = self.reply_to;
        ASSERT_NE(caller, nullptr);
        log.push_back("server");
        test::load_message(self, Message_tag(0, 0), {});
        ASSERT_EQ(side.send(self, 0, false, inf), Status::ok); // wakes the bystander
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
        EXPECT_EQ(caller->state(), Thread_state::ready);
        (void)ep.receive(self, inf, caller); // reply_recv's receive with the direct switch
        log.push_back("server again");
    }, 90);
    run_until_idle();
    spawn("caller", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        ASSERT_EQ(ep.send(self, 0, true, inf), Status::ok);
        log.push_back("caller");
        test::load_message(self, Message_tag(0, 0), {});
        ASSERT_EQ(ep.send(self, 0, false, inf), Status::ok); // lets the server end
    }, 60);
    run_until_idle();
    if (bystander > 60)
        EXPECT_EQ(log, (std::vector<std::string>{"server", "bystander", "caller", "server again"}));
    else
        EXPECT_EQ(log, (std::vector<std::string>{"server", "caller", "server again", "bystander"}));
}

INSTANTIATE_TEST_SUITE_P(bystander_priority, Reply_switch_test, ::testing::Values(61, 60),
                         [](const ::testing::TestParamInfo<int>& info) { return "at_" + std::to_string(info.param); });

} // namespace
