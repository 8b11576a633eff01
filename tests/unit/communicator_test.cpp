// The communicator's point-to-point operations through the system calls user space makes
// (mpi_shim/kernel/comm_syscalls.cpp, communicator.cpp): rendezvous in both orders with one
// copy, truncation, MPI matching order (MPI-3.1 section 3.5: non-overtaking, tag and source
// selection, wildcards, contexts), what a member's end does to the others, MPI_Abort.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ipc/fastpath.hpp"
#include "support/comm_fixture.hpp"
#include "task/scheduler.hpp"

namespace {

using namespace test::comm;
using kernel::Communicator;

class Communicator_test : public Comm_test {
protected:
    /// A member that receives once (source, tag, capacity) into `out` and stays.
    Thread& receiver(int32_t rank, int32_t source, int32_t tag, uint64_t capacity, Received& out,
                     uint64_t context = p2p) {
        return member(rank, [=, this, &out](Thread& self) {
            out = recv(self, source, tag, capacity, context);
            park(self);
        });
    }
    /// A member that sends `text` once and records the status.
    Thread& sender(int32_t rank, int32_t dest, int32_t tag, const std::string& text, Status& out,
                   uint64_t context = p2p) {
        return member(rank, [=, &out](Thread& self) { out = send(self, dest, tag, text, context); });
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
        sent = send(self, 1, 9, "hello, rank 1");
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
        got = recv(self, any, any, 8);
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.tag, 4);
    EXPECT_EQ(got.bytes, 5u);
    EXPECT_EQ(got.data, std::string("early\0\0\0", 8));
}

// A blocking send is a rendezvous: nothing is buffered in the kernel, the one copy goes
// from the sender's buffer straight into the receiver's, at the time of the receive.
TEST_F(Communicator_test, a_blocking_send_is_copied_once_at_the_receive) {
    Received got;
    Status sent = Status::invalid_argument;
    kernel::Task* sender_task = nullptr;
    member(1, [&](Thread& self) {
        sender_task = &self.task();
        sent = send(self, 0, 0, pattern(3000));
        park(self);
    });
    member(0, [&](Thread& self) {
        EXPECT_EQ(sender_task->comm_buffered(), 0u) << "a blocking send is never buffered";
        got = recv(self, 1, 0, 3000);
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.bytes, 3000u);
    EXPECT_EQ(got.data, pattern(3000));
    EXPECT_EQ(sender_task->comm_buffered_peak(), 0u);
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
            Received got = recv(self, any, any, 16);
            ASSERT_EQ(got.status, Status::ok);
            sources.push_back(got.source);
            EXPECT_EQ(got.data.substr(0, 6), "from " + std::to_string(got.source));
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
        Received a = recv(self, any, 6, 8);
        ASSERT_EQ(a.status, Status::ok);
        tags.push_back(a.tag);
        Received b = recv(self, any, any, 8);
        ASSERT_EQ(b.status, Status::ok);
        tags.push_back(b.tag);
    });
    run_until_idle();
    EXPECT_EQ(tags, (std::vector<int32_t>{6, 5}));
}

TEST_F(Communicator_test, a_source_selects_among_queued_senders) {
    Status sent[4] = {};
    sender(1, 0, 0, "one", sent[1]);
    sender(3, 0, 0, "three", sent[3]);
    std::vector<int32_t> sources;
    member(0, [&](Thread& self) {
        for (int32_t source : {3, any}) {
            Received got = recv(self, source, any, 8);
            ASSERT_EQ(got.status, Status::ok);
            sources.push_back(got.source);
        }
    });
    run_until_idle();
    EXPECT_EQ(sources, (std::vector<int32_t>{3, 1})) << "source 3 skips the earlier message of 1";
}

TEST_F(Communicator_test, contexts_keep_collective_and_user_traffic_apart) {
    Status sent[3] = {};
    Thread& coll = sender(1, 0, 0, "collective", sent[1], collective);
    Received user, internal;
    Thread& rank0 = member(0, [&](Thread& self) {
        user = recv(self, any, any, 16, p2p);
        internal = recv(self, any, any, 16, collective);
    });
    member(2, [&](Thread& self) {
        EXPECT_EQ(rank0.state(), Thread_state::blocked_comm_recv) << "a user receive matched collective traffic";
        EXPECT_EQ(coll.state(), Thread_state::blocked_comm_send);
        sent[2] = send(self, 0, 0, "user", p2p);
    });
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
        sent[2] = send(self, 0, 0, "two");
    });
    run_until_idle();
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(sent[2], Status::ok);
    EXPECT_EQ(one.state(), Thread_state::blocked_comm_send);
}

// MPI-3.1 section 3.5: messages of one sender that a receive could match are received in
// the order sent, whether they wait in the kernel (eager) or in the sender's buffer
// (rendezvous, > comm_eager_bytes).
TEST_F(Communicator_test, messages_of_one_sender_do_not_overtake) {
    const std::string big = pattern(ipclab::comm_eager_bytes + 100);
    std::vector<Status> started;
    member(1, [&](Thread& self) {
        started.push_back(isend(self, 0, 7, big, p2p, buffer).status); // rendezvous
        started.push_back(isend(self, 0, 7, "second", p2p, buffer + 0x4000).status);
        started.push_back(isend(self, 0, 7, "third", p2p, buffer + 0x5000).status);
        park(self);
    });
    std::vector<std::string> order;
    member(0, [&](Thread& self) {
        for (int k = 0; k < 3; ++k) {
            Received got = recv(self, 1, any, big.size());
            ASSERT_EQ(got.status, Status::ok);
            order.push_back(got.data.substr(0, got.bytes));
        }
    });
    run_until_idle();
    EXPECT_EQ(started, (std::vector<Status>{Status::ok, Status::ok, Status::ok}));
    EXPECT_EQ(order, (std::vector<std::string>{big, "second", "third"}));
}

// A receive naming a tag takes the first message with that tag and leaves the earlier ones
// queued, in their order, for later receives.
TEST_F(Communicator_test, a_tag_selective_receive_skips_earlier_messages) {
    member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 1, "a1", p2p, buffer).status, Status::ok);
        EXPECT_EQ(isend(self, 0, 2, "b2", p2p, buffer + 0x100).status, Status::ok);
        EXPECT_EQ(isend(self, 0, 1, "c1", p2p, buffer + 0x200).status, Status::ok);
        EXPECT_EQ(isend(self, 0, 2, "d2", p2p, buffer + 0x300).status, Status::ok);
        park(self);
    });
    std::vector<std::string> order;
    member(0, [&](Thread& self) {
        for (int32_t tag : {2, 1, any, any}) {
            Received got = recv(self, 1, tag, 2);
            ASSERT_EQ(got.status, Status::ok);
            order.push_back(got.data);
        }
    });
    run_until_idle();
    EXPECT_EQ(order, (std::vector<std::string>{"b2", "a1", "c1", "d2"}));
}

// Posted receives are matched in the order they were posted (MPI-3.1 section 3.5).
TEST_F(Communicator_test, posted_receives_are_matched_in_post_order) {
    std::vector<std::string> got(3);
    member(0, [&](Thread& self) {
        Started first = irecv(self, any, any, 8, buffer);
        Started second = irecv(self, 1, any, 8, buffer + 0x100);
        Started third = irecv(self, any, 4, 8, buffer + 0x200);
        for (const Started* s : {&first, &second, &third}) ASSERT_EQ(s->status, Status::ok);
        for (const Started* s : {&third, &second, &first}) EXPECT_EQ(wait(self, s->handle).status, Status::ok);
        got = {contents(self, 8, buffer), contents(self, 8, buffer + 0x100), contents(self, 8, buffer + 0x200)};
    });
    member(1, [&](Thread& self) {
        EXPECT_EQ(send(self, 0, 4, "m1"), Status::ok); // the first posted receive matches
        EXPECT_EQ(send(self, 0, 4, "m2"), Status::ok);
        EXPECT_EQ(send(self, 0, 4, "m3"), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(got, (std::vector<std::string>{std::string("m1\0\0\0\0\0\0", 8), std::string("m2\0\0\0\0\0\0", 8),
                                             std::string("m3\0\0\0\0\0\0", 8)}));
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
    Status later_send = Status::ok;
    Received later_recv;
    member(0, [&](Thread& self) {
        later_send = send(self, 1, 0, "x");
        later_recv = recv(self, 1, any, 8);
    });
    run_until_idle();
    EXPECT_EQ(later_send, Status::partner_dead);
    EXPECT_EQ(later_recv.status, Status::partner_dead);
}

TEST_F(Communicator_test, a_dying_queued_sender_is_never_received) {
    kernel::Notification& gate = make_gate();
    Received got;
    member(0, [&](Thread& self) {
        pass(self, gate);
        got = recv(self, any, any, 8);
    });
    Status sent[3] = {};
    Thread& early = sender(1, 0, 0, "dead", sent[1]);
    sender(2, 0, 0, "live", sent[2]);
    run_until_idle();
    ASSERT_EQ(early.state(), Thread_state::blocked_comm_send);
    kill(early.task());
    open(gate);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.data, std::string("live\0\0\0\0", 8));
    EXPECT_EQ(sent[2], Status::ok);
}

// The receive buffer was mapped when the receive was posted (decode checked it) but is gone
// when the message comes: both partners fail, nothing is copied anywhere else.
TEST_F(Communicator_test, a_copy_fault_fails_both_partners) {
    constexpr uint64_t window = 0x7000000;
    kernel::Notification& gate = make_gate();
    Status received = Status::ok, sent = Status::ok;
    Thread& r = member(0, [&](Thread& self) {
        received = test::syscall(self, Syscall::comm_recv, {world, reg(any), reg(any), window, 8, p2p});
    });
    map(r.task(), window, 0x1000);
    member(1, [&](Thread& self) {
        pass(self, gate);
        sent = send(self, 0, 0, "x");
    });
    run_until_idle();
    ASSERT_EQ(r.state(), Thread_state::blocked_comm_recv);
    r.task().space().unmap(window, 0x1000); // as another thread of the task would
    open(gate);
    EXPECT_EQ(sent, Status::invalid_pointer);
    EXPECT_EQ(received, Status::invalid_pointer);
}

// Decode checks the whole receive buffer (capacity bytes) before anything happens, so a
// receive whose buffer runs into an unmapped page fails with invalid_pointer even when the
// waiting message would fit; the fast path (comm_fastpath.cpp) must give the same result.
TEST_F(Communicator_test, a_receive_buffer_partly_unmapped_fails_before_matching) {
    for (bool fast : {false, true}) {
        SCOPED_TRACE(fast ? "fast path on" : "fast path off");
        kernel::ipc_fastpath_enabled = fast;
        Status sent = Status::invalid_argument;
        Thread& s = sender(1, 0, 0, "four", sent);
        Received got;
        member(0, [&](Thread& self) {
            got = Received{};
            got.status = test::syscall(self, Syscall::comm_recv,
                                       {world, reg(any), reg(any), buffer + buffer_bytes - 4, 8, p2p});
            (void)recv(self, 1, 0, 8); // then take it properly
        });
        run_until_idle();
        EXPECT_EQ(got.status, Status::invalid_pointer);
        EXPECT_EQ(sent, Status::ok) << "received by the second receive";
        (void)s;
    }
}

TEST_F(Communicator_test, abort_ends_every_member_with_the_code) {
    std::vector<Thread*> members;
    for (int32_t r = 1; r < 4; ++r) members.push_back(&member(r, [this](Thread& self) { park(self); }));
    Status returned = Status::ok;
    bool came_back = false;
    members.push_back(&member(0, [&](Thread& self) {
        returned = test::syscall(self, Syscall::comm_abort, {world, 3});
        came_back = true;
    }));
    for (Thread* t : members) forget(t->task()); // comm_abort ends them
    run_until_idle();
    EXPECT_FALSE(came_back) << "comm_abort returned " << ipclab::status_name(returned);
    const std::string out = take_console();
    size_t aborted = 0;
    for (size_t at = 0; (at = out.find("\"reason\":\"aborted\",\"status\":3,", at)) != std::string::npos; ++at) ++aborted;
    EXPECT_EQ(aborted, 4u) << out;
    EXPECT_NE(out.find("\"task\":\"rank0\""), std::string::npos);
}

TEST_F(Communicator_test, abort_with_a_bad_slot_returns) {
    Status returned = Status::ok;
    member(0, [&](Thread& self) { returned = test::syscall(self, Syscall::comm_abort, {9, 3}); });
    run_until_idle();
    EXPECT_EQ(returned, Status::invalid_capability);
}

TEST_F(Communicator_test, an_empty_or_oversized_group_is_refused) {
    Status s = Status::ok;
    EXPECT_EQ(Communicator::create(0, kernel::kernel_account(), s), nullptr);
    EXPECT_EQ(s, Status::invalid_argument);
    s = Status::ok;
    EXPECT_EQ(Communicator::create(ipclab::comm_max_group + 1, kernel::kernel_account(), s), nullptr);
    EXPECT_EQ(s, Status::invalid_argument);
}

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
        sent = send(self, 1, 3, "still on");
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, "still on");
}

// A receive completed by its partner runs before threads of its priority that were merely
// ready (Scheduler::make_ready_partner): a CPU-bound thread does not get a turn inside every
// round trip, as it would if the woken receiver queued behind it. Fast path and slow path.
TEST_F(Communicator_test, a_completed_receiver_runs_before_a_merely_ready_thread) {
    for (bool fast : {true, false}) {
        kernel::ipc_fastpath_enabled = fast;
        kernel::Communicator& c = make_communicator(2);
        std::vector<std::string> log;
        member_of(c, 0, [&](Thread& self) {
            Received got = recv(self, 1, 1, 8);
            log.push_back("received " + std::to_string(int(got.status)));
            park(self);
        });
        spawn("busy", [&](Thread&) {
            for (int i = 1; i <= 3; ++i) {
                log.push_back("busy " + std::to_string(i));
                kernel::scheduler().yield();
            }
        });
        member_of(c, 1, [&](Thread& self) {
            log.push_back("send " + std::to_string(int(send(self, 0, 1, "ping"))));
            park(self);
        });
        run_until_idle();
        EXPECT_EQ(log, (std::vector<std::string>{"busy 1", "send 0", "received 0", "busy 2", "busy 3"}))
            << (fast ? "fast path" : "slow path");
    }
}

} // namespace
