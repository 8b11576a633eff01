// comm_create: new communicators from a group of an existing one (MPI_Comm_dup, MPI_Comm_split,
// MPI_Comm_create, MPI_Comm_create_group; MPI-3.1 section 6.4.2). Every member of the new
// group calls with the same key and group; the first call creates the communicator, later
// ones join it in call order. The new communicator inherits the parent's rights table and
// send timeout, so no task gains a right it did not have.
#include <new>

#include "abi/comm.hpp"
#include "mem/kmem.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "task/task.hpp"

namespace kernel {

/// A creation some members have not joined yet. It holds a reference to the new
/// communicator so that it outlives its creator's capability.
struct Communicator::Creation {
    Creation* next;
    uint64_t key;
    uint32_t count;
    uint32_t waiting;      ///< members yet to join
    Communicator* comm;
    int32_t* group;        ///< parent ranks, new-rank order
    uint8_t* joined;       ///< per new rank
};

namespace {

uint64_t creation_bytes(uint32_t count) { return count * (sizeof(int32_t) + 1); }

} // namespace

Communicator* Communicator::join_creation(int32_t rank, const int32_t* group, uint32_t count, uint64_t key,
                                          int32_t& new_rank, Status& status) {
    status = Status::invalid_argument;
    if (count == 0 || count > m_size) return nullptr;
    new_rank = -1;
    for (uint32_t i = 0; i < count; ++i) {
        if (group[i] < 0 || uint32_t(group[i]) >= m_size) {
            status = Status::invalid_rank;
            return nullptr;
        }
        if (group[i] == rank) new_rank = int32_t(i);
    }
    if (new_rank < 0) return nullptr;

    // Join the oldest matching creation this rank has not joined yet.
    for (Creation** link = &m_creations; *link; link = &(*link)->next) {
        Creation& c = **link;
        if (c.key != key || c.count != count || c.joined[new_rank]) continue;
        bool same = true;
        for (uint32_t i = 0; same && i < count; ++i) same = c.group[i] == group[i];
        if (!same) continue;
        Communicator* comm = c.comm;
        comm->acquire(); // the caller's, until its capability holds one
        c.joined[new_rank] = 1;
        if (--c.waiting == 0) {
            *link = c.next;
            free_creation(&c);
        }
        status = Status::ok;
        return comm;
    }

    // The first caller: the group must not name a rank twice.
    uint8_t* seen = static_cast<uint8_t*>(kmem::allocate(m_size, kernel_account()));
    if (!seen) {
        status = Status::out_of_memory;
        return nullptr;
    }
    bool twice = false;
    for (uint32_t i = 0; i < count && !twice; ++i) twice = seen[group[i]]++;
    kmem::free(seen, m_size, kernel_account());
    if (twice) return nullptr;

    // Charged to the kernel: the communicator outlives whichever member created it.
    Communicator* comm = create(count, kernel_account(), status);
    if (!comm) return nullptr;
    comm->acquire(); // the caller's, until its capability holds one
    comm->m_send_timeout = m_send_timeout;
    for (uint32_t i = 0; i < count; ++i) {
        if (m_members[group[i]]) comm->set_member(int32_t(i), *m_members[group[i]]);
        for (uint32_t j = 0; j < count && m_rights; ++j)
            if (!may_send(group[i], group[j]) && comm->set_right(int32_t(i), int32_t(j), false) != Status::ok) {
                comm->release();
                status = Status::out_of_memory;
                return nullptr;
            }
    }
    uint32_t waiting = 0; // members still to come; the dead never will
    for (uint32_t i = 0; i < count; ++i) waiting += i != uint32_t(new_rank) && m_members[group[i]];
    if (waiting) {
        void* memory = kmem::allocate(sizeof(Creation), kernel_account());
        auto* bytes = static_cast<uint8_t*>(kmem::allocate(creation_bytes(count), kernel_account()));
        if (!memory || !bytes) {
            if (memory) kmem::free(memory, sizeof(Creation), kernel_account());
            if (bytes) kmem::free(bytes, creation_bytes(count), kernel_account());
            comm->release();
            status = Status::out_of_memory;
            return nullptr;
        }
        auto* c = new (memory) Creation{nullptr, key, count, waiting, comm,
                                        reinterpret_cast<int32_t*>(bytes), bytes + count * sizeof(int32_t)};
        for (uint32_t i = 0; i < count; ++i) {
            c->group[i] = group[i];
            c->joined[i] = i == uint32_t(new_rank) || !m_members[group[i]];
        }
        comm->acquire(); // the record's reference
        Creation** tail = &m_creations;
        while (*tail) tail = &(*tail)->next;
        *tail = c;
    }
    status = Status::ok;
    return comm;
}

void Communicator::free_creation(Creation* c) {
    Communicator* comm = c->comm;
    kmem::free(c->group, creation_bytes(c->count), kernel_account());
    c->~Creation();
    kmem::free(c, sizeof(Creation), kernel_account());
    comm->release();
}

void Communicator::creations_member_ended(int32_t rank, const Task& task) {
    for (Creation** link = &m_creations; *link;) {
        Creation& c = **link;
        bool done = false;
        for (uint32_t i = 0; i < c.count; ++i) {
            if (c.group[i] != rank || c.joined[i]) continue;
            c.joined[i] = 1; // it never will join: its rank in the new communicator is dead
            c.comm->member_ended(int32_t(i), task);
            done = --c.waiting == 0;
        }
        if (done) {
            *link = c.next;
            free_creation(&c);
        } else {
            link = &c.next;
        }
    }
}

void Communicator::drop_creations() {
    while (Creation* c = m_creations) {
        m_creations = c->next;
        free_creation(c);
    }
}

} // namespace kernel
