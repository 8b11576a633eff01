// Short messages in registers (comm_in_registers, abi/comm.hpp): a comm_send of at most 24
// bytes takes its payload from r13..r15, a comm_recv of capacity at most 24 returns it there.
// Every combination with memory sends and receives, both orders, truncation and the bad
// cases, each with the fast path (comm_fastpath.cpp) off and on: same results either way.
#include <gtest/gtest.h>

#include <string.h>

#include <string>

#include "support/comm_fixture.hpp"

namespace {

using namespace test::comm;

constexpr uint64_t in_registers = ipclab::comm_in_registers;

/// comm_send of `text` (at most 24 bytes) in registers; the buffer argument is left 0,
/// which the kernel must ignore.
Status send_in_registers(Thread& self, int32_t dest, int32_t tag, const std::string& text) {
    uint64_t w[3] = {};
    memcpy(w, text.data(), text.size() < sizeof w ? text.size() : sizeof w);
    arch::User_frame& f = self.frame();
    f.r13 = w[0];
    f.r14 = w[1];
    f.r15 = w[2];
    return test::syscall(self, Syscall::comm_send, {world, reg(dest), reg(tag), 0, text.size(), p2p | in_registers});
}

/// comm_recv in registers (capacity at most 24); `data` is the first r2 bytes of r13..r15.
Received recv_in_registers(Thread& self, int32_t source, int32_t tag, uint64_t capacity) {
    Received r;
    arch::User_frame& f = self.frame();
    f.r13 = f.r14 = f.r15 = 0x5a5a5a5a5a5a5a5aull; // must be overwritten
    r.status = test::syscall(self, Syscall::comm_recv, {world, reg(source), reg(tag), 0, capacity, p2p | in_registers});
    take_envelope(self, r);
    if (r.status == Status::ok || r.status == Status::truncated) {
        const uint64_t w[3] = {f.r13, f.r14, f.r15};
        r.data.assign(reinterpret_cast<const char*>(w), r.bytes);
    }
    return r;
}

class Comm_registers_test : public Comm_test, public testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        Comm_test::SetUp();
        kernel::ipc_fastpath_enabled = GetParam();
    }
    /// Runs rank 1 doing `receive` and rank 0 doing `send`, in the order given, to the end.
    template <typename Receive, typename Send> void exchange(bool receiver_first, Receive receive, Send send) {
        if (receiver_first) {
            member(1, receive);
            member(0, send);
        } else {
            member(0, send);
            member(1, receive);
        }
        run_until_idle();
    }
};

TEST_P(Comm_registers_test, register_to_register_with_the_receiver_first) {
    Received got;
    Status sent = Status::invalid_argument;
    member(1, [&](Thread& self) {
        got = recv_in_registers(self, 0, 5, 24);
        park(self);
    });
    member(0, [&](Thread& self) { sent = send_in_registers(self, 1, 5, "twenty-four bytes, exact"); });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 0);
    EXPECT_EQ(got.tag, 5);
    EXPECT_EQ(got.data, "twenty-four bytes, exact");
}

TEST_P(Comm_registers_test, register_to_register_with_the_sender_first) {
    Received got;
    Status sent = Status::invalid_argument;
    Thread& s = member(2, [&](Thread& self) { sent = send_in_registers(self, 3, 1, "8 bytes!"); });
    member(3, [&](Thread& self) {
        EXPECT_EQ(s.state(), Thread_state::blocked_comm_send);
        got = recv_in_registers(self, any, any, 16);
    });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 2);
    EXPECT_EQ(got.bytes, 8u);
    EXPECT_EQ(got.data, "8 bytes!");
}

TEST_P(Comm_registers_test, an_empty_message_in_registers) {
    Received got;
    Status sent = Status::invalid_argument;
    member(1, [&](Thread& self) {
        got = recv_in_registers(self, 0, any, 0);
        park(self);
    });
    member(0, [&](Thread& self) { sent = send_in_registers(self, 1, 0, ""); });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.bytes, 0u);
}

TEST_P(Comm_registers_test, a_register_send_lands_in_a_memory_receive) {
    for (bool receiver_first : {true, false}) {
        SCOPED_TRACE(receiver_first ? "receiver first" : "sender first");
        Received got;
        Status sent = Status::invalid_argument;
        auto receive = [&](Thread& self) {
            put(self, std::string(64, '.'));
            got = recv(self, 0, any, 64);
            park(self);
        };
        auto send = [&](Thread& self) { sent = send_in_registers(self, 1, 3, "from registers"); };
        exchange(receiver_first, receive, send);
        EXPECT_EQ(sent, Status::ok);
        EXPECT_EQ(got.status, Status::ok);
        EXPECT_EQ(got.bytes, 14u);
        EXPECT_EQ(got.data, "from registers" + std::string(50, '.')) << "nothing written past the message";
    }
}

TEST_P(Comm_registers_test, a_memory_send_lands_in_a_register_receive) {
    for (bool receiver_first : {true, false}) {
        SCOPED_TRACE(receiver_first ? "receiver first" : "sender first");
        Received got;
        Status sent = Status::invalid_argument;
        auto receive = [&](Thread& self) {
            got = recv_in_registers(self, 0, any, 24);
            park(self);
        };
        auto send = [&](Thread& self) { sent = test::comm::send(self, 1, 3, "from memory"); };
        exchange(receiver_first, receive, send);
        EXPECT_EQ(sent, Status::ok);
        EXPECT_EQ(got.status, Status::ok);
        EXPECT_EQ(got.data, "from memory");
    }
}

TEST_P(Comm_registers_test, an_eager_message_lands_in_a_register_receive) {
    Received got;
    member(0, [&](Thread& self) {
        EXPECT_EQ(isend(self, 1, 7, "buffered").status, Status::ok);
        park(self);
    });
    member(1, [&](Thread& self) { got = recv_in_registers(self, 0, 7, 8); });
    run_until_idle();
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, "buffered");
}

TEST_P(Comm_registers_test, a_register_send_lands_in_a_posted_irecv) {
    Received got;
    Status sent = Status::invalid_argument;
    member(1, [&](Thread& self) {
        Started r = irecv(self, 0, any, 32);
        ASSERT_EQ(r.status, Status::ok);
        got = wait(self, r.handle);
        got.data = contents(self, got.bytes);
        park(self);
    });
    member(0, [&](Thread& self) { sent = send_in_registers(self, 1, 2, "into a request"); });
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.data, "into a request");
}

TEST_P(Comm_registers_test, a_register_receive_truncates_to_its_capacity) {
    for (bool receiver_first : {true, false}) {
        SCOPED_TRACE(receiver_first ? "receiver first" : "sender first");
        Received got;
        Status sent = Status::invalid_argument;
        auto receive = [&](Thread& self) {
            got = recv_in_registers(self, 0, any, 5);
            park(self);
        };
        auto send = [&](Thread& self) { sent = send_in_registers(self, 1, 0, "0123456789abcdef"); };
        exchange(receiver_first, receive, send);
        EXPECT_EQ(sent, Status::ok) << "truncation is the receiver's error";
        EXPECT_EQ(got.status, Status::truncated);
        EXPECT_EQ(got.bytes, 5u);
        EXPECT_EQ(got.data, "01234");
    }
}

TEST_P(Comm_registers_test, more_than_24_bytes_in_registers_is_refused) {
    Status sent = Status::ok;
    Received got;
    member(0, [&](Thread& self) {
        self.frame().r13 = self.frame().r14 = self.frame().r15 = 0;
        sent = test::syscall(self, Syscall::comm_send, {world, 1, 0, 0, 25, p2p | in_registers});
        got.status = test::syscall(self, Syscall::comm_recv, {world, 1, 0, 0, 25, p2p | in_registers});
    });
    member(1, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_EQ(sent, Status::invalid_argument);
    EXPECT_EQ(got.status, Status::invalid_argument);
}

TEST_P(Comm_registers_test, nonblocking_calls_refuse_the_register_flag) {
    Started s{Status::ok, 0}, r{Status::ok, 0};
    member(0, [&](Thread& self) {
        s.status = test::syscall(self, Syscall::comm_isend, {world, 1, 0, buffer, 8, p2p | in_registers});
        r.status = test::syscall(self, Syscall::comm_irecv, {world, 1, 0, buffer, 8, p2p | in_registers});
    });
    member(1, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_EQ(s.status, Status::invalid_argument);
    EXPECT_EQ(r.status, Status::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Fastpath, Comm_registers_test, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& p) { return p.param ? "fast" : "slow"; });

} // namespace
