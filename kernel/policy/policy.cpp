// The policy registry and the interface's defaults.
#include "policy/policy.hpp"

#include "abi/timeout.hpp"
#include <string.h>

#include "mpi_shim/kernel/communicator.hpp"

namespace kernel {

namespace {
const Policy* current = nullptr;
}

Status Policy::comm_send(const Communicator& comm, int32_t from, int32_t to) const {
    return comm.may_send(from, to) ? Status::ok : Status::denied;
}

Ipc_decision Policy::ipc_send_tid(const Ipc_request&) const { return {}; }

bool Policy::may_deceive(const Thread&, uint64_t, const Thread&) const { return false; }

Status Policy::comm_nonblocking_send(const Buffer_request&) const { return Status::ok; }

uint64_t Policy::comm_send_timeout() const { return ipclab::timeout_infinite; }

const Policy& policy() { return current ? *current : policy_capability(); }

const Policy* find_policy(const char* name) {
#define IPCLAB_POLICY(id, policy_name, description) \
    if (!strcmp(name, policy_name)) return &policy_##id();
#include "policy/policies.def"
#undef IPCLAB_POLICY
    return nullptr;
}

bool select_policy(const char* name) {
    const Policy* p = find_policy(name);
    if (p) current = p;
    return p != nullptr;
}

} // namespace kernel
