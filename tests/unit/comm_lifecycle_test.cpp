// Lifetimes around a communicator (mpi_shim/kernel/communicator.cpp,
// communicator_create.cpp, task/task.cpp): a member's death and the messages it left,
// comm_create (MPI_Comm_dup/split/create_group, MPI-3.1 section 6.4.2) with its errors,
// inheritance and creation records, and the communicator's destruction with operations
// pending. Every scenario also checks that the kernel memory it used is given back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ipc/fastpath.hpp"
#include "mem/kmem.hpp"
#include "support/comm_fixture.hpp"
#include "task/scheduler.hpp"

namespace {

using namespace test::comm;
using kernel::Communicator;

constexpr uint64_t child = 20, second_child = 21; ///< slots for comm_create

class Comm_lifecycle_test : public Comm_test {
protected:
    /// Rank 1 of a new two-rank communicator posts a receive (into `pending`, from rank 0,
    /// 8 bytes) while another thread of its task leaves the communicator (cap_delete); then
    /// rank 0 sends `text` to it (status into `sent`), and everything runs to the end.
    void leave_while_receiving(const char* text, Received& pending, Status& sent) {
        Communicator& c = make_communicator(2);
        kernel::Notification& go = make_gate();
        Status left = Status::invalid_argument;
        Thread& b = member_of(c, 1, [&](Thread& self) {
            pending = recv(self, 0, any, 8);
            park(self);
        });
        spawn(b.task(), [&](Thread& self) {
            left = test::syscall(self, Syscall::cap_delete, {world});
            park(self);
        });
        member_of(c, 0, [&, text](Thread& self) {
            pass(self, go);
            sent = send(self, 1, 0, text);
            park(self);
        });
        run_until_idle();
        ASSERT_EQ(left, Status::ok);
        open(go);
    }
    /// Wakes `n` threads waiting on `gate` (one signal each) and lets them run.
    void open_all(kernel::Notification& gate, int n) {
        for (int i = 0; i < n; ++i) gate.signal(1);
        run_until_idle();
    }
    static uint64_t kernel_bytes() { return kernel::kernel_account().kernel_bytes(); }
};

// A member's eager messages outlive it: the Task stays (pinned) until the last one is
// received, receives naming it still get them, and only then fail with partner_dead.
TEST_F(Comm_lifecycle_test, eager_messages_of_a_member_that_ended_can_still_be_received) {
    kernel::Notification& gate = make_gate();
    kernel::Notification& done = make_gate();
    std::vector<Received> got;
    Status send_to_dead = Status::ok;
    member(0, [&](Thread& self) {
        pass(self, gate);
        got.push_back(probe(self, 1, any));
        got.push_back(recv(self, 1, 4, 8));
        got.push_back(recv(self, 1, any, 16));
        got.push_back(recv(self, 1, any, 16));
        got.push_back(probe(self, 1, any, zero));
        send_to_dead = send(self, 1, 0, "hello?");
        pass(self, done);
    });
    const uint64_t before = kernel::kmem::bytes_in_use();
    member(1, [&](Thread& self) {
        EXPECT_EQ(isend(self, 0, 3, "last words", p2p, buffer).status, Status::ok);
        EXPECT_EQ(isend(self, 0, 4, "more", p2p, buffer + 0x100).status, Status::ok);
    }); // returns: the task ends with its messages queued
    run_until_idle();
    kernel::scheduler().reap();
    EXPECT_NE(take_console().find("\"task\":\"rank1\""), std::string::npos) << "rank 1 ended";
    EXPECT_GT(kernel::kmem::bytes_in_use(), before) << "its Task and messages are still there";
    open(gate);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0].status, Status::ok);
    EXPECT_EQ(got[0].source, 1);
    EXPECT_EQ(got[0].tag, 3);
    EXPECT_EQ(got[1].status, Status::ok);
    EXPECT_EQ(got[1].data, std::string("more\0\0\0\0", 8));
    EXPECT_EQ(got[2].status, Status::ok);
    EXPECT_EQ(got[2].data, std::string("last words\0\0\0\0\0\0", 16));
    EXPECT_EQ(got[3].status, Status::partner_dead) << "nothing of rank 1 is left";
    EXPECT_EQ(got[4].status, Status::partner_dead);
    EXPECT_EQ(send_to_dead, Status::partner_dead);
    kernel::scheduler().reap();
    EXPECT_EQ(kernel::kmem::bytes_in_use(), before) << "the last message freed the ended Task";
}

// The same through an irecv posted after the sender ended.
TEST_F(Comm_lifecycle_test, an_irecv_takes_the_message_of_a_member_that_ended) {
    kernel::Notification& gate = make_gate();
    Received got;
    std::string data;
    member(0, [&](Thread& self) {
        pass(self, gate);
        Started posted = irecv(self, 1, any, 8);
        got = wait(self, posted.handle);
        data = contents(self, 8);
        park(self);
    });
    member(1, [&](Thread& self) { EXPECT_EQ(isend(self, 0, 3, "ghost").status, Status::ok); });
    run_until_idle();
    open(gate);
    EXPECT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.source, 1);
    EXPECT_EQ(data, std::string("ghost\0\0\0", 8));
}

// Requests naming a member that ends fail with partner_dead; eager messages to it are
// discarded (their memory goes back to the sender); requests of other sources stay.
TEST_F(Comm_lifecycle_test, requests_naming_a_member_that_ends_fail) {
    Received from_victim, rendezvous, from_anyone;
    uint64_t buffered_before = 0, buffered_after = 0;
    Thread& survivor = member(0, [&](Thread& self) {
        Started r = irecv(self, 1, any, 8, buffer);
        Started anyone = irecv(self, any, any, 8, buffer + 0x100);
        Started big = isend(self, 1, 0, pattern(ipclab::comm_eager_bytes + 1), p2p, buffer + 0x1000);
        EXPECT_EQ(isend(self, 1, 0, "eager", p2p, buffer + 0x4000).status, Status::ok);
        buffered_before = self.task().comm_buffered();
        from_victim = wait(self, r.handle);
        rendezvous = wait(self, big.handle);
        buffered_after = self.task().comm_buffered();
        from_anyone = wait(self, anyone.handle, zero);
        park(self);
    });
    Thread& victim = member(1, [&](Thread& self) { park(self); });
    run_until_idle();
    ASSERT_EQ(survivor.state(), Thread_state::blocked_comm_wait);
    kill(victim.task());
    run_until_idle();
    EXPECT_EQ(from_victim.status, Status::partner_dead);
    EXPECT_EQ(rendezvous.status, Status::partner_dead);
    EXPECT_EQ(buffered_before, eager_charge(5));
    EXPECT_EQ(buffered_after, 0u);
    EXPECT_EQ(from_anyone.status, Status::would_block) << "an any-source request does not name the rank";
}

// Three members call comm_create with one key and group {2, 0, 1}: each gets a capability
// to the same new communicator, ranked by its place in the group, with a new context.
TEST_F(Comm_lifecycle_test, members_calling_with_one_key_get_one_communicator) {
    kernel::Notification& join = make_gate();
    kernel::Notification& end = make_gate();
    const uint64_t kernel_before = kernel_bytes();
    Created created[3] = {};
    Info infos[3] = {};
    std::vector<Received> got;
    Received parent_message;
    auto body = [&](int32_t rank) {
        return [&, rank](Thread& self) {
            if (rank != 0) pass(self, join);
            created[rank] = create(self, {2, 0, 1}, 77, child);
            infos[rank] = info(self, child);
            if (rank == 2) { // new rank 0
                got.push_back(recv(self, any, any, 16, p2p, inf, child));
                got.push_back(recv(self, any, any, 16, p2p, inf, child));
                parent_message = recv(self, any, any, 16);
            } else if (created[rank].status == Status::ok) {
                EXPECT_EQ(send(self, 0, 10 + rank, "from " + std::to_string(created[rank].rank), p2p, child), Status::ok);
            }
            pass(self, end);
        };
    };
    for (int32_t r = 0; r < 3; ++r) member(r, body(r));
    member(3, [&](Thread& self) {
        EXPECT_EQ(send(self, 2, 99, "parent traffic"), Status::ok);
        pass(self, end);
    });
    run_until_idle();
    ASSERT_EQ(created[0].status, Status::ok);
    const uint64_t kernel_first = kernel_bytes();
    EXPECT_GT(kernel_first, kernel_before) << "the new communicator and the creation record";
    open_all(join, 2);
    const uint64_t kernel_all = kernel_bytes();
    EXPECT_LT(kernel_all, kernel_first) << "the creation record went when the last member joined";

    const int32_t new_rank[3] = {1, 2, 0}; // parent rank -> place in {2, 0, 1}
    for (int32_t r = 0; r < 3; ++r) {
        SCOPED_TRACE(r);
        EXPECT_EQ(created[r].status, Status::ok);
        EXPECT_EQ(created[r].rank, new_rank[r]);
        EXPECT_EQ(created[r].size, 3u);
        EXPECT_EQ(created[r].context_id, created[0].context_id);
        EXPECT_EQ(infos[r].status, Status::ok);
        EXPECT_EQ(infos[r].rank, new_rank[r]);
        EXPECT_EQ(infos[r].size, 3u);
        EXPECT_EQ(infos[r].context_id, created[0].context_id);
    }
    EXPECT_NE(created[0].context_id, comm.context_id());
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].status, Status::ok);
    EXPECT_EQ(got[1].status, Status::ok);
    EXPECT_EQ(got[0].source + got[1].source, 1 + 2) << "new ranks 1 and 2";
    for (const Received& g : got) EXPECT_EQ(g.data.substr(0, 6), "from " + std::to_string(g.source));
    EXPECT_EQ(parent_message.status, Status::ok) << "the parent's traffic stayed on the parent";
    EXPECT_EQ(parent_message.source, 3);
    EXPECT_EQ(parent_message.tag, 99);

    open_all(end, 4);
    EXPECT_EQ(kernel_bytes(), kernel_before) << "the new communicator went with its last member";
}

// MPI_Comm_dup twice: each member's n-th call with a key joins the n-th creation.
TEST_F(Comm_lifecycle_test, a_second_call_with_the_same_key_makes_a_second_communicator) {
    kernel::Notification& gate = make_gate();
    Created first[2] = {}, second[2] = {};
    Received on_second, on_first;
    member(0, [&](Thread& self) {
        first[0] = create(self, {0, 1}, 5, child);
        second[0] = create(self, {0, 1}, 5, second_child);
        EXPECT_EQ(isend(self, 1, 1, "on first", p2p, buffer, child).status, Status::ok);
        park(self);
    });
    member(1, [&](Thread& self) {
        pass(self, gate);
        first[1] = create(self, {0, 1}, 5, child);
        second[1] = create(self, {0, 1}, 5, second_child);
        on_second = probe(self, any, any, zero, p2p, second_child);
        on_first = probe(self, any, any, zero, p2p, child);
        park(self);
    });
    run_until_idle();
    open(gate);
    for (int r = 0; r < 2; ++r) {
        EXPECT_EQ(first[r].status, Status::ok);
        EXPECT_EQ(second[r].status, Status::ok);
        EXPECT_EQ(first[r].rank, r);
        EXPECT_EQ(second[r].rank, r);
    }
    EXPECT_EQ(first[0].context_id, first[1].context_id);
    EXPECT_EQ(second[0].context_id, second[1].context_id);
    EXPECT_NE(first[0].context_id, second[0].context_id);
    EXPECT_EQ(on_second.status, Status::would_block) << "communicators are matching spaces of their own";
    EXPECT_EQ(on_first.status, Status::ok);
}

TEST_F(Comm_lifecycle_test, comm_create_errors_change_nothing) {
    std::vector<Status> results;
    uint64_t kernel_before = 0, kernel_after = 0;
    Created good{}, joined{};
    kernel::Notification& gate = make_gate();
    member(0, [&](Thread& self) {
        kernel_before = kernel_bytes();
        results.push_back(create(self, {1, 2}, 1, child).status);     // the caller is not in it
        results.push_back(create(self, {0, 4}, 1, child).status);     // no rank 4
        results.push_back(create(self, {0, -1}, 1, child).status);
        results.push_back(create(self, {0, 1, 0}, 1, child).status);  // rank 0 twice
        results.push_back(create(self, {1, 1, 0}, 1, child).status);  // rank 1 twice
        results.push_back(create(self, {0, 1}, 1, world).status);     // destination occupied
        results.push_back(create(self, {0, 1}, 1, 0).status);         // slot 0
        results.push_back(create(self, {0, 1}, 1, ipclab::cap_slots).status);
        results.push_back(create(self, {0, 1}, 1, child, 9).status);  // no parent
        results.push_back(create(self, {}, 1, child).status);         // empty group
        results.push_back(create(self, {0, 1, 2, 3, 0}, 1, child).status); // larger than the parent
        results.push_back(
            test::syscall(self, Syscall::comm_create, {world, 0xdead0000, 2, 1, child})); // group not readable
        kernel_after = kernel_bytes();
        EXPECT_EQ(self.task().caps().at(child).object, nullptr);
        good = create(self, {0, 1}, 1, child);
        park(self);
    });
    member(1, [&](Thread& self) {
        pass(self, gate);
        joined = create(self, {0, 1}, 1, child);
        park(self);
    });
    run_until_idle();
    open(gate);
    EXPECT_EQ(results, (std::vector<Status>{Status::invalid_argument, Status::invalid_rank, Status::invalid_rank,
                                            Status::invalid_argument, Status::invalid_argument,
                                            Status::invalid_capability, Status::invalid_capability,
                                            Status::invalid_capability, Status::invalid_capability,
                                            Status::invalid_argument, Status::invalid_argument,
                                            Status::invalid_pointer}));
    EXPECT_EQ(kernel_after, kernel_before) << "no communicator or record was left behind";
    EXPECT_EQ(good.status, Status::ok);
    EXPECT_EQ(joined.status, Status::ok);
    EXPECT_EQ(joined.context_id, good.context_id) << "the failed calls started no creation";
    EXPECT_EQ(joined.rank, 1);
}

// No task gains a right it did not have: the new communicator inherits the parent's rights
// table (mapped to the new ranks) and send timeout.
TEST_F(Comm_lifecycle_test, the_rights_table_and_send_timeout_are_inherited) {
    use_policy("mpi-rights");
    ASSERT_EQ(comm.set_right(0, 2, false), Status::ok); // parent 0 may not send to parent 2
    comm.set_send_timeout(7 * ms);
    kernel::Notification& gate = make_gate();
    Status denied = Status::invalid_argument, allowed = Status::invalid_argument;
    Info child_info{};
    member(0, [&](Thread& self) { // new rank 1
        pass(self, gate);
        ASSERT_EQ(create(self, {2, 0}, 3, child).rank, 1);
        denied = isend(self, 0, 0, "to parent 2", p2p, buffer, child).status;
        park(self);
    });
    member(2, [&](Thread& self) { // new rank 0
        ASSERT_EQ(create(self, {2, 0}, 3, child).rank, 0);
        child_info = info(self, child);
        allowed = isend(self, 1, 0, "to parent 0", p2p, buffer, child).status;
        park(self);
    });
    run_until_idle();
    open(gate);
    EXPECT_EQ(denied, Status::denied);
    EXPECT_EQ(allowed, Status::ok);
    EXPECT_EQ(child_info.send_timeout, 7 * ms);
}

// A member that ends before joining will never join: the others' operations naming its
// new rank fail instead of waiting forever, and the creation record goes.
TEST_F(Comm_lifecycle_test, a_member_ending_before_it_joins_leaves_no_one_waiting) {
    kernel::Notification& end = make_gate();
    const uint64_t kernel_before = kernel_bytes();
    Received from_late;
    Status to_late = Status::invalid_argument;
    member(0, [&](Thread& self) {
        ASSERT_EQ(create(self, {0, 1, 2}, 8, child).status, Status::ok);
        from_late = recv(self, 2, any, 8, p2p, inf, child);
        pass(self, end);
    });
    member(1, [&](Thread& self) {
        ASSERT_EQ(create(self, {0, 1, 2}, 8, child).status, Status::ok);
        to_late = send(self, 2, 0, "never", p2p, child);
        pass(self, end);
    });
    Thread& late = member(2, [&](Thread& self) { pass(self, end); }); // never calls comm_create
    run_until_idle();
    const uint64_t kernel_waiting = kernel_bytes();
    kill(late.task());
    run_until_idle();
    EXPECT_EQ(from_late.status, Status::partner_dead);
    EXPECT_EQ(to_late, Status::partner_dead);
    EXPECT_LT(kernel_bytes(), kernel_waiting) << "the creation record went";
    open_all(end, 2);
    EXPECT_EQ(kernel_bytes(), kernel_before);
}

TEST_F(Comm_lifecycle_test, a_member_that_ended_before_the_creation_is_not_waited_for) {
    kernel::Notification& end = make_gate();
    const uint64_t kernel_before = kernel_bytes();
    Status to_dead = Status::invalid_argument;
    Thread& dead = member(2, [&](Thread& self) { pass(self, end); });
    run_until_idle();
    kill(dead.task());
    member(0, [&](Thread& self) {
        ASSERT_EQ(create(self, {0, 2}, 4, child).status, Status::ok);
        to_dead = send(self, 1, 0, "x", p2p, child);
        pass(self, end);
    });
    run_until_idle();
    EXPECT_EQ(to_dead, Status::partner_dead);
    open(end);
    EXPECT_EQ(kernel_bytes(), kernel_before) << "no record waited for the dead member";
}

// The creator ends before the others join: they still get the communicator, in which the
// creator's rank is gone.
TEST_F(Comm_lifecycle_test, the_creator_ending_before_the_others_join) {
    kernel::Notification& gate = make_gate();
    Created joined{};
    Status to_creator = Status::invalid_argument;
    member(0, [&](Thread& self) { ASSERT_EQ(create(self, {0, 1}, 6, child).status, Status::ok); }); // then ends
    member(1, [&](Thread& self) {
        pass(self, gate);
        joined = create(self, {0, 1}, 6, child);
        to_creator = send(self, 0, 0, "x", p2p, child);
        park(self);
    });
    run_until_idle();
    open(gate);
    EXPECT_EQ(joined.status, Status::ok);
    EXPECT_EQ(joined.rank, 1);
    EXPECT_EQ(to_creator, Status::partner_dead);
}

// A creation some member never joins is dropped with its parent (the leak check of
// TearDown sees the new communicator go).
TEST_F(Comm_lifecycle_test, an_unfinished_creation_goes_with_its_parent) {
    Created created{};
    member(0, [&](Thread& self) { created = create(self, {0, 1}, 2, child); });
    member(1, [&](Thread& self) { park(self); });
    run_until_idle();
    EXPECT_EQ(created.status, Status::ok);
}

// Communicator::destroy's contract, through the object itself: the capabilities are taken
// out of the capability spaces without leaving first (cap_delete and a task's end leave,
// which already breaks down most of these operations), so every kind of pending operation
// is still there when the object goes. Every waiter fails with invalid_capability, and the
// eager message it buffered is freed, its memory given back to the sender.
TEST_F(Comm_lifecycle_test, destroying_a_communicator_fails_its_waiters_and_frees_its_buffers) {
    Status s = Status::out_of_memory;
    Communicator* doomed = Communicator::create(2, kernel::kernel_account(), s); // held by capabilities only
    ASSERT_NE(doomed, nullptr);
    kernel::Notification& end = make_gate();
    Received blocked_recv, blocked_probe, receive_request, send_request;
    Status blocked_send = Status::invalid_argument;
    uint64_t buffered = 0, buffered_after = 0, account_before = 0, account_buffered = 0, account_after = 0;
    Thread& a = member_of(*doomed, 0, [&](Thread& self) {
        blocked_recv = recv(self, 1, 9, 8);
        pass(self, end);
    });
    spawn(a.task(), [&](Thread& self) {
        blocked_probe = probe(self, any, 8);
        pass(self, end);
    });
    spawn(a.task(), [&](Thread& self) {
        Started r = irecv(self, 1, 5, 8, buffer + 0x100);
        receive_request = wait(self, r.handle);
        pass(self, end);
    });
    spawn(a.task(), [&](Thread& self) {
        Started big = isend(self, 1, 6, pattern(5000), p2p, buffer + 0x1000);
        send_request = wait(self, big.handle);
        pass(self, end);
    });
    Thread& b = member_of(*doomed, 1, [&](Thread& self) {
        account_before = self.task().account().kernel_bytes();
        EXPECT_EQ(isend(self, 0, 7, "buffered").status, Status::ok);
        buffered = self.task().comm_buffered();
        account_buffered = self.task().account().kernel_bytes();
        blocked_send = send(self, 0, 6, "blocked", p2p, world, buffer + 0x100);
        buffered_after = self.task().comm_buffered();
        account_after = self.task().account().kernel_bytes();
        pass(self, end);
    });
    run_until_idle();
    ASSERT_EQ(doomed->references(), 2u);
    EXPECT_EQ(buffered, eager_charge(8));
    EXPECT_GT(account_buffered, account_before);
    b.task().caps().remove(world);
    EXPECT_EQ(blocked_recv.status, Status::invalid_argument) << "still there: rank 0 holds it";
    a.task().caps().remove(world); // the last one: destroyed
    run_until_idle();
    EXPECT_EQ(blocked_recv.status, Status::invalid_capability);
    EXPECT_EQ(blocked_probe.status, Status::invalid_capability);
    EXPECT_EQ(receive_request.status, Status::invalid_capability);
    EXPECT_EQ(send_request.status, Status::invalid_capability);
    EXPECT_EQ(blocked_send, Status::invalid_capability);
    EXPECT_EQ(buffered_after, 0u) << "the eager message was freed";
    EXPECT_EQ(account_after, account_before) << "and its memory went back to the sender";
    open_all(end, 5);
}

// cap_delete of a communicator capability leaves the communicator, as the task's end does
// (abi/syscall.hpp): sends to the rank fail with partner_dead and the slot is empty. When
// the last capability goes the communicator is destroyed: whoever still waits on it, in
// any task, fails with invalid_capability, and its memory goes.
TEST_F(Comm_lifecycle_test, deleting_the_last_capability_destroys_the_communicator) {
    kernel::Notification& end = make_gate();
    kernel::Notification& go = make_gate();
    const uint64_t before = kernel::kmem::bytes_in_use();
    Status s = Status::out_of_memory;
    Communicator* c = Communicator::create(2, kernel::kernel_account(), s); // held by capabilities only
    ASSERT_NE(c, nullptr);
    Received left_waiting, probing, request;
    Status deleted_1 = Status::invalid_argument, deleted_0 = Status::invalid_argument;
    Status after_leaving = Status::ok, to_the_left = Status::ok;
    Thread& b = member_of(*c, 1, [&](Thread& self) {
        left_waiting = probe(self, any, any);
        pass(self, end);
    });
    spawn(b.task(), [&](Thread& self) {
        deleted_1 = test::syscall(self, Syscall::cap_delete, {world});
        after_leaving = send(self, 0, 0, "x");
        pass(self, end);
    });
    Thread& a = member_of(*c, 0, [&](Thread& self) {
        probing = probe(self, any, any);
        pass(self, end);
    });
    spawn(a.task(), [&](Thread& self) {
        Started posted = irecv(self, any, any, 8);
        request = wait(self, posted.handle);
        pass(self, end);
    });
    spawn(a.task(), [&](Thread& self) {
        pass(self, go);
        to_the_left = send(self, 1, 0, "anyone?");
        deleted_0 = test::syscall(self, Syscall::cap_delete, {world});
        pass(self, end);
    });
    run_until_idle();
    EXPECT_EQ(deleted_1, Status::ok);
    EXPECT_EQ(after_leaving, Status::invalid_capability) << "the slot is empty";
    EXPECT_EQ(b.task().caps().at(world).object, nullptr);
    EXPECT_EQ(c->references(), 1u);
    open(go);
    EXPECT_EQ(to_the_left, Status::partner_dead) << "rank 1 left";
    EXPECT_EQ(deleted_0, Status::ok);
    EXPECT_EQ(probing.status, Status::invalid_capability);
    EXPECT_EQ(request.status, Status::invalid_capability);
    EXPECT_EQ(left_waiting.status, Status::invalid_capability) << "a thread of the task that left first";
    open_all(end, 5);
    kernel::scheduler().reap();
    EXPECT_EQ(kernel::kmem::bytes_in_use(), before);
}

// A send to a rank that left (cap_delete) while a thread of its task still has a receive
// posted: whatever the kernel makes of it, the fast path (comm_fastpath.cpp) must give
// exactly the slow path's results.
TEST_F(Comm_lifecycle_test, a_send_to_a_rank_that_left_gives_the_slow_paths_results_on_the_fast_path) {
    std::vector<std::string> outcome[2];
    for (bool fast : {false, true}) {
        kernel::ipc_fastpath_enabled = fast;
        Received pending;
        Status sent = Status::invalid_argument;
        leave_while_receiving("late", pending, sent);
        if (HasFatalFailure()) return;
        outcome[fast] = {std::string("send: ") + ipclab::status_name(sent),
                         pending.status == Status::invalid_argument
                             ? std::string("receive: still waiting")
                             : std::string("receive: ") + ipclab::status_name(pending.status),
                         "data: " + pending.data};
    }
    EXPECT_EQ(outcome[1], outcome[0]) << "fast path (left) and slow path (right) differ";
}

// A task that left (cap_delete) while one of its threads waits in a receive on the
// communicator must not be left waiting for good. The receive may complete normally (as
// MPI_Comm_free lets pending operations do), or fail; but sends to the rank now fail with
// partner_dead (slow path), so a receive that stays posted can never complete.
TEST_F(Comm_lifecycle_test, a_task_that_left_is_not_left_waiting) {
    for (bool fast : {false, true}) {
        SCOPED_TRACE(fast ? "fast path on" : "fast path off");
        kernel::ipc_fastpath_enabled = fast;
        Received pending;
        Status sent = Status::invalid_argument;
        leave_while_receiving("for you", pending, sent);
        if (HasFatalFailure()) return;
        EXPECT_NE(pending.status, Status::invalid_argument)
            << "rank 1's receive still waits; the send to it got " << ipclab::status_name(sent);
        if (sent == Status::ok) {
            EXPECT_EQ(pending.status, Status::ok);
        }
    }
}

} // namespace

namespace {

// A task that derived a copy of its communicator capability (same badge: the same rank)
// stays a member while it holds one of them: deleting the copy is not leaving, deleting
// the last one is (MPI_Comm_free).
TEST_F(Comm_lifecycle_test, deleting_a_copy_of_the_capability_is_not_leaving) {
    constexpr uint64_t copy = 41;
    Status derived = Status::invalid_argument, deleted = Status::invalid_argument, after_copy = Status::invalid_argument,
           deleted_last = Status::invalid_argument;
    kernel::Notification& gate = make_gate();
    member(1, [&](Thread& self) {
        derived = test::syscall(self, Syscall::cap_derive, {world, copy, ipclab::rights_all, 0});
        deleted = test::syscall(self, Syscall::cap_delete, {copy});
        after_copy = send(self, 0, 1, "still in");
        pass(self, gate);
        deleted_last = test::syscall(self, Syscall::cap_delete, {world});
        park(self);
    });
    Received got, after_leaving;
    member(0, [&](Thread& self) {
        got = recv(self, 1, 1, 16);
        after_leaving = recv(self, 1, 2, 16);
        park(self);
    });
    run_until_idle();
    EXPECT_EQ(derived, Status::ok);
    EXPECT_EQ(deleted, Status::ok);
    EXPECT_EQ(after_copy, Status::ok) << "rank 1 is still a member";
    EXPECT_EQ(got.status, Status::ok);
    open(gate);
    EXPECT_EQ(deleted_last, Status::ok);
    EXPECT_EQ(after_leaving.status, Status::partner_dead) << "deleting the last capability left the communicator";
}

} // namespace
