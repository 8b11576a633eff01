// `mpi-timeout`: mpi-blocking plus a send timeout on every communicator, the study's fix
// against starvation (seeds/000: "a timer on sends; the communicator breaks the send down").
// A blocked send whose receiver has not come within the timeout is aborted; the sender
// gets MPIX_ERR_TIMEOUT. The launcher's --send-timeout overrides the default.
#include "policy/mpi_blocking.hpp"

namespace kernel {

namespace {

/// Default send timeout: 100 ms of virtual time (10^8 guest instructions at -icount 0),
/// far above any legitimate wait in the experiments, far below a run's limit.
constexpr uint64_t default_send_timeout_ns = 100'000'000;

class Mpi_timeout final : public Mpi_blocking {
public:
    using Mpi_blocking::Mpi_blocking;
    uint64_t comm_send_timeout() const override { return default_send_timeout_ns; }
};

constinit const Mpi_timeout instance{"mpi-timeout"};

} // namespace

const Policy& policy_mpi_timeout() { return instance; }

} // namespace kernel
