// The communicator's point-to-point system calls: decode (capability, rank, tag, buffer,
// policy) then the communicator's operation. Register convention in abi/syscall.hpp.
#include <new>

#include "abi/timeout.hpp"
#include "mem/kmem.hpp"
#include "mem/user_memory.hpp"
#include "mpi_shim/kernel/comm_decode.hpp"
#include "policy/policy.hpp"
#include "task/timeouts.hpp"

namespace kernel {

using namespace comm_decode;

Status sys_comm_info(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), 0, comm, rank));
    frame.set_result(0, uint64_t(rank));
    frame.set_result(1, comm->size());
    frame.set_result(2, comm->context_id());
    frame.set_result(3, comm->send_timeout());
    return Status::ok;
}

Status sys_comm_send(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_send, comm, rank));
    const uint64_t a5 = frame.arg(5);
    TRY(check_send(*comm, int64_t(frame.arg(1)), int64_t(frame.arg(2)), a5 & ~ipclab::comm_in_registers,
                   frame.arg(4)));
    TRY(check_registers(a5, frame.arg(4)));
    TRY(policy().comm_send(*comm, rank, int32_t(frame.arg(1))));
    if (!(a5 & ipclab::comm_in_registers))
        TRY(check_user_range(self.task().space(), frame.arg(3), frame.arg(4), arch::Access::read));
    Comm_op op = make_op(self, Comm_op::Kind::send, rank, frame);
    return comm->send(self, op);
}

Status sys_comm_recv(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_receive, comm, rank));
    const uint64_t a5 = frame.arg(5);
    TRY(check_receive(*comm, int64_t(frame.arg(1)), int64_t(frame.arg(2)), a5 & ~ipclab::comm_in_registers,
                      frame.arg(4)));
    TRY(check_registers(a5, frame.arg(4)));
    if (!(a5 & ipclab::comm_in_registers))
        TRY(check_user_range(self.task().space(), frame.arg(3), frame.arg(4), arch::Access::write));
    Comm_op op = make_op(self, Comm_op::Kind::receive, rank, frame);
    const uint64_t timeout = frame.arg(arg_timeout);
    Status s = timeout == ipclab::timeout_zero ? comm->try_receive(op)
                                               : comm->receive(self, op, Timeouts::deadline_after(timeout));
    if (s == Status::ok || s == Status::truncated) {
        set_envelope(frame, op);
        if (op.in_registers) store_payload(frame, op.words);
    }
    return s;
}

Status sys_comm_isend(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_send, comm, rank));
    const bool synchronous = frame.arg(5) & ipclab::comm_isend_synchronous;
    TRY(check_send(*comm, int64_t(frame.arg(1)), int64_t(frame.arg(2)), frame.arg(5) & ~ipclab::comm_isend_synchronous,
                   frame.arg(4)));
    TRY(policy().comm_send(*comm, rank, int32_t(frame.arg(1))));
    Task& task = self.task();
    const uint64_t bytes = frame.arg(4);
    const bool eager = bytes <= ipclab::comm_eager_bytes && !synchronous;
    // check_send validated the destination rank (MPI_PROC_NULL never reaches the kernel).
    TRY(policy().comm_nonblocking_send(Buffer_request{task, *comm, rank, int32_t(frame.arg(1)), bytes,
                                                      sizeof(Comm_op) + (eager ? bytes : 0)}));
    TRY(check_user_range(task.space(), frame.arg(3), bytes, arch::Access::read));
    frame.set_result(0, 0);
    Comm_op op = make_op(self, Comm_op::Kind::send, rank, frame);
    if (eager) {
        // Eager: straight into a posted receive, else into a kernel buffer the sender pays for.
        if (comm->start_send(op, false)) return op.result;
        void* memory = kmem::allocate(sizeof(Comm_op), task.account());
        void* data = bytes ? kmem::allocate(bytes, task.account()) : nullptr;
        if (!memory || (bytes && !data)) { // either may have failed alone (found by the syscall fuzzer)
            if (memory) kmem::free(memory, sizeof(Comm_op), task.account());
            if (data) kmem::free(data, bytes, task.account());
            return Status::out_of_memory;
        }
        if (Status s = copy_from_user(task.space(), op.buffer, data, bytes); s != Status::ok) {
            kmem::free(memory, sizeof(Comm_op), task.account());
            if (data) kmem::free(data, bytes, task.account());
            return s;
        }
        auto* eager = new (memory) Comm_op(op);
        eager->data = data;
        comm->queue_eager(*eager);
        return Status::ok;
    }
    // Rendezvous: the message stays in the sender's buffer until a receive takes it.
    Status s;
    Comm_op* request = task.comm_requests().create(task.account(), s);
    if (!request) return s;
    const uint32_t handle = request->handle;
    *request = op;
    request->handle = handle;
    if (comm->start_send(*request, true)) {
        s = request->result;
        task.comm_requests().destroy(request, task.account());
        return s;
    }
    frame.set_result(0, handle);
    return Status::ok;
}

Status sys_comm_irecv(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_receive, comm, rank));
    TRY(check_receive(*comm, int64_t(frame.arg(1)), int64_t(frame.arg(2)), frame.arg(5), frame.arg(4)));
    Task& task = self.task();
    TRY(check_user_range(task.space(), frame.arg(3), frame.arg(4), arch::Access::write));
    Status s;
    Comm_op* request = task.comm_requests().create(task.account(), s);
    if (!request) return s;
    const uint32_t handle = request->handle;
    *request = make_op(self, Comm_op::Kind::receive, rank, frame);
    request->handle = handle;
    comm->start_receive(*request);
    frame.set_result(0, handle);
    return Status::ok;
}

Status sys_comm_wait(Thread& self, arch::User_frame& frame) {
    Task& task = self.task();
    Comm_op* op = task.comm_requests().find(frame.arg(0));
    if (!op || op->waiter) return Status::invalid_request; // unknown, or another thread waits on it
    if (!op->done) {
        const uint64_t timeout = frame.arg(arg_timeout);
        if (timeout == ipclab::timeout_zero) return Status::would_block;
        Status s = op->comm->wait(self, *op, Timeouts::deadline_after(timeout));
        if (!op->done) return s; // timed out: the request stays
    }
    if (op->kind == Comm_op::Kind::receive) set_envelope(frame, *op);
    const Status result = op->result;
    task.comm_requests().destroy(op, task.account());
    return result;
}

Status sys_comm_probe(Thread& self, arch::User_frame& frame) {
    Communicator* comm;
    int32_t rank;
    TRY(lookup(self, frame.arg(0), ipclab::right_receive, comm, rank));
    TRY(check_receive(*comm, int64_t(frame.arg(1)), int64_t(frame.arg(2)), frame.arg(5), 0));
    Comm_op op;
    op.kind = Comm_op::Kind::receive;
    op.rank = rank;
    op.peer = int32_t(int64_t(frame.arg(1)));
    op.tag = int32_t(int64_t(frame.arg(2)));
    op.context = uint8_t(frame.arg(5));
    const uint64_t timeout = frame.arg(arg_timeout);
    Status s = comm->probe(self, op, timeout != ipclab::timeout_zero, Timeouts::deadline_after(timeout));
    if (s == Status::ok) set_envelope(frame, op);
    return s;
}

} // namespace kernel

namespace kernel {

Status sys_comm_cancel(Thread& self, arch::User_frame& frame) {
    Task& task = self.task();
    Comm_op* op = task.comm_requests().find(frame.arg(0));
    if (!op || op->waiter) return Status::invalid_request;
    if (op->done || !op->comm) {
        frame.set_result(0, 0);
        return Status::ok;
    }
    op->comm->withdraw(*op);
    task.comm_requests().destroy(op, task.account());
    frame.set_result(0, 1);
    return Status::ok;
}

} // namespace kernel
