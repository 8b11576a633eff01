// The unexpected-message queue with its per-source index (unexpected_queue.hpp).
#include "mpi_shim/kernel/unexpected_queue.hpp"

#include <new>

#include "mem/kmem.hpp"

namespace kernel {

namespace {

Envelope envelope_of(const Comm_op& send) { return Envelope{send.rank, send.tag, send.context}; }

} // namespace

void Unexpected_queue::build_index(uint32_t ranks, Account& account) {
    void* memory = kmem::allocate(ranks * sizeof(By_source), account);
    if (!memory) return; // stays unindexed
    m_by_source = static_cast<By_source*>(memory);
    for (uint32_t r = 0; r < ranks; ++r) new (&m_by_source[r]) By_source();
    for (Comm_op* op = m_all.front(); op; op = m_all.next(*op)) m_by_source[op->rank].push_back(*op);
}

void Unexpected_queue::drop_index(uint32_t ranks, Account& account) {
    for (uint32_t r = 0; r < ranks; ++r) m_by_source[r].~By_source();
    kmem::free(m_by_source, ranks * sizeof(By_source), account);
    m_by_source = nullptr;
}

void Unexpected_queue::remove_indexed(Comm_op& op, uint32_t ranks, Account& account) {
    m_by_source[op.rank].remove(op);
    if (m_count == 0) drop_index(ranks, account);
}

Comm_op* Unexpected_queue::pop_front(uint32_t ranks, Account& account) {
    Comm_op* op = m_all.front();
    if (op) remove(*op, ranks, account);
    return op;
}

Comm_op* Unexpected_queue::first_match(const Receive_pattern& pattern) const {
    if (m_by_source && pattern.source != ipclab::comm_any_source)
        return kernel::first_match<By_source, Comm_op>(m_by_source[pattern.source], pattern, envelope_of);
    return kernel::first_match<All, Comm_op>(m_all, pattern, envelope_of);
}

Comm_op* Unexpected_queue::next_from(const Comm_op& op) const {
    return m_by_source ? m_by_source[op.rank].next(op) : m_all.next(op);
}

} // namespace kernel
