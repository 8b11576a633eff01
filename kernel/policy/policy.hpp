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
class Thread;

/// A native send or call addressed by thread id (classic L4; abi/syscall.hpp ipc_send_tid).
/// Sends through an endpoint capability are not asked: possession is their permission.
struct Ipc_request {
    const Thread& sender;  ///< the thread sending (a chief forwarding: the chief)
    const Thread& target;  ///< the thread addressed (alive, with an inbox)
    bool call;
};

/// The answer to an Ipc_request.
struct Ipc_decision {
    enum class Verdict : uint8_t {
        allow,       ///< deliver to the target
        deny,        ///< fail with denied; nothing is delivered
        redirect,    ///< deliver to `redirect_to`'s inbox, marked redirected (abi/message.hpp)
        ask_monitor, ///< raise an exception IPC at the sender's reference monitor, then ask again
    };
    Verdict verdict = Verdict::allow;
    uint64_t redirect_to = 0; ///< thread id, with redirect
};

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
    /// `restricts_thread_ids`: the policy's ipc_send_tid can answer anything but allow (the
    /// IPC fast path then leaves sends by thread id to the slow path, which asks it).
    explicit constexpr Policy(const char* name, bool restricts_thread_ids = false)
        : m_name(name), m_restricts_thread_ids(restricts_thread_ids) {}

    const char* name() const { return m_name; }
    bool restricts_thread_ids() const { return m_restricts_thread_ids; }

    /// May `request.sender` send to `request.target` by thread id? Default: allow (a thread
    /// that binds an inbox accepts messages by thread id from anyone).
    virtual Ipc_decision ipc_send_tid(const Ipc_request& request) const;
    /// May `sender` send by thread id to `target` claiming to be thread `virtual_sender`
    /// (ipc_send_tid_as)? Default: no.
    virtual bool may_deceive(const Thread& sender, uint64_t virtual_sender, const Thread& target) const;

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
    bool m_restricts_thread_ids;
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
