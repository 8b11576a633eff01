// Deriving capabilities (kernel/ipc/capability.cpp Cap_space::derive) and the capability
// system calls (kernel/syscall/capability.cpp): fewer rights, a badge once and never again
// (seL4's Mint), communicators never re-badged; delete (not a membership) and info.
#include <gtest/gtest.h>

#include "ipc/capability.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/notification.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "support/kernel_test.hpp"
#include "support/printers.hpp"
#include "syscall/syscall.hpp"

namespace {

using ipclab::right_grant;
using ipclab::right_receive;
using ipclab::right_send;
using ipclab::rights_all;
using ipclab::Syscall;
using kernel::Cap_space;
using kernel::Communicator;
using kernel::Endpoint;
using kernel::Status;
using kernel::Thread;

/// Objects charged to a private account, so a test sees exactly what it created and freed.
class Derive_test : public ::testing::Test {
protected:
    Endpoint& endpoint() {
        Endpoint* ep = Endpoint::create(m_account);
        if (!ep) ADD_FAILURE() << "Endpoint::create failed";
        return *ep;
    }
    Communicator& communicator() {
        Status s;
        Communicator* c = Communicator::create(4, m_account, s);
        if (!c) ADD_FAILURE() << "Communicator::create failed";
        return *c;
    }
    void TearDown() override { EXPECT_EQ(m_account.kernel_bytes(), 0u) << "an object outlived its capabilities"; }

    kernel::Account m_account;
};

TEST_F(Derive_test, a_derived_capability_names_the_same_object_with_fewer_rights) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, rights_all, 0), Status::ok);
    ASSERT_EQ(caps.derive(1, 2, right_send, 0), Status::ok);
    EXPECT_EQ(caps.at(2).object, &ep);
    EXPECT_EQ(caps.at(2).rights, right_send);
    EXPECT_EQ(ep.references(), 2u);
    Endpoint* found = nullptr;
    uint64_t badge = 1;
    EXPECT_EQ(caps.lookup(2, right_send, found, badge), Status::ok);
    EXPECT_EQ(caps.lookup(2, right_receive, found, badge), Status::insufficient_rights);
    ASSERT_EQ(caps.derive(2, 3, 0, 0), Status::ok) << "no rights at all is a subset too";
    EXPECT_EQ(caps.at(3).rights, 0u);
    ASSERT_EQ(caps.derive(1, 4, rights_all, 0), Status::ok) << "the same rights";
    EXPECT_EQ(ep.references(), 4u);
}

TEST_F(Derive_test, rights_never_grow) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, right_send | right_grant, 0), Status::ok);
    EXPECT_EQ(caps.derive(1, 2, right_receive, 0), Status::insufficient_rights);
    EXPECT_EQ(caps.derive(1, 2, right_send | right_receive, 0), Status::insufficient_rights);
    ASSERT_EQ(caps.derive(1, 2, right_send, 0), Status::ok);
    EXPECT_EQ(caps.derive(2, 3, right_send | right_grant, 0), Status::insufficient_rights) << "lost for good";
    EXPECT_EQ(caps.at(3).object, nullptr);
    EXPECT_EQ(ep.references(), 2u);
}

TEST_F(Derive_test, unknown_rights_bits_are_invalid_even_beyond_a_byte) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, rights_all, 0), Status::ok);
    EXPECT_EQ(caps.derive(1, 2, rights_all + 1, 0), Status::invalid_argument);
    EXPECT_EQ(caps.derive(1, 2, uint64_t(right_send) << 8, 0), Status::invalid_argument) << "not truncated to 8 bits";
    EXPECT_EQ(caps.derive(1, 2, uint64_t(1) << 63, 0), Status::invalid_argument);
    EXPECT_EQ(caps.at(2).object, nullptr);
    EXPECT_EQ(ep.references(), 1u);
}

TEST_F(Derive_test, slots_are_checked) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, rights_all, 0), Status::ok);
    ASSERT_EQ(caps.insert(2, ep, rights_all, 0), Status::ok);
    EXPECT_EQ(caps.derive(5, 6, 0, 0), Status::invalid_capability) << "empty source";
    EXPECT_EQ(caps.derive(0, 6, 0, 0), Status::invalid_capability) << "slot 0 is always empty";
    EXPECT_EQ(caps.derive(ipclab::cap_slots, 6, 0, 0), Status::invalid_capability);
    EXPECT_EQ(caps.derive(~uint64_t(0), 6, 0, 0), Status::invalid_capability);
    EXPECT_EQ(caps.derive(1, 2, 0, 0), Status::invalid_capability) << "occupied destination";
    EXPECT_EQ(caps.derive(1, 0, 0, 0), Status::invalid_capability) << "destination slot 0";
    EXPECT_EQ(caps.derive(1, ipclab::cap_slots, 0, 0), Status::invalid_capability);
    EXPECT_EQ(caps.derive(1, 1, 0, 0), Status::invalid_capability) << "onto itself";
    EXPECT_EQ(caps.at(2).rights, rights_all) << "the occupant is untouched";
    EXPECT_EQ(ep.references(), 2u);
    EXPECT_EQ(caps.derive(1, ipclab::cap_slots - 1, right_send, 0), Status::ok);
}

TEST_F(Derive_test, the_source_is_checked_before_the_rights_and_the_rights_before_the_destination) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, right_send, 5), Status::ok);
    EXPECT_EQ(caps.derive(7, 0, 0xff, 9), Status::invalid_capability);
    EXPECT_EQ(caps.derive(1, 1, 0xff, 0), Status::invalid_argument);
    EXPECT_EQ(caps.derive(1, 1, right_receive, 0), Status::insufficient_rights);
    EXPECT_EQ(caps.derive(1, 1, right_send, 6), Status::invalid_argument) << "re-badging";
    EXPECT_EQ(caps.derive(1, 1, right_send, 5), Status::invalid_capability);
}

TEST_F(Derive_test, an_unbadged_capability_takes_one_badge) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, rights_all, 0), Status::ok);
    ASSERT_EQ(caps.derive(1, 2, right_send, 0xb1), Status::ok);
    EXPECT_EQ(caps.at(2).badge, 0xb1u);
    ASSERT_EQ(caps.derive(1, 3, right_send, 0xb2), Status::ok) << "the unbadged original can mint again";
    EXPECT_EQ(caps.at(3).badge, 0xb2u);
    ASSERT_EQ(caps.derive(1, 4, right_send, 0), Status::ok);
    EXPECT_EQ(caps.at(4).badge, 0u) << "badge 0 keeps the source's (none)";
    Endpoint* found;
    uint64_t badge = 0;
    ASSERT_EQ(caps.lookup(2, right_send, found, badge), Status::ok);
    EXPECT_EQ(badge, 0xb1u);
}

TEST_F(Derive_test, a_badged_capability_keeps_its_badge) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(1, ep, rights_all, 0x77), Status::ok);
    EXPECT_EQ(caps.derive(1, 2, right_send, 0x78), Status::invalid_argument);
    EXPECT_EQ(caps.at(2).object, nullptr);
    ASSERT_EQ(caps.derive(1, 2, right_send, 0), Status::ok);
    EXPECT_EQ(caps.at(2).badge, 0x77u) << "0 keeps the badge";
    ASSERT_EQ(caps.derive(2, 3, right_send, 0x77), Status::ok) << "naming the same badge is no change";
    EXPECT_EQ(caps.at(3).badge, 0x77u);
    EXPECT_EQ(caps.derive(3, 4, right_send, 1), Status::invalid_argument) << "a copy of a copy neither";
}

TEST_F(Derive_test, a_communicator_capability_is_never_re_badged_not_even_rank_0) {
    Cap_space caps;
    Communicator& comm = communicator();
    ASSERT_EQ(caps.insert(1, comm, right_send | right_receive, 0), Status::ok); // rank 0
    ASSERT_EQ(caps.insert(2, comm, right_send | right_receive, 3), Status::ok); // rank 3
    EXPECT_EQ(caps.derive(1, 5, right_send, 2), Status::invalid_argument) << "rank 0's badge 0 is a rank";
    EXPECT_EQ(caps.derive(2, 5, right_send, 1), Status::invalid_argument);
    EXPECT_EQ(caps.at(5).object, nullptr);
    ASSERT_EQ(caps.derive(1, 5, right_receive, 0), Status::ok);
    EXPECT_EQ(caps.at(5).badge, 0u);
    ASSERT_EQ(caps.derive(2, 6, right_send, 3), Status::ok);
    EXPECT_EQ(caps.at(6).badge, 3u);
    EXPECT_EQ(comm.references(), 4u);
}

// System calls, made by a thread of a task with these capabilities.
constexpr uint64_t ep_all = 2, ep_send_badged = 3, comm_slot = ipclab::slot_comm_world, notif = 4, free_slot = 10;

class Cap_syscall_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    kernel::Communicator& comm = make_communicator(2);
    kernel::Notification& n = make_notification();

    kernel::Notification& make_notification() {
        kernel::Notification* made = kernel::Notification::create(kernel::kernel_account());
        if (!made) ADD_FAILURE() << "Notification::create failed";
        hold(*made);
        return *made;
    }
    /// A thread (not yet run) whose task holds the capabilities above; tests call the
    /// handlers on it directly, as the dispatcher would.
    Thread& holder() {
        kernel::Task& t = make_task("holder");
        EXPECT_EQ(t.caps().insert(ep_all, ep, rights_all, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_send_badged, ep, right_send, 0x5e), Status::ok);
        EXPECT_EQ(t.caps().insert(comm_slot, comm, right_send | right_receive, 1), Status::ok);
        EXPECT_EQ(t.caps().insert(notif, n, right_send | right_receive, 0x4), Status::ok);
        Thread& thread = spawn(t, [](Thread&) {});
        comm.set_member(1, thread.task());
        return thread;
    }
    Status call(Status (*handler)(Thread&, arch::User_frame&), Thread& t, std::initializer_list<uint64_t> args) {
        unsigned i = 0;
        for (uint64_t v : args) t.frame().set_result(i++, v);
        return handler(t, t.frame());
    }
};

TEST_F(Cap_syscall_test, info_reports_type_rights_and_badge) {
    Thread& t = holder();
    const auto info = [&](uint64_t slot, uint64_t type, uint64_t rights, uint64_t badge) {
        ASSERT_EQ(call(kernel::sys_cap_info, t, {slot}), Status::ok) << "slot " << slot;
        EXPECT_EQ(t.frame().arg(0), type) << "slot " << slot;
        EXPECT_EQ(t.frame().arg(1), rights) << "slot " << slot;
        EXPECT_EQ(t.frame().arg(2), badge) << "slot " << slot;
    };
    info(ep_all, ipclab::object_endpoint, rights_all, 0);
    info(ep_send_badged, ipclab::object_endpoint, right_send, 0x5e);
    info(comm_slot, ipclab::object_communicator, right_send | right_receive, 1);
    info(notif, ipclab::object_notification, right_send | right_receive, 0x4);
    t.frame().set_result(1, 0xaaaa);
    EXPECT_EQ(call(kernel::sys_cap_info, t, {free_slot}), Status::invalid_capability);
    EXPECT_EQ(call(kernel::sys_cap_info, t, {0}), Status::invalid_capability);
    EXPECT_EQ(call(kernel::sys_cap_info, t, {ipclab::cap_slots}), Status::invalid_capability);
    EXPECT_EQ(t.frame().arg(1), 0xaaaau) << "an error writes no results";
    run_until_idle();
}

TEST_F(Cap_syscall_test, derive_takes_its_arguments_from_the_registers) {
    Thread& t = holder();
    ASSERT_EQ(call(kernel::sys_cap_derive, t, {ep_all, free_slot, right_send, 0x99}), Status::ok);
    const kernel::Capability& c = t.task().caps().at(free_slot);
    EXPECT_EQ(c.object, &ep);
    EXPECT_EQ(c.rights, right_send);
    EXPECT_EQ(c.badge, 0x99u);
    EXPECT_EQ(call(kernel::sys_cap_derive, t, {ep_send_badged, free_slot + 1, right_send, 0x98}), Status::invalid_argument);
    EXPECT_EQ(call(kernel::sys_cap_derive, t, {ep_send_badged, free_slot + 1, right_receive, 0}), Status::insufficient_rights);
    EXPECT_EQ(call(kernel::sys_cap_derive, t, {comm_slot, free_slot + 1, right_send, 2}), Status::invalid_argument);
    EXPECT_EQ(t.task().caps().at(free_slot + 1).object, nullptr);
    run_until_idle();
}

TEST_F(Cap_syscall_test, a_derived_badge_reaches_the_receiver) {
    uint64_t badge = 0;
    kernel::Task& server_task = make_task("server");
    ASSERT_EQ(server_task.caps().insert(ep_all, ep, rights_all, 0), Status::ok);
    spawn(server_task, [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_all}), Status::ok);
        badge = self.frame().arg(0);
    });
    run_until_idle();
    kernel::Task& client_task = make_task("client");
    ASSERT_EQ(client_task.caps().insert(ep_all, ep, rights_all, 0), Status::ok);
    spawn(client_task, [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::cap_derive, {ep_all, free_slot, right_send, 0xc0ffee}), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_recv, {free_slot}, ipclab::timeout_zero), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {free_slot, ipclab::Message_tag(0, 0).raw()}), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(badge, 0xc0ffeeu);
}

TEST_F(Cap_syscall_test, delete_drops_one_reference_and_the_last_destroys_the_object) {
    Thread& t = holder();
    const uint64_t refs = ep.references();
    ASSERT_EQ(call(kernel::sys_cap_derive, t, {ep_all, free_slot, right_send, 0}), Status::ok);
    EXPECT_EQ(ep.references(), refs + 1);
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {free_slot}), Status::ok);
    EXPECT_EQ(ep.references(), refs);
    EXPECT_EQ(t.task().caps().at(free_slot).object, nullptr);
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {free_slot}), Status::invalid_capability) << "already empty";
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {0}), Status::invalid_capability);
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {ipclab::cap_slots}), Status::invalid_capability);
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {~uint64_t(0)}), Status::invalid_capability);

    // An endpoint only this task names: deleting its one capability frees it.
    kernel::Endpoint* own = kernel::Endpoint::create(t.task().account());
    ASSERT_NE(own, nullptr);
    const uint64_t charged = t.task().account().kernel_bytes();
    ASSERT_EQ(t.task().caps().insert(free_slot, *own, rights_all, 0), Status::ok);
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {free_slot}), Status::ok);
    EXPECT_LT(t.task().account().kernel_bytes(), charged) << "the endpoint was freed";
    run_until_idle();
}

TEST_F(Cap_syscall_test, deleting_a_communicator_capability_leaves_the_communicator) {
    // MPI_Comm_free: the task stops being the capability's rank, as if it had ended.
    Thread& t = holder();
    comm.set_member(1, t.task());
    const uint64_t refs = comm.references();
    EXPECT_EQ(call(kernel::sys_cap_delete, t, {comm_slot}), Status::ok);
    EXPECT_EQ(comm.references(), refs - 1);
    EXPECT_EQ(t.task().caps().at(comm_slot).object, nullptr);
    EXPECT_FALSE(comm.is_member(1, t.task()));
    run_until_idle();
}

TEST_F(Cap_syscall_test, deleting_the_last_capability_fails_the_threads_waiting_on_the_object) {
    // Another thread of the task deletes the capability its sibling is blocked on; the
    // object goes, and the waits end with invalid_capability (seL4's cancelAllIPC and
    // cancelAllSignals) instead of leaving threads on a freed queue.
    kernel::Task& t = make_task("t");
    kernel::Endpoint* own_ep = kernel::Endpoint::create(t.account());
    kernel::Notification* own_n = kernel::Notification::create(t.account());
    ASSERT_NE(own_ep, nullptr);
    ASSERT_NE(own_n, nullptr);
    ASSERT_EQ(t.caps().insert(free_slot, *own_ep, rights_all, 0), Status::ok);
    ASSERT_EQ(t.caps().insert(free_slot + 1, *own_n, rights_all, 0), Status::ok);
    Status received = Status::ok, waited = Status::ok;
    spawn(t, [&](Thread& self) {
        received = test::syscall(self, Syscall::ipc_recv, {free_slot});
        park(self);
    });
    spawn(t, [&](Thread& self) {
        waited = test::syscall(self, Syscall::notify_wait, {free_slot + 1});
        park(self);
    });
    spawn(t, [&](Thread& self) {
        const uint64_t charged = self.task().account().kernel_bytes();
        EXPECT_EQ(test::syscall(self, Syscall::cap_delete, {free_slot}), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::cap_delete, {free_slot + 1}), Status::ok);
        EXPECT_LT(self.task().account().kernel_bytes(), charged) << "both objects were freed";
        park(self);
    });
    run_until_idle();
    EXPECT_EQ(received, Status::invalid_capability);
    EXPECT_EQ(waited, Status::invalid_capability);
}

} // namespace
