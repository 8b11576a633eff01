// Message items (kernel/ipc/transfer.cpp) through the IPC system calls: a capability item
// (copied into the slot the receiver offers, else dropped with the tag's cap flag cleared;
// needs the grant right; never a communicator) and a map item (pages shared into the
// receiver's window, all or none), with the frame reference counts behind the sharing
// (mem/frame_allocator.cpp, Address_space::share_from, the page tables' map/unmap).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ipc/notification.hpp"
#include "ipc/transfer.hpp"
#include "mem/frame_allocator.hpp"
#include "mem/user_memory.hpp"
#include "support/kernel_test.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_state;

// Capability slots of every task here.
constexpr uint64_t ep_grant = 2, ep_recv = 3, ep_send_only = 4, ep_call = 5, comm_slot = ipclab::slot_comm_world;
constexpr uint64_t passed = 20;  ///< the sender's capability to pass (a notification)
constexpr uint64_t offered = 30; ///< the receive slot receivers offer

constexpr uint64_t src = 0x100000;  ///< the sender's pages
constexpr uint64_t window = 0x200000; ///< the receiver's map window

uint64_t cap_tag(unsigned length = 1) { return Message_tag(1, length).with(Message_tag::cap_bit, true).raw(); }
uint64_t map_tag(unsigned length = 1) { return Message_tag(2, length).with(Message_tag::map_bit, true).raw(); }

class Items_test : public test::Kernel_test {
protected:
    kernel::Endpoint& ep = make_endpoint();
    kernel::Communicator& comm = make_communicator(1);
    kernel::Notification& n = make_notification();

    kernel::Notification& make_notification() {
        kernel::Notification* made = kernel::Notification::create(kernel::kernel_account());
        if (!made) ADD_FAILURE() << "Notification::create failed";
        hold(*made);
        return *made;
    }
    /// A task with capabilities to the endpoint (and to `n` in slot `passed`, badge 0x4).
    kernel::Task& task(const char* name) {
        kernel::Task& t = make_task(name);
        EXPECT_EQ(t.caps().insert(ep_grant, ep, ipclab::right_send | ipclab::right_grant, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_recv, ep, ipclab::right_receive, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_send_only, ep, ipclab::right_send, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_call, ep, ipclab::right_send, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(passed, n, ipclab::right_send | ipclab::right_receive, 0x4), Status::ok);
        EXPECT_EQ(t.caps().insert(comm_slot, comm, ipclab::right_send, 0), Status::ok);
        return t;
    }
    /// The frame user page `va` of `t` maps, or ~0 if none.
    static uint64_t frame_of(kernel::Task& t, uint64_t va) {
        uint64_t phys;
        return t.space().table().translate(va, arch::Access::read, phys) ? phys & ~uint64_t(0xfff) : ~uint64_t(0);
    }
    static std::string peek(kernel::Task& t, uint64_t va, size_t n) {
        std::string s(n, '\0');
        if (kernel::copy_from_user(t.space(), va, s.data(), n) != Status::ok) return "<unmapped>";
        return s;
    }
};

// ---- Capability items ----

/// What a receiver saw: status, tag and MR0.
struct Got {
    Status status = Status::invalid_argument;
    uint64_t tag = 0, mr0 = 0;
};

class Cap_item_test : public Items_test {
protected:
    /// A receiver offering `slot` for a capability.
    Thread& receiver(uint64_t slot, Got& got) {
        return spawn(task("receiver"), [this, slot, &got](Thread& self) {
            self.utcb().recv_cap_slot = slot;
            got.status = test::syscall(self, Syscall::ipc_recv, {ep_recv});
            got.tag = self.frame().arg(1);
            got.mr0 = self.frame().arg(2);
            park(self);
        });
    }
    /// A sender of a capability item passing `slot` through the capability in `via`.
    Thread& sender(uint64_t via, uint64_t slot, Status& sent) {
        return spawn(task("sender"), [this, via, slot, &sent](Thread& self) {
            self.utcb().send_cap_slot = slot;
            sent = test::syscall(self, Syscall::ipc_send, {via, cap_tag(), 0x1234});
        });
    }
};

TEST_F(Cap_item_test, a_capability_is_copied_into_the_offered_slot) {
    Got got;
    Status sent = Status::invalid_argument;
    Thread& r = receiver(offered, got);
    run_until_idle();
    const uint32_t refs = n.references();
    sender(ep_grant, passed, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    ASSERT_EQ(got.status, Status::ok);
    EXPECT_TRUE(Message_tag(got.tag).has_cap());
    EXPECT_EQ(Message_tag(got.tag).label(), 1u);
    EXPECT_EQ(got.mr0, 0x1234u);
    const kernel::Capability& c = r.task().caps().at(offered);
    EXPECT_EQ(c.object, &n);
    EXPECT_EQ(c.rights, ipclab::right_send | ipclab::right_receive) << "the same rights";
    EXPECT_EQ(c.badge, 0x4u) << "and the same badge";
    EXPECT_EQ(n.references(), refs + 1);
}

TEST_F(Cap_item_test, a_queued_capability_is_copied_when_received) {
    Got got;
    Status sent = Status::invalid_argument;
    Thread& s = sender(ep_grant, passed, sent);
    run_until_idle();
    EXPECT_EQ(s.state(), Thread_state::blocked_send);
    Thread& r = receiver(offered, got);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_TRUE(Message_tag(got.tag).has_cap());
    EXPECT_EQ(r.task().caps().at(offered).object, &n);
}

/// Receive slots that do not take the capability: the message arrives without it.
class Refused_slot_test : public Cap_item_test, public ::testing::WithParamInterface<uint64_t> {};

TEST_P(Refused_slot_test, the_message_arrives_with_the_cap_flag_cleared) {
    const uint64_t slot = GetParam();
    Got got;
    Status sent = Status::invalid_argument;
    Thread& r = receiver(slot, got);
    run_until_idle();
    const uint32_t refs = n.references();
    sender(ep_grant, passed, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    ASSERT_EQ(got.status, Status::ok);
    EXPECT_FALSE(Message_tag(got.tag).has_cap());
    EXPECT_EQ(Message_tag(got.tag).label(), 1u) << "the rest of the tag is kept";
    EXPECT_EQ(got.mr0, 0x1234u);
    EXPECT_EQ(n.references(), refs);
    if (slot == ep_recv) {
        EXPECT_EQ(r.task().caps().at(ep_recv).object, &ep) << "the occupant stays";
    }
}

INSTANTIATE_TEST_SUITE_P(slots, Refused_slot_test, ::testing::Values(0, ep_recv, ipclab::cap_slots, ~uint64_t(0)),
                         [](const ::testing::TestParamInfo<uint64_t>& info) {
                             switch (info.index) {
                             case 0: return std::string("none_offered");
                             case 1: return std::string("occupied");
                             case 2: return std::string("just_out_of_range");
                             default: return std::string("far_out_of_range");
                             }
                         });

TEST_F(Cap_item_test, items_need_the_grant_right_and_a_passable_capability) {
    Got got;
    Thread& r = receiver(offered, got);
    run_until_idle();
    bool done = false;
    spawn(task("sender"), [&](Thread& self) {
        self.utcb().send_cap_slot = passed;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_send_only, cap_tag()}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_call, {ep_call, cap_tag()}), Status::insufficient_rights);
        self.utcb().send_cap_slot = comm_slot;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_grant, cap_tag()}), Status::invalid_argument)
            << "a communicator capability is a membership";
        self.utcb().send_cap_slot = 77;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_grant, cap_tag()}), Status::invalid_capability);
        self.utcb().send_cap_slot = ipclab::cap_slots;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_grant, cap_tag()}), Status::invalid_capability);
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_EQ(r.state(), Thread_state::blocked_recv) << "nothing was delivered";
    EXPECT_EQ(r.task().caps().at(offered).object, nullptr);
}

TEST_F(Cap_item_test, a_capability_deleted_while_its_message_is_queued_is_not_passed) {
    Got got;
    Status sent = Status::invalid_argument;
    Thread& s = sender(ep_grant, passed, sent);
    run_until_idle();
    s.task().caps().remove(passed); // the sender's sibling deletes it meanwhile
    Thread& r = receiver(offered, got);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_FALSE(Message_tag(got.tag).has_cap());
    EXPECT_EQ(r.task().caps().at(offered).object, nullptr);
}

TEST_F(Cap_item_test, a_reply_can_carry_a_capability) {
    Status called = Status::invalid_argument;
    uint64_t reply_tag = 0;
    kernel::Task& client_task = task("client");
    client_task.caps().remove(passed);
    spawn(task("server"), [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_recv}), Status::ok);
        self.utcb().send_cap_slot = passed;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_reply, {0, cap_tag(0)}), Status::ok);
        park(self);
    });
    run_until_idle();
    spawn(client_task, [&](Thread& self) {
        self.utcb().recv_cap_slot = offered;
        called = test::syscall(self, Syscall::ipc_call, {ep_call, Message_tag(0, 0).raw()});
        reply_tag = self.frame().arg(1);
    });
    run_until_idle();
    EXPECT_EQ(called, Status::ok);
    EXPECT_TRUE(Message_tag(reply_tag).has_cap());
    // The client's task ended when its thread returned; the server's copy is what is left.
    EXPECT_EQ(n.references(), 2u) << "the fixture's and the server's";
}

// ---- Map items ----

class Map_item_test : public Items_test {
protected:
    kernel::Task* sender_task = nullptr;
    kernel::Task* receiver_task = nullptr;

    /// A sender with `pages` pages at `src` (writable unless `read_only`) holding "page0",
    /// "page1", ...; it sends them as a map item (writable if asked) with MR0 = 0x99.
    Thread& map_sender(uint64_t pages, bool writable, Status& sent, bool read_only = false) {
        sender_task = &task("sender");
        map(*sender_task, src, pages * 4096, !read_only);
        for (uint64_t i = 0; i < pages; ++i) {
            const std::string text = "page" + std::to_string(i);
            EXPECT_EQ(sender_task->space().poke(src + i * 4096, text.c_str(), text.size() + 1), Status::ok);
        }
        return spawn(*sender_task, [this, pages, writable, &sent](Thread& self) {
            self.utcb().send_map_addr = src;
            self.utcb().send_map_pages = pages;
            self.utcb().send_map_writable = writable;
            sent = test::syscall(self, Syscall::ipc_send, {ep_grant, map_tag(), 0x99});
            park(self);
        });
    }
    /// A receiver with a window of `pages` pages at `at`; it stays alive after the receive.
    Thread& map_receiver(uint64_t at, uint64_t pages, Got& got) {
        receiver_task = &task("receiver");
        return spawn(*receiver_task, [this, at, pages, &got](Thread& self) {
            self.utcb().recv_map_addr = at;
            self.utcb().recv_map_pages = pages;
            self.utcb().recv_map_received = 12345;
            got.status = test::syscall(self, Syscall::ipc_recv, {ep_recv});
            got.tag = self.frame().arg(1);
            got.mr0 = self.frame().arg(2);
            park(self);
        });
    }
};

TEST_F(Map_item_test, pages_are_shared_into_the_window) {
    Got got;
    Status sent = Status::invalid_argument;
    Thread& r = map_receiver(window, 4, got);
    run_until_idle();
    const uint64_t user_before = receiver_task->account().user_bytes();
    map_sender(2, true, sent);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    ASSERT_EQ(got.status, Status::ok);
    EXPECT_TRUE(Message_tag(got.tag).has_map());
    EXPECT_EQ(got.mr0, 0x99u);
    EXPECT_EQ(r.utcb().recv_map_received, 2u);
    for (uint64_t i = 0; i < 2; ++i) {
        const uint64_t frame = frame_of(*sender_task, src + i * 4096);
        EXPECT_EQ(frame_of(*receiver_task, window + i * 4096), frame) << "page " << i;
        EXPECT_EQ(kernel::frames().references(frame), 2u) << "page " << i;
        EXPECT_EQ(peek(*receiver_task, window + i * 4096, 5), "page" + std::to_string(i));
    }
    EXPECT_EQ(frame_of(*receiver_task, window + 2 * 4096), ~uint64_t(0)) << "only the pages sent";
    EXPECT_EQ(receiver_task->account().user_bytes(), user_before + 2 * 4096) << "the receiver pays for its mappings";
    // Writable: the receiver's writes show in the sender's page.
    ASSERT_EQ(kernel::copy_to_user(receiver_task->space(), window + 4096, "SHARED", 6), Status::ok);
    EXPECT_EQ(peek(*sender_task, src + 4096, 6), "SHARED");
}

TEST_F(Map_item_test, pages_are_read_only_unless_sent_writable) {
    Got got;
    Status sent = Status::invalid_argument;
    map_receiver(window, 1, got);
    run_until_idle();
    map_sender(1, false, sent);
    run_until_idle();
    ASSERT_EQ(got.status, Status::ok);
    arch::Page_flags flags{true, true};
    ASSERT_TRUE(receiver_task->space().table().host_flags(window, flags));
    EXPECT_FALSE(flags.writable);
    EXPECT_EQ(kernel::copy_to_user(receiver_task->space(), window, "x", 1), Status::invalid_pointer);
    ASSERT_TRUE(sender_task->space().table().host_flags(src, flags));
    EXPECT_TRUE(flags.writable) << "the sender's own mapping is unchanged";
}

TEST_F(Map_item_test, a_writable_share_of_a_read_only_page_is_refused) {
    Got got;
    Status sent = Status::ok;
    Thread& r = map_receiver(window, 1, got);
    run_until_idle();
    map_sender(1, true, sent, /*read_only=*/true);
    run_until_idle();
    EXPECT_EQ(sent, Status::invalid_pointer);
    EXPECT_EQ(r.state(), Thread_state::blocked_recv) << "refused before anything moved";
}

TEST_F(Map_item_test, a_queued_map_item_is_mapped_when_received) {
    Got got;
    Status sent = Status::invalid_argument;
    map_sender(3, true, sent);
    run_until_idle();
    map_receiver(window, 3, got);
    run_until_idle();
    EXPECT_EQ(sent, Status::ok);
    ASSERT_EQ(got.status, Status::ok);
    for (uint64_t i = 0; i < 3; ++i)
        EXPECT_EQ(peek(*receiver_task, window + i * 4096, 5), "page" + std::to_string(i));
}

/// Windows that cannot take two pages: both partners see `expected`, nothing is mapped and
/// the frames keep their one reference.
struct Bad_window {
    const char* name;
    uint64_t at, pages;
    bool occupy_second_page;
    Status expected;
};

void PrintTo(const Bad_window& w, std::ostream* os) { *os << w.name; }

class Bad_window_test : public Map_item_test, public ::testing::WithParamInterface<Bad_window> {};

TEST_P(Bad_window_test, fails_both_partners_and_maps_nothing) {
    const Bad_window& w = GetParam();
    Got got;
    Status sent = Status::ok;
    map_receiver(w.at, w.pages, got);
    if (w.occupy_second_page) map(*receiver_task, window + 4096, 4096);
    run_until_idle();
    const uint64_t occupant = frame_of(*receiver_task, window + 4096);
    map_sender(2, true, sent);
    run_until_idle();
    EXPECT_EQ(sent, w.expected);
    EXPECT_EQ(got.status, w.expected);
    EXPECT_EQ(frame_of(*receiver_task, window), ~uint64_t(0)) << "all or nothing";
    EXPECT_EQ(frame_of(*receiver_task, window + 4096), occupant);
    for (uint64_t i = 0; i < 2; ++i) EXPECT_EQ(kernel::frames().references(frame_of(*sender_task, src + i * 4096)), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    windows, Bad_window_test,
    ::testing::Values(Bad_window{"too_small", window, 1, false, Status::message_too_long},
                      Bad_window{"none", window, 0, false, Status::message_too_long},
                      Bad_window{"second_page_taken", window, 2, true, Status::invalid_argument},
                      Bad_window{"unaligned", window + 8, 2, false, Status::invalid_argument},
                      Bad_window{"kernel_half", 0xffff800000000000, 2, false, Status::invalid_argument},
                      Bad_window{"running_off_the_user_half", arch::user_end - 4096, 2, false, Status::invalid_argument}),
    [](const ::testing::TestParamInfo<Bad_window>& info) { return std::string(info.param.name); });

TEST_F(Map_item_test, bad_map_items_are_refused_before_anything_moves) {
    kernel::Task& t = task("sender");
    map(t, src, 2 * 4096);
    Thread& s = spawn(t, [](Thread&) {});
    ipclab::Utcb& u = s.utcb();
    s.frame().set_result(1, map_tag(0));
    const auto check = [&](uint64_t addr, uint64_t pages, uint64_t writable) {
        u.send_map_addr = addr;
        u.send_map_pages = pages;
        u.send_map_writable = writable;
        return kernel::check_outgoing(s, true);
    };
    EXPECT_EQ(check(src, 2, 1), Status::ok);
    EXPECT_EQ(check(src + 8, 1, 0), Status::invalid_argument) << "unaligned";
    EXPECT_EQ(check(src, 0, 0), Status::invalid_argument) << "no pages";
    EXPECT_EQ(check(src, kernel::max_map_pages + 1, 0), Status::invalid_argument);
    EXPECT_EQ(check(src, 3, 0), Status::invalid_pointer) << "the third page is not mapped";
    EXPECT_EQ(check(0xffff800000000000, 1, 0), Status::invalid_pointer);
    u.send_map_addr = src;
    u.send_map_pages = 1;
    EXPECT_EQ(kernel::check_outgoing(s, false), Status::insufficient_rights) << "a good item without the grant right";
    run_until_idle();
}

TEST_F(Map_item_test, a_frame_lives_until_its_last_mapping_goes) {
    Got got;
    Status sent = Status::invalid_argument;
    map_receiver(window, 2, got);
    run_until_idle();
    map_sender(2, true, sent);
    run_until_idle();
    ASSERT_EQ(got.status, Status::ok);
    const uint64_t f0 = frame_of(*sender_task, src), f1 = frame_of(*sender_task, src + 4096);
    const uint64_t free_before = kernel::frames().free_frames();

    sender_task->space().unmap(src, 2 * 4096);
    EXPECT_EQ(kernel::frames().free_frames(), free_before) << "the receiver still maps them";
    EXPECT_EQ(kernel::frames().references(f0), 1u);
    EXPECT_EQ(peek(*receiver_task, window + 4096, 5), "page1");

    receiver_task->space().unmap(window, 4096);
    EXPECT_EQ(kernel::frames().references(f0), 0u);
    EXPECT_EQ(kernel::frames().free_frames(), free_before + 1);
    EXPECT_EQ(kernel::frames().references(f1), 1u);

    // The last holder's task ends: its address space takes the last reference along.
    kill(*receiver_task);
    EXPECT_EQ(kernel::frames().references(f1), 0u);
}

TEST_F(Map_item_test, ending_the_receiver_leaves_the_sender_its_pages) {
    Got got;
    Status sent = Status::invalid_argument;
    map_receiver(window, 1, got);
    run_until_idle();
    map_sender(1, true, sent);
    run_until_idle();
    const uint64_t f = frame_of(*sender_task, src);
    ASSERT_EQ(kernel::frames().references(f), 2u);
    kill(*receiver_task);
    EXPECT_EQ(kernel::frames().references(f), 1u);
    EXPECT_EQ(peek(*sender_task, src, 5), "page0");
}

TEST_F(Map_item_test, a_reply_can_carry_a_map_item) {
    Status called = Status::invalid_argument;
    uint64_t received = 0;
    kernel::Task& server = task("server");
    map(server, src, 4096);
    ASSERT_EQ(server.space().poke(src, "from the server", 16), Status::ok);
    spawn(server, [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_recv}), Status::ok);
        self.utcb().send_map_addr = src;
        self.utcb().send_map_pages = 1;
        self.utcb().send_map_writable = 0;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_reply, {0, map_tag(0)}), Status::ok);
        park(self);
    });
    run_until_idle();
    kernel::Task& client = task("client");
    spawn(client, [&](Thread& self) {
        self.utcb().recv_map_addr = window;
        self.utcb().recv_map_pages = 1;
        called = test::syscall(self, Syscall::ipc_call, {ep_call, Message_tag(0, 0).raw()});
        received = self.utcb().recv_map_received;
        EXPECT_EQ(peek(self.task(), window, 16), std::string("from the server", 16));
    });
    run_until_idle();
    EXPECT_EQ(called, Status::ok);
    EXPECT_EQ(received, 1u);
    EXPECT_EQ(kernel::frames().references(frame_of(server, src)), 1u) << "the client's task ended";
}

TEST_F(Map_item_test, map_cap_and_registers_travel_together) {
    Got got;
    Thread& r = spawn(task("receiver"), [&](Thread& self) {
        self.utcb().recv_map_addr = window;
        self.utcb().recv_map_pages = 1;
        self.utcb().recv_cap_slot = offered;
        got.status = test::syscall(self, Syscall::ipc_recv, {ep_recv});
        got.tag = self.frame().arg(1);
        got.mr0 = self.frame().arg(2);
        park(self);
    });
    run_until_idle();
    kernel::Task& s = task("sender");
    map(s, src, 4096);
    spawn(s, [&](Thread& self) {
        self.utcb().send_map_addr = src;
        self.utcb().send_map_pages = 1;
        self.utcb().send_cap_slot = passed;
        const uint64_t tag = Message_tag(3, 2).with(Message_tag::map_bit | Message_tag::cap_bit, true).raw();
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_grant, tag, 5, 6}), Status::ok);
    });
    run_until_idle();
    ASSERT_EQ(got.status, Status::ok);
    const Message_tag tag(got.tag);
    EXPECT_TRUE(tag.has_map());
    EXPECT_TRUE(tag.has_cap());
    EXPECT_EQ(tag.length(), 2u);
    EXPECT_EQ(got.mr0, 5u);
    EXPECT_EQ(r.task().caps().at(offered).object, &n);
    EXPECT_NE(frame_of(r.task(), window), ~uint64_t(0));
}

// ---- Frame reference counts, on a private allocator ----

class Frame_refs_test : public ::testing::Test {
protected:
    std::unique_ptr<kernel::Frame_allocator> frames = std::make_unique<kernel::Frame_allocator>();
    void SetUp() override { frames->add_free_range(0x10000, 4 * kernel::page_size); }
};

TEST_F(Frame_refs_test, the_last_unref_frees_the_frame) {
    kernel::Phys_addr f;
    ASSERT_TRUE(frames->allocate(f));
    EXPECT_EQ(frames->references(f), 0u);
    EXPECT_EQ(frames->free_frames(), 3u);
    ASSERT_TRUE(frames->ref(f));
    ASSERT_TRUE(frames->ref(f));
    ASSERT_TRUE(frames->ref(f));
    EXPECT_EQ(frames->references(f), 3u);
    frames->unref(f);
    frames->unref(f);
    EXPECT_EQ(frames->references(f), 1u);
    EXPECT_EQ(frames->free_frames(), 3u) << "still mapped once";
    frames->unref(f);
    EXPECT_EQ(frames->references(f), 0u);
    EXPECT_EQ(frames->free_frames(), 4u);
    kernel::Phys_addr again;
    std::vector<kernel::Phys_addr> all;
    while (frames->allocate(again)) all.push_back(again);
    EXPECT_EQ(all.size(), 4u) << "the freed frame can be allocated again";
}

TEST_F(Frame_refs_test, counts_are_per_frame) {
    kernel::Phys_addr a, b;
    ASSERT_TRUE(frames->allocate(a));
    ASSERT_TRUE(frames->allocate(b));
    ASSERT_TRUE(frames->ref(a));
    ASSERT_TRUE(frames->ref(b));
    ASSERT_TRUE(frames->ref(b));
    frames->unref(b);
    EXPECT_EQ(frames->references(a), 1u);
    EXPECT_EQ(frames->references(b), 1u);
    frames->unref(a);
    EXPECT_EQ(frames->references(b), 1u);
    EXPECT_EQ(frames->free_frames(), 3u);
}

TEST_F(Frame_refs_test, a_full_count_refuses_instead_of_wrapping) {
    kernel::Phys_addr f;
    ASSERT_TRUE(frames->allocate(f));
    for (unsigned i = 0; i < 0xffff; ++i) ASSERT_TRUE(frames->ref(f)) << i;
    EXPECT_FALSE(frames->ref(f));
    EXPECT_EQ(frames->references(f), 0xffffu);
    frames->unref(f);
    EXPECT_TRUE(frames->ref(f));
}

} // namespace
