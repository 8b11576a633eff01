// mpi-blocking, which mpi-timeout extends.
#pragma once

#include "policy/policy.hpp"

namespace kernel {

class Mpi_blocking : public Policy {
public:
    using Policy::Policy;
    Status comm_nonblocking_send(const Buffer_request& request) const override;
};

} // namespace kernel
