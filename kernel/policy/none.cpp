// `none`: no checks at all — every send the addressing reaches is allowed (the
// communicator's rights table is not consulted), non-blocking sends are buffered without
// bound, no send timeout. Not a policy to run a system with: the baseline that measures what
// the policy hook itself costs (issue 5).
#include "policy/policy.hpp"

namespace kernel {

namespace {

class No_policy final : public Policy {
public:
    using Policy::Policy;
    Status comm_send(const Communicator&, int32_t, int32_t) const override { return Status::ok; }
};

constinit const No_policy instance{"none"};

} // namespace

const Policy& policy_none() { return instance; }

} // namespace kernel
