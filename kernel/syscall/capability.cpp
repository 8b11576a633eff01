// Capability system calls: derive (fewer rights, a badge), delete, inspect.
#include "mpi_shim/kernel/communicator.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

Status sys_cap_derive(Thread& self, arch::User_frame& frame) {
    return self.task().caps().derive(frame.arg(0), frame.arg(1), frame.arg(2), frame.arg(3));
}

Status sys_cap_delete(Thread& self, arch::User_frame& frame) {
    Cap_space& caps = self.task().caps();
    if (frame.arg(0) >= ipclab::cap_slots || !caps.at(unsigned(frame.arg(0))).object) return Status::invalid_capability;
    const Capability c = caps.at(unsigned(frame.arg(0)));
    if (c.object->type() == Object_type::communicator) // deleting it is leaving (MPI_Comm_free)
        static_cast<Communicator*>(c.object)->member_ended(static_cast<int32_t>(c.badge), self.task());
    caps.remove(frame.arg(0));
    return Status::ok;
}

Status sys_cap_info(Thread& self, arch::User_frame& frame) {
    Cap_space& caps = self.task().caps();
    if (frame.arg(0) >= ipclab::cap_slots || !caps.at(unsigned(frame.arg(0))).object) return Status::invalid_capability;
    const Capability& c = caps.at(unsigned(frame.arg(0)));
    frame.set_result(0, uint64_t(c.object->type()));
    frame.set_result(1, c.rights);
    frame.set_result(2, c.badge);
    return Status::ok;
}

} // namespace kernel
