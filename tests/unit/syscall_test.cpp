// The decode layer of the IPC and communicator system calls (kernel/syscall/ipc.cpp,
// mpi_shim/kernel/comm_syscalls.cpp): every bad capability, rank, tag, length and pointer
// fails before anything changes, and good calls reach the object with the right registers.
#include <gtest/gtest.h>

#include "abi/timeout.hpp"

#include <initializer_list>

#include "abi/comm.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "support/kernel_test.hpp"
#include "syscall/syscall.hpp"

namespace {

using ipclab::Message_tag;
using kernel::Status;
using kernel::Thread;

// Capability slots of every task in these tests.
constexpr uint64_t ep_send = 2, ep_recv = 3, ep_none = 4, world = ipclab::slot_comm_world, world_recv_only = 5;
constexpr uint64_t buffer = 0x10000;    ///< two read-write pages
constexpr uint64_t read_only = 0x20000; ///< one read-only page

/// Loads a0.. as the system-call stub would, with the stub's default timeout (a6, r12).
void args(Thread& t, std::initializer_list<uint64_t> values) {
    unsigned i = 0;
    for (uint64_t v : values) t.frame().set_result(i++, v);
    t.frame().r12 = ipclab::timeout_infinite;
}

class Syscall_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    kernel::Communicator& comm = make_communicator(2);
    /// A task holding the endpoint and the communicator (as `rank`), with its buffers.
    Thread& task(const char* name, int32_t rank, test::Body body) {
        kernel::Task& t = make_task(name);
        kernel::Cap_space& caps = t.caps();
        EXPECT_EQ(caps.insert(ep_send, ep, ipclab::right_send, 77), Status::ok);
        EXPECT_EQ(caps.insert(ep_recv, ep, ipclab::right_receive, 0), Status::ok);
        EXPECT_EQ(caps.insert(ep_none, ep, 0, 0), Status::ok);
        EXPECT_EQ(caps.insert(world, comm, ipclab::right_send | ipclab::right_receive, uint64_t(rank)), Status::ok);
        EXPECT_EQ(caps.insert(world_recv_only, comm, ipclab::right_receive, uint64_t(rank)), Status::ok);
        map(t, buffer, 0x2000);
        map(t, read_only, 0x1000, false);
        Thread& thread = spawn(t, std::move(body));
        comm.set_member(rank, thread.task());
        return thread;
    }
};

// A decode error returns at once: each of these threads must reach its end (`done`), or a
// call that wrongly blocked would skip the expectations after it.

TEST_F(Syscall_test, native_ipc_decode_errors_change_nothing) {
    bool done = false;
    task("client", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        args(self, {0, Message_tag(0, 1).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::invalid_capability) << "slot 0";
        args(self, {ipclab::cap_slots, Message_tag(0, 1).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::invalid_capability);
        args(self, {ep_recv, Message_tag(0, 1).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::insufficient_rights);
        args(self, {ep_none, Message_tag(0, 1).raw()});
        EXPECT_EQ(kernel::sys_ipc_call(self, f), Status::insufficient_rights);
        args(self, {world, Message_tag(0, 1).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::wrong_object_type);
        args(self, {ep_send, Message_tag(0, 65).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::invalid_argument);
        args(self, {ep_send, Message_tag(0, 0).raw() | 0x800});
        EXPECT_EQ(kernel::sys_ipc_call(self, f), Status::invalid_argument);
        self.utcb().send_string_addr = buffer + 0x1000;
        self.utcb().send_string_bytes = 0x1001;
        args(self, {ep_send, Message_tag(0, 0, true).raw()});
        EXPECT_EQ(kernel::sys_ipc_send(self, f), Status::invalid_pointer);
        self.utcb().recv_string_addr = 0xffff800000000000;
        self.utcb().recv_string_capacity = 16;
        args(self, {ep_send, Message_tag(0, 0).raw()});
        EXPECT_EQ(kernel::sys_ipc_call(self, f), Status::invalid_pointer) << "the reply window";
        args(self, {ep_send});
        EXPECT_EQ(kernel::sys_ipc_recv(self, f), Status::insufficient_rights);
        args(self, {ep_recv});
        EXPECT_EQ(kernel::sys_ipc_recv(self, f), Status::invalid_pointer) << "the receive window";
        EXPECT_EQ(kernel::sys_ipc_reply(self, f), Status::no_reply_capability);
        EXPECT_FALSE(ep.has_waiting_senders());
        EXPECT_FALSE(ep.has_waiting_receivers());
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Syscall_test, call_and_reply_recv_serve_a_client) {
    std::vector<uint64_t> answers;
    task("server", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        args(self, {ep_recv});
        ASSERT_EQ(kernel::sys_ipc_recv(self, f), Status::ok);
        for (;;) {
            EXPECT_EQ(f.arg(0), 77u) << "the badge of the client's capability";
            const uint64_t request = f.arg(2);
            args(self, {ep_recv, Message_tag(1, 1).raw(), request + 1});
            ASSERT_EQ(kernel::sys_ipc_reply_recv(self, f), Status::ok);
        }
    });
    task("client", 1, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        for (uint64_t request : {1, 10, 100}) {
            args(self, {ep_send, Message_tag(0, 1).raw(), request});
            ASSERT_EQ(kernel::sys_ipc_call(self, f), Status::ok);
            EXPECT_EQ(Message_tag(f.arg(1)).label(), 1u);
            answers.push_back(f.arg(2));
        }
    });
    run_until_idle();
    EXPECT_EQ(answers, (std::vector<uint64_t>{2, 11, 101}));
}

TEST_F(Syscall_test, a_bad_reply_in_reply_recv_fails_the_server_only) {
    Status reply_status = Status::ok;
    uint64_t answer = 0;
    task("server", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        args(self, {ep_recv});
        ASSERT_EQ(kernel::sys_ipc_recv(self, f), Status::ok);
        Thread* caller = self.reply_to;
        args(self, {ep_recv, Message_tag(0, 0).raw() | Message_tag::redirected_bit});
        reply_status = kernel::sys_ipc_reply_recv(self, f);
        EXPECT_EQ(self.reply_to, caller) << "the caller still waits for a proper reply";
        args(self, {ep_recv, Message_tag(0, 1).raw(), 5});
        (void)kernel::sys_ipc_reply_recv(self, f);
    });
    task("client", 1, [&](Thread& self) {
        args(self, {ep_send, Message_tag(0, 0).raw()});
        ASSERT_EQ(kernel::sys_ipc_call(self, self.frame()), Status::ok);
        answer = self.frame().arg(2);
    });
    run_until_idle();
    EXPECT_EQ(reply_status, Status::invalid_argument);
    EXPECT_EQ(answer, 5u);
}

TEST_F(Syscall_test, comm_send_decode_errors) {
    bool done = false;
    task("rank0", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        const auto send = [&](uint64_t slot, int64_t dest, int64_t tag, uint64_t addr, uint64_t bytes, uint64_t context) {
            args(self, {slot, uint64_t(dest), uint64_t(tag), addr, bytes, context});
            return kernel::sys_comm_send(self, f);
        };
        EXPECT_EQ(send(9, 1, 0, buffer, 8, 0), Status::invalid_capability);
        EXPECT_EQ(send(ep_send, 1, 0, buffer, 8, 0), Status::wrong_object_type);
        EXPECT_EQ(send(world_recv_only, 1, 0, buffer, 8, 0), Status::insufficient_rights);
        EXPECT_EQ(send(world, -1, 0, buffer, 8, 0), Status::invalid_rank);
        EXPECT_EQ(send(world, 2, 0, buffer, 8, 0), Status::invalid_rank);
        EXPECT_EQ(send(world, int64_t(1) << 32, 0, buffer, 8, 0), Status::invalid_rank);
        EXPECT_EQ(send(world, 1, -1, buffer, 8, 0), Status::invalid_tag) << "no wildcard in a send";
        EXPECT_EQ(send(world, 1, ipclab::comm_tag_ub + 1, buffer, 8, 0), Status::invalid_tag);
        EXPECT_EQ(send(world, 1, 0, buffer, 8, ipclab::context_count), Status::invalid_argument);
        EXPECT_EQ(send(world, 1, 0, buffer, ipclab::comm_max_bytes + 1, 0), Status::message_too_long);
        EXPECT_EQ(send(world, 1, 0, buffer + 0x1ff8, 9, 0), Status::invalid_pointer);
        EXPECT_EQ(send(world, 1, 0, 0xffff800000000000, 8, 0), Status::invalid_pointer);
        done = true;
    });
    task("rank1", 1, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Syscall_test, comm_recv_decode_errors) {
    bool done = false;
    task("rank0", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        const auto recv = [&](uint64_t slot, int64_t source, int64_t tag, uint64_t addr, uint64_t bytes, uint64_t context) {
            args(self, {slot, uint64_t(source), uint64_t(tag), addr, bytes, context});
            return kernel::sys_comm_recv(self, f);
        };
        EXPECT_EQ(recv(ep_recv, 1, 0, buffer, 8, 0), Status::wrong_object_type);
        EXPECT_EQ(recv(world, -2, 0, buffer, 8, 0), Status::invalid_rank);
        EXPECT_EQ(recv(world, 2, 0, buffer, 8, 0), Status::invalid_rank);
        EXPECT_EQ(recv(world, 1, -2, buffer, 8, 0), Status::invalid_tag);
        EXPECT_EQ(recv(world, 1, ipclab::comm_tag_ub + 1, buffer, 8, 0), Status::invalid_tag);
        EXPECT_EQ(recv(world, 1, 0, buffer, 8, 2), Status::invalid_argument);
        EXPECT_EQ(recv(world, 1, 0, buffer, ipclab::comm_max_bytes + 1, 0), Status::message_too_long);
        EXPECT_EQ(recv(world, 1, 0, read_only, 8, 0), Status::invalid_pointer) << "a receive buffer is written";
        EXPECT_EQ(recv(world, -1, -1, buffer + 0x1000, 0x1001, 0), Status::invalid_pointer);
        done = true;
    });
    task("rank1", 1, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Syscall_test, comm_calls_report_rank_envelope_and_length) {
    uint64_t info[3] = {}, envelope[3] = {};
    Status received = Status::ok;
    task("rank0", 0, [&](Thread& self) {
        arch::User_frame& f = self.frame();
        args(self, {world});
        ASSERT_EQ(kernel::sys_comm_info(self, f), Status::ok);
        for (unsigned i = 0; i < 3; ++i) info[i] = f.arg(i);
        args(self, {world, uint64_t(-1), uint64_t(-1), buffer, 4, 0});
        received = kernel::sys_comm_recv(self, f);
        for (unsigned i = 0; i < 3; ++i) envelope[i] = f.arg(i);
    });
    task("rank1", 1, [&](Thread& self) {
        EXPECT_EQ(kernel::copy_to_user(self.task().space(), buffer, "123456", 6), Status::ok);
        args(self, {world, 0, 99, buffer, 6, 0});
        EXPECT_EQ(kernel::sys_comm_send(self, self.frame()), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(info[0], 0u) << "rank";
    EXPECT_EQ(info[1], 2u) << "size";
    EXPECT_EQ(info[2], comm.context_id()) << "context id";
    EXPECT_EQ(received, Status::truncated);
    EXPECT_EQ(envelope[0], 1u) << "source";
    EXPECT_EQ(envelope[1], 99u) << "tag";
    EXPECT_EQ(envelope[2], 4u) << "bytes delivered";
}

} // namespace
