// The communicator (mpi_shim/kernel/communicator.cpp): rendezvous in both orders with one
// copy, truncation, matching order, contexts, and what a member's end does to the others.
#include <gtest/gtest.h>

#include "abi/timeout.hpp"

#include <string>

#include "abi/comm.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "support/kernel_test.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;

using kernel::Communicator;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

constexpr int32_t any = -1; // comm_any_source and comm_any_tag
constexpr uint8_t p2p = ipclab::context_point_to_point;
constexpr uint8_t collective = ipclab::context_collective;
constexpr uint64_t buffer = 0x10000; ///< every rank's message buffer (3 pages)

/// The caller's communicator, and its rank in `self.comm`, from its capability as the
/// system calls find them (comm_syscalls.cpp).
Communicator& world(Thread& self, int32_t peer, int32_t tag, uint8_t context, uint64_t at, uint64_t bytes) {
    Communicator* c = nullptr;
    uint64_t rank = 0;
    EXPECT_EQ(self.task().caps().lookup(ipclab::slot_comm_world, 0, c, rank), Status::ok);
    self.comm = kernel::Comm_request{nullptr, int32_t(rank), peer, tag, context, at, bytes};
    return *c;
}

/// Blocking send of the first `bytes` of the caller's buffer.
Status send(Thread& self, int32_t dest, int32_t tag, uint64_t bytes, uint8_t context = p2p) {
    return world(self, dest, tag, context, buffer, bytes).send(self);
}

/// Blocking receive into the caller's buffer; self.comm then holds the envelope.
Status recv(Thread& self, int32_t source, int32_t tag, uint64_t capacity, uint8_t context = p2p,
            uint64_t at = buffer) {
    return world(self, source, tag, context, at, capacity).receive(self);
}

void fill(Thread& self, const std::string& text) {
    EXPECT_EQ(kernel::copy_to_user(self.task().space(), buffer, text.data(), text.size()), Status::ok);
}

std::string contents(Thread& self, size_t n) {
    std::string s(n, '\0');
    EXPECT_EQ(kernel::copy_from_user(self.task().space(), buffer, s.data(), n), Status::ok);
    return s;
}

/// What a receive delivered.
struct Received {
    Status status = Status::invalid_argument;
    int32_t source = -2, tag = -2;
    uint64_t bytes = 0;
    std::string data;
};

class Communicator_test : public test::Kernel_test {
protected:
    Communicator& comm = make_communicator(4, 7);
    /// The task of `rank`, granted as boot/compose.cpp grants it: the communicator in
    /// slot_comm_world with the rank as badge.
    Thread& member(int32_t rank, test::Body body) {
        kernel::Task& task = make_task(("rank" + std::to_string(rank)).c_str());
        EXPECT_EQ(task.caps().insert(ipclab::slot_comm_world, comm, ipclab::right_send | ipclab::right_receive,
                                     uint64_t(rank)),
                  Status::ok);
        map(task, buffer, 0x3000);
        Thread& t = spawn(task, std::move(body));
        comm.set_member(rank, t.task());
        return t;
    }
    /// A member that receives once (source, tag, capacity) into `out` and stays.
    Thread& receiver(int32_t rank, int32_t source, int32_t tag, uint64_t capacity, Received& out,
                     uint8_t context = p2p) {
        return member(rank, [=, this, &out](Thread& self) {
            out = Received{recv(self, source, tag, capacity, context), self.comm.peer, self.comm.tag,
                           self.comm.bytes, contents(self, capacity)};
            park(self);
        });
    }
    /// A member that sends `text` once and records the status.
    Thread& sender(int32_t rank, int32_t dest, int32_t tag, const std::string& text, Status& out,
                   uint8_t context = p2p) {
        return member(rank, [=, &out](Thread& self) {
            fill(self, text);
            out = send(self, dest, tag, text.size(), context);
        });
    }
};

// Every member is created before any runs, as boot/compose.cpp does; the ready queue is
// FIFO, so the order of creation is the order in which they first run.

TEST_F(Communicator_test, rendezvous_with_the_receiver_first) {
    Received got;
    Status sent = Status::invalid_argument;
    Thread& r = receiver(1, 0, 9, 16, got);
    member(0, [&](Thread& self) {
        EXPECT_EQ(r.state(), Thread_state::blocked_comm_recv);
        fill(self, "hello, rank 1");
        sent = send(self, 1, 9, 13);
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 0);
    EXPECT_EQ(got.tag, 9);
    EXPECT_EQ(got.bytes, 13u);
    EXPECT_EQ(got.data, std::string("hello, rank 1\0\0\0", 16));
}

TEST_F(Communicator_test, rendezvous_with_the_sender_first) {
    Received got;
    Status sent = Status::invalid_argument;
    Thread& s = sender(2, 3, 4, "early", sent);
    member(3, [&](Thread& self) {
        EXPECT_EQ(s.state(), Thread_state::blocked_comm_send) << "a blocking send waits for its receive";
        got = Received{recv(self, any, any, 8), self.comm.peer, self.comm.tag, self.comm.bytes, contents(self, 8)};
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.tag, 4);
    EXPECT_EQ(got.bytes, 5u);
    EXPECT_EQ(got.data, std::string("early\0\0\0", 8));
}

TEST_F(Communicator_test, a_long_message_is_truncated_for_a_waiting_receiver) {
    Received got;
    Status sent = Status::invalid_argument;
    receiver(0, 1, any, 10, got);
    sender(1, 0, 2, "0123456789abcdefghij", sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok) << "truncation is the receiver's error";
    EXPECT_EQ(got.status, Status::truncated);
    EXPECT_EQ(got.bytes, 10u);
    EXPECT_EQ(got.source, 1);
    EXPECT_EQ(got.data, "0123456789") << "the prefix is delivered, nothing beyond the capacity";
}

TEST_F(Communicator_test, a_long_queued_message_is_truncated_when_received) {
    Received got;
    Status sent = Status::invalid_argument;
    sender(1, 0, 2, "0123456789abcdefghij", sent);
    receiver(0, any, 2, 4, got);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::truncated);
    EXPECT_EQ(got.bytes, 4u);
    EXPECT_EQ(got.data, "0123");
}

TEST_F(Communicator_test, any_source_takes_senders_in_arrival_order) {
    Status sent[4] = {};
    for (int32_t r : {2, 1, 3}) sender(r, 0, 0, "from " + std::to_string(r), sent[r]);
    std::vector<int32_t> sources;
    member(0, [&](Thread& self) {
        for (int k = 0; k < 3; ++k) {
            ASSERT_EQ(recv(self, any, any, 16), Status::ok);
            sources.push_back(self.comm.peer);
            EXPECT_EQ(contents(self, 6), "from " + std::to_string(self.comm.peer));
        }
    });
    run_until_idle();
    EXPECT_EQ(sources, (std::vector<int32_t>{2, 1, 3}));
    for (int32_t r : {1, 2, 3}) EXPECT_EQ(sent[r], Status::ok);
}

TEST_F(Communicator_test, a_tag_selects_among_queued_senders) {
    Status sent[3] = {};
    sender(1, 0, 5, "five", sent[1]);
    sender(2, 0, 6, "six", sent[2]);
    std::vector<int32_t> tags;
    member(0, [&](Thread& self) {
        ASSERT_EQ(recv(self, any, 6, 8), Status::ok);
        tags.push_back(self.comm.tag);
        ASSERT_EQ(recv(self, any, any, 8), Status::ok);
        tags.push_back(self.comm.tag);
    });
    run_until_idle();
    EXPECT_EQ(tags, (std::vector<int32_t>{6, 5}));
}

TEST_F(Communicator_test, contexts_keep_collective_and_user_traffic_apart) {
    Status sent[3] = {};
    Thread& coll = sender(1, 0, 0, "collective", sent[1], collective);
    Received user, internal;
    Thread& rank0 = member(0, [&](Thread& self) {
        user.status = recv(self, any, any, 16, p2p);
        user.source = self.comm.peer;
        internal.status = recv(self, any, any, 16, collective);
        internal.source = self.comm.peer;
    });
    Thread& user_sender = member(2, [&](Thread& self) {
        EXPECT_EQ(rank0.state(), Thread_state::blocked_comm_recv) << "a user receive matched collective traffic";
        EXPECT_EQ(coll.state(), Thread_state::blocked_comm_send);
        fill(self, "user");
        sent[2] = send(self, 0, 0, 4, p2p);
    });
    (void)user_sender;
    run_until_idle();
    EXPECT_EQ(user.status, Status::ok);
    EXPECT_EQ(user.source, 2);
    EXPECT_EQ(internal.status, Status::ok);
    EXPECT_EQ(internal.source, 1);
    EXPECT_EQ(sent[1], Status::ok);
    EXPECT_EQ(sent[2], Status::ok);
}

TEST_F(Communicator_test, a_posted_receive_that_does_not_match_leaves_the_sender_queued) {
    Received got;
    Status sent[3] = {Status::ok, Status::invalid_argument, Status::invalid_argument};
    receiver(0, 2, any, 8, got);
    Thread& one = sender(1, 0, 0, "one", sent[1]);
    member(2, [&](Thread& self) {
        EXPECT_EQ(one.state(), Thread_state::blocked_comm_send);
        EXPECT_EQ(got.status, Status::invalid_argument) << "the receive completed with the wrong source";
        fill(self, "two");
        sent[2] = send(self, 0, 0, 3);
    });
    run_until_idle();
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(sent[2], Status::ok);
    EXPECT_EQ(one.state(), Thread_state::blocked_comm_send);
}

TEST_F(Communicator_test, a_member_ending_fails_the_operations_that_name_it) {
    Thread& victim = member(1, [&](Thread& self) { park(self); });
    Status to_victim = Status::ok;
    Thread& s = sender(0, 1, 0, "never", to_victim);
    Received from_victim, from_anyone;
    receiver(2, 1, any, 8, from_victim);
    Thread& bystander = receiver(3, any, any, 8, from_anyone);
    run_until_idle();
    ASSERT_EQ(s.state(), Thread_state::blocked_comm_send);
    kill(victim.task());
    run_until_idle();
    EXPECT_EQ(to_victim, Status::partner_dead);
    EXPECT_EQ(from_victim.status, Status::partner_dead);
    EXPECT_EQ(bystander.state(), Thread_state::blocked_comm_recv) << "an any-source receive does not name the rank";
    // Later operations naming the ended rank fail at once (rank 0 again, in a new task).
    Status later_send = Status::ok, later_recv = Status::ok;
    member(0, [&](Thread& self) {
        later_send = send(self, 1, 0, 1);
        later_recv = recv(self, 1, any, 8);
    });
    run_until_idle();
    EXPECT_EQ(later_send, Status::partner_dead);
    EXPECT_EQ(later_recv, Status::partner_dead);
}

TEST_F(Communicator_test, a_dying_queued_sender_is_never_received) {
    kernel::Endpoint& gate = make_endpoint();
    Received got;
    member(0, [&](Thread& self) {
        (void)gate.receive(self, inf); // until the test opens the gate
        got = Received{recv(self, any, any, 8), self.comm.peer, self.comm.tag, self.comm.bytes, contents(self, 8)};
    });
    Status sent[3] = {};
    Thread& early = sender(1, 0, 0, "dead", sent[1]);
    sender(2, 0, 0, "live", sent[2]);
    run_until_idle();
    ASSERT_EQ(early.state(), Thread_state::blocked_comm_send);
    kill(early.task());
    spawn("opener", [&](Thread& self) {
        test::load_message(self, ipclab::Message_tag(0, 0), {});
        EXPECT_EQ(gate.send(self, 0, false, inf), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.data, std::string("live\0\0\0\0", 8));
    EXPECT_EQ(sent[2], Status::ok);
}

TEST_F(Communicator_test, a_copy_fault_fails_both_partners) {
    Status received = Status::ok, sent = Status::ok;
    member(0, [&](Thread& self) {
        received = recv(self, any, any, 8, p2p, 0x7000000); // not mapped (decode would refuse it)
    });
    sender(1, 0, 0, "x", sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::invalid_pointer);
    EXPECT_EQ(received, Status::invalid_pointer);
}

TEST_F(Communicator_test, abort_ends_every_member) {
    std::vector<Thread*> members;
    for (int32_t r = 1; r < 4; ++r) members.push_back(&member(r, [this](Thread& self) { park(self); }));
    members.push_back(&member(0, [this](Thread&) { comm.abort(3); }));
    for (Thread* t : members) forget(t->task()); // abort ends them
    run_until_idle();
    const std::string out = take_console();
    size_t aborted = 0;
    for (size_t at = 0; (at = out.find("\"reason\":\"aborted\",\"status\":3,", at)) != std::string::npos; ++at) ++aborted;
    EXPECT_EQ(aborted, 4u) << out;
    EXPECT_NE(out.find("\"task\":\"rank0\""), std::string::npos);
}

TEST_F(Communicator_test, an_empty_group_is_refused) {
    Status s = Status::ok;
    EXPECT_EQ(Communicator::create(0, 1, kernel::kernel_account(), s), nullptr);
    EXPECT_EQ(s, Status::invalid_argument);
}

} // namespace

// A capability to the communicator badged with a rank the holder does not own (the run
// description refuses to hand one out, boot/manifest.cpp) must not let the holder's end
// declare that rank gone.
TEST_F(Communicator_test, the_end_of_a_task_holding_another_rank_badge_leaves_that_rank_alone) {
    Received got;
    Status sent = Status::invalid_argument;
    kernel::Task& impostor = make_task("impostor");
    EXPECT_EQ(impostor.caps().insert(5, comm, ipclab::right_send, 1), Status::ok);
    spawn(impostor, [&](Thread& self) { park(self); });
    Thread& r = receiver(1, 0, 3, 8, got);
    member(0, [&](Thread& self) {
        kill(impostor);
        EXPECT_EQ(r.state(), Thread_state::blocked_comm_recv);
        fill(self, "still on");
        sent = send(self, 1, 3, 8);
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, "still on");
}
