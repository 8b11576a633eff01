// `mpi-open`: plain MPI as the study found it (seeds/000): every member may send to every
// rank, and non-blocking sends are buffered in the kernel without bound.
#include "policy/policy.hpp"

namespace kernel {

namespace {

class Mpi_open final : public Policy {
public:
    using Policy::Policy;
    Status comm_send(const Communicator&, int32_t, int32_t) const override { return Status::ok; }
};

constinit const Mpi_open instance{"mpi-open"};

} // namespace

const Policy& policy_mpi_open() { return instance; }

} // namespace kernel
