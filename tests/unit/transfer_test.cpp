// Native message transfer (kernel/ipc/transfer.cpp): registers, UTCB message registers,
// string items between address spaces, and the checks made before a message moves.
#include <gtest/gtest.h>

#include "abi/timeout.hpp"

#include <string.h>

#include <string>

#include "ipc/transfer.hpp"
#include "mem/user_memory.hpp"
#include "support/kernel_test.hpp"

namespace {

constexpr uint64_t inf = ipclab::timeout_infinite;

using ipclab::Message_tag;
using kernel::Status;
using kernel::Thread;

constexpr uint64_t send_buffer = 0x10000;
constexpr uint64_t recv_window = 0x40000;

class Transfer_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();

    /// A sender with `text` in a string item that starts `offset` bytes into its buffer.
    Thread& string_sender(const std::string& text, uint64_t offset, Status& result) {
        kernel::Task& task = make_task("sender");
        map(task, send_buffer, 0x3000);
        EXPECT_EQ(kernel::copy_to_user(task.space(), send_buffer + offset, text.data(), text.size()), Status::ok);
        return spawn(task, [this, text, offset, &result](Thread& self) {
            self.utcb().send_string_addr = send_buffer + offset;
            self.utcb().send_string_bytes = text.size();
            test::load_message(self, Message_tag(0, 0, true), {});
            result = ep.send(self, 0, false, inf);
        });
    }
    /// A receiver with a string window of `capacity` bytes `offset` bytes into its buffer
    /// (whose second page is read-only if `hole`); it stays alive after the receive.
    Thread& string_receiver(uint64_t offset, uint64_t capacity, Status& result, bool hole = false) {
        kernel::Task& task = make_task("receiver");
        map(task, recv_window, 0x1000);
        map(task, recv_window + 0x1000, 0x1000, !hole);
        map(task, recv_window + 0x2000, 0x2000);
        return spawn(task, [this, offset, capacity, &result](Thread& self) {
            self.utcb().recv_string_addr = recv_window + offset;
            self.utcb().recv_string_capacity = capacity;
            self.utcb().recv_string_bytes = 12345;
            result = ep.receive(self, inf);
            park(self);
        });
    }
    std::string read(Thread& t, uint64_t addr, size_t n) {
        std::string s(n, '\0');
        EXPECT_EQ(kernel::copy_from_user(t.task().space(), addr, s.data(), n), Status::ok);
        return s;
    }
};

TEST_F(Transfer_test, registers_beyond_the_length_read_as_zero) {
    uint64_t mr[4] = {};
    spawn("receiver", [&](Thread& self) {
        for (unsigned i = 0; i < 4; ++i) self.frame().set_result(2 + i, 0xdead);
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        for (unsigned i = 0; i < 4; ++i) mr[i] = self.frame().arg(2 + i);
    });
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 2), {11, 22, 0x5ec7e7, 0x5ec7e7});
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(mr[0], 11u);
    EXPECT_EQ(mr[1], 22u);
    EXPECT_EQ(mr[2], 0u) << "the sender's stale register leaked";
    EXPECT_EQ(mr[3], 0u);
}

TEST_F(Transfer_test, registers_from_mr4_on_travel_in_the_utcb) {
    Thread& receiver = spawn("receiver", [&](Thread& self) {
        self.utcb().mr[10] = 0xf00d;
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(Message_tag(self.frame().arg(1)).length(), 10u);
        for (unsigned i = 0; i < 10; ++i) EXPECT_EQ(test::received_mr(self, i), 1000 + i) << "MR" << i;
        EXPECT_EQ(self.utcb().mr[10], 0xf00du) << "words beyond the length were copied";
    });
    (void)receiver;
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, 10), {1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009});
        self.utcb().mr[10] = 0x5ec7e7;
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    run_until_idle();
}

TEST_F(Transfer_test, a_full_message_carries_all_sixty_four_registers) {
    spawn("sender", [&](Thread& self) {
        test::load_message(self, Message_tag(0, ipclab::max_message_registers), {1, 2, 3, 4});
        for (unsigned i = 4; i < ipclab::max_message_registers; ++i) self.utcb().mr[i] = i * 3;
        EXPECT_EQ(ep.send(self, 0, false, inf), Status::ok);
    });
    spawn("receiver", [&](Thread& self) {
        ASSERT_EQ(ep.receive(self, inf), Status::ok);
        EXPECT_EQ(test::received_mr(self, 3), 4u);
        for (unsigned i = 4; i < ipclab::max_message_registers; ++i) EXPECT_EQ(self.utcb().mr[i], i * 3);
    });
    run_until_idle();
}

TEST_F(Transfer_test, a_string_item_is_copied_across_pages) {
    std::string text(5000, '\0');
    for (size_t i = 0; i < text.size(); ++i) text[i] = char('a' + i % 26);
    Status sent = Status::invalid_argument, received = Status::invalid_argument;
    // Both buffers straddle page boundaries at different offsets.
    Thread& receiver = string_receiver(0xff8, 6000, received);
    run_until_idle();
    string_sender(text, 0x7f0, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    ASSERT_EQ(received, Status::ok);
    EXPECT_EQ(receiver.utcb().recv_string_bytes, text.size());
    EXPECT_TRUE(read(receiver, recv_window + 0xff8, text.size()) == text);
    EXPECT_EQ(read(receiver, recv_window + 0xff8 + text.size(), 8), std::string(8, '\0'));
}

TEST_F(Transfer_test, a_queued_string_item_is_copied_when_received) {
    const std::string text = "long IPC from a queued sender";
    Status sent = Status::invalid_argument, received = Status::invalid_argument;
    string_sender(text, 0xffc, sent);
    run_until_idle();
    Thread& receiver = string_receiver(0, text.size(), received);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(received, Status::ok);
    EXPECT_EQ(receiver.utcb().recv_string_bytes, text.size());
    EXPECT_EQ(read(receiver, recv_window, text.size()), text);
}

TEST_F(Transfer_test, a_string_longer_than_the_window_fails_both_sides) {
    const std::string text(33, 'x');
    Status sent = Status::ok, received = Status::ok;
    Thread& receiver = string_receiver(0, 32, received);
    run_until_idle();
    string_sender(text, 0, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::message_too_long);
    EXPECT_EQ(received, Status::message_too_long);
    // recv_string_bytes means something only with a delivered string (abi/utcb.hpp).
    EXPECT_EQ(read(receiver, recv_window, 33), std::string(33, '\0')) << "nothing may be copied";
}

TEST_F(Transfer_test, a_queued_string_longer_than_the_window_fails_both_sides) {
    Status sent = Status::ok, received = Status::ok;
    string_sender(std::string(100, 'y'), 0, sent);
    run_until_idle();
    string_receiver(0, 99, received);
    run_until_idle();
    EXPECT_EQ(sent, Status::message_too_long);
    EXPECT_EQ(received, Status::message_too_long);
}

TEST_F(Transfer_test, a_string_into_a_read_only_window_fails_both_sides) {
    Status sent = Status::ok, received = Status::ok;
    Thread& receiver = string_receiver(0x800, 0x1000, received, true);
    run_until_idle();
    string_sender(std::string(0x1000, 'z'), 0, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::invalid_pointer);
    EXPECT_EQ(received, Status::invalid_pointer);
    (void)receiver; // recv_string_bytes means something only with a delivered string
}

TEST_F(Transfer_test, outgoing_messages_are_checked) {
    kernel::Task& task = make_task("sender");
    map(task, send_buffer, 0x1000);
    Thread& t = spawn(task, [](Thread&) {});
    ipclab::Utcb& u = t.utcb();
    test::load_message(t, Message_tag(0, ipclab::max_message_registers), {});
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::ok);
    test::load_message(t, Message_tag(0, ipclab::max_message_registers + 1), {});
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::invalid_argument);
    t.frame().set_result(1, Message_tag::redirected_bit); // a kernel-set bit
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::invalid_argument);
    t.frame().set_result(1, Message_tag::by_thread_id_bit); // only the kernel sets it
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::invalid_argument);
    t.frame().set_result(1, Message_tag::cap_bit); // an item needs the grant right
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::insufficient_rights);
    t.frame().set_result(1, Message_tag::map_bit);
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::insufficient_rights);

    test::load_message(t, Message_tag(0, 0, true), {});
    u.send_string_addr = send_buffer;
    u.send_string_bytes = 0x1000;
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::ok);
    u.send_string_bytes = 0x1001; // runs into an unmapped page
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::invalid_pointer);
    u.send_string_bytes = ipclab::max_string_bytes + 1;
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::message_too_long);
    u.send_string_addr = 0xffff800000000000; // a kernel address
    u.send_string_bytes = 8;
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::invalid_pointer);
    test::load_message(t, Message_tag(0, 0, false), {});
    EXPECT_EQ(kernel::check_outgoing(t, false), Status::ok) << "without the string flag the item is ignored";
}

TEST_F(Transfer_test, receive_windows_must_lie_in_the_user_half) {
    // Only the range is checked before a receive; the pages are checked by the copy.
    Thread& t = spawn("receiver", [](Thread&) {});
    ipclab::Utcb& u = t.utcb();
    EXPECT_EQ(kernel::check_receive_window(t), Status::ok) << "no window";
    u.recv_string_addr = recv_window; // not mapped
    u.recv_string_capacity = 0x1000;
    EXPECT_EQ(kernel::check_receive_window(t), Status::ok);
    u.recv_string_addr = 0;
    EXPECT_EQ(kernel::check_receive_window(t), Status::invalid_pointer);
    u.recv_string_addr = 0xffff800000000000;
    EXPECT_EQ(kernel::check_receive_window(t), Status::invalid_pointer);
    u.recv_string_addr = arch::user_end - 0x1000;
    EXPECT_EQ(kernel::check_receive_window(t), Status::ok);
    u.recv_string_capacity = 0x1001;
    EXPECT_EQ(kernel::check_receive_window(t), Status::invalid_pointer);
    // A capacity beyond the largest string only needs the largest string's room.
    u.recv_string_addr = arch::user_end - ipclab::max_string_bytes;
    u.recv_string_capacity = ~0ull;
    EXPECT_EQ(kernel::check_receive_window(t), Status::ok);
    u.recv_string_addr += 1;
    EXPECT_EQ(kernel::check_receive_window(t), Status::invalid_pointer);
    u.recv_string_capacity = 0;
    EXPECT_EQ(kernel::check_receive_window(t), Status::ok) << "an empty window anywhere";
}

} // namespace
