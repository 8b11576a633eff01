// One rank's unexpected messages (sends waiting for a matching receive) in arrival order,
// with an index by source once the queue is long: a receive that names its source then looks
// only at that source's messages, as Open MPI's ob1 keeps its unexpected fragments per peer.
// A flood from one rank then no longer slows a receive from another (issue 5, dos-flood).
// Matching semantics are unchanged (MPI-3.1 section 3.5): per source the index keeps arrival
// order, and a wildcard receive walks every message in arrival order.
#pragma once

#include <stdint.h>

#include "lib/list.hpp"
#include "mem/account.hpp"
#include "mpi_shim/kernel/comm_op.hpp"
#include "mpi_shim/kernel/matching.hpp"

namespace kernel {

class Unexpected_queue {
public:
    /// Queues at which the index is built: shorter ones are cheaper to walk than to index.
    static constexpr uint32_t index_from = 8;

    using All = List<Comm_op, &Comm_op::link>;
    using By_source = List<Comm_op, &Comm_op::source_link>;

    bool empty() const { return m_all.empty(); }
    Comm_op* front() const { return m_all.front(); }
    Comm_op* next(const Comm_op& op) const { return m_all.next(op); }
    uint32_t size() const { return m_count; }
    bool indexed() const { return m_by_source != nullptr; }

    /// Appends `op` (whose `rank` is its source, below `ranks`). Builds the index when the
    /// queue reaches index_from messages, with memory charged to `account`; if that memory is
    /// not there the queue works unindexed (slower, not wrong).
    void push_back(Comm_op& op, uint32_t ranks, Account& account) {
        m_all.push_back(op);
        ++m_count;
        if (m_by_source)
            m_by_source[op.rank].push_back(op);
        else if (m_count == index_from)
            build_index(ranks, account);
    }
    /// Removes `op`, which is on this queue. The index goes when the queue empties.
    void remove(Comm_op& op, uint32_t ranks, Account& account) {
        m_all.remove(op);
        --m_count;
        if (m_by_source) remove_indexed(op, ranks, account);
    }
    Comm_op* pop_front(uint32_t ranks, Account& account);

    /// The first message in arrival order whose envelope matches `pattern`, or nullptr.
    Comm_op* first_match(const Receive_pattern& pattern) const;
    /// The first message a receive from `source` (not a wildcard) could match: with the index
    /// the first of that source, without it the first of all.
    Comm_op* first_from(int32_t source) const { return m_by_source ? m_by_source[source].front() : m_all.front(); }
    /// After first_from: the next message that may be from the same source (with the index
    /// the next of that source, without it the next of all; check `rank`).
    Comm_op* next_from(const Comm_op& op) const;

private:
    void build_index(uint32_t ranks, Account& account);
    void remove_indexed(Comm_op& op, uint32_t ranks, Account& account);
    void drop_index(uint32_t ranks, Account& account);

    All m_all;
    By_source* m_by_source = nullptr; ///< [ranks], or nullptr while unindexed
    uint32_t m_count = 0;
};

} // namespace kernel
