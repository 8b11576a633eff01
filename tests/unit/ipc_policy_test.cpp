// The policies that govern native IPC by thread id (kernel/syscall/ipc_tid.cpp,
// kernel/policy/clans_chiefs.cpp, ref_monitor.cpp; seeds/004): clans & chiefs redirect
// messages between clans through the chiefs, who forward them "deceiving"; a reference
// monitor hears an exception on a task's first send to a new partner and its answer is
// kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "abi/utcb.hpp"
#include "policy/policy.hpp"
#include "support/kernel_test.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;

constexpr uint64_t inbox_slot = 2;
constexpr uint64_t label = 7;

class Ipc_policy_test : public test::Kernel_test {
protected:
    void TearDown() override {
        Kernel_test::TearDown();
        (void)kernel::select_policy("capability");
    }
    void use_policy(const char* name) { ASSERT_TRUE(kernel::select_policy(name)) << name; }

    /// A task whose first thread binds an inbox of its own, then runs `body`.
    Thread& party(const char* name, test::Body body) {
        kernel::Endpoint& ep = make_endpoint();
        kernel::Task& t = make_task(name);
        EXPECT_EQ(t.caps().insert(inbox_slot, ep, ipclab::right_receive, 0), Status::ok);
        return spawn(t, [body](Thread& self) {
            ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {inbox_slot}), Status::ok);
            body(self);
        });
    }
    /// Receives one message on the inbox: "badge/intended receiver or -/MR0".
    static std::string receive(Thread& self) {
        if (test::syscall(self, Syscall::ipc_recv, {inbox_slot}) != Status::ok) return "recv failed";
        const Message_tag tag(self.frame().arg(1));
        return std::to_string(self.frame().arg(0)) + "/" +
               (tag.redirected() ? std::to_string(self.utcb().intended_receiver) : std::string("-")) + "/" +
               std::to_string(self.frame().arg(2));
    }
    static Status reply(Thread& self, uint64_t mr0) {
        return test::syscall(self, Syscall::ipc_reply, {0, Message_tag(0, 1).raw(), mr0});
    }
    /// A chief: receives `count` redirected calls and forwards each, deceiving, to the
    /// intended receiver, then replies with what came back.
    Thread& chief(const char* name, int count, std::vector<std::string>& seen) {
        return party(name, [count, &seen](Thread& self) {
            for (int i = 0; i < count; ++i) {
                seen.push_back(receive(self));
                const uint64_t sender = self.frame().arg(0), mr0 = self.frame().arg(2);
                Thread* const caller = self.reply_to;
                self.utcb().virtual_sender = sender;
                // The reply capability is the caller's; forwarding is a call of our own.
                self.reply_to = nullptr;
                const Status s = test::syscall(self, Syscall::ipc_call_tid_as,
                                               {self.utcb().intended_receiver, Message_tag(label, 1).raw(), mr0});
                const uint64_t answer = self.frame().arg(2);
                self.reply_to = caller;
                EXPECT_EQ(reply(self, s == Status::ok ? answer : 999), Status::ok);
            }
            self.reply_to = nullptr;
            park_forever(self);
        });
    }
    static void park_forever(Thread& self) { (void)test::syscall(self, Syscall::ipc_recv, {inbox_slot}); }
};

// ---- clans & chiefs ----

// Two clans: x (chief cx, member a) and y (chief cy, member b). Inside a clan the call is
// direct; a -> b goes a -> cx -> cy -> b, each hop marked redirected with the intended
// receiver, and b sees a as the sender; the answer travels back the same way.
TEST_F(Ipc_policy_test, a_call_between_clans_goes_through_both_chiefs_and_keeps_its_sender) {
    use_policy("clans-chiefs");
    std::vector<std::string> at_cx, at_cy, at_b;
    Thread& cx = chief("cx", 1, at_cx);
    Thread& cy = chief("cy", 1, at_cy);
    Thread& b = party("b", [&](Thread& self) {
        at_b.push_back(receive(self)); // from a2, inside the clan: direct
        EXPECT_EQ(reply(self, 0), Status::ok);
        at_b.push_back(receive(self)); // from a, through the chiefs
        EXPECT_EQ(reply(self, self.frame().arg(2) + 1), Status::ok);
        park_forever(self);
    });
    Status direct = Status::invalid_argument, across = Status::invalid_argument;
    uint64_t answer = 0;
    Thread& a2 = party("a2", [&](Thread& self) {
        direct = test::syscall(self, Syscall::ipc_call_tid, {b.id(), Message_tag(label, 1).raw(), 5});
        park_forever(self);
    });
    Thread& a = party("a", [&](Thread& self) {
        across = test::syscall(self, Syscall::ipc_call_tid, {b.id(), Message_tag(label, 1).raw(), 41});
        answer = self.frame().arg(2);
        park_forever(self);
    });
    a.task().chief = cx.id();
    b.task().chief = cy.id();
    a2.task().chief = cy.id();
    run_until_idle();
    EXPECT_EQ(direct, Status::ok);
    EXPECT_EQ(across, Status::ok);
    EXPECT_EQ(answer, 42u) << "b's answer came back through both chiefs";
    const std::string a_id = std::to_string(a.id()), b_id = std::to_string(b.id());
    EXPECT_EQ(at_cx, (std::vector<std::string>{a_id + "/" + b_id + "/41"})) << "out of clan x: to its chief";
    EXPECT_EQ(at_cy, (std::vector<std::string>{a_id + "/" + b_id + "/41"})) << "into clan y: to its chief, as a";
    EXPECT_EQ(at_b, (std::vector<std::string>{std::to_string(a2.id()) + "/-/5", a_id + "/-/41"}));
}

// Only a chief may deceive, and only for its clan: a member may not, a chief may not claim
// a thread of another clan towards another clan, and no policy but clans-chiefs allows it.
TEST_F(Ipc_policy_test, only_a_chief_deceives_and_only_for_its_clan) {
    use_policy("clans-chiefs");
    Thread& server = party("server", [](Thread& self) { park_forever(self); });
    Thread& cx = party("cx", [](Thread& self) { park_forever(self); });
    std::vector<Status> got;
    Thread* other_id = nullptr;
    Thread& other = party("other", [](Thread& self) { park_forever(self); });
    other_id = &other;
    Thread& member = party("member", [&](Thread& self) {
        self.utcb().virtual_sender = cx.id();
        got.push_back(test::syscall(self, Syscall::ipc_send_tid_as, {server.id(), Message_tag(label, 0).raw()}));
        park_forever(self);
    });
    Thread& chief = party("chief", [&](Thread& self) {
        self.utcb().virtual_sender = other_id->id(); // not of its clan, towards the top level
        got.push_back(test::syscall(self, Syscall::ipc_send_tid_as, {server.id(), Message_tag(label, 0).raw()}));
        self.utcb().virtual_sender = 0; // no such thread
        got.push_back(test::syscall(self, Syscall::ipc_send_tid_as, {server.id(), Message_tag(label, 0).raw()}));
        park_forever(self);
    });
    member.task().chief = chief.id();
    other.task().chief = cx.id();
    run_until_idle();
    EXPECT_EQ(got, (std::vector<Status>{Status::denied, Status::denied, Status::denied}));
}

TEST_F(Ipc_policy_test, deceiving_is_denied_under_the_other_policies) {
    for (const char* name : {"capability", "none", "ref-monitor"}) {
        use_policy(name);
        Status got = Status::ok;
        Thread& member = party("member", [&](Thread& self) { park_forever(self); });
        Thread& chief = party("chief", [&](Thread& self) {
            self.utcb().virtual_sender = member.id();
            got = test::syscall(self, Syscall::ipc_send_tid_as, {member.id(), Message_tag(label, 0).raw()}, 0);
            park_forever(self);
        });
        member.task().chief = chief.id();
        run_until_idle();
        EXPECT_EQ(got, Status::denied) << name;
    }
}

// A message that must pass a chief that is gone is denied: nobody can forward it.
TEST_F(Ipc_policy_test, without_its_chief_a_clan_cannot_send_out) {
    use_policy("clans-chiefs");
    Thread& server = party("server", [](Thread& self) { park_forever(self); });
    Status got = Status::ok;
    Thread& gone = party("gone", [](Thread&) {});
    run_until_idle(); // "gone" has ended
    Thread& a = party("a", [&](Thread& self) {
        got = test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(label, 0).raw()});
        park_forever(self);
    });
    a.task().chief = 1u << 30; // a thread id nobody has (the chief's)
    (void)gone;
    run_until_idle();
    EXPECT_EQ(got, Status::denied);
}

// ---- reference monitor ----

// The first send to a partner raises an exception at the monitor (the sender's id as badge,
// the partner in MR0, 1 for a call in MR1); granted, the send goes on with the sender's own
// message, and later sends to that partner do not ask again.
TEST_F(Ipc_policy_test, the_monitor_is_asked_once_per_partner_and_the_message_is_intact) {
    use_policy("ref-monitor");
    std::vector<std::string> at_monitor, at_server;
    std::vector<uint64_t> fault_words;
    Thread& monitor = party("monitor", [&](Thread& self) {
        for (int i = 0; i < 1; ++i) {
            at_monitor.push_back(receive(self));
            fault_words = {Message_tag(self.frame().arg(1)).label(), self.frame().arg(3)};
            EXPECT_EQ(reply(self, 1), Status::ok); // granted
        }
        park_forever(self);
    });
    Thread& server = party("server", [&](Thread& self) {
        for (int i = 0; i < 3; ++i) {
            at_server.push_back(receive(self));
            EXPECT_EQ(reply(self, self.frame().arg(2) * 2), Status::ok);
        }
        park_forever(self);
    });
    std::vector<uint64_t> answers;
    Thread& client = party("client", [&](Thread& self) {
        for (uint64_t v : {10, 20, 30}) {
            EXPECT_EQ(test::syscall(self, Syscall::ipc_call_tid, {server.id(), Message_tag(label, 1).raw(), v}),
                      Status::ok);
            answers.push_back(self.frame().arg(2));
        }
        park_forever(self);
    });
    client.task().monitor = monitor.id();
    run_until_idle();
    const std::string c = std::to_string(client.id());
    EXPECT_EQ(at_monitor, (std::vector<std::string>{c + "/-/" + std::to_string(server.id())}));
    EXPECT_EQ(fault_words, (std::vector<uint64_t>{ipclab::ipc_right_fault_label, 1}));
    EXPECT_EQ(at_server, (std::vector<std::string>{c + "/-/10", c + "/-/20", c + "/-/30"}));
    EXPECT_EQ(answers, (std::vector<uint64_t>{20, 40, 60}));
    EXPECT_EQ(client.task().ipc_right(server.id()), kernel::Task::Ipc_right::granted);
}

// A refusal is kept too: the send fails with denied, now and later, asking only once. A task
// may always send to its monitor; a task without one is not checked.
TEST_F(Ipc_policy_test, a_refusal_is_kept_and_unmonitored_tasks_are_free) {
    use_policy("ref-monitor");
    int faults = 0;
    std::vector<std::string> at_server;
    Thread& monitor = party("monitor", [&](Thread& self) {
        for (;;) {
            if (test::syscall(self, Syscall::ipc_recv, {inbox_slot}) != Status::ok) return;
            const Message_tag tag(self.frame().arg(1));
            if (tag.label() == ipclab::ipc_right_fault_label) {
                ++faults;
                EXPECT_EQ(reply(self, 0), Status::ok); // refused
            } else {
                at_server.push_back("monitor got " + std::to_string(self.frame().arg(2)));
            }
        }
    });
    Thread& server = party("server", [&](Thread& self) {
        for (;;) {
            if (test::syscall(self, Syscall::ipc_recv, {inbox_slot}) != Status::ok) return;
            at_server.push_back("server got " + std::to_string(self.frame().arg(2)));
        }
    });
    std::vector<Status> got, free_got;
    Thread& client = party("client", [&](Thread& self) {
        got.push_back(test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(label, 1).raw(), 1}));
        got.push_back(test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(label, 1).raw(), 2}));
        got.push_back(test::syscall(self, Syscall::ipc_send_tid, {monitor.id(), Message_tag(label, 1).raw(), 3}));
        park_forever(self);
    });
    Thread& free_task = party("free", [&](Thread& self) {
        free_got.push_back(test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(label, 1).raw(), 4}));
        park_forever(self);
    });
    client.task().monitor = monitor.id();
    (void)free_task;
    run_until_idle();
    EXPECT_EQ(got, (std::vector<Status>{Status::denied, Status::denied, Status::ok}));
    EXPECT_EQ(free_got, (std::vector<Status>{Status::ok}));
    EXPECT_EQ(faults, 1) << "the refusal was kept";
    std::sort(at_server.begin(), at_server.end()); // the two tasks run in either order
    EXPECT_EQ(at_server, (std::vector<std::string>{"monitor got 3", "server got 4"}));
}

// A monitored task whose monitor is gone cannot send to new partners (fail closed).
TEST_F(Ipc_policy_test, without_its_monitor_a_task_reaches_no_new_partner) {
    use_policy("ref-monitor");
    Thread& server = party("server", [](Thread& self) { park_forever(self); });
    Status got = Status::ok;
    Thread& client = party("client", [&](Thread& self) {
        got = test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(label, 0).raw()}, 0);
        park_forever(self);
    });
    client.task().monitor = 1u << 30; // nobody
    run_until_idle();
    EXPECT_EQ(got, Status::denied);
}

} // namespace
