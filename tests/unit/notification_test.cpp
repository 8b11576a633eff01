// Notifications (kernel/ipc/notification.cpp) and their system calls
// (kernel/syscall/notification.cpp): signal ORs the badge into the word, the first waiter
// gets the word and it is cleared, wait returns a pending word at once, poll never blocks.
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

using ipclab::Syscall;
using kernel::Notification;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

// Capability slots of the tasks in the system-call tests.
constexpr uint64_t n_send = 2, n_recv = 3, n_none = 4, an_endpoint = 5, empty = 9;

class Notification_test : public test::Kernel_test {
protected:
    Notification& n = make_notification();
    std::vector<std::string> log;

    Notification& make_notification() {
        Notification* made = Notification::create(kernel::kernel_account());
        if (!made) ADD_FAILURE() << "Notification::create failed";
        hold(*made);
        return *made;
    }
    /// A thread that waits on `n` (kernel call) and logs "name:word".
    Thread& waiter(const std::string& name, uint8_t priority = kernel::Thread::default_priority) {
        return spawn(name.c_str(), [this, name](Thread& self) {
            ASSERT_EQ(n.wait(self, 0, false), Status::ok);
            log.push_back(name + ":" + std::to_string(self.frame().arg(0)));
        }, priority);
    }
    /// A task whose capabilities to `n` signal with `badge`, with its thread running `body`.
    Thread& task(const char* name, uint64_t badge, test::Body body, uint8_t priority = kernel::Thread::default_priority) {
        kernel::Task& t = make_task(name);
        EXPECT_EQ(t.caps().insert(n_send, n, ipclab::right_send, badge), Status::ok);
        EXPECT_EQ(t.caps().insert(n_recv, n, ipclab::right_receive, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(n_none, n, 0, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(an_endpoint, make_endpoint(), ipclab::rights_all, 0), Status::ok);
        return spawn(t, std::move(body), priority);
    }
};

TEST_F(Notification_test, signals_accumulate_until_polled) {
    n.signal(1);
    n.signal(4);
    n.signal(1);
    EXPECT_EQ(n.word(), 5u);
    std::vector<uint64_t> polled;
    spawn("poller", [&](Thread& self) {
        self.frame().set_result(0, 0xdead);
        n.poll(self);
        polled.push_back(self.frame().arg(0));
        n.poll(self);
        polled.push_back(self.frame().arg(0));
    });
    run_until_idle();
    EXPECT_EQ(polled, (std::vector<uint64_t>{5, 0}));
    EXPECT_EQ(n.word(), 0u);
}

TEST_F(Notification_test, wait_returns_a_pending_word_without_blocking) {
    n.signal(0x40);
    spawn("waiter", [&](Thread& self) {
        const uint64_t switches = kernel::scheduler().switches();
        EXPECT_EQ(n.wait(self, 0, false), Status::ok);
        EXPECT_EQ(kernel::scheduler().switches(), switches);
        EXPECT_EQ(self.frame().arg(0), 0x40u);
        EXPECT_EQ(n.word(), 0u);
        EXPECT_EQ(n.wait(self, 0, true), Status::would_block) << "cleared: a poll-only wait fails";
        log.push_back("done");
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"done"});
}

TEST_F(Notification_test, a_signal_wakes_the_first_waiter_with_the_word_and_clears_it) {
    Thread& first = waiter("first");
    Thread& second = waiter("second");
    run_until_idle();
    EXPECT_EQ(first.state(), Thread_state::blocked_notification);
    n.signal(2);
    EXPECT_EQ(n.word(), 0u) << "the word went to the waiter";
    EXPECT_EQ(first.state(), Thread_state::ready);
    EXPECT_EQ(second.state(), Thread_state::blocked_notification);
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"first:2"});
    n.signal(8);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"first:2", "second:8"}));
}

TEST_F(Notification_test, waiters_are_served_in_arrival_order_whatever_their_priority) {
    waiter("low", 10);
    run_until_idle();
    waiter("high", 200);
    run_until_idle();
    n.signal(1);
    n.signal(2);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"high:2", "low:1"})) << "low was woken first, high runs first";
}

// A signal through an unbadged capability still signals, as in seL4: it wakes a waiter
// (with a zero word) or leaves the notification signalled for the next wait.
TEST_F(Notification_test, a_signal_without_bits_still_signals) {
    Thread& w = waiter("w");
    run_until_idle();
    n.signal(0);
    EXPECT_EQ(w.state(), Thread_state::ready);
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"w:0"});
    n.signal(0);
    waiter("later");
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"w:0", "later:0"})) << "the earlier signal was kept";
}

TEST_F(Notification_test, a_wait_or_a_poll_consumes_a_signal_without_bits) {
    n.signal(0);
    EXPECT_EQ(n.word(), 0u);
    spawn("waiter", [&](Thread& self) {
        const uint64_t switches = kernel::scheduler().switches();
        self.frame().set_result(0, 0xdead);
        EXPECT_EQ(n.wait(self, 0, true), Status::ok) << "signalled, though no bit is set";
        EXPECT_EQ(self.frame().arg(0), 0u);
        EXPECT_EQ(kernel::scheduler().switches(), switches) << "without blocking";
        EXPECT_EQ(n.wait(self, 0, true), Status::would_block) << "the wait consumed the signal";
        n.signal(0);
        n.poll(self);
        EXPECT_EQ(n.wait(self, 0, true), Status::would_block) << "so does a poll";
        log.push_back("done");
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"done"});
}

TEST_F(Notification_test, the_last_capability_going_fails_the_waiters) {
    Notification* own = Notification::create(kernel::kernel_account());
    ASSERT_NE(own, nullptr);
    own->acquire(); // its one capability
    Status first = Status::ok, second = Status::ok;
    spawn("first", [&](Thread& self) { first = own->wait(self, 0, false); });
    spawn("second", [&](Thread& self) { second = own->wait(self, 0, false); });
    run_until_idle();
    own->release(); // as seL4's cancelAllSignals
    run_until_idle();
    EXPECT_EQ(first, Status::invalid_capability);
    EXPECT_EQ(second, Status::invalid_capability);
}

TEST_F(Notification_test, a_dying_waiter_leaves_the_queue) {
    Thread& doomed = waiter("doomed");
    waiter("survivor");
    run_until_idle();
    kill(doomed.task());
    n.signal(3);
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"survivor:3"});
    kernel::Thread& last = waiter("last");
    run_until_idle();
    kill(last.task());
    n.signal(5);
    EXPECT_EQ(n.word(), 5u) << "nobody waits: the bits stay";
}

TEST_F(Notification_test, system_calls_check_the_capability_first) {
    bool done = false;
    n.signal(0x10);
    task("t", 1, [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_recv}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_none}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::notify_wait, {n_send}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::notify_poll, {n_send}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {an_endpoint}), Status::wrong_object_type);
        EXPECT_EQ(test::syscall(self, Syscall::notify_wait, {an_endpoint}), Status::wrong_object_type);
        EXPECT_EQ(test::syscall(self, Syscall::notify_poll, {an_endpoint}), Status::wrong_object_type);
        EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {empty}), Status::invalid_capability);
        EXPECT_EQ(test::syscall(self, Syscall::notify_wait, {0}), Status::invalid_capability);
        EXPECT_EQ(test::syscall(self, Syscall::notify_poll, {ipclab::cap_slots}), Status::invalid_capability);
        EXPECT_EQ(n.word(), 0x10u) << "nothing was signalled or taken";
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Notification_test, system_calls_signal_with_the_badge_and_return_the_word) {
    std::vector<uint64_t> words;
    std::vector<Status> statuses;
    task("signaller1", 0x1, [&](Thread& self) { EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_send}), Status::ok); });
    task("signaller2", 0x6, [&](Thread& self) { EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_send}), Status::ok); });
    run_until_idle();
    EXPECT_EQ(n.word(), 0x7u);
    task("receiver", 0, [&](Thread& self) {
        statuses.push_back(test::syscall(self, Syscall::notify_poll, {n_recv}));
        words.push_back(self.frame().arg(0));
        statuses.push_back(test::syscall(self, Syscall::notify_poll, {n_recv}));
        words.push_back(self.frame().arg(0));
        statuses.push_back(test::syscall(self, Syscall::notify_wait, {n_recv}, ipclab::timeout_zero));
        statuses.push_back(test::syscall(self, Syscall::notify_wait, {n_recv}, inf));
        words.push_back(self.frame().arg(0));
    });
    run_until_idle();
    task("signaller3", 0x80, [&](Thread& self) { EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_send}), Status::ok); });
    run_until_idle();
    EXPECT_EQ(statuses, (std::vector<Status>{Status::ok, Status::ok, Status::would_block, Status::ok}));
    EXPECT_EQ(words, (std::vector<uint64_t>{0x7, 0, 0x80}));
    EXPECT_EQ(n.word(), 0u);
}

TEST_F(Notification_test, a_signal_to_a_higher_waiter_preempts_the_signaller) {
    task("high", 0, [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::notify_wait, {n_recv}), Status::ok);
        log.push_back("high:" + std::to_string(self.frame().arg(0)));
    }, 200);
    run_until_idle();
    task("low", 0x5, [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::notify_signal, {n_send}), Status::ok);
        log.push_back("low after signal");
    }, 20);
    run_until_idle();
    EXPECT_EQ(log, (std::vector<std::string>{"high:5", "low after signal"}));
}

TEST_F(Notification_test, a_finite_wait_system_call_times_out) {
    test::advance_clock(1000);
    kernel::timeouts().start();
    const uint64_t t0 = arch::now();
    Status s = Status::ok;
    task("waiter", 0, [&](Thread& self) { s = test::syscall(self, Syscall::notify_wait, {n_recv}, 5000); });
    run_until_idle();
    EXPECT_TRUE(kernel::timeouts().pending());
    arch::host::set_now(t0 + 5000);
    test::timer_interrupt();
    run_until_idle();
    EXPECT_EQ(s, Status::timed_out);
}

} // namespace
