// The communicator's system calls: decode (capability, rank, tag, buffer) then the
// communicator's operation. Register convention in abi/syscall.hpp.
#include "abi/comm.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

/// The communicator in `slot` and the caller's rank in it: the capability's badge, set when
/// the capability was given, so a task cannot claim another rank.
Status lookup_comm(Thread& self, uint64_t slot, uint8_t rights, Communicator*& comm, int32_t& rank) {
    uint64_t badge;
    TRY(self.task().caps().lookup(slot, rights, comm, badge));
    rank = static_cast<int32_t>(badge);
    return Status::ok;
}

bool valid_rank(const Communicator& c, int64_t rank) { return rank >= 0 && rank < int64_t(c.size()); }
bool valid_tag(int64_t tag) { return tag >= 0 && tag <= ipclab::comm_tag_ub; }

} // namespace

Status sys_comm_info(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup_comm(self, frame.arg(0), 0, comm, rank));
    frame.set_result(0, uint64_t(rank));
    frame.set_result(1, comm->size());
    frame.set_result(2, comm->context_id());
    return Status::ok;
}

Status sys_comm_send(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup_comm(self, frame.arg(0), ipclab::right_send, comm, rank));
    const auto dest = static_cast<int64_t>(frame.arg(1));
    const auto tag = static_cast<int64_t>(frame.arg(2));
    const uint64_t buffer = frame.arg(3), bytes = frame.arg(4), context = frame.arg(5);
    if (!valid_rank(*comm, dest)) return Status::invalid_rank;
    if (!valid_tag(tag)) return Status::invalid_tag;
    if (context >= ipclab::context_count) return Status::invalid_argument;
    if (bytes > ipclab::comm_max_bytes) return Status::message_too_long;
    TRY(check_user_range(self.task().space(), buffer, bytes, arch::Access::read));
    self.comm = Comm_request{nullptr, rank, int32_t(dest), int32_t(tag), uint8_t(context), buffer, bytes};
    return comm->send(self);
}

Status sys_comm_recv(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup_comm(self, frame.arg(0), ipclab::right_receive, comm, rank));
    const auto source = static_cast<int64_t>(frame.arg(1));
    const auto tag = static_cast<int64_t>(frame.arg(2));
    const uint64_t buffer = frame.arg(3), capacity = frame.arg(4), context = frame.arg(5);
    if (source != ipclab::comm_any_source && !valid_rank(*comm, source)) return Status::invalid_rank;
    if (tag != ipclab::comm_any_tag && !valid_tag(tag)) return Status::invalid_tag;
    if (context >= ipclab::context_count) return Status::invalid_argument;
    if (capacity > ipclab::comm_max_bytes) return Status::message_too_long;
    TRY(check_user_range(self.task().space(), buffer, capacity, arch::Access::write));
    self.comm = Comm_request{nullptr, rank, int32_t(source), int32_t(tag), uint8_t(context), buffer, capacity};
    Status s = comm->receive(self);
    if (s == Status::ok || s == Status::truncated) {
        frame.set_result(0, uint64_t(int64_t(self.comm.peer)));
        frame.set_result(1, uint64_t(int64_t(self.comm.tag)));
        frame.set_result(2, self.comm.bytes);
    }
    return s;
}

Status sys_comm_abort(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup_comm(self, frame.arg(0), 0, comm, rank));
    comm->abort(static_cast<long>(frame.arg(1)));
    return Status::ok; // not reached: the caller's task ended
}

} // namespace kernel
