// The communicator's non-blocking operations (mpi_shim/kernel/comm_syscalls.cpp,
// comm_requests.cpp; MPI-3.1 sections 3.7 and 3.8): comm_isend eager (a kernel buffer
// charged to the sender) and rendezvous (one copy from the sender's buffer when received),
// the synchronous flag, comm_irecv, comm_wait with and without a timeout, request handles,
// comm_probe, comm_buffer_usage, and the policies that refuse non-blocking sends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mem/frame_allocator.hpp"
#include "mem/kmem.hpp"
#include "task/scheduler.hpp"
#include "support/comm_fixture.hpp"

namespace {

using namespace test::comm;

constexpr uint64_t eager_limit = ipclab::comm_eager_bytes;

class Comm_nonblocking_test : public Comm_test {};

// An eager isend completes at once (handle 0): the payload is copied into kernel memory
// charged to the sender, which comm_buffer_usage reports, and released when received.
TEST_F(Comm_nonblocking_test, an_eager_isend_is_buffered_charged_to_its_sender_and_released_when_received) {
    kernel::Notification& receive_gate = make_gate();
    kernel::Notification& sender_gate = make_gate();
    kernel::Task* sender = nullptr;
    Started started{Status::invalid_argument, 99};
    uint64_t kernel_bytes_before = 0, kernel_bytes_buffered = 0;
    std::pair<uint64_t, uint64_t> usage_buffered, usage_after;
    member(1, [&](Thread& self) {
        sender = &self.task();
        kernel_bytes_before = self.task().account().kernel_bytes();
        started = isend(self, 0, 5, "eager payload");
        kernel_bytes_buffered = self.task().account().kernel_bytes();
        usage_buffered = buffer_usage(self);
        put(self, "overwritten!!"); // the kernel has its own copy
        pass(self, sender_gate);
        usage_after = buffer_usage(self);
        park(self);
    });
    Received got;
    member(0, [&](Thread& self) {
        pass(self, receive_gate);
        got = recv(self, 1, 5, 16);
    });
    run_until_idle();
    ASSERT_NE(sender, nullptr);
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_EQ(started.handle, 0u) << "an eager send is complete: no request";
    EXPECT_EQ(sender->comm_buffered(), eager_charge(13));
    EXPECT_GE(kernel_bytes_buffered - kernel_bytes_before, eager_charge(13)) << "charged to the sender's account";
    EXPECT_EQ(usage_buffered.first, eager_charge(13));
    EXPECT_EQ(usage_buffered.second, eager_charge(13));

    open(receive_gate);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 1);
    EXPECT_EQ(got.bytes, 13u);
    EXPECT_EQ(got.data, std::string("eager payload\0\0\0", 16)) << "the data as it was at the isend";
    EXPECT_EQ(sender->comm_buffered(), 0u);
    EXPECT_EQ(sender->comm_buffered_peak(), eager_charge(13));
    EXPECT_EQ(sender->account().kernel_bytes(), kernel_bytes_before) << "the buffer went back to the sender";
    open(sender_gate);
    EXPECT_EQ(usage_after.first, 0u);
    EXPECT_EQ(usage_after.second, eager_charge(13)) << "the peak stays";
}

TEST_F(Comm_nonblocking_test, an_eager_isend_into_a_posted_receive_buffers_nothing) {
    Received got;
    Thread& r = member(0, [&](Thread& self) { got = recv(self, any, any, 8); });
    Started started{Status::invalid_argument, 99};
    member(1, [&](Thread& self) {
        EXPECT_EQ(r.state(), Thread_state::blocked_comm_recv);
        started = isend(self, 0, 3, "direct");
        EXPECT_EQ(self.task().comm_buffered(), 0u);
        EXPECT_EQ(buffer_usage(self).second, 0u) << "never buffered";
    });
    run_until_idle();
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_EQ(started.handle, 0u);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, std::string("direct\0\0", 8));
}

// Up to comm_eager_bytes a send is eager; one byte more and it is a rendezvous.
TEST_F(Comm_nonblocking_test, the_eager_limit_is_comm_eager_bytes) {
    Started at_limit{Status::invalid_argument, 99}, above{Status::invalid_argument, 0};
    uint64_t buffered = 0;
    member(1, [&](Thread& self) {
        at_limit = isend(self, 0, 0, pattern(eager_limit), p2p, buffer);
        above = isend(self, 0, 0, pattern(eager_limit + 1, 'A'), p2p, buffer + 0x2000);
        buffered = self.task().comm_buffered();
        EXPECT_EQ(wait(self, above.handle).status, Status::ok);
    });
    std::vector<std::string> got;
    member(0, [&](Thread& self) {
        for (int k = 0; k < 2; ++k) {
            Received r = recv(self, 1, 0, eager_limit + 1);
            EXPECT_EQ(r.status, Status::ok);
            got.push_back(r.data.substr(0, r.bytes));
        }
    });
    run_until_idle();
    EXPECT_EQ(at_limit.status, Status::ok);
    EXPECT_EQ(at_limit.handle, 0u);
    EXPECT_EQ(above.status, Status::ok);
    EXPECT_NE(above.handle, 0u);
    EXPECT_EQ(buffered, eager_charge(eager_limit)) << "only the eager one is in the kernel";
    EXPECT_EQ(got, (std::vector<std::string>{pattern(eager_limit), pattern(eager_limit + 1, 'A')}));
}

// A rendezvous isend leaves the message in the sender's buffer: nothing is buffered, the
// one copy happens at the receive (so it sees the buffer as it is then), and the request
// completes only then.
TEST_F(Comm_nonblocking_test, a_rendezvous_isend_is_copied_once_when_received) {
    const std::string before = pattern(6000), after = pattern(6000, 'K');
    kernel::Notification& gate = make_gate();
    Started started{Status::invalid_argument, 0};
    Received early, done, again;
    uint64_t buffered = 1;
    member(1, [&](Thread& self) {
        started = isend(self, 0, 8, before);
        buffered = self.task().comm_buffered();
        early = wait(self, started.handle, zero);
        put(self, after); // MPI forbids this; it shows there was no copy yet
        done = wait(self, started.handle);
        again = wait(self, started.handle);
    });
    Received got;
    member(0, [&](Thread& self) {
        pass(self, gate);
        got = recv(self, 1, 8, 6000);
    });
    run_until_idle();
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_NE(started.handle, 0u);
    EXPECT_EQ(buffered, 0u) << "a rendezvous send is not buffered in the kernel";
    EXPECT_EQ(early.status, Status::would_block);
    open(gate);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.bytes, 6000u);
    EXPECT_EQ(got.data, after) << "copied from the sender's buffer at the receive";
    EXPECT_EQ(done.status, Status::ok);
    EXPECT_EQ(again.status, Status::invalid_request) << "the handle was freed by the wait";
}

// A rendezvous isend that meets a posted receive completes at once: handle 0.
TEST_F(Comm_nonblocking_test, a_rendezvous_isend_into_a_posted_receive_completes_at_once) {
    Received got;
    member(0, [&](Thread& self) { got = recv(self, 1, any, 6000); });
    Started started{Status::invalid_argument, 99};
    member(1, [&](Thread& self) { started = isend(self, 0, 1, pattern(6000)); });
    run_until_idle();
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_EQ(started.handle, 0u);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, pattern(6000));
}

// comm_isend_synchronous (MPI_Issend): never eager, however short; completes when received.
TEST_F(Comm_nonblocking_test, a_synchronous_isend_is_never_eager) {
    kernel::Notification& receive_gate = make_gate();
    kernel::Notification& sender_gate = make_gate();
    Started started{Status::invalid_argument, 0};
    Received before_receive, after_receive;
    uint64_t buffered = 1;
    member(1, [&](Thread& self) {
        started = isend(self, 0, 2, "tiny", p2p | synchronous);
        buffered = self.task().comm_buffered();
        before_receive = wait(self, started.handle, zero);
        pass(self, sender_gate);
        after_receive = wait(self, started.handle, zero);
    });
    Received got;
    member(0, [&](Thread& self) {
        pass(self, receive_gate);
        got = recv(self, 1, 2, 8);
    });
    run_until_idle();
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_NE(started.handle, 0u);
    EXPECT_EQ(buffered, 0u);
    EXPECT_EQ(before_receive.status, Status::would_block);
    open(receive_gate);
    open(sender_gate);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.tag, 2) << "the flag is not part of the context";
    EXPECT_EQ(after_receive.status, Status::ok);
}

TEST_F(Comm_nonblocking_test, a_synchronous_isend_keeps_its_context) {
    Received got_p2p, got_collective;
    member(1, [&](Thread& self) {
        Started s = isend(self, 0, 2, "coll", collective | synchronous);
        ASSERT_EQ(s.status, Status::ok);
        EXPECT_EQ(wait(self, s.handle).status, Status::ok);
    });
    member(0, [&](Thread& self) {
        got_p2p = probe(self, any, any, zero, p2p);
        got_collective = recv(self, any, any, 8, collective);
    });
    run_until_idle();
    EXPECT_EQ(got_p2p.status, Status::would_block);
    EXPECT_EQ(got_collective.status, Status::ok);
}

TEST_F(Comm_nonblocking_test, isend_decode_errors_change_nothing) {
    bool done = false;
    member(0, [&](Thread& self) {
        const auto call = [&](uint64_t slot, int64_t dest, int64_t tag, uint64_t at, uint64_t bytes, uint64_t flags) {
            return test::syscall(self, Syscall::comm_isend, {slot, reg(dest), reg(tag), at, bytes, flags});
        };
        EXPECT_EQ(call(9, 1, 0, buffer, 8, p2p), Status::invalid_capability);
        EXPECT_EQ(call(world, 4, 0, buffer, 8, p2p), Status::invalid_rank);
        EXPECT_EQ(call(world, 1, -1, buffer, 8, p2p), Status::invalid_tag);
        EXPECT_EQ(call(world, 1, 0, buffer, 8, ipclab::context_count), Status::invalid_argument);
        EXPECT_EQ(call(world, 1, 0, buffer, 8, ipclab::context_count | synchronous), Status::invalid_argument);
        EXPECT_EQ(call(world, 1, 0, buffer, ipclab::comm_max_bytes + 1, p2p), Status::message_too_long);
        EXPECT_EQ(call(world, 1, 0, buffer + buffer_bytes - 4, 8, p2p), Status::invalid_pointer);
        EXPECT_EQ(call(world, 1, 0, buffer + buffer_bytes - 4, 8000, p2p), Status::invalid_pointer);
        EXPECT_EQ(self.task().comm_buffered(), 0u);
        done = true;
    });
    Received probed;
    member(1, [&](Thread& self) { probed = probe(self, any, any, zero); });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_EQ(probed.status, Status::would_block) << "nothing was queued";
}

TEST_F(Comm_nonblocking_test, irecv_and_wait_deliver_the_message_and_the_envelope) {
    kernel::Notification& gate = make_gate();
    Started posted{Status::invalid_argument, 0};
    Received before, got;
    std::string data;
    member(0, [&](Thread& self) {
        posted = irecv(self, any, any, 16, buffer + 0x100);
        before = wait(self, posted.handle, zero);
        got = wait(self, posted.handle);
        data = contents(self, 16, buffer + 0x100);
    });
    Status sent = Status::invalid_argument;
    member(2, [&](Thread& self) {
        pass(self, gate);
        sent = send(self, 0, 42, "for the request");
    });
    run_until_idle();
    EXPECT_EQ(posted.status, Status::ok);
    EXPECT_NE(posted.handle, 0u);
    EXPECT_EQ(before.status, Status::would_block);
    open(gate);
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.tag, 42);
    EXPECT_EQ(got.bytes, 15u);
    EXPECT_EQ(data, std::string("for the request\0", 16));
}

TEST_F(Comm_nonblocking_test, an_irecv_of_a_queued_message_completes_at_once) {
    Received got;
    member(1, [&](Thread& self) { EXPECT_EQ(isend(self, 0, 4, "queued").status, Status::ok); });
    member(0, [&](Thread& self) {
        Started posted = irecv(self, 1, 4, 4);
        ASSERT_EQ(posted.status, Status::ok);
        got = wait(self, posted.handle, zero);
    });
    run_until_idle();
    EXPECT_EQ(got.status, Status::truncated) << "the request completed at the irecv; a zero-timeout wait finds it";
    EXPECT_EQ(got.bytes, 4u);
    EXPECT_EQ(got.source, 1);
}

TEST_F(Comm_nonblocking_test, irecv_decode_errors) {
    bool done = false;
    member(0, [&](Thread& self) {
        const auto call = [&](uint64_t slot, int64_t source, int64_t tag, uint64_t at, uint64_t bytes, uint64_t context) {
            return test::syscall(self, Syscall::comm_irecv, {slot, reg(source), reg(tag), at, bytes, context});
        };
        EXPECT_EQ(call(9, 1, 0, buffer, 8, p2p), Status::invalid_capability);
        EXPECT_EQ(call(world, -2, 0, buffer, 8, p2p), Status::invalid_rank);
        EXPECT_EQ(call(world, 4, 0, buffer, 8, p2p), Status::invalid_rank);
        EXPECT_EQ(call(world, 1, -2, buffer, 8, p2p), Status::invalid_tag);
        EXPECT_EQ(call(world, 1, 0, buffer, 8, 2), Status::invalid_argument);
        EXPECT_EQ(call(world, 1, 0, buffer + buffer_bytes - 4, 8, p2p), Status::invalid_pointer);
        done = true;
        park(self);
    });
    Thread& s = member(1, [&](Thread& self) { (void)send(self, 0, 0, "x"); });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_EQ(s.state(), Thread_state::blocked_comm_send) << "no failed irecv was left posted";
}

// Handles: 0, never issued, issued to another task, and stale ones (the request was
// waited for) are all invalid_request; a stale handle does not name the request that
// reuses its slot.
TEST_F(Comm_nonblocking_test, unknown_and_stale_handles_are_invalid_requests) {
    uint64_t theirs = 0;
    member(1, [&](Thread& self) {
        Started s = irecv(self, 0, 0, 8);
        ASSERT_EQ(s.status, Status::ok);
        theirs = s.handle;
        park(self);
    });
    member(3, [&](Thread& self) { park(self); });
    std::vector<Status> results;
    member(0, [&](Thread& self) {
        results.push_back(wait(self, 0, zero).status);
        results.push_back(wait(self, 12345, zero).status);
        results.push_back(wait(self, ~uint64_t(0), zero).status);
        results.push_back(wait(self, theirs, zero).status);
        Started first = irecv(self, 3, 0, 8);
        ASSERT_EQ(first.status, Status::ok);
        results.push_back(wait(self, first.handle | (uint64_t(1) << 32), zero).status);
        EXPECT_EQ(isend(self, 0, 0, "self").status, Status::ok);
        Started mine = irecv(self, 0, 0, 8); // takes the message at once
        results.push_back(wait(self, mine.handle).status);
        results.push_back(wait(self, mine.handle).status); // stale
        Started reused = irecv(self, 3, 1, 8);
        ASSERT_EQ(reused.status, Status::ok);
        EXPECT_NE(reused.handle, mine.handle) << "a new request never gets a stale handle";
        results.push_back(wait(self, mine.handle, zero).status);
        results.push_back(wait(self, reused.handle, zero).status);
        results.push_back(wait(self, first.handle, zero).status);
    });
    run_until_idle();
    EXPECT_EQ(results, (std::vector<Status>{Status::invalid_request, Status::invalid_request, Status::invalid_request,
                                            Status::invalid_request, Status::invalid_request, Status::ok,
                                            Status::invalid_request, Status::invalid_request, Status::would_block,
                                            Status::would_block}));
}

// One thread at a time may wait on a request.
TEST_F(Comm_nonblocking_test, a_request_another_thread_waits_on_is_refused) {
    kernel::Notification& gate = make_gate();
    Started posted{Status::invalid_argument, 0};
    Received first, second;
    Thread& waiter = member(0, [&](Thread& self) {
        posted = irecv(self, 1, any, 8);
        first = wait(self, posted.handle);
    });
    spawn(waiter.task(), [&](Thread& self) {
        second = wait(self, posted.handle);
        park(self);
    });
    member(1, [&](Thread& self) {
        pass(self, gate);
        EXPECT_EQ(send(self, 0, 0, "x"), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(waiter.state(), Thread_state::blocked_comm_wait);
    EXPECT_EQ(second.status, Status::invalid_request);
    open(gate);
    EXPECT_EQ(first.status, Status::ok);
}

TEST_F(Comm_nonblocking_test, a_wait_times_out_and_keeps_the_request) {
    start_clock();
    kernel::Notification& gate = make_gate();
    Started posted{Status::invalid_argument, 0};
    Received timed, later;
    Thread& r = member(0, [&](Thread& self) {
        posted = irecv(self, 1, 0, 8);
        timed = wait(self, posted.handle, 2 * ms);
        later = wait(self, posted.handle);
    });
    member(1, [&](Thread& self) {
        pass(self, gate);
        EXPECT_EQ(send(self, 0, 0, "late"), Status::ok);
    });
    run_until_idle();
    ASSERT_EQ(r.state(), Thread_state::blocked_comm_wait);
    interrupt_at(2 * ms - 1);
    EXPECT_EQ(r.state(), Thread_state::blocked_comm_wait);
    interrupt_at(2 * ms);
    EXPECT_EQ(timed.status, Status::timed_out);
    EXPECT_EQ(r.state(), Thread_state::blocked_comm_wait) << "waiting again, on the same request";
    open(gate);
    EXPECT_EQ(later.status, Status::ok);
    EXPECT_EQ(later.source, 1);
}

TEST_F(Comm_nonblocking_test, a_probe_without_a_message_would_block) {
    Received got;
    member(0, [&](Thread& self) { got = probe(self, any, any, zero); });
    run_until_idle();
    EXPECT_EQ(got.status, Status::would_block);
}

// A blocking probe waits for a matching message and reports its envelope without
// receiving it: the sender is still blocked, and a receive gets the message.
TEST_F(Comm_nonblocking_test, a_blocking_probe_waits_and_does_not_consume) {
    kernel::Notification& gate = make_gate();
    Received probed, probed_again, got;
    Thread& prober = member(0, [&](Thread& self) {
        probed = probe(self, any, 6);
        probed_again = probe(self, any, any, zero);
        got = recv(self, probed.source, probed.tag, probed.bytes);
        park(self);
    });
    Status sent[3] = {Status::invalid_argument, Status::invalid_argument, Status::invalid_argument};
    member(2, [&](Thread& self) {
        EXPECT_EQ(prober.state(), Thread_state::blocked_comm_probe);
        sent[2] = send(self, 0, 5, "wrong tag");
    });
    member(1, [&](Thread& self) {
        pass(self, gate);
        sent[1] = send(self, 0, 6, "probe me");
    });
    run_until_idle();
    EXPECT_EQ(prober.state(), Thread_state::blocked_comm_probe) << "a message with another tag ended the probe";
    open(gate);
    EXPECT_EQ(probed.status, Status::ok);
    EXPECT_EQ(probed.source, 1);
    EXPECT_EQ(probed.tag, 6);
    EXPECT_EQ(probed.bytes, 8u);
    EXPECT_EQ(probed_again.status, Status::ok) << "still there";
    EXPECT_EQ(probed_again.source, 2) << "the first message in arrival order";
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, "probe me");
    EXPECT_EQ(sent[1], Status::ok);
    EXPECT_EQ(sent[2], Status::invalid_argument) << "still blocked: nobody received it";
}

// A blocked probe looks again whenever a message is queued for its rank, whatever kind.
TEST_F(Comm_nonblocking_test, a_blocking_probe_wakes_for_eager_and_rendezvous_messages) {
    kernel::Notification& gate = make_gate();
    std::vector<Received> probed;
    Thread& prober = member(0, [&](Thread& self) {
        probed.push_back(probe(self, 1, 1));
        probed.push_back(probe(self, 1, 2));
        park(self);
    });
    member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 1, "eager", p2p, buffer).status, Status::ok);
        pass(self, gate);
        EXPECT_NE(isend(self, 0, 2, pattern(eager_limit + 1), p2p, buffer + 0x1000).handle, 0u);
        park(self);
    });
    run_until_idle();
    ASSERT_EQ(probed.size(), 1u) << "the eager message did not end the probe";
    EXPECT_EQ(prober.state(), Thread_state::blocked_comm_probe);
    open(gate);
    ASSERT_EQ(probed.size(), 2u) << "the rendezvous message did not end the probe";
    EXPECT_EQ(probed[0].status, Status::ok);
    EXPECT_EQ(probed[0].bytes, 5u);
    EXPECT_EQ(probed[1].status, Status::ok);
    EXPECT_EQ(probed[1].bytes, eager_limit + 1);
}

TEST_F(Comm_nonblocking_test, a_probe_finds_eager_and_rendezvous_messages_by_source_tag_and_context) {
    std::vector<Received> probed;
    member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 1, "eager").status, Status::ok);
        EXPECT_NE(isend(self, 0, 2, pattern(eager_limit + 10), p2p, buffer + 0x1000).handle, 0u);
        EXPECT_EQ(isend(self, 0, 3, "coll", collective, buffer + 0x4000).status, Status::ok);
        park(self);
    });
    member(2, [&](Thread& self) { park(self); });
    member(0, [&](Thread& self) {
        probed.push_back(probe(self, 1, 2, zero));
        probed.push_back(probe(self, any, any, zero));
        probed.push_back(probe(self, any, 3, zero));
        probed.push_back(probe(self, any, 3, zero, collective));
        probed.push_back(probe(self, 2, any, zero));
    });
    run_until_idle();
    ASSERT_EQ(probed.size(), 5u);
    EXPECT_EQ(probed[0].status, Status::ok);
    EXPECT_EQ(probed[0].tag, 2);
    EXPECT_EQ(probed[0].bytes, eager_limit + 10);
    EXPECT_EQ(probed[1].status, Status::ok);
    EXPECT_EQ(probed[1].tag, 1);
    EXPECT_EQ(probed[1].bytes, 5u);
    EXPECT_EQ(probed[2].status, Status::would_block) << "tag 3 is collective traffic";
    EXPECT_EQ(probed[3].status, Status::ok);
    EXPECT_EQ(probed[3].source, 1);
    EXPECT_EQ(probed[4].status, Status::would_block);
}

TEST_F(Comm_nonblocking_test, a_probe_times_out) {
    start_clock();
    Received got;
    Thread& prober = member(0, [&](Thread& self) { got = probe(self, any, any, ms); });
    run_until_idle();
    ASSERT_EQ(prober.state(), Thread_state::blocked_comm_probe);
    interrupt_at(ms);
    EXPECT_EQ(got.status, Status::timed_out);
}

TEST_F(Comm_nonblocking_test, a_probe_naming_a_rank_that_ends_fails) {
    Received got;
    Thread& prober = member(0, [&](Thread& self) { got = probe(self, 1, any); });
    Thread& victim = member(1, [&](Thread& self) { park(self); });
    run_until_idle();
    ASSERT_EQ(prober.state(), Thread_state::blocked_comm_probe);
    kill(victim.task());
    run_until_idle();
    EXPECT_EQ(got.status, Status::partner_dead);
}

// abi/syscall.hpp: a6 is the timeout of every blocking call; timeout_zero fails with
// would_block unless a partner is already there (as comm_probe and comm_wait do).
TEST_F(Comm_nonblocking_test, a_receive_with_a_zero_timeout_would_block) {
    Received empty, queued;
    bool done = false;
    member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 1, "here").status, Status::ok);
        park(self);
    });
    member(0, [&](Thread& self) {
        queued = recv(self, 1, 1, 8, p2p, zero);
        empty = recv(self, 1, 1, 8, p2p, zero);
        done = true;
    });
    run_until_idle();
    EXPECT_EQ(queued.status, Status::ok);
    EXPECT_TRUE(done) << "a zero-timeout receive blocked";
    EXPECT_EQ(empty.status, Status::would_block);
}

TEST_F(Comm_nonblocking_test, a_receive_with_a_timeout_times_out_and_is_withdrawn) {
    start_clock();
    kernel::Notification& gate = make_gate();
    Received timed;
    Thread& r = member(0, [&](Thread& self) {
        timed = recv(self, any, any, 8, p2p, 3 * ms);
        park(self);
    });
    Status sent = Status::ok;
    Thread& s = member(1, [&](Thread& self) {
        pass(self, gate);
        sent = send(self, 0, 0, "late");
    });
    run_until_idle();
    ASSERT_EQ(r.state(), Thread_state::blocked_comm_recv);
    interrupt_at(3 * ms);
    EXPECT_EQ(timed.status, Status::timed_out);
    open(gate);
    EXPECT_EQ(s.state(), Thread_state::blocked_comm_send) << "the timed-out receive was still posted";
    (void)sent;
}

// Kernel memory: every request, eager buffer and request table goes when its task ends.
TEST_F(Comm_nonblocking_test, a_task_ending_with_requests_and_buffers_leaves_nothing) {
    kernel::Notification& never = make_gate();
    const uint64_t before = kernel::kmem::bytes_in_use();
    Thread& a = member(0, [&](Thread& self) {
        for (int k = 0; k < 5; ++k) EXPECT_EQ(irecv(self, 1, 100 + k, 8, buffer + 0x100 * k).status, Status::ok);
        EXPECT_NE(isend(self, 1, 9, pattern(eager_limit * 2)).handle, 0u);
        EXPECT_EQ(isend(self, 1, 9, "eager", p2p, buffer + 0x3000).status, Status::ok);
        pass(self, never);
    });
    Thread& b = member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 7, "to a").status, Status::ok);
        pass(self, never);
    });
    run_until_idle();
    kill(a.task());
    run_until_idle();
    kill(b.task());
    run_until_idle();
    kernel::scheduler().reap();
    EXPECT_EQ(kernel::kmem::bytes_in_use(), before);
}

// Out of memory between an eager isend's two allocations (its operation's and its data's): the
// one that succeeded is given back (found by the syscall fuzzer, docs/robustness.md: the data
// buffer leaked when only the operation's allocation failed).
TEST_F(Comm_nonblocking_test, an_eager_isend_out_of_memory_gives_back_what_it_got) {
    member(0, [&](Thread& self) { park(self); }); // no receive posted: the send must be buffered
    Started started{Status::ok, 99};
    uint64_t bytes_before = 0, bytes_after = 0, charge_before = 0, charge_after = 0;
    member(1, [&](Thread& self) {
        kernel::Account scratch;
        kernel::kmem::free(kernel::kmem::allocate(8, scratch), 8, scratch); // a free object in the data's class
        std::vector<kernel::Phys_addr> taken;
        kernel::Phys_addr f;
        while (kernel::frames().allocate(f)) taken.push_back(f);
        std::vector<void*> held; // the operation's size class emptied
        while (void* p = kernel::kmem::allocate(sizeof(kernel::Comm_op), scratch)) held.push_back(p);
        bytes_before = kernel::kmem::bytes_in_use();
        charge_before = self.task().account().kernel_bytes();
        started = isend(self, 0, 5, "short"); // 5 bytes: data in the 32-byte class
        bytes_after = kernel::kmem::bytes_in_use();
        charge_after = self.task().account().kernel_bytes();
        for (void* p : held) kernel::kmem::free(p, sizeof(kernel::Comm_op), scratch);
        for (kernel::Phys_addr frame : taken) kernel::frames().free(frame);
    });
    run_until_idle();
    static_assert(sizeof(kernel::Comm_op) > 32, "the operation and the data must be in different size classes");
    EXPECT_EQ(started.status, Status::out_of_memory);
    EXPECT_EQ(bytes_after, bytes_before);
    EXPECT_EQ(charge_after, charge_before);
}

// A task may have at most Comm_requests::capacity requests outstanding.
TEST_F(Comm_nonblocking_test, requests_are_limited_per_task) {
    Status last = Status::ok;
    uint32_t made = 0;
    member(1, [&](Thread& self) { park(self); });
    member(0, [&](Thread& self) {
        for (;;) {
            Started s = irecv(self, 1, 0, 8);
            if (s.status != Status::ok) {
                last = s.status;
                break;
            }
            ++made;
        }
    });
    run_until_idle();
    EXPECT_EQ(made, kernel::Comm_requests::capacity);
    EXPECT_EQ(last, Status::out_of_memory);
}

// mpi-blocking and mpi-timeout forbid non-blocking sends: comm_isend fails with unsupported
// and nothing is queued; blocking sends still work. The other policies allow them.
struct Isend_case {
    const char* policy;
    Status isend;
};

class Comm_isend_policy_test : public Comm_test, public ::testing::WithParamInterface<Isend_case> {};

TEST_P(Comm_isend_policy_test, isend_is_offered_by_the_policy) {
    use_policy(GetParam().policy);
    std::vector<Status> results;
    member(1, [&](Thread& self) {
        Started eager = isend(self, 0, 1, "eager", p2p, buffer);
        Started rendezvous = isend(self, 0, 2, pattern(eager_limit + 1), p2p, buffer + 0x1000);
        Started sync = isend(self, 0, 3, "sync", p2p | synchronous, buffer + 0x3000);
        results = {eager.status, rendezvous.status, sync.status, send(self, 0, 4, "blocking", p2p, world, buffer + 0x4000)};
        for (const Started* s : {&rendezvous, &sync}) {
            if (s->status != Status::ok) continue;
            EXPECT_EQ(wait(self, s->handle).status, Status::ok);
        }
    });
    Received got;
    member(0, [&](Thread& self) {
        got = recv(self, 1, 4, 8);
        if (GetParam().isend == Status::ok) {
            for (int32_t tag : {1, 2, 3}) EXPECT_EQ(recv(self, 1, tag, eager_limit + 1).status, Status::ok) << tag;
        }
        EXPECT_EQ(probe(self, any, any, zero).status, Status::would_block) << "nothing else was queued";
    });
    run_until_idle();
    const Status i = GetParam().isend;
    EXPECT_EQ(results, (std::vector<Status>{i, i, i, Status::ok}));
    EXPECT_EQ(got.status, Status::ok);
}

INSTANTIATE_TEST_SUITE_P(Policies, Comm_isend_policy_test,
                         ::testing::Values(Isend_case{"capability", Status::ok}, Isend_case{"mpi-open", Status::ok},
                                           Isend_case{"mpi-rights", Status::ok},
                                           Isend_case{"mpi-blocking", Status::unsupported},
                                           Isend_case{"mpi-timeout", Status::unsupported},
                                           Isend_case{"mpi-credit", Status::ok}, Isend_case{"none", Status::ok},
                                           Isend_case{"clans-chiefs", Status::ok}, Isend_case{"ref-monitor", Status::ok}),
                         [](const ::testing::TestParamInfo<Isend_case>& info) {
                             std::string name = info.param.policy;
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

} // namespace
