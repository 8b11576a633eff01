// The mpi-credit policy (kernel/policy/mpi_credit.cpp, issue 5): non-blocking sends are kept,
// but what one sender holds in kernel buffers on one receiver's queue is bounded; past the
// credit comm_isend fails with credit_exhausted and nothing is queued. The credit is per
// sender and receiver, and comes back when the receiver takes messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/comm_fixture.hpp"

namespace {

using namespace test::comm;

constexpr uint64_t page = 4096;
/// The credit of kernel/policy/mpi_credit.cpp: sixteen eager messages of one page.
constexpr uint64_t credit = 16 * eager_charge(page);

class Comm_credit_test : public Comm_test {
protected:
    void SetUp() override {
        Comm_test::SetUp();
        use_policy("mpi-credit");
    }
};

// A flood of one-page eager sends at a rank that never receives: sixteen are buffered, the
// seventeenth fails, and the sender's kernel buffers stop at the credit.
TEST_F(Comm_credit_test, a_flood_stops_at_the_credit_and_nothing_more_is_queued) {
    std::vector<Status> results;
    uint64_t buffered = 0;
    member(1, [&](Thread& self) {
        for (int i = 0; i < 40; ++i) results.push_back(isend(self, 0, 9, pattern(page)).status);
        buffered = self.task().comm_buffered();
    });
    member(0, [&](Thread& self) { park(self); });
    run_until_idle();
    ASSERT_EQ(results.size(), 40u);
    for (size_t i = 0; i < results.size(); ++i)
        EXPECT_EQ(results[i], i < 16 ? Status::ok : Status::credit_exhausted) << "send " << i;
    EXPECT_EQ(buffered, credit);
    EXPECT_EQ(comm.buffered_bytes(1, 0), credit);
}

// The credit is per pair: a sender that used it up towards rank 0 still sends to rank 2, and
// another sender still sends to rank 0.
TEST_F(Comm_credit_test, the_credit_is_per_sender_and_receiver) {
    Status to_other_receiver = Status::invalid_argument, from_other_sender = Status::invalid_argument;
    Status over = Status::ok;
    member(1, [&](Thread& self) {
        for (int i = 0; i < 16; ++i) ASSERT_EQ(isend(self, 0, 9, pattern(page)).status, Status::ok);
        over = isend(self, 0, 9, "x").status;
        to_other_receiver = isend(self, 2, 9, pattern(page)).status;
    });
    member(3, [&](Thread& self) { from_other_sender = isend(self, 0, 9, pattern(page)).status; });
    member(0, [&](Thread& self) { park(self); });
    member(2, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_EQ(over, Status::credit_exhausted) << "even one byte more";
    EXPECT_EQ(to_other_receiver, Status::ok);
    EXPECT_EQ(from_other_sender, Status::ok);
    EXPECT_EQ(comm.buffered_bytes(1, 2), eager_charge(page));
    EXPECT_EQ(comm.buffered_bytes(3, 0), eager_charge(page));
}

// Received messages give their credit back; blocking sends never need credit.
TEST_F(Comm_credit_test, receiving_gives_the_credit_back_and_blocking_sends_need_none) {
    kernel::Notification& sender_gate = make_gate();
    kernel::Notification& receiver_gate = make_gate();
    Status before = Status::ok, after = Status::invalid_argument, blocking = Status::invalid_argument;
    member(1, [&](Thread& self) {
        for (int i = 0; i < 16; ++i) ASSERT_EQ(isend(self, 0, 9, pattern(page)).status, Status::ok);
        before = isend(self, 0, 9, pattern(page)).status;
        pass(self, sender_gate);
        after = isend(self, 0, 9, pattern(page)).status;
        blocking = send(self, 0, 10, "blocking");
    });
    std::vector<Status> got;
    member(0, [&](Thread& self) {
        pass(self, receiver_gate);
        got.push_back(recv(self, 1, 9, page).status);
        got.push_back(recv(self, 1, 10, 16).status);
    });
    run_until_idle();
    EXPECT_EQ(before, Status::credit_exhausted);
    open(receiver_gate); // takes one message, then waits for the blocking one
    EXPECT_EQ(comm.buffered_bytes(1, 0), credit - eager_charge(page));
    open(sender_gate);
    EXPECT_EQ(after, Status::ok) << "one message's credit came back";
    EXPECT_EQ(blocking, Status::ok) << "a rendezvous send buffers nothing, credit or not";
    EXPECT_EQ(got, (std::vector<Status>{Status::ok, Status::ok}));
}

// A rendezvous request (a message too long for an eager copy) holds only its operation:
// it counts against the credit with that much.
TEST_F(Comm_credit_test, a_queued_rendezvous_request_counts_its_operation) {
    Started started{Status::invalid_argument, 0};
    member(1, [&](Thread& self) {
        started = isend(self, 0, 9, pattern(ipclab::comm_eager_bytes + 1));
        park(self); // a request lives as long as its task
    });
    member(0, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_EQ(started.status, Status::ok);
    EXPECT_NE(started.handle, 0u) << "a request, not a buffer";
    EXPECT_EQ(comm.buffered_bytes(1, 0), sizeof(kernel::Comm_op));
}

} // namespace
