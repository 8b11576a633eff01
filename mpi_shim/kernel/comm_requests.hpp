// A task's non-blocking communicator operations (MPI_Request on the kernel side): a table of
// Comm_op objects named by handles, charged to the task.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "mem/account.hpp"
#include "mpi_shim/kernel/comm_op.hpp"

namespace kernel {

class Comm_requests {
public:
    /// Most requests a task may have outstanding.
    static constexpr uint32_t capacity = 1024;

    Comm_requests() = default;
    Comm_requests(const Comm_requests&) = delete;
    Comm_requests& operator=(const Comm_requests&) = delete;

    /// A new zeroed request with its handle set, charged to `account`.
    /// Errors: out_of_memory (memory, quota, or `capacity` requests outstanding).
    Comm_op* create(Account& account, Status& status);
    /// The request named by `handle`, or nullptr.
    Comm_op* find(uint64_t handle) const;
    /// Frees a request that is no longer queued.
    void destroy(Comm_op* op, Account& account);
    /// Frees every request (the task is ending): each leaves its communicator's queue first.
    void clear(Account& account);

private:
    Comm_op** m_slots = nullptr; ///< `capacity` entries once the first request is made
    uint32_t m_generation = 0;   ///< makes a freed handle stale
};

} // namespace kernel
