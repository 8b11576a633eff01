// Endpoint queues ordered by priority (kernel/ipc/endpoint.cpp Endpoint::enqueue): the
// highest priority first, FIFO within a priority, for senders and receivers alike.
#include <gtest/gtest.h>

#include <arch/clock.hpp>

#include <string>
#include <vector>

#include "support/kernel_test.hpp"
#include "task/scheduler.hpp"
#include "task/timeouts.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;

using ipclab::Message_tag;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

class Endpoint_priority_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    std::vector<std::string> log;

    /// Queues a sender at `priority` whose badge is `tag` (one at a time: each blocks
    /// before the next is created, so arrival order is creation order).
    void queue_sender(uint64_t tag, uint8_t priority) {
        spawn(("sender" + std::to_string(tag)).c_str(), [this, tag](Thread& self) {
            test::load_message(self, Message_tag(0, 0), {});
            EXPECT_EQ(ep.send(self, tag, false, inf), Status::ok);
        }, priority);
        run_until_idle();
    }
    /// Queues a receiver at `priority` that logs "name:MR0", with `timeout`.
    Thread& queue_receiver(const std::string& name, uint8_t priority, uint64_t timeout = inf) {
        Thread& t = spawn(name.c_str(), [this, name, timeout](Thread& self) {
            const Status s = ep.receive(self, timeout);
            log.push_back(name + ":" + (s == Status::ok ? std::to_string(test::received_mr(self, 0)) : ipclab::status_name(s)));
        }, priority);
        run_until_idle();
        return t;
    }
};

TEST_F(Endpoint_priority_test, senders_are_received_highest_priority_first_and_fifo_within) {
    queue_sender(1, 10);
    queue_sender(2, 200);
    queue_sender(3, 10);
    queue_sender(4, 50);
    queue_sender(5, 200);
    queue_sender(6, 0);
    queue_sender(7, 255);
    EXPECT_TRUE(ep.has_waiting_senders());
    std::vector<uint64_t> badges;
    spawn("receiver", [&](Thread& self) {
        for (int i = 0; i < 7; ++i) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            badges.push_back(self.frame().arg(0));
        }
    }, 1);
    run_until_idle();
    EXPECT_EQ(badges, (std::vector<uint64_t>{7, 2, 5, 4, 1, 3, 6}));
    EXPECT_FALSE(ep.has_waiting_senders());
}

TEST_F(Endpoint_priority_test, receivers_get_messages_highest_priority_first_and_fifo_within) {
    queue_receiver("a10", 10);
    queue_receiver("b200", 200);
    queue_receiver("c10", 10);
    queue_receiver("d200", 200);
    queue_receiver("e50", 50);
    EXPECT_TRUE(ep.has_waiting_receivers());
    spawn("sender", [&](Thread& self) {
        for (uint64_t m = 1; m <= 5; ++m) {
            test::load_message(self, Message_tag(0, 1), {m});
            EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
        }
    }, 255);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"b200:1", "d200:2", "e50:3", "a10:4", "c10:5"}));
}

TEST_F(Endpoint_priority_test, a_receiver_that_times_out_leaves_the_order_of_the_rest) {
    test::advance_clock(1000);
    kernel::timeouts().start();
    const uint64_t t0 = arch::now();
    queue_receiver("first", 100);
    queue_receiver("impatient", 100, 500);
    queue_receiver("last", 100);
    arch::host::set_now(t0 + 500);
    test::timer_interrupt();
    run_until_idle();
    spawn("sender", [&](Thread& self) {
        for (uint64_t m = 1; m <= 2; ++m) {
            test::load_message(self, Message_tag(0, 1), {m});
            EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
        }
    }, 100);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"impatient:timed_out", "first:1", "last:2"}));
}

TEST_F(Endpoint_priority_test, a_late_high_priority_caller_is_served_before_earlier_low_ones) {
    // The server takes queued calls one by one; a caller at 150 that arrives last is
    // served right after the one already in service.
    std::vector<uint64_t> served;
    for (uint64_t i = 1; i <= 3; ++i) {
        spawn(("client" + std::to_string(i)).c_str(), [this, i](Thread& self) {
            test::load_message(self, Message_tag(0, 0), {});
            EXPECT_EQ(ep.send(self, i, true, inf), Status::ok);
        }, i == 3 ? 150 : 20);
        run_until_idle();
    }
    spawn("server", [&](Thread& self) {
        for (int k = 0; k < 3; ++k) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            served.push_back(self.frame().arg(0));
            test::load_message(self, Message_tag(0, 0), {});
            EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
        }
    }, 10);
    run_until_idle();
    EXPECT_EQ(served, (std::vector<uint64_t>{3, 1, 2}));
}

} // namespace
