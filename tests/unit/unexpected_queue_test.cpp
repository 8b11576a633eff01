// The unexpected-message queue and its per-source index (mpi_shim/kernel/unexpected_queue.hpp):
// whatever the index, the first match is the one a walk of every message in arrival order
// finds (MPI-3.1 section 3.5), and the index's memory comes and goes with the queue.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

#include "mem/kmem.hpp"
#include "mpi_shim/kernel/unexpected_queue.hpp"

namespace {

using kernel::Comm_op;
using kernel::Receive_pattern;
using kernel::Unexpected_queue;

constexpr uint32_t ranks = 8;
constexpr int32_t any = -1;

/// The reference: the first message of `all` (arrival order) matching `p`.
const Comm_op* reference(const std::deque<Comm_op*>& all, const Receive_pattern& p) {
    for (const Comm_op* op : all)
        if (p.matches(kernel::Envelope{op->rank, op->tag, op->context})) return op;
    return nullptr;
}

class Unexpected_queue_test : public ::testing::Test {
protected:
    kernel::Account account;
    std::vector<Comm_op> ops = std::vector<Comm_op>(4000); ///< never reallocated: the queue points into it

    Comm_op& message(size_t i, int32_t source, int32_t tag, uint8_t context = 0) {
        Comm_op& op = ops[i];
        op.rank = source;
        op.tag = tag;
        op.context = context;
        return op;
    }
};

// Below index_from messages the queue is a plain list; at index_from it builds the index,
// charged to the account, and drops it when it empties.
TEST_F(Unexpected_queue_test, the_index_comes_with_a_long_queue_and_goes_when_it_empties) {
    Unexpected_queue q;
    for (uint32_t i = 0; i + 1 < Unexpected_queue::index_from; ++i) q.push_back(message(i, int32_t(i % ranks), 0), ranks, account);
    EXPECT_FALSE(q.indexed());
    EXPECT_EQ(account.kernel_bytes(), 0u);
    q.push_back(message(99, 3, 0), ranks, account);
    EXPECT_TRUE(q.indexed());
    EXPECT_GT(account.kernel_bytes(), 0u);
    EXPECT_EQ(q.size(), Unexpected_queue::index_from);
    while (q.pop_front(ranks, account)) {
    }
    EXPECT_FALSE(q.indexed());
    EXPECT_EQ(account.kernel_bytes(), 0u) << "the index's memory went back";
}

// Random traffic from eight sources over two contexts: every receive pattern (specific or
// wildcard source and tag) finds the message the arrival-order walk finds, while messages
// come and go and the queue crosses the index threshold both ways.
TEST_F(Unexpected_queue_test, the_first_match_is_the_arrival_order_one_with_or_without_the_index) {
    Unexpected_queue q;
    std::deque<Comm_op*> all;
    std::mt19937 rng(42);
    size_t next = 0;
    bool was_indexed = false;
    for (int step = 0; step < 3000; ++step) {
        const bool add = all.empty() || (all.size() < 150 && rng() % 3 != 0) || (step / 500) % 2 == 0;
        if (add && next < ops.size()) {
            Comm_op& op = message(next++, int32_t(rng() % ranks), int32_t(rng() % 4), uint8_t(rng() % 2));
            q.push_back(op, ranks, account);
            all.push_back(&op);
        }
        const Receive_pattern p{rng() % 3 ? int32_t(rng() % ranks) : any, rng() % 3 ? int32_t(rng() % 4) : any,
                                uint8_t(rng() % 2)};
        const Comm_op* want = reference(all, p);
        Comm_op* got = q.first_match(p);
        ASSERT_EQ(got, want) << "step " << step;
        if (got && rng() % 2) { // receive it
            q.remove(*got, ranks, account);
            for (auto it = all.begin(); it != all.end(); ++it)
                if (*it == got) {
                    all.erase(it);
                    break;
                }
        }
        was_indexed |= q.indexed();
        ASSERT_EQ(q.size(), all.size());
    }
    EXPECT_TRUE(was_indexed) << "the test crossed the threshold";
    while (q.pop_front(ranks, account)) {
    }
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

// first_from/next_from visit exactly one source's messages in arrival order when indexed.
TEST_F(Unexpected_queue_test, first_from_walks_one_source_in_order) {
    Unexpected_queue q;
    for (size_t i = 0; i < 64; ++i) q.push_back(message(i, int32_t(i % 4), int32_t(i)), ranks, account);
    ASSERT_TRUE(q.indexed());
    std::vector<int32_t> tags;
    for (const Comm_op* op = q.first_from(2); op; op = q.next_from(*op)) tags.push_back(op->tag);
    std::vector<int32_t> want;
    for (int32_t t = 2; t < 64; t += 4) want.push_back(t);
    EXPECT_EQ(tags, want);
    while (q.pop_front(ranks, account)) {
    }
}

} // namespace
