// `capability`: possession of a capability is permission (seeds/003-004; the native
// default). A communicator capability lets its holder send to every rank of the group.
#include "policy/policy.hpp"

namespace kernel {

namespace {

class Capability_policy final : public Policy {
public:
    using Policy::Policy;
    Status comm_send(const Communicator&, int32_t, int32_t) const override { return Status::ok; }
};

constinit const Capability_policy instance{"capability"};

} // namespace

const Policy& policy_capability() { return instance; }

} // namespace kernel
