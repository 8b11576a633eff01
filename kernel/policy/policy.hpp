// Security policies (DESIGN "Policies"; the study's proposals, seeds/000, and the
// alternatives of seeds/004): one interface the communicator consults before anything is
// committed. A run names its policy in the boot manifest; the list is policies.def.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"

namespace kernel {

using ipclab::Status;

class Communicator;
class Task;

/// A non-blocking send asking to be kept by the kernel (MPI_Isend that finds no posted
/// receive): an eager copy of its payload or a rendezvous request. The kernel memory it would
/// hold is charged to the sender's task (every policy charges the sender: the study's premise
/// and mpi-credit's).
struct Buffer_request {
    const Task& sender;
    const Communicator& comm;
    int32_t from;     ///< the sender's rank in `comm`
    int32_t to;       ///< the receiver's rank
    uint64_t bytes;   ///< payload bytes
    uint64_t charge;  ///< kernel bytes this send would hold until received (payload if copied, plus its operation)
};

class Policy {
public:
    /// `name` as in policies.def, which also holds the one-line description.
    explicit constexpr Policy(const char* name) : m_name(name) {}

    const char* name() const { return m_name; }

    /// May rank `from` of `comm` send to its rank `to`? ok, or denied (nothing is delivered).
    /// Default: the communicator's rights table decides.
    virtual Status comm_send(const Communicator& comm, int32_t from, int32_t to) const;
    /// May a non-blocking send be kept by the kernel (`request`)? Consulted before anything
    /// is committed. ok; unsupported (the policy offers no non-blocking sends: the call fails
    /// at once and is never turned into a blocking one); credit_exhausted (the policy bounds
    /// what one sender may have buffered towards one receiver). Default: ok, without bound.
    virtual Status comm_nonblocking_send(const Buffer_request& request) const;
    /// The send timeout every communicator starts with, in virtual ns (timeout_infinite:
    /// none). Default: none.
    virtual uint64_t comm_send_timeout() const;

protected:
    ~Policy() = default;

private:
    const char* m_name;
};

/// The run's policy (set once at boot; `capability` until then).
const Policy& policy();
/// Makes the policy called `name` the run's; false if there is none of that name.
bool select_policy(const char* name);
/// The policy called `name`, or nullptr.
const Policy* find_policy(const char* name);

// One accessor per policy file, generated from policies.def.
#define IPCLAB_POLICY(id, name, description) const Policy& policy_##id();
#include "policy/policies.def"
#undef IPCLAB_POLICY

} // namespace kernel
