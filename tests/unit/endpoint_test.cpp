// Endpoint IPC (kernel/ipc/endpoint.cpp): the queues, send/receive, call/reply with the
// one-shot reply capability, reply_recv's direct switch, and the clean-up of dying threads.
#include <gtest/gtest.h>

#include "abi/timeout.hpp"

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

class Endpoint_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    std::vector<std::string> log;
};

TEST_F(Endpoint_test, send_reaches_a_waiting_receiver) {
    Status got = Status::invalid_argument;
    uint64_t badge = 0, tag = 0, mr0 = 0;
    Thread& server = spawn("server", [&](Thread& self) {
        got = ep.receive(self, inf);
        badge = self.frame().arg(0);
        tag = self.frame().arg(1);
        mr0 = test::received_mr(self, 0);
    });
    run_until_idle();
    EXPECT_TRUE(ep.has_waiting_receivers());
    EXPECT_EQ(server.state(), Thread_state::blocked_recv);
    spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(7, 1), {0x1234});
        EXPECT_EQ(ep.send(self, 42, false, inf), Status::ok);
        log.push_back("client done");
    });
    run_until_idle();
    EXPECT_EQ(got, Status::ok);
    EXPECT_EQ(badge, 42u);
    EXPECT_EQ(Message_tag(tag).label(), 7u);
    EXPECT_EQ(Message_tag(tag).length(), 1u);
    EXPECT_EQ(mr0, 0x1234u);
    EXPECT_EQ(log, std::vector<std::string>{"client done"});
    EXPECT_FALSE(ep.has_waiting_receivers());
}

TEST_F(Endpoint_test, receive_takes_a_queued_sender_at_once) {
    Status sent = Status::invalid_argument;
    Thread& client = spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(1, 2), {10, 20});
        sent = ep.send(self, 5, false, inf);
    });
    run_until_idle();
    EXPECT_TRUE(ep.has_waiting_senders());
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(self.frame().arg(0), 5u);
        EXPECT_EQ(test::received_mr(self, 0), 10u);
        EXPECT_EQ(test::received_mr(self, 1), 20u);
        EXPECT_EQ(self.reply_to, nullptr) << "a plain send grants no reply capability";
        log.push_back("server");
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(log, std::vector<std::string>{"server"});
    EXPECT_FALSE(ep.has_waiting_senders());
}

TEST_F(Endpoint_test, blocked_senders_are_served_in_fifo_order) {
    for (uint64_t i = 1; i <= 3; ++i) {
        spawn(("client" + std::to_string(i)).c_str(), [this, i](Thread& self) {
            test::load_message(self, Message_tag(0, 1), {i * 100});
            EXPECT_EQ(ep.send(self, i, false, inf), Status::ok);
        });
    }
    run_until_idle();
    std::vector<uint64_t> badges, words;
    spawn("server", [&](Thread& self) {
        for (int k = 0; k < 3; ++k) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            badges.push_back(self.frame().arg(0));
            words.push_back(test::received_mr(self, 0));
        }
    });
    run_until_idle();
    EXPECT_EQ(badges, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(words, (std::vector<uint64_t>{100, 200, 300}));
}

TEST_F(Endpoint_test, blocked_receivers_are_served_in_fifo_order) {
    std::vector<std::string> got(3);
    for (int i = 0; i < 3; ++i) {
        spawn(("server" + std::to_string(i)).c_str(), [this, i, &got](Thread& self) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            got[i] = std::to_string(test::received_mr(self, 0));
        });
    }
    run_until_idle();
    EXPECT_TRUE(ep.has_waiting_receivers());
    spawn("client", [&](Thread& self) {
        for (uint64_t m = 1; m <= 3; ++m) {
            test::load_message(self, Message_tag(0, 1), {m});
            EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
        }
    });
    run_until_idle();
    EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(Endpoint_test, call_waits_for_the_reply_through_a_one_shot_capability) {
    Thread* client_thread = nullptr;
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(self.reply_to, client_thread);
        EXPECT_EQ(client_thread->state(), Thread_state::blocked_reply);
        EXPECT_EQ(client_thread->reply_holder, &self);
        test::load_message(self, Message_tag(2, 2), {test::received_mr(self, 0) + 1, 99});
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
        EXPECT_EQ(self.reply_to, nullptr);
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::no_reply_capability) << "the capability is one-shot";
        log.push_back("server replied");
    });
    run_until_idle();
    client_thread = &spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(1, 1), {41});
        ASSERT_EQ(ep.send(self, 3, true, inf), Status::ok);
        log.push_back("client got reply");
        EXPECT_EQ(self.frame().arg(0), 0u) << "a reply carries no badge";
        EXPECT_EQ(Message_tag(self.frame().arg(1)).label(), 2u);
        EXPECT_EQ(test::received_mr(self, 0), 42u);
        EXPECT_EQ(test::received_mr(self, 1), 99u);
        EXPECT_EQ(self.reply_holder, nullptr);
    });
    run_until_idle();
    // The call switched straight to the server; the client ran again after the reply.
    EXPECT_EQ(log, (std::vector<std::string>{"server replied", "client got reply"}));
}

TEST_F(Endpoint_test, a_queued_call_grants_the_reply_when_received) {
    Status result = Status::invalid_argument;
    Thread& client = spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 1), {7});
        result = ep.send(self, 1, true, inf);
        EXPECT_EQ(test::received_mr(self, 0), 8u);
    });
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    EXPECT_TRUE(client.send_is_call);
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(self.reply_to, &client);
        EXPECT_EQ(client.state(), Thread_state::blocked_reply);
        test::load_message(self, Message_tag(0, 1), {test::received_mr(self, 0) + 1});
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(result, Status::ok);
}

TEST_F(Endpoint_test, reply_without_a_caller_fails) {
    spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    spawn("server", [&](Thread& self) {
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::no_reply_capability);
        ASSERT_EQ(ep.receive(self, inf), Status::ok); // a send, not a call
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::no_reply_capability);
        log.push_back("checked");
    });
    run_until_idle();
    EXPECT_EQ(log, std::vector<std::string>{"checked"});
}

TEST_F(Endpoint_test, reply_recv_switches_directly_to_the_caller) {
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        log.push_back("server");
        Thread* caller = self.reply_to;
        ASSERT_NE(caller, nullptr);
        test::load_message(self, Message_tag(0, 1), {5});
        // ipc_reply_recv: answer, then receive, handing the CPU to the caller.
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
        EXPECT_EQ(ep.receive(self, inf, caller), Status::ok);
        log.push_back("server again");
    });
    run_until_idle();
    spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, true, inf), Status::ok);
        log.push_back("client");
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    spawn("bystander", [&](Thread&) { log.push_back("bystander"); });
    run_until_idle();
    // Without the direct switch the bystander, queued before the reply woke the client,
    // would have run before it. The client's plain send then only makes the server ready.
    EXPECT_EQ(log, (std::vector<std::string>{"server", "client", "bystander", "server again"}));
}

TEST_F(Endpoint_test, a_second_call_received_drops_the_first_reply) {
    Status first = Status::ok, second = Status::invalid_argument;
    spawn("a", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        first = ep.send(self, 1, true, inf);
    });
    spawn("b", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        second = ep.send(self, 2, true, inf);
    });
    run_until_idle();
    spawn("server", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(self.frame().arg(0), 1u);
        ASSERT_EQ(ep.receive(self, inf), Status::ok); // without answering a
        EXPECT_EQ(self.frame().arg(0), 2u);
        test::load_message(self, Message_tag(0, 0), {});
        EXPECT_EQ(kernel::Endpoint::reply(self), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(first, Status::reply_dropped);
    EXPECT_EQ(second, Status::ok);
}

TEST_F(Endpoint_test, a_dying_queued_sender_leaves_the_queue) {
    std::vector<Thread*> clients;
    for (uint64_t i = 1; i <= 3; ++i) {
        clients.push_back(&spawn(("client" + std::to_string(i)).c_str(), [this, i](Thread& self) {
            test::load_message(self, Message_tag(0, 0), {});
            EXPECT_EQ(ep.send(self, i, false, inf), Status::ok);
        }));
    }
    run_until_idle();
    kill(clients[1]->task());
    EXPECT_TRUE(ep.has_waiting_senders());
    std::vector<uint64_t> badges;
    spawn("server", [&](Thread& self) {
        for (int k = 0; k < 2; ++k) {
            ASSERT_EQ(ep.receive(self, inf), Status::ok);
            badges.push_back(self.frame().arg(0));
        }
        EXPECT_FALSE(ep.has_waiting_senders());
    });
    run_until_idle();
    EXPECT_EQ(badges, (std::vector<uint64_t>{1, 3}));
}

TEST_F(Endpoint_test, the_last_dying_receiver_leaves_the_endpoint_idle) {
    Thread& server = spawn("server", [&](Thread& self) { (void)ep.receive(self, inf); });
    run_until_idle();
    ASSERT_TRUE(ep.has_waiting_receivers());
    kill(server.task());
    EXPECT_FALSE(ep.has_waiting_receivers());
    EXPECT_FALSE(ep.has_waiting_senders());
    // A sender now queues instead of handing its message to the dead thread.
    Thread& client = spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        (void)ep.send(self, 0, false, inf);
    });
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    EXPECT_TRUE(ep.has_waiting_senders());
}

TEST_F(Endpoint_test, a_caller_dying_before_the_reply_revokes_the_capability) {
    Thread& client = spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        (void)ep.send(self, 0, true, inf);
        ADD_FAILURE() << "the killed caller ran again";
    });
    Thread& server = spawn("server", [&](Thread& self) { ASSERT_EQ(ep.receive(self, inf), Status::ok); (void)ep.receive(self, inf); });
    run_until_idle();
    ASSERT_EQ(server.reply_to, &client);
    kill(client.task());
    EXPECT_EQ(server.reply_to, nullptr);
    EXPECT_EQ(kernel::Endpoint::reply(server), Status::no_reply_capability);
}

TEST_F(Endpoint_test, a_server_dying_with_the_reply_fails_the_caller) {
    Status result = Status::ok;
    spawn("client", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 0), {});
        result = ep.send(self, 0, true, inf);
        log.push_back("client woke");
    });
    Thread& server = spawn("server", [&](Thread& self) { ASSERT_EQ(ep.receive(self, inf), Status::ok); (void)ep.receive(self, inf); });
    run_until_idle();
    ASSERT_NE(server.reply_to, nullptr);
    kill(server.task());
    run_until_idle();
    EXPECT_EQ(result, Status::partner_dead);
    EXPECT_EQ(log, std::vector<std::string>{"client woke"});
}

} // namespace
