// `mpi-rights`: the study's group rights table (seeds/000, "communicators per group, a
// rights table checked by the communicator"): a send is allowed only where the
// communicator's table allows it (the interface's default decision).
#include "policy/policy.hpp"

namespace kernel {

namespace {

class Mpi_rights final : public Policy {
public:
    using Policy::Policy;
};

constinit const Mpi_rights instance{"mpi-rights"};

} // namespace

const Policy& policy_mpi_rights() { return instance; }

} // namespace kernel
