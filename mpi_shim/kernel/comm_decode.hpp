// Decoding shared by the communicator's system calls: the communicator a slot names, the
// caller's rank in it, and argument checks (no side effects; STYLE rule 6).
#pragma once

#include <stdint.h>

#include "abi/comm.hpp"
#include "mpi_shim/kernel/communicator.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel::comm_decode {

/// The communicator in `slot` and the caller's rank in it: the capability's badge, set when
/// the capability was given, so a task cannot claim another rank. A capability that reached
/// another task (passed with the grant right) does not make that task a member: denied.
inline Status lookup(Thread& self, uint64_t slot, uint8_t rights, Communicator*& comm, int32_t& rank) {
    uint64_t badge;
    TRY(self.task().caps().lookup(slot, rights, comm, badge));
    rank = static_cast<int32_t>(badge);
    if (badge >= comm->size() || !comm->is_member(rank, self.task())) return Status::denied;
    return Status::ok;
}

inline bool valid_rank(const Communicator& c, int64_t rank) { return rank >= 0 && rank < int64_t(c.size()); }
inline bool valid_tag(int64_t tag) { return tag >= 0 && tag <= ipclab::comm_tag_ub; }

/// Checks a send's destination, tag, context and length. Errors: invalid_rank, invalid_tag,
/// invalid_argument (context), message_too_long.
inline Status check_send(const Communicator& c, int64_t dest, int64_t tag, uint64_t context, uint64_t bytes) {
    if (!valid_rank(c, dest)) return Status::invalid_rank;
    if (!valid_tag(tag)) return Status::invalid_tag;
    if (context >= ipclab::context_count) return Status::invalid_argument;
    if (bytes > ipclab::comm_max_bytes) return Status::message_too_long;
    return Status::ok;
}

/// Checks a receive's source (or any), tag (or any), context and capacity.
inline Status check_receive(const Communicator& c, int64_t source, int64_t tag, uint64_t context, uint64_t bytes) {
    if (source != ipclab::comm_any_source && !valid_rank(c, source)) return Status::invalid_rank;
    if (tag != ipclab::comm_any_tag && !valid_tag(tag)) return Status::invalid_tag;
    if (context >= ipclab::context_count) return Status::invalid_argument;
    if (bytes > ipclab::comm_max_bytes) return Status::message_too_long;
    return Status::ok;
}

/// Checks the comm_in_registers flag of a comm_send/comm_recv (a5) against its length or
/// capacity: at most comm_register_bytes, else invalid_argument.
inline Status check_registers(uint64_t a5, uint64_t bytes) {
    return (a5 & ipclab::comm_in_registers) && bytes > ipclab::comm_register_bytes ? Status::invalid_argument
                                                                                   : Status::ok;
}

/// A point-to-point operation of `self` from the registers a1..a5 (peer, tag, buffer,
/// bytes, context and the comm_in_registers flag) of an already checked call; a send in
/// registers takes its payload from r13..r15.
inline Comm_op make_op(Thread& self, Comm_op::Kind kind, int32_t rank, const arch::User_frame& frame) {
    Comm_op op;
    op.in_registers = frame.arg(5) & ipclab::comm_in_registers;
    if (op.in_registers && kind == Comm_op::Kind::send) load_payload(frame, op.words);
    op.kind = kind;
    op.rank = rank;
    op.peer = int32_t(int64_t(frame.arg(1)));
    op.tag = int32_t(int64_t(frame.arg(2)));
    op.buffer = frame.arg(3);
    op.bytes = frame.arg(4);
    op.context = uint8_t(frame.arg(5));
    op.task = &self.task();
    return op;
}

/// Sets the results of a completed receive or probe: r0 source, r1 tag, r2 bytes.
inline void set_envelope(arch::User_frame& frame, const Comm_op& op) {
    frame.set_result(0, uint64_t(int64_t(op.peer)));
    frame.set_result(1, uint64_t(int64_t(op.tag)));
    frame.set_result(2, op.bytes);
}

constexpr unsigned arg_timeout = 6;

} // namespace kernel::comm_decode
