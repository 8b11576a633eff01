// `mpi-blocking`: mpi-rights plus non-blocking sends forbidden, the study's fix against
// denial of service by flooding kernel buffers (seeds/000): MPI_Isend fails with
// MPI_ERR_UNSUPPORTED_OPERATION instead of buffering.
#include "policy/mpi_blocking.hpp"

namespace kernel {

namespace {
constinit const Mpi_blocking instance{"mpi-blocking"};
}

Status Mpi_blocking::comm_nonblocking_send(const Buffer_request&) const { return Status::unsupported; }

const Policy& policy_mpi_blocking() { return instance; }

} // namespace kernel
