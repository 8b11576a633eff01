// The request table of a task.
#include "mpi_shim/kernel/comm_requests.hpp"

#include <new>

#include "mem/kmem.hpp"
#include "mpi_shim/kernel/communicator.hpp"

namespace kernel {

namespace {
constexpr uint64_t index_bits = 16; // handle = generation << 16 | (index + 1)
}

Comm_op* Comm_requests::create(Account& account, Status& status) {
    status = Status::out_of_memory;
    if (!m_slots) {
        m_slots = static_cast<Comm_op**>(kmem::allocate(capacity * sizeof(Comm_op*), account));
        if (!m_slots) return nullptr;
    }
    uint32_t i = 0;
    while (i < capacity && m_slots[i]) ++i;
    if (i == capacity) return nullptr;
    void* memory = kmem::allocate(sizeof(Comm_op), account);
    if (!memory) return nullptr;
    auto* op = new (memory) Comm_op();
    m_generation = (m_generation + 1) & 0xffff;
    op->handle = (uint32_t(m_generation) << index_bits) | (i + 1);
    m_slots[i] = op;
    status = Status::ok;
    return op;
}

Comm_op* Comm_requests::find(uint64_t handle) const {
    const uint64_t index = (handle & ((1u << index_bits) - 1)) - 1;
    if (!m_slots || handle >> 32 || index >= capacity) return nullptr;
    Comm_op* op = m_slots[index];
    return op && op->handle == handle ? op : nullptr;
}

void Comm_requests::destroy(Comm_op* op, Account& account) {
    m_slots[(op->handle & ((1u << index_bits) - 1)) - 1] = nullptr;
    op->~Comm_op();
    kmem::free(op, sizeof(Comm_op), account);
}

void Comm_requests::clear(Account& account) {
    if (!m_slots) return;
    for (uint32_t i = 0; i < capacity; ++i) {
        if (Comm_op* op = m_slots[i]) {
            if (op->comm) op->comm->withdraw(*op);
            destroy(op, account);
        }
    }
    kmem::free(m_slots, capacity * sizeof(Comm_op*), account);
    m_slots = nullptr;
}

} // namespace kernel
