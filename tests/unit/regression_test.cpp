// Regression tests for kernel bugs the unit tests found: each states the behaviour the fix
// gives.
#include <gtest/gtest.h>

#include "ipc/notification.hpp"
#include "ipc/transfer.hpp"
#include "support/kernel_test.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

class Regression_test : public test::Kernel_test {};

// Thread::create unmaps its UTCB range when it fails, even when it failed because the range
// was already mapped: a page the task received there (a map item may target any free user
// page, the UTCB area included) silently disappears. Expected: thread_create fails and the
// page stays.
TEST_F(Regression_test, a_failed_thread_create_unmaps_a_page_it_does_not_own) {
    kernel::Task& t = make_task("t");
    bool done = false;
    spawn(t, [&](Thread& self) {
        const uint64_t next_utcb = self.utcb_address() + 4096; // Task::next_utcb_address()
        ASSERT_EQ(self.task().space().map_zeroed(next_utcb, 4096, {true, false}), Status::ok); // as a map item would
        EXPECT_NE(test::syscall(self, Syscall::thread_create, {0x401000, 0x7000000, 1, 0}), Status::ok);
        uint64_t phys;
        EXPECT_TRUE(self.task().space().table().translate(next_utcb, arch::Access::read, phys))
            << "the task's page was unmapped by the failed create";
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
}

// The items of a queued message are checked when it is sent (check_outgoing) but read again
// from the sender's UTCB when it is received (transfer_map, the string copy); since issue 3
// a sibling thread can rewrite that UTCB meanwhile, so a map item of more than
// max_map_pages (or a string longer than max_string_bytes) gets through. Expected: the
// receiver gets what was checked, or the transfer fails.
TEST_F(Regression_test, a_sibling_enlarges_a_checked_map_item_while_it_is_queued) {
    kernel::Endpoint& ep = make_endpoint();
    constexpr uint64_t src = 0x1000000, window = 0x4000000, pages = kernel::max_map_pages + 1;
    kernel::Task& sender_task = make_task("sender");
    ASSERT_EQ(sender_task.caps().insert(2, ep, ipclab::rights_all, 0), Status::ok);
    map(sender_task, src, pages * 4096);
    Status sent = Status::ok, got = Status::ok;
    Thread& sender = spawn(sender_task, [&](Thread& self) {
        self.utcb().send_map_addr = src;
        self.utcb().send_map_pages = 1;
        self.utcb().send_map_writable = 0;
        sent = test::syscall(self, Syscall::ipc_send, {2, Message_tag(0, 0).with(Message_tag::map_bit, true).raw()});
        park(self);
    });
    run_until_idle();
    ASSERT_EQ(sender.state(), Thread_state::blocked_send);
    sender.utcb().send_map_pages = pages; // the sibling's write (same page, same task)
    uint64_t received = 0;
    kernel::Task& receiver_task = make_task("receiver");
    ASSERT_EQ(receiver_task.caps().insert(2, ep, ipclab::rights_all, 0), Status::ok);
    spawn(receiver_task, [&](Thread& self) {
        self.utcb().recv_map_addr = window;
        self.utcb().recv_map_pages = 2 * pages;
        got = test::syscall(self, Syscall::ipc_recv, {2});
        received = self.utcb().recv_map_received;
        park(self);
    });
    run_until_idle();
    // The transfer checks the limit again: the enlarged item fails for both, nothing is mapped.
    EXPECT_EQ(sent, Status::invalid_argument);
    EXPECT_EQ(got, Status::invalid_argument);
    EXPECT_LE(received, kernel::max_map_pages);
}

} // namespace
