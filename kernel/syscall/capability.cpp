// Capability system calls: derive (fewer rights, a badge), delete, inspect.
#include "mpi_shim/kernel/communicator.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

Status sys_cap_derive(Thread& self, arch::User_frame& frame) {
    return self.task().caps().derive(frame.arg(0), frame.arg(1), frame.arg(2), frame.arg(3));
}

namespace {

/// Whether a slot of `caps` other than `slot` names `object`.
bool holds_another(const Cap_space& caps, unsigned slot, const Kobject& object) {
    for (unsigned s = 0; s < ipclab::cap_slots; ++s)
        if (s != slot && caps.at(s).object == &object) return true;
    return false;
}

} // namespace

Status sys_cap_delete(Thread& self, arch::User_frame& frame) {
    Cap_space& caps = self.task().caps();
    if (frame.arg(0) >= ipclab::cap_slots || !caps.at(unsigned(frame.arg(0))).object) return Status::invalid_capability;
    const Capability c = caps.at(unsigned(frame.arg(0)));
    // Deleting the task's last capability to a communicator is leaving it (MPI_Comm_free);
    // deleting one of several copies (cap_derive) is not.
    if (c.object->type() == Object_type::communicator && !holds_another(caps, unsigned(frame.arg(0)), *c.object))
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
