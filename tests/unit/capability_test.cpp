// Capability spaces (kernel/ipc/capability.cpp) and object reference counts (ipc/object.cpp).
#include <gtest/gtest.h>

#include "ipc/capability.hpp"
#include "ipc/endpoint.hpp"
#include "mem/kmem.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "support/printers.hpp"

namespace {

using ipclab::right_grant;
using ipclab::right_receive;
using ipclab::right_send;
using kernel::Cap_space;
using kernel::Communicator;
using kernel::Endpoint;
using kernel::Status;

/// Objects charged to a private account, so a test sees exactly what it created and freed.
class Capability_test : public ::testing::Test {
protected:
    Endpoint& endpoint() {
        Endpoint* ep = Endpoint::create(m_account);
        if (!ep) ADD_FAILURE() << "Endpoint::create failed";
        return *ep;
    }
    void TearDown() override { EXPECT_EQ(m_account.kernel_bytes(), 0u) << "an object outlived its capabilities"; }

    kernel::Account m_account;
};

TEST_F(Capability_test, insert_then_lookup_gives_object_and_badge) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    ASSERT_EQ(caps.insert(5, ep, right_send | right_receive, 0xba0de), Status::ok);
    Endpoint* found = nullptr;
    uint64_t badge = 0;
    EXPECT_EQ(caps.lookup(5, right_send, found, badge), Status::ok);
    EXPECT_EQ(found, &ep);
    EXPECT_EQ(badge, 0xba0deu);
    EXPECT_EQ(caps.lookup(5, right_send | right_receive, found, badge), Status::ok);
    EXPECT_EQ(caps.lookup(5, 0, found, badge), Status::ok);
    EXPECT_EQ(ep.references(), 1u);
}

TEST_F(Capability_test, slot_zero_is_never_filled) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    EXPECT_EQ(caps.insert(ipclab::slot_null, ep, right_send, 0), Status::invalid_capability);
    EXPECT_EQ(ep.references(), 0u);
    Endpoint* found = nullptr;
    uint64_t badge;
    EXPECT_EQ(caps.lookup(0, 0, found, badge), Status::invalid_capability);
    Endpoint::destroy(&ep);
}

TEST_F(Capability_test, slots_out_of_range_are_rejected) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    EXPECT_EQ(caps.insert(ipclab::cap_slots, ep, right_send, 0), Status::invalid_capability);
    EXPECT_EQ(caps.insert(~0ull, ep, right_send, 0), Status::invalid_capability);
    EXPECT_EQ(caps.insert(ipclab::cap_slots - 1, ep, right_send, 0), Status::ok);
    Endpoint* found = nullptr;
    uint64_t badge;
    EXPECT_EQ(caps.lookup(ipclab::cap_slots, 0, found, badge), Status::invalid_capability);
    EXPECT_EQ(caps.lookup(uint64_t(1) << 40, 0, found, badge), Status::invalid_capability);
    EXPECT_EQ(found, nullptr);
    caps.remove(ipclab::cap_slots); // out of range: no-op
    caps.remove(~0ull);
    EXPECT_EQ(ep.references(), 1u);
}

TEST_F(Capability_test, occupied_slot_is_not_overwritten) {
    Cap_space caps;
    Endpoint& first = endpoint();
    Endpoint& second = endpoint();
    ASSERT_EQ(caps.insert(3, first, right_send, 1), Status::ok);
    EXPECT_EQ(caps.insert(3, second, right_receive, 2), Status::invalid_capability);
    EXPECT_EQ(second.references(), 0u);
    Endpoint* found = nullptr;
    uint64_t badge = 0;
    ASSERT_EQ(caps.lookup(3, right_send, found, badge), Status::ok);
    EXPECT_EQ(found, &first);
    EXPECT_EQ(badge, 1u);
    Endpoint::destroy(&second);
}

TEST_F(Capability_test, unknown_rights_bits_are_invalid) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    EXPECT_EQ(caps.insert(2, ep, uint8_t(ipclab::rights_all + 1), 0), Status::invalid_argument);
    EXPECT_EQ(caps.insert(2, ep, 0x80, 0), Status::invalid_argument);
    EXPECT_EQ(ep.references(), 0u);
    EXPECT_EQ(caps.at(2).object, nullptr);
    EXPECT_EQ(caps.insert(2, ep, ipclab::rights_all, 0), Status::ok);
}

TEST_F(Capability_test, lookup_checks_type_then_rights_without_side_effects) {
    Cap_space caps;
    Endpoint& ep = endpoint();
    Status s;
    Communicator* comm = Communicator::create(2, m_account, s);
    ASSERT_NE(comm, nullptr);
    ASSERT_EQ(caps.insert(1, *comm, right_send, 9), Status::ok);
    ASSERT_EQ(caps.insert(2, ep, right_receive, 8), Status::ok);

    Endpoint* found = nullptr;
    uint64_t badge = 77;
    // Wrong type is reported before missing rights.
    EXPECT_EQ(caps.lookup(1, right_receive, found, badge), Status::wrong_object_type);
    EXPECT_EQ(caps.lookup(2, right_send, found, badge), Status::insufficient_rights);
    EXPECT_EQ(caps.lookup(2, right_receive | right_grant, found, badge), Status::insufficient_rights);
    EXPECT_EQ(caps.lookup(4, 0, found, badge), Status::invalid_capability);
    EXPECT_EQ(found, nullptr);
    EXPECT_EQ(badge, 77u);

    Communicator* c = nullptr;
    EXPECT_EQ(caps.lookup(2, 0, c, badge), Status::wrong_object_type);
    EXPECT_EQ(caps.lookup(1, right_send, c, badge), Status::ok);
    EXPECT_EQ(c, comm);
    EXPECT_EQ(badge, 9u);
}

TEST_F(Capability_test, last_remove_destroys_the_object) {
    const uint64_t kmem_before = kernel::kmem::bytes_in_use();
    Cap_space a, b;
    Endpoint& ep = endpoint();
    const uint64_t object_bytes = m_account.kernel_bytes();
    ASSERT_GT(object_bytes, 0u);
    ASSERT_EQ(a.insert(1, ep, right_send, 0), Status::ok);
    ASSERT_EQ(b.insert(7, ep, right_receive, 0), Status::ok);
    ASSERT_EQ(a.insert(2, ep, right_send, 1), Status::ok);
    EXPECT_EQ(ep.references(), 3u);

    a.remove(1);
    EXPECT_EQ(ep.references(), 2u);
    a.remove(1); // empty now: no-op
    EXPECT_EQ(ep.references(), 2u);
    b.remove(7);
    EXPECT_EQ(ep.references(), 1u);
    EXPECT_EQ(m_account.kernel_bytes(), object_bytes);
    a.remove(2);
    EXPECT_EQ(m_account.kernel_bytes(), 0u);
    EXPECT_EQ(kernel::kmem::bytes_in_use(), kmem_before);
    EXPECT_EQ(a.at(2).object, nullptr);
}

TEST_F(Capability_test, clear_and_destruction_release_every_capability) {
    Endpoint& ep = endpoint();
    Status s;
    Communicator* comm = Communicator::create(4, m_account, s);
    ASSERT_NE(comm, nullptr);
    {
        Cap_space caps;
        ASSERT_EQ(caps.insert(1, ep, right_send, 0), Status::ok);
        ASSERT_EQ(caps.insert(255, *comm, right_send, 3), Status::ok);
        Cap_space other;
        ASSERT_EQ(other.insert(9, ep, right_send, 0), Status::ok);
        other.clear();
        EXPECT_EQ(ep.references(), 1u);
        EXPECT_EQ(other.at(9).object, nullptr);
    } // ~Cap_space releases the rest, destroying both objects
    EXPECT_EQ(m_account.kernel_bytes(), 0u);
}

} // namespace
