// Timeouts (kernel/task/timeouts.cpp) and the timed waits of endpoints and notifications
// (ipc/endpoint.cpp, ipc/notification.cpp): the deadline queue, the one-shot timer it
// programs, expiry with timed_out, zero timeouts that never block, a call's timeout covering
// the reply, and the scheduler tick the same timer delivers.
#include <gtest/gtest.h>

#include <arch/clock.hpp>

#include <string>
#include <vector>

#include "ipc/notification.hpp"
#include "support/kernel_test.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;
constexpr uint64_t zero = ipclab::timeout_zero;
constexpr uint64_t us = 1000, ms = 1000 * us;

using ipclab::Message_tag;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;
using kernel::Timeouts;

class Timeout_test : public test::Kernel_test {
protected:
    void SetUp() override {
        test::advance_clock(ms); // never at 0, and clear of the previous test's tick
        kernel::timeouts().start();
        t0 = arch::now();
    }
    /// Moves the clock to t0 + `at` and takes the timer interrupt from the idle loop, then
    /// lets whatever it woke run.
    void interrupt_at(uint64_t at) {
        ASSERT_GE(t0 + at, arch::now());
        arch::host::set_now(t0 + at);
        test::timer_interrupt();
        run_until_idle();
    }
    kernel::Notification& make_notification() {
        kernel::Notification* n = kernel::Notification::create(kernel::kernel_account());
        if (!n) ADD_FAILURE() << "Notification::create failed";
        hold(*n);
        return *n;
    }
    /// A receiver on `ep` with `timeout` that logs "name:status".
    Thread& receiver(kernel::Endpoint& ep, const std::string& name, uint64_t timeout) {
        return spawn(name.c_str(), [this, &ep, name, timeout](Thread& self) {
            log.push_back(name + ":" + ipclab::status_name(ep.receive(self, timeout)));
        });
    }

    uint64_t t0 = 0;
    std::vector<std::string> log;
};

TEST_F(Timeout_test, deadlines_are_absolute_and_saturate) {
    const uint64_t now = arch::now();
    EXPECT_EQ(Timeouts::deadline_after(inf), 0u) << "no deadline";
    EXPECT_EQ(Timeouts::deadline_after(zero), now);
    EXPECT_EQ(Timeouts::deadline_after(5), now + 5);
    EXPECT_EQ(Timeouts::deadline_after(inf - 1), ~uint64_t(0)) << "saturates instead of wrapping";
    EXPECT_EQ(Timeouts::deadline_after(~uint64_t(0) - now), ~uint64_t(0));
}

TEST_F(Timeout_test, the_timer_is_armed_for_the_earlier_of_tick_and_first_deadline) {
    EXPECT_EQ(arch::host::armed_deadline(), t0 + ms) << "the next tick";
    kernel::Endpoint& ep = make_endpoint();
    receiver(ep, "late", 5 * ms);
    run_until_idle();
    EXPECT_EQ(arch::host::armed_deadline(), t0 + ms);
    receiver(ep, "early", 300 * us);
    run_until_idle();
    EXPECT_EQ(arch::host::armed_deadline(), t0 + 300 * us);
    EXPECT_TRUE(kernel::timeouts().pending());

    interrupt_at(300 * us);
    EXPECT_EQ(log, std::vector<std::string>{"early:timed_out"});
    EXPECT_EQ(arch::host::armed_deadline(), t0 + ms) << "back to the tick";
    interrupt_at(ms);
    EXPECT_EQ(arch::host::armed_deadline(), t0 + 2 * ms);
    interrupt_at(4 * ms + 500 * us);
    EXPECT_EQ(arch::host::armed_deadline(), t0 + 5 * ms) << "the deadline and the tick coincide";
    interrupt_at(5 * ms);
    EXPECT_EQ(log, (std::vector<std::string>{"early:timed_out", "late:timed_out"}));
    EXPECT_FALSE(kernel::timeouts().pending());
    EXPECT_FALSE(ep.has_waiting_receivers());
}

TEST_F(Timeout_test, a_timeout_expires_at_its_deadline_not_before) {
    kernel::Endpoint& ep = make_endpoint();
    Thread& t = receiver(ep, "r", 1000);
    run_until_idle();
    interrupt_at(999);
    EXPECT_EQ(t.state(), Thread_state::blocked_recv);
    EXPECT_TRUE(log.empty());
    interrupt_at(1000);
    EXPECT_EQ(log, std::vector<std::string>{"r:timed_out"});
}

TEST_F(Timeout_test, expired_waits_end_in_deadline_order_fifo_among_equals) {
    kernel::Endpoint& ep = make_endpoint();
    receiver(ep, "3ms", 3 * ms);
    receiver(ep, "1ms-a", ms);
    receiver(ep, "2ms", 2 * ms);
    receiver(ep, "1ms-b", ms); // the same deadline as 1ms-a: the clock did not move
    run_until_idle();
    interrupt_at(10 * ms); // all at once
    EXPECT_EQ(log, (std::vector<std::string>{"1ms-a:timed_out", "1ms-b:timed_out", "2ms:timed_out", "3ms:timed_out"}));
    EXPECT_FALSE(ep.has_waiting_receivers());
}

TEST_F(Timeout_test, a_message_before_the_deadline_cancels_the_timeout) {
    kernel::Endpoint& ep = make_endpoint();
    receiver(ep, "r", ms);
    run_until_idle();
    arch::host::set_now(t0 + 500 * us);
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"r:ok"});
    EXPECT_FALSE(kernel::timeouts().pending());
    interrupt_at(2 * ms);
    EXPECT_EQ(log, std::vector<std::string>{"r:ok"});
}

TEST_F(Timeout_test, zero_timeouts_fail_with_would_block_instead_of_waiting) {
    kernel::Endpoint& ep = make_endpoint();
    bool done = false;
    spawn("impatient", [&](Thread& self) {
        const uint64_t switches = kernel::scheduler().switches();
        EXPECT_EQ(ep.receive(self, zero), Status::would_block);
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, false, zero), Status::would_block);
        EXPECT_EQ(ep.send(self, 0, true, zero), Status::would_block);
        EXPECT_EQ(self.state(), Thread_state::ready);
        EXPECT_EQ(kernel::scheduler().switches(), switches) << "never blocked";
        EXPECT_FALSE(ep.has_waiting_receivers());
        EXPECT_FALSE(ep.has_waiting_senders());
        EXPECT_FALSE(kernel::timeouts().pending());
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Timeout_test, zero_timeouts_succeed_when_a_partner_waits) {
    kernel::Endpoint& ep = make_endpoint();
    receiver(ep, "r", inf);
    run_until_idle();
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, false, zero), Status::ok);
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok); // queues until "polling" comes
    });
    run_until_idle();
    spawn("polling", [&](Thread& self) { log.push_back(std::string("polling:") + ipclab::status_name(ep.receive(self, zero))); });
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"r:ok", "polling:ok"}));
}

TEST_F(Timeout_test, a_timed_out_sender_leaves_the_queue) {
    kernel::Endpoint& ep = make_endpoint();
    Status sent = Status::ok;
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 1), {7});
        sent = ep.send(self, 0, false, ms);
    });
    run_until_idle();
    EXPECT_TRUE(ep.has_waiting_senders());
    interrupt_at(ms);
    EXPECT_EQ(sent, Status::timed_out);
    EXPECT_FALSE(ep.has_waiting_senders());
    receiver(ep, "late", zero);
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"late:would_block"}) << "the message went with its sender";
}

/// A server that takes one call on `ep` and then waits on `side` without answering, so it
/// holds the caller's reply capability; when `side` delivers, it replies with MR0 = 99.
class Call_timeout_test : public Timeout_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    kernel::Endpoint& side = make_endpoint();
    Status reply_status = Status::invalid_argument;

    Thread& slow_server() {
        return spawn("server", [this](Thread& self) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            log.push_back("server got the call");
            ASSERT_EQ(side.receive(self, inf), Status::ok);
            test::load_message(self, Message_tag(0, 1), {99});
            reply_status = kernel::Endpoint::reply(self);
            park(self);
        });
    }
    Thread& caller(uint64_t timeout) {
        return spawn("caller", [this, timeout](Thread& self) {
            test::load_message(self, Message_tag(0, 0), {});
            const Status s = ep.send(self, 0, true, timeout);
            log.push_back(std::string("caller:") + ipclab::status_name(s));
            if (s == Status::ok) {
                EXPECT_EQ(test::received_mr(self, 0), 99u);
            }
        });
    }
    void release_server() {
        spawn("waker", [this](Thread& self) {
            test::load_message(self, Message_tag(0, 0), {});
            EXPECT_EQ(side.send(self, 0, false, inf), Status::ok);
        });
        run_until_idle();
    }
};

TEST_F(Call_timeout_test, a_finite_timeout_covers_the_wait_for_the_reply) {
    Thread& server = slow_server();
    run_until_idle();
    Thread& client = caller(2 * ms);
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_reply);
    EXPECT_EQ(server.reply_to, &client);
    interrupt_at(2 * ms);
    EXPECT_EQ(log, (std::vector<std::string>{"server got the call", "caller:timed_out"}));
    EXPECT_EQ(server.reply_to, nullptr) << "the reply capability went with the timeout";
    release_server();
    EXPECT_EQ(reply_status, Status::no_reply_capability);
}

TEST_F(Call_timeout_test, a_reply_in_time_disarms_the_call_timeout) {
    slow_server();
    run_until_idle();
    caller(2 * ms);
    run_until_idle();
    arch::host::set_now(t0 + ms);
    release_server();
    EXPECT_EQ(reply_status, Status::ok);
    EXPECT_FALSE(kernel::timeouts().pending());
    interrupt_at(3 * ms);
    EXPECT_EQ(log, (std::vector<std::string>{"server got the call", "caller:ok"}));
}

TEST_F(Call_timeout_test, a_zero_timeout_covers_only_the_send) {
    Thread& server = slow_server();
    run_until_idle();
    Thread& client = caller(zero);
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_reply);
    EXPECT_FALSE(kernel::timeouts().pending());
    interrupt_at(100 * ms);
    EXPECT_EQ(client.state(), Thread_state::blocked_reply) << "a zero timeout does not end the reply wait";
    EXPECT_EQ(server.reply_to, &client);
    release_server();
    EXPECT_EQ(reply_status, Status::ok);
    EXPECT_EQ(log, (std::vector<std::string>{"server got the call", "caller:ok"}));
}

TEST_F(Call_timeout_test, a_queued_call_keeps_its_timeout_for_the_reply) {
    Thread& client = caller(2 * ms);
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    arch::host::set_now(t0 + ms);
    Thread& server = slow_server(); // receives the queued call at 1 ms
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_reply);
    EXPECT_TRUE(kernel::timeouts().pending());
    interrupt_at(2 * ms);
    EXPECT_EQ(log, (std::vector<std::string>{"server got the call", "caller:timed_out"}));
    EXPECT_EQ(server.reply_to, nullptr);
    release_server();
    EXPECT_EQ(reply_status, Status::no_reply_capability);
}

TEST_F(Call_timeout_test, a_queued_call_times_out_before_a_server_comes) {
    caller(ms);
    run_until_idle();
    interrupt_at(ms);
    EXPECT_EQ(log, std::vector<std::string>{"caller:timed_out"});
    EXPECT_FALSE(ep.has_waiting_senders());
}

TEST_F(Timeout_test, a_notification_wait_times_out) {
    kernel::Notification& n = make_notification();
    spawn("waiter", [&](Thread& self) {
        log.push_back(ipclab::status_name(n.wait(self, Timeouts::deadline_after(ms), false)));
    });
    run_until_idle();
    interrupt_at(ms - 1);
    EXPECT_TRUE(log.empty());
    interrupt_at(ms);
    EXPECT_EQ(log, std::vector<std::string>{"timed_out"});
    n.signal(4); // nobody waits now: the bit stays
    EXPECT_EQ(n.word(), 4u);
}

TEST_F(Timeout_test, a_signal_before_the_deadline_cancels_the_notification_timeout) {
    kernel::Notification& n = make_notification();
    uint64_t word = 0;
    spawn("waiter", [&](Thread& self) {
        log.push_back(ipclab::status_name(n.wait(self, Timeouts::deadline_after(ms), false)));
        word = self.frame().arg(0);
    });
    run_until_idle();
    n.signal(0x30);
    EXPECT_FALSE(kernel::timeouts().pending());
    interrupt_at(2 * ms);
    EXPECT_EQ(log, std::vector<std::string>{"ok"});
    EXPECT_EQ(word, 0x30u);
}

TEST_F(Timeout_test, a_dying_thread_takes_its_timeout_along) {
    kernel::Endpoint& ep = make_endpoint();
    Thread& t = receiver(ep, "r", ms);
    run_until_idle();
    EXPECT_TRUE(kernel::timeouts().pending());
    kill(t.task());
    EXPECT_FALSE(kernel::timeouts().pending());
    interrupt_at(2 * ms);
    EXPECT_TRUE(log.empty());
}

TEST_F(Timeout_test, an_expiry_that_wakes_a_higher_thread_preempts_the_running_one) {
    kernel::Endpoint& ep = make_endpoint();
    spawn("high", [&](Thread& self) { log.push_back(std::string("high:") + ipclab::status_name(ep.receive(self, 300 * us))); }, 200);
    run_until_idle();
    spawn("low", [&](Thread&) {
        log.push_back("low before");
        arch::host::set_now(t0 + 300 * us);
        test::timer_interrupt(); // the interrupt arrives while low runs
        log.push_back("low after");
    }, 10);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"low before", "high:timed_out", "low after"}));
}

TEST_F(Timeout_test, the_timer_delivers_the_scheduler_tick) {
    // Interrupts between ticks (a deadline's) do not charge the timeslice; each due tick
    // charges one, and the fifth rotates the level.
    spawn("spinner", [&](Thread&) {
        for (int i = 1; i <= 3; ++i) {
            test::advance_clock(100 * us);
            test::timer_interrupt();
        }
        log.push_back("3 interrupts, no tick");
        for (int tick = 1; tick <= 6; ++tick) {
            arch::host::set_now(t0 + uint64_t(tick) * ms);
            test::timer_interrupt();
            log.push_back("tick " + std::to_string(tick));
        }
    });
    spawn("other", [&](Thread&) { log.push_back("other"); });
    run_until_idle();
    static_assert(kernel::Scheduler::timeslice_ticks == 5);
    EXPECT_EQ(log, (std::vector<std::string>{"3 interrupts, no tick", "tick 1", "tick 2", "tick 3", "tick 4",
                                             "other", "tick 5", "tick 6"}));
}

TEST_F(Timeout_test, a_long_idle_stretch_delivers_one_tick) {
    uint32_t before = 0, after = 0;
    spawn("spinner", [&](Thread& self) {
        before = self.timeslice_left;
        arch::host::set_now(t0 + 10 * ms + 1);
        test::timer_interrupt();
        after = self.timeslice_left;
    });
    run_until_idle();
    EXPECT_EQ(before, kernel::Scheduler::timeslice_ticks);
    EXPECT_EQ(after, before - 1) << "ten missed ticks are charged as one";
    EXPECT_EQ(arch::host::armed_deadline(), t0 + 11 * ms) << "the next tick lies ahead of the clock";
}

} // namespace
