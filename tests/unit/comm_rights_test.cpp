// Who may send on a communicator and for how long (kernel/policy/, comm_decode.hpp,
// comm_manage_syscalls.cpp; the study's fixes, seeds/000): the rights table under each
// policy, capabilities that reached a non-member, the send timeout (manifest, policy,
// comm_set_send_timeout) and comm_abort_sends, which breaks down the sends towards a rank.
#include <gtest/gtest.h>

#include <tuple>

#include <string>
#include <vector>

#include "support/comm_fixture.hpp"

namespace {

using namespace test::comm;

class Comm_rights_test : public Comm_test {};

// The rights table denies 0 -> 1 (and nothing else). Under the policies that consult it the
// send fails with denied and nothing reaches rank 1; capability and mpi-open ignore it.
struct Rights_case {
    const char* policy;
    Status denied_pair; ///< what a send 0 -> 1 gets
};

class Comm_rights_policy_test : public Comm_test, public ::testing::WithParamInterface<Rights_case> {};

TEST_P(Comm_rights_policy_test, the_rights_table_is_consulted_by_the_policy) {
    use_policy(GetParam().policy);
    ASSERT_EQ(comm.set_right(0, 1, false), Status::ok);
    EXPECT_FALSE(comm.may_send(0, 1));
    EXPECT_TRUE(comm.may_send(1, 0));
    const bool denied = GetParam().denied_pair == Status::denied;
    std::vector<Status> from0;
    Status from2 = Status::invalid_argument;
    member(0, [&](Thread& self) {
        // Refused sends return at once; an allowed blocking send waits here for good.
        from0.push_back(send(self, 1, 3, "collective", collective)); // no context is exempt
        from0.push_back(isend(self, 1, 1, "eager").status);
        from0.push_back(isend(self, 1, 2, "sync", p2p | synchronous, buffer + 0x100).status);
        from0.push_back(send(self, 1, 0, "blocking", p2p, world, buffer + 0x200));
        park(self);
    });
    member(2, [&](Thread& self) { from2 = send(self, 1, 9, "allowed"); });
    std::vector<Received> got;
    member(1, [&](Thread& self) {
        got.push_back(recv(self, 2, 9, 16));
        got.push_back(probe(self, 0, any, zero));
        got.push_back(probe(self, 0, any, zero, collective));
        park(self);
    });
    run_until_idle();
    EXPECT_EQ(from2, Status::ok) << "2 -> 1 is allowed";
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].status, Status::ok);
    if (denied) {
        EXPECT_EQ(from0, std::vector<Status>(4, Status::denied));
        EXPECT_EQ(got[1].status, Status::would_block) << "a denied send delivered something";
        EXPECT_EQ(got[2].status, Status::would_block);
    } else {
        EXPECT_TRUE(from0.empty()) << "the collective send waits for its receive";
        EXPECT_EQ(got[1].status, Status::would_block);
        EXPECT_EQ(got[2].status, Status::ok) << "the collective send is queued at rank 1";
        EXPECT_EQ(got[2].source, 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Policies, Comm_rights_policy_test,
                         ::testing::Values(Rights_case{"capability", Status::ok}, Rights_case{"mpi-open", Status::ok},
                                           Rights_case{"mpi-rights", Status::denied},
                                           Rights_case{"mpi-blocking", Status::denied},
                                           Rights_case{"mpi-timeout", Status::denied},
                                           Rights_case{"mpi-credit", Status::denied}, Rights_case{"none", Status::ok},
                                           Rights_case{"clans-chiefs", Status::ok}, Rights_case{"ref-monitor", Status::ok}),
                         [](const ::testing::TestParamInfo<Rights_case>& info) {
                             std::string name = info.param.policy;
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

// Under capability and mpi-open a denied pair still communicates.
TEST_F(Comm_rights_test, a_denied_pair_is_allowed_under_capability_and_mpi_open) {
    for (const char* policy : {"capability", "mpi-open"}) {
        SCOPED_TRACE(policy);
        use_policy(policy);
        ASSERT_EQ(comm.set_right(0, 1, false), Status::ok);
        Status sent = Status::invalid_argument;
        Received got;
        member(1, [&](Thread& self) { got = recv(self, 0, 0, 8); });
        member(0, [&](Thread& self) { sent = send(self, 1, 0, "through"); });
        run_until_idle();
        EXPECT_EQ(sent, Status::ok);
        EXPECT_EQ(got.status, Status::ok);
        EXPECT_EQ(got.data, std::string("through\0", 8));
    }
}

// Wildcards and order: deny everything towards 2, then allow 0 -> 2 again; deny 3 -> every rank.
TEST_F(Comm_rights_test, wildcard_rights_apply_in_order) {
    use_policy("mpi-rights");
    ASSERT_EQ(comm.set_right(-1, 2, false), Status::ok);
    ASSERT_EQ(comm.set_right(0, 2, true), Status::ok);
    ASSERT_EQ(comm.set_right(3, -1, false), Status::ok);
    for (int32_t from = 0; from < 4; ++from) {
        for (int32_t to = 0; to < 4; ++to) {
            const bool allowed = from != 3 && (to != 2 || from == 0);
            EXPECT_EQ(comm.may_send(from, to), allowed) << from << " -> " << to;
        }
    }
    std::vector<Status> results;
    member(2, [&](Thread& self) { park(self); });
    member(1, [&](Thread& self) { results.push_back(isend(self, 2, 0, "x").status); });
    member(3, [&](Thread& self) { results.push_back(isend(self, 3, 0, "to myself").status); });
    member(0, [&](Thread& self) { results.push_back(isend(self, 2, 0, "y").status); });
    run_until_idle();
    EXPECT_EQ(results, (std::vector<Status>{Status::denied, Status::denied, Status::ok}));
}

// A capability badged with a rank that reached another task (communicator capabilities
// are never passed in messages, but the check must not depend on that) does not make the
// holder a member: every operation is denied, whatever the policy.
TEST_F(Comm_rights_test, a_capability_held_by_a_non_member_is_denied) {
    std::vector<Status> results;
    Received got;
    member(0, [&](Thread& self) {
        got = recv(self, any, any, 8, p2p);
        park(self);
    });
    member(1, [&](Thread& self) { park(self); });
    kernel::Task& outsider = make_task("outsider");
    ASSERT_EQ(outsider.caps().insert(world, comm, ipclab::rights_all, 1), Status::ok); // rank 1's badge
    map(outsider, buffer, buffer_bytes);
    spawn(outsider, [&](Thread& self) {
        results.push_back(send(self, 0, 0, "forged"));
        results.push_back(isend(self, 0, 0, "forged").status);
        results.push_back(recv(self, any, any, 8, p2p, zero).status);
        results.push_back(irecv(self, any, any, 8).status);
        results.push_back(probe(self, any, any, zero).status);
        results.push_back(info(self).status);
        results.push_back(create(self, {0, 1}, 7, 20).status);
        results.push_back(test::syscall(self, Syscall::comm_set_send_timeout, {world, ms}));
        results.push_back(test::syscall(self, Syscall::comm_abort_sends, {world, 0}));
        results.push_back(test::syscall(self, Syscall::comm_abort, {world, 1}));
        park(self);
    });
    run_until_idle();
    EXPECT_EQ(results, std::vector<Status>(10, Status::denied));
    EXPECT_EQ(got.status, Status::invalid_argument) << "rank 0 received a forged message";
    EXPECT_EQ(comm.send_timeout(), inf);
}

// The communicator's send timeout bounds a blocking send: when it passes the send fails
// with timed_out and is withdrawn, so the receiver never sees the message.
TEST_F(Comm_rights_test, a_blocked_send_times_out_and_is_never_received) {
    start_clock();
    comm.set_send_timeout(5 * ms);
    kernel::Notification& gate = make_gate();
    Status sent = Status::invalid_argument;
    Thread& s = member(0, [&](Thread& self) {
        sent = send(self, 1, 0, "too late");
        park(self);
    });
    Received probed, got;
    member(1, [&](Thread& self) {
        pass(self, gate);
        probed = probe(self, any, any, zero);
        got = recv(self, any, any, 8, p2p, ms);
    });
    run_until_idle();
    ASSERT_EQ(s.state(), Thread_state::blocked_comm_send);
    interrupt_at(5 * ms - 1);
    EXPECT_EQ(s.state(), Thread_state::blocked_comm_send) << "not before its deadline";
    interrupt_at(5 * ms);
    EXPECT_EQ(sent, Status::timed_out);
    open(gate);
    EXPECT_EQ(probed.status, Status::would_block) << "the timed-out send was still queued";
    interrupt_at(6 * ms);
    EXPECT_EQ(got.status, Status::timed_out);
}

TEST_F(Comm_rights_test, a_send_received_in_time_disarms_its_timeout) {
    start_clock();
    comm.set_send_timeout(5 * ms);
    kernel::Notification& gate = make_gate();
    Status sent = Status::invalid_argument;
    member(0, [&](Thread& self) { sent = send(self, 1, 0, "in time"); });
    Received got;
    member(1, [&](Thread& self) {
        pass(self, gate);
        got = recv(self, 0, 0, 8);
    });
    run_until_idle();
    interrupt_at(4 * ms);
    open(gate);
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_FALSE(kernel::timeouts().pending());
}

// The same with the send blocking in the fast path (it switches straight to the receiver it
// just woke): the timer is armed there too, fires when the receiver does not come, and is
// disarmed when it does. Fast path and slow path agree. Parameters: fast path, receiver comes.
class Comm_send_timeout_test : public Comm_test, public ::testing::WithParamInterface<std::tuple<bool, bool>> {};

TEST_P(Comm_send_timeout_test, a_send_timeout_holds_on_either_path) {
    const auto [fast, receiver_comes] = GetParam();
    kernel::ipc_fastpath_enabled = fast;
    start_clock();
    comm.set_send_timeout(5 * ms);
    kernel::Notification& gate = make_gate();
    Status first = Status::invalid_argument, second = Status::invalid_argument;
    Thread& s = member(0, [&](Thread& self) {
        first = send(self, 1, 0, "one");
        second = send(self, 1, 0, "two"); // rank 1 is not receiving yet: blocks
        park(self);
    });
    Received got1, got2;
    member(1, [&](Thread& self) {
        got1 = recv(self, 0, 0, 8);
        pass(self, gate);
        if (receiver_comes) got2 = recv(self, 0, 0, 8);
        park(self);
    });
    run_until_idle();
    EXPECT_EQ(first, Status::ok);
    ASSERT_EQ(s.state(), Thread_state::blocked_comm_send);
    EXPECT_TRUE(kernel::timeouts().pending()) << "the send's timer is armed";
    if (receiver_comes) {
        interrupt_at(4 * ms);
        open(gate);
        EXPECT_EQ(second, Status::ok);
        EXPECT_EQ(got2.data.substr(0, 3), "two");
        interrupt_at(6 * ms);
        EXPECT_EQ(second, Status::ok) << "the timer was disarmed";
    } else {
        interrupt_at(5 * ms);
        EXPECT_EQ(second, Status::timed_out);
        open(gate);
    }
}

INSTANTIATE_TEST_SUITE_P(Paths, Comm_send_timeout_test, ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& info) {
                             return std::string(std::get<0>(info.param) ? "fast" : "slow") +
                                    (std::get<1>(info.param) ? "_received" : "_starved");
                         });

// mpi-timeout gives every communicator created under it its default send timeout
// (100 ms); the others none. comm_info reports it (r3).
TEST_F(Comm_rights_test, mpi_timeout_gives_new_communicators_a_send_timeout) {
    use_policy("mpi-timeout");
    kernel::Communicator& timed = make_communicator(2);
    EXPECT_EQ(timed.send_timeout(), 100 * ms);
    EXPECT_EQ(comm.send_timeout(), inf) << "created before the policy was chosen";
    Info got{};
    member_of(timed, 0, [&](Thread& self) { got = info(self); });
    run_until_idle();
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.rank, 0);
    EXPECT_EQ(got.size, 2u);
    EXPECT_EQ(got.context_id, timed.context_id());
    EXPECT_EQ(got.send_timeout, 100 * ms);
}

TEST_F(Comm_rights_test, mpi_timeout_breaks_down_a_starved_send) {
    use_policy("mpi-timeout");
    start_clock();
    kernel::Communicator& timed = make_communicator(2);
    Status sent = Status::invalid_argument;
    Thread& s = member_of(timed, 0, [&](Thread& self) { sent = send(self, 1, 0, "starved"); });
    member_of(timed, 1, [&](Thread& self) { park(self); });
    run_until_idle();
    ASSERT_EQ(s.state(), Thread_state::blocked_comm_send);
    interrupt_at(100 * ms);
    EXPECT_EQ(sent, Status::timed_out);
}

// comm_set_send_timeout needs the grant right (the manager's); 0 means no timeout.
TEST_F(Comm_rights_test, setting_the_send_timeout_needs_the_grant_right) {
    std::vector<Status> results;
    std::vector<uint64_t> reported;
    member(0, [&](Thread& self) {
        results.push_back(test::syscall(self, Syscall::comm_set_send_timeout, {world, 7 * ms}));
        reported.push_back(info(self).send_timeout);
    }, send_receive);
    member(1, [&](Thread& self) {
        results.push_back(test::syscall(self, Syscall::comm_set_send_timeout, {world, 3 * ms}));
        reported.push_back(info(self).send_timeout);
        results.push_back(test::syscall(self, Syscall::comm_set_send_timeout, {world, 0}));
        reported.push_back(info(self).send_timeout);
        results.push_back(test::syscall(self, Syscall::comm_set_send_timeout, {9, 0}));
    });
    run_until_idle();
    EXPECT_EQ(results, (std::vector<Status>{Status::insufficient_rights, Status::ok, Status::ok,
                                            Status::invalid_capability}));
    EXPECT_EQ(reported, (std::vector<uint64_t>{inf, 3 * ms, inf}));
}

// comm_abort_sends breaks down every send pending towards a rank: blocked senders and
// rendezvous requests fail with send_aborted, eager messages are discarded and their
// memory goes back to their sender; r0 counts them all. Sends to other ranks stay.
TEST_F(Comm_rights_test, abort_sends_fails_every_send_towards_the_rank) {
    kernel::Communicator& five = make_communicator(5);
    kernel::Notification& gate = make_gate();
    Status blocked_send = Status::invalid_argument;
    Received rendezvous;
    kernel::Task* eager_sender = nullptr;
    uint64_t charged_before = 0, charged_buffered = 0;
    member_of(five, 1, [&](Thread& self) {
        blocked_send = send(self, 0, 1, "blocked");
        park(self);
    });
    member_of(five, 2, [&](Thread& self) {
        eager_sender = &self.task();
        charged_before = self.task().account().kernel_bytes();
        EXPECT_EQ(isend(self, 0, 2, "eager one", p2p, buffer).status, Status::ok);
        EXPECT_EQ(isend(self, 0, 2, "eager two", p2p, buffer + 0x100).status, Status::ok);
        charged_buffered = self.task().account().kernel_bytes();
        park(self);
    });
    member_of(five, 3, [&](Thread& self) {
        Started big = isend(self, 0, 3, pattern(ipclab::comm_eager_bytes + 1));
        EXPECT_NE(big.handle, 0u);
        rendezvous = wait(self, big.handle);
        park(self);
    });
    Status other = Status::invalid_argument;
    member_of(five, 4, [&](Thread& self) { other = send(self, 1, 4, "to rank 1"); });
    uint64_t aborted = 0;
    Status abort_status = Status::invalid_argument;
    Received afterwards;
    member_of(five, 0, [&](Thread& self) {
        pass(self, gate);
        abort_status = test::syscall(self, Syscall::comm_abort_sends, {world, 0});
        aborted = self.frame().arg(0);
        afterwards = probe(self, any, any, zero);
        park(self);
    });
    run_until_idle();
    ASSERT_NE(eager_sender, nullptr);
    EXPECT_EQ(eager_sender->comm_buffered(), 2 * eager_charge(9));
    EXPECT_GE(charged_buffered - charged_before, 2 * eager_charge(9));
    open(gate);
    EXPECT_EQ(abort_status, Status::ok);
    EXPECT_EQ(aborted, 4u) << "one blocked send, two eager messages, one rendezvous request";
    EXPECT_EQ(blocked_send, Status::send_aborted);
    EXPECT_EQ(rendezvous.status, Status::send_aborted);
    EXPECT_EQ(eager_sender->comm_buffered(), 0u) << "the eager messages were discarded";
    EXPECT_EQ(eager_sender->account().kernel_bytes(), charged_before) << "and their memory given back";
    EXPECT_EQ(afterwards.status, Status::would_block);
    EXPECT_EQ(other, Status::invalid_argument) << "the send to rank 1 is still pending";
}

TEST_F(Comm_rights_test, abort_sends_needs_the_grant_right_and_a_rank) {
    std::vector<Status> results;
    uint64_t count = 99;
    member(0, [&](Thread& self) {
        results.push_back(test::syscall(self, Syscall::comm_abort_sends, {world, 1}));
    }, send_receive);
    member(1, [&](Thread& self) {
        results.push_back(test::syscall(self, Syscall::comm_abort_sends, {world, 4}));
        results.push_back(test::syscall(self, Syscall::comm_abort_sends, {world, reg(-1)}));
        results.push_back(test::syscall(self, Syscall::comm_abort_sends, {world, 2}));
        count = self.frame().arg(0);
    });
    run_until_idle();
    EXPECT_EQ(results, (std::vector<Status>{Status::insufficient_rights, Status::invalid_rank, Status::invalid_rank,
                                            Status::ok}));
    EXPECT_EQ(count, 0u) << "nothing was pending towards rank 2";
}

} // namespace
