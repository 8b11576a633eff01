// `mpi-credit` (beyond the study): non-blocking sends are kept, but each sender has a bounded
// kernel-buffer credit towards each receiver. A non-blocking send that would take the
// kernel memory its sender holds on one receiver's queue past the credit fails with
// credit_exhausted (MPIX_ERR_CREDIT) instead of being buffered; once the receiver takes
// earlier messages the credit is free again. Otherwise as mpi-rights (the rights table
// decides who may send). The question it answers: does a bound per pair defeat the
// flooding DoS of seeds/000 without forbidding non-blocking sends?
#include "mpi_shim/kernel/communicator.hpp"
#include "policy/policy.hpp"

namespace kernel {

namespace {

/// Kernel bytes one sender may hold on one receiver's queue: sixteen 4 KiB eager messages
/// with their operations fit, a flood does not.
constexpr uint64_t credit_bytes = 16 * (4096 + sizeof(Comm_op));

class Mpi_credit final : public Policy {
public:
    using Policy::Policy;
    Status comm_nonblocking_send(const Buffer_request& r) const override {
        return r.comm.buffered_bytes(r.from, r.to) + r.charge <= credit_bytes ? Status::ok
                                                                              : Status::credit_exhausted;
    }
};

constinit const Mpi_credit instance{"mpi-credit"};

} // namespace

const Policy& policy_mpi_credit() { return instance; }

} // namespace kernel
