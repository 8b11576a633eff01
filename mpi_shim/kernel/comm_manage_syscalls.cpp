// The communicator's management system calls: creating communicators from a group,
// the send timeout, breaking down sends towards a rank, buffer usage, and MPI_Abort.
// Register convention in abi/syscall.hpp.
#include "abi/timeout.hpp"
#include "mem/kmem.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/comm_decode.hpp"

namespace kernel {

using namespace comm_decode;

Status sys_comm_create(Thread& self, arch::User_frame& frame) {
    Communicator* parent;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), 0, parent, rank));
    const uint64_t group_address = frame.arg(1), count = frame.arg(2), key = frame.arg(3), slot = frame.arg(4);
    if (count == 0 || count > parent->size()) return Status::invalid_argument;
    Task& task = self.task();
    Cap_space& caps = task.caps();
    if (slot == ipclab::slot_null || slot >= ipclab::cap_slots || caps.at(unsigned(slot)).object)
        return Status::invalid_capability;
    const uint64_t bytes = count * sizeof(int32_t);
    auto* group = static_cast<int32_t*>(kmem::allocate(bytes, task.account()));
    if (!group) return Status::out_of_memory;
    Status s = copy_from_user(task.space(), group_address, group, bytes);
    int32_t new_rank = 0;
    Communicator* comm = s == Status::ok ? parent->join_creation(rank, group, uint32_t(count), key, new_rank, s) : nullptr;
    kmem::free(group, bytes, task.account());
    if (!comm) return s;
    const uint8_t rights = caps.at(unsigned(frame.arg(0))).rights;
    s = caps.insert(slot, *comm, rights, uint64_t(new_rank));
    comm->release(); // the capability holds its own reference now (or the call failed)
    if (s != Status::ok) return s;
    frame.set_result(0, uint64_t(new_rank));
    frame.set_result(1, comm->size());
    frame.set_result(2, comm->context_id());
    return Status::ok;
}

Status sys_comm_set_send_timeout(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_grant, comm, rank));
    comm->set_send_timeout(frame.arg(1) ? frame.arg(1) : ipclab::timeout_infinite);
    return Status::ok;
}

Status sys_comm_abort_sends(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_grant, comm, rank));
    if (!valid_rank(*comm, int64_t(frame.arg(1)))) return Status::invalid_rank;
    frame.set_result(0, comm->abort_sends(int32_t(frame.arg(1)), Status::send_aborted));
    return Status::ok;
}

Status sys_comm_buffer_usage(Thread& self, arch::User_frame& frame) {
    frame.set_result(0, self.task().comm_buffered());
    frame.set_result(1, self.task().comm_buffered_peak());
    return Status::ok;
}

Status sys_comm_abort(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), 0, comm, rank));
    comm->abort(static_cast<long>(frame.arg(1)));
    return Status::ok; // not reached: the caller's task ended
}

} // namespace kernel
