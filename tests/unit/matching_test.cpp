// MPI matching (mpi_shim/kernel/matching.hpp): receive patterns against envelopes, and the
// first match in arrival order that keeps messages from one sender in order.
#include <gtest/gtest.h>

#include <vector>

#include "lib/list.hpp"
#include "mpi_shim/kernel/matching.hpp"

namespace {

using kernel::Envelope;
using kernel::Receive_pattern;

constexpr int32_t any_source = int32_t(ipclab::comm_any_source);
constexpr int32_t any_tag = int32_t(ipclab::comm_any_tag);
constexpr uint8_t p2p = ipclab::context_point_to_point;
constexpr uint8_t collective = ipclab::context_collective;

TEST(Matching, exact_pattern_needs_source_tag_and_context) {
    const Receive_pattern want{2, 7, p2p};
    EXPECT_TRUE(want.matches(Envelope{2, 7, p2p}));
    EXPECT_FALSE(want.matches(Envelope{3, 7, p2p}));
    EXPECT_FALSE(want.matches(Envelope{2, 8, p2p}));
    EXPECT_FALSE(want.matches(Envelope{2, 7, collective}));
}

TEST(Matching, any_source_and_any_tag_are_wildcards) {
    EXPECT_TRUE((Receive_pattern{any_source, 7, p2p}.matches(Envelope{0, 7, p2p})));
    EXPECT_TRUE((Receive_pattern{any_source, 7, p2p}.matches(Envelope{5, 7, p2p})));
    EXPECT_FALSE((Receive_pattern{any_source, 7, p2p}.matches(Envelope{5, 6, p2p})));
    EXPECT_TRUE((Receive_pattern{1, any_tag, p2p}.matches(Envelope{1, 0, p2p})));
    EXPECT_TRUE((Receive_pattern{1, any_tag, p2p}.matches(Envelope{1, 0x7fffffff, p2p})));
    EXPECT_FALSE((Receive_pattern{1, any_tag, p2p}.matches(Envelope{2, 0, p2p})));
    EXPECT_TRUE((Receive_pattern{any_source, any_tag, p2p}.matches(Envelope{9, 9, p2p})));
}

TEST(Matching, wildcards_never_cross_contexts) {
    // Collective traffic built from point-to-point must stay apart from user messages
    // (MPI-3.1 section 6.1.2), even for a receive with both wildcards.
    EXPECT_FALSE((Receive_pattern{any_source, any_tag, p2p}.matches(Envelope{0, 0, collective})));
    EXPECT_FALSE((Receive_pattern{any_source, any_tag, collective}.matches(Envelope{0, 0, p2p})));
    EXPECT_TRUE((Receive_pattern{any_source, any_tag, collective}.matches(Envelope{0, 0, collective})));
}

TEST(Matching, wildcard_values_in_an_envelope_are_not_wildcards) {
    // An envelope always names a real source and tag; -1 there matches only a wildcard.
    EXPECT_FALSE((Receive_pattern{0, 0, p2p}.matches(Envelope{any_source, any_tag, p2p})));
}

struct Message {
    Envelope envelope;
    int id;
    kernel::Link link;
};
using Queue = kernel::List<Message, &Message::link>;

const Message* first(const Queue& q, Receive_pattern p) {
    return kernel::first_match<Queue, Message>(q, p, [](const Message& m) { return m.envelope; });
}

class First_match : public ::testing::Test {
protected:
    // Arrival order: ids 0..5.
    std::vector<Message> messages{
        {{1, 5, p2p}, 0, {}}, {{2, 5, p2p}, 1, {}}, {{1, 6, p2p}, 2, {}},
        {{1, 5, collective}, 3, {}}, {{2, 6, p2p}, 4, {}}, {{1, 5, p2p}, 5, {}},
    };
    Queue queue;
    void SetUp() override {
        for (Message& m : messages) queue.push_back(m);
    }
    void TearDown() override {
        while (queue.pop_front()) {}
    }
    int id(Receive_pattern p) {
        const Message* m = first(queue, p);
        return m ? m->id : -1;
    }
};

TEST_F(First_match, takes_the_earliest_arrival_that_matches) {
    EXPECT_EQ(id({any_source, any_tag, p2p}), 0);
    EXPECT_EQ(id({2, any_tag, p2p}), 1);
    EXPECT_EQ(id({any_source, 6, p2p}), 2);
    EXPECT_EQ(id({2, 6, p2p}), 4);
    EXPECT_EQ(id({any_source, any_tag, collective}), 3);
    EXPECT_EQ(id({3, any_tag, p2p}), -1);
    EXPECT_EQ(id({1, 7, p2p}), -1);
}

TEST_F(First_match, messages_from_one_sender_do_not_overtake) {
    // Receiving (1, 5) repeatedly yields ids 0 then 5, never 5 first.
    std::vector<int> order;
    while (const Message* m = first(queue, {1, 5, p2p})) {
        order.push_back(m->id);
        queue.remove(*const_cast<Message*>(m));
    }
    EXPECT_EQ(order, (std::vector<int>{0, 5}));
    // The other sender's messages are untouched and still in their order.
    EXPECT_EQ(id({any_source, any_tag, p2p}), 1);
}

TEST(Matching, an_empty_queue_has_no_match) {
    Queue empty;
    EXPECT_EQ(first(empty, {any_source, any_tag, p2p}), nullptr);
}

} // namespace
