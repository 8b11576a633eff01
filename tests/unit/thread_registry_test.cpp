// Thread ids (kernel/task/thread_registry.cpp, an intrusive AVL tree) and IPC addressed by
// thread id (kernel/syscall/ipc.cpp: ipc_send_tid, ipc_call_tid, ipc_bind_inbox).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ipc/notification.hpp"
#include "support/kernel_test.hpp"
#include "task/thread_registry.hpp"

namespace {

using ipclab::Message_tag;
using ipclab::Syscall;
using kernel::Status;
using kernel::Thread;
using kernel::Thread_registry;
using kernel::Thread_state;

/// A pool of real threads (never run) taken out of the kernel's registry, so a private
/// Thread_registry can thread its tree through them.
class Registry_test : public test::Kernel_test {
protected:
    std::vector<Thread*> pool;
    kernel::Task* owner = nullptr;

    void make_pool(size_t n) {
        owner = &make_task("pool");
        spawn(*owner, [](Thread&) {}); // frees the task later; never runs here
        for (size_t i = 0; i < n; ++i) {
            Status s;
            Thread* t = Thread::create(*owner, 0x401000, kernel::Layout::stack_top, 1, s);
            ASSERT_NE(t, nullptr) << ipclab::status_name(s);
            EXPECT_EQ(kernel::thread_registry().find(t->id()), t) << "registered at creation";
            kernel::thread_registry().remove(*t);
            EXPECT_EQ(kernel::thread_registry().find(t->id()), nullptr);
            pool.push_back(t);
        }
    }
    void TearDown() override {
        for (Thread* t : pool) Thread::destroy(t);
        pool.clear();
        Kernel_test::TearDown();
    }

    /// Checks order, stored heights and balance of the subtree at `t`; returns its height
    /// and counts its nodes.
    static int check_subtree(const Thread* t, uint64_t low, uint64_t high, size_t& nodes) {
        if (!t) return 0;
        ++nodes;
        EXPECT_GE(t->id(), low);
        EXPECT_LE(t->id(), high);
        const int l = check_subtree(t->tid_left, low, t->id() - 1, nodes);
        const int r = check_subtree(t->tid_right, t->id() + 1, high, nodes);
        EXPECT_LE(std::abs(l - r), 1) << "unbalanced at " << t->id();
        EXPECT_EQ(t->tid_height, std::max(l, r) + 1) << "stale height at " << t->id();
        return std::max(l, r) + 1;
    }
    /// The whole tree: its root is the member that is nobody's child.
    void check_tree(const Thread_registry& reg, const std::set<uint32_t>& members) {
        std::set<const Thread*> in_tree, children;
        for (Thread* t : pool) {
            if (!members.count(t->id())) continue;
            in_tree.insert(t);
            if (t->tid_left) children.insert(t->tid_left);
            if (t->tid_right) children.insert(t->tid_right);
        }
        const Thread* root = nullptr;
        for (const Thread* t : in_tree)
            if (!children.count(t)) {
                ASSERT_EQ(root, nullptr) << "two roots";
                root = t;
            }
        size_t nodes = 0;
        EXPECT_EQ(check_subtree(root, 0, ~uint64_t(0) >> 1, nodes), reg.height());
        EXPECT_EQ(nodes, members.size());
    }
    static double avl_bound(size_t n) { return 1.45 * std::log2(double(n) + 2); }
};

TEST_F(Registry_test, an_empty_registry_finds_nothing) {
    Thread_registry reg;
    EXPECT_EQ(reg.size(), 0u);
    EXPECT_EQ(reg.height(), 0);
    EXPECT_EQ(reg.find(0), nullptr);
    EXPECT_EQ(reg.find(1), nullptr);
    make_pool(1);
    reg.remove(*pool[0]); // not in it: no-op
    EXPECT_EQ(reg.size(), 0u);
    reg.insert(*pool[0]);
    EXPECT_EQ(reg.find(pool[0]->id()), pool[0]);
    EXPECT_EQ(reg.height(), 1);
    EXPECT_EQ(reg.find(pool[0]->id() + (uint64_t(1) << 32)), nullptr) << "ids are not truncated to 32 bits";
}

/// Inserting ids in ascending or descending order (a plain search tree's worst case) and
/// removing them again keeps the tree balanced.
class Sorted_order_test : public Registry_test, public ::testing::WithParamInterface<bool> {};

TEST_P(Sorted_order_test, sorted_insertion_stays_balanced) {
    make_pool(255);
    std::vector<Thread*> order = pool;
    if (GetParam()) std::reverse(order.begin(), order.end());
    Thread_registry reg;
    std::set<uint32_t> members;
    for (Thread* t : order) {
        reg.insert(*t);
        members.insert(t->id());
        ASSERT_LE(reg.height(), avl_bound(reg.size())) << "after " << reg.size();
    }
    EXPECT_EQ(reg.height(), 8) << "255 nodes inserted in order fill a perfect tree";
    check_tree(reg, members);
    for (Thread* t : order) {
        reg.remove(*t);
        members.erase(t->id());
        ASSERT_LE(reg.height(), avl_bound(reg.size())) << "after removing " << t->id();
        ASSERT_EQ(reg.find(t->id()), nullptr);
    }
    EXPECT_EQ(reg.size(), 0u);
    EXPECT_EQ(reg.height(), 0);
}

INSTANTIATE_TEST_SUITE_P(order, Sorted_order_test, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "descending" : "ascending"; });

TEST_F(Registry_test, random_inserts_and_removes_agree_with_std_set) {
    make_pool(300);
    std::mt19937 random(20240601);
    Thread_registry reg;
    std::set<uint32_t> members;
    uint32_t lowest = ~0u, highest = 0;
    for (Thread* t : pool) {
        lowest = std::min(lowest, t->id());
        highest = std::max(highest, t->id());
    }
    for (int step = 0; step < 6000; ++step) {
        Thread* t = pool[random() % pool.size()];
        // Lean towards inserting early and removing late, so the size sweeps up and down.
        const bool grow = (step / 1500) % 2 == 0 ? random() % 4 != 0 : random() % 4 == 0;
        if (grow && !members.count(t->id())) {
            reg.insert(*t);
            members.insert(t->id());
        } else if (!grow) {
            reg.remove(*t); // a no-op when absent, as for std::set::erase
            members.erase(t->id());
        }
        ASSERT_EQ(reg.size(), members.size()) << "step " << step;
        ASSERT_LE(reg.height(), avl_bound(members.size())) << "step " << step << ", size " << members.size();
        if (step % 97 == 0) {
            for (Thread* p : pool) ASSERT_EQ(reg.find(p->id()), members.count(p->id()) ? p : nullptr) << "step " << step;
            EXPECT_EQ(reg.find(lowest - 1), nullptr);
            EXPECT_EQ(reg.find(highest + 1), nullptr);
            check_tree(reg, members);
            if (HasFailure()) return;
        }
    }
}

TEST_F(Registry_test, the_kernel_registry_follows_thread_lifetimes) {
    const uint32_t before = kernel::thread_registry().size();
    Thread& a = spawn("a", [this](Thread& self) { park(self); });
    Thread& b = spawn("b", [this](Thread& self) { park(self); });
    EXPECT_EQ(kernel::thread_registry().size(), before + 2);
    EXPECT_EQ(kernel::thread_registry().find(a.id()), &a);
    EXPECT_EQ(kernel::thread_registry().find(b.id()), &b);
    EXPECT_NE(a.id(), b.id());
    run_until_idle();
    const uint32_t id = a.id();
    kill(a.task());
    EXPECT_EQ(kernel::thread_registry().find(id), nullptr) << "a dead thread's id names nothing";
    EXPECT_EQ(kernel::thread_registry().size(), before + 1);
}

// ---- IPC by thread id ----

constexpr uint64_t ep_recv = 2, ep_send = 3, ep_grant = 4, a_notification = 5, other_recv = 6;

class Tid_test : public test::Kernel_test {
protected:
    std::vector<std::string> log;
    kernel::Endpoint& inbox = make_endpoint();
    kernel::Endpoint& other = make_endpoint();
    kernel::Notification& n = make_notification();

    kernel::Notification& make_notification() {
        kernel::Notification* made = kernel::Notification::create(kernel::kernel_account());
        if (!made) ADD_FAILURE() << "Notification::create failed";
        hold(*made);
        return *made;
    }
    kernel::Task& task(const char* name) {
        kernel::Task& t = make_task(name);
        EXPECT_EQ(t.caps().insert(ep_recv, inbox, ipclab::right_receive, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_send, inbox, ipclab::right_send, 0x5), Status::ok);
        EXPECT_EQ(t.caps().insert(ep_grant, inbox, ipclab::right_send | ipclab::right_grant, 0x6), Status::ok);
        EXPECT_EQ(t.caps().insert(a_notification, n, ipclab::rights_all, 0), Status::ok);
        EXPECT_EQ(t.caps().insert(other_recv, other, ipclab::right_receive, 0), Status::ok);
        return t;
    }
    /// A server that binds its inbox and then receives `count` messages on it, logging
    /// "badge/by-thread-id/MR0" and answering calls with MR0 + 1.
    Thread& server(int count, std::vector<std::string>& got) {
        return spawn(task("server"), [this, count, &got](Thread& self) {
            ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
            for (int i = 0; i < count; ++i) {
                ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_recv}), Status::ok);
                const Message_tag tag(self.frame().arg(1));
                const uint64_t mr0 = self.frame().arg(2);
                got.push_back(std::to_string(self.frame().arg(0)) + "/" + (tag.by_thread_id() ? "tid" : "cap") + "/" +
                              std::to_string(mr0));
                if (self.reply_to) {
                    EXPECT_EQ(test::syscall(self, Syscall::ipc_reply, {0, Message_tag(0, 1).raw(), mr0 + 1}), Status::ok);
                }
            }
            park(self);
        });
    }
};

TEST_F(Tid_test, bind_inbox_checks_the_capability_and_holds_a_reference) {
    bool done = false;
    const uint32_t refs = inbox.references();
    spawn(task("t"), [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_send}), Status::insufficient_rights);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {a_notification}), Status::wrong_object_type);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {77}), Status::invalid_capability);
        EXPECT_EQ(self.inbox, nullptr);
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
        EXPECT_EQ(self.inbox, &inbox);
        EXPECT_EQ(inbox.references(), refs + 3 + 1) << "its three capabilities and the binding";
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {other_recv}), Status::ok);
        EXPECT_EQ(self.inbox, &other);
        EXPECT_EQ(inbox.references(), refs + 3) << "rebinding released the old inbox";
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {0}), Status::ok);
        EXPECT_EQ(self.inbox, nullptr);
        EXPECT_EQ(other.references(), 2u) << "the fixture's and the capability";
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_EQ(inbox.references(), refs) << "the thread's end released the binding";
}

TEST_F(Tid_test, a_message_to_a_thread_id_carries_the_sender_id) {
    std::vector<std::string> got;
    const uint64_t server_id = server(3, got).id();
    run_until_idle();
    Thread* client = nullptr;
    client = &spawn(task("client"), [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {server_id, Message_tag(0, 1).raw(), 10}), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_send, Message_tag(0, 1).raw(), 20}), Status::ok);
        ASSERT_EQ(test::syscall(self, Syscall::ipc_call_tid, {server_id, Message_tag(0, 1).raw(), 30}), Status::ok);
        EXPECT_EQ(self.frame().arg(2), 31u);
        EXPECT_EQ(self.frame().arg(0), 0u) << "a reply carries no badge";
        EXPECT_FALSE(Message_tag(self.frame().arg(1)).by_thread_id());
    });
    run_until_idle();
    const std::string id = std::to_string(client->id());
    EXPECT_EQ(got, (std::vector<std::string>{id + "/tid/10", "5/cap/20", id + "/tid/30"}));
}

TEST_F(Tid_test, a_queued_message_to_a_thread_id_keeps_its_marks) {
    Thread* server_thread = nullptr;
    std::vector<std::string> got;
    spawn(task("binder"), [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
        server_thread = &self;
        ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {other_recv}), Status::ok); // not the inbox yet
        for (int i = 0; i < 2; ++i) {
            ASSERT_EQ(test::syscall(self, Syscall::ipc_recv, {ep_recv}), Status::ok);
            got.push_back(std::to_string(self.frame().arg(0)) + "/" +
                          (Message_tag(self.frame().arg(1)).by_thread_id() ? "tid" : "cap"));
        }
        park(self);
    });
    run_until_idle();
    Thread& client = spawn(task("client"), [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {server_thread->id(), Message_tag(0, 0).raw()}), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_send, Message_tag(0, 0).raw()}), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    spawn("waker", [&](Thread& self) {
        kernel::Task& t = self.task();
        ASSERT_EQ(t.caps().insert(ep_send, other, ipclab::right_send, 0), Status::ok);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send, {ep_send, Message_tag(0, 0).raw()}), Status::ok);
    });
    run_until_idle();
    EXPECT_EQ(got, (std::vector<std::string>{std::to_string(client.id()) + "/tid", "5/cap"}));
}

TEST_F(Tid_test, ids_that_name_no_inbox_are_invalid_capabilities) {
    bool done = false;
    Thread& unbound = spawn(task("unbound"), [this](Thread& self) { park(self); });
    run_until_idle();
    spawn(task("client"), [&](Thread& self) {
        const uint64_t tag = Message_tag(0, 0).raw();
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {unbound.id(), tag}), Status::invalid_capability)
            << "a thread without an inbox";
        EXPECT_EQ(test::syscall(self, Syscall::ipc_call_tid, {unbound.id(), tag}), Status::invalid_capability);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {0, tag}), Status::invalid_capability);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {self.id() + 1000, tag}), Status::invalid_capability);
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {(uint64_t(1) << 32) | unbound.id(), tag}),
                  Status::invalid_capability)
            << "not truncated to 32 bits";
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
}

TEST_F(Tid_test, messages_to_a_thread_id_are_checked_like_any_other) {
    std::vector<std::string> got;
    Thread& s = server(1, got);
    run_until_idle();
    bool done = false;
    spawn(task("client"), [&](Thread& self) {
        self.utcb().send_cap_slot = a_notification;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {s.id(), Message_tag(0, 0).with(Message_tag::cap_bit, true).raw()}),
                  Status::insufficient_rights)
            << "no capability, so nothing to grant with";
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {s.id(), Message_tag::by_thread_id_bit}), Status::invalid_argument)
            << "only the kernel sets the flag";
        EXPECT_EQ(test::syscall(self, Syscall::ipc_call_tid, {s.id(), Message_tag(0, 65).raw()}), Status::invalid_argument);
        self.utcb().recv_string_addr = 0xffff800000000000;
        self.utcb().recv_string_capacity = 8;
        EXPECT_EQ(test::syscall(self, Syscall::ipc_call_tid, {s.id(), Message_tag(0, 0).raw()}), Status::invalid_pointer)
            << "the reply window";
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(s.state(), Thread_state::blocked_recv);
}

TEST_F(Tid_test, a_zero_timeout_send_to_a_busy_thread_would_block) {
    Thread* binder = nullptr;
    spawn(task("binder"), [&](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
        binder = &self;
        park(self);
    });
    run_until_idle();
    bool done = false;
    spawn(task("client"), [&](Thread& self) {
        EXPECT_EQ(test::syscall(self, Syscall::ipc_send_tid, {binder->id(), Message_tag(0, 0).raw()}, ipclab::timeout_zero),
                  Status::would_block);
        done = true;
    });
    run_until_idle();
    EXPECT_TRUE(done);
    EXPECT_FALSE(inbox.has_waiting_senders());
}

TEST_F(Tid_test, a_queued_sender_fails_when_the_inbox_goes_with_its_thread) {
    // The sender names the inbox by the thread's id and holds no capability to it: the
    // bound thread's end drops the last references while the sender waits there.
    kernel::Task& server_task = make_task("server");
    kernel::Endpoint* own = kernel::Endpoint::create(kernel::kernel_account());
    ASSERT_NE(own, nullptr);
    ASSERT_EQ(server_task.caps().insert(ep_recv, *own, ipclab::right_receive, 0), Status::ok);
    Thread& server = spawn(server_task, [this](Thread& self) {
        ASSERT_EQ(test::syscall(self, Syscall::ipc_bind_inbox, {ep_recv}), Status::ok);
        park(self);
    });
    run_until_idle();
    Status sent = Status::ok;
    Thread& client = spawn(task("client"), [&](Thread& self) {
        sent = test::syscall(self, Syscall::ipc_send_tid, {server.id(), Message_tag(0, 0).raw()});
        log.push_back("client woke");
    });
    run_until_idle();
    EXPECT_EQ(client.state(), Thread_state::blocked_send);
    kill(server_task);
    run_until_idle();
    EXPECT_EQ(sent, Status::invalid_capability) << "the endpoint it waited on is gone (seL4 cancelAllIPC)";
    EXPECT_EQ(log, std::vector<std::string>{"client woke"});
}

} // namespace
