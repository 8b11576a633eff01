// The IPC fast path: call (by capability or thread id) and reply_recv with a short message (at most four message
// registers in CPU registers, no items, no timeout) to a partner that is already waiting
// switch straight to the partner, with no scheduler pass and no queue (L4's direct process
// switch and lazy scheduling, seeds/002; the shape of seL4's fastpath). It gives exactly the
// results of the slow path, which handles everything else.
#pragma once

#include <arch/user_frame.hpp>

#include "task/thread.hpp"

namespace kernel {

/// Whether the fast path is used (the run description's `fastpath off` turns it off, so
/// tests can run the same cases through both paths).
extern bool ipc_fastpath_enabled;

/// Tries ipc_call (or with `by_thread_id`, ipc_call_tid) on the fast path. Returns false
/// without side effects if the slow path must do it. Otherwise switches to the receiver and
/// returns true only when the caller has been resumed by the slow path (its wake_status is
/// the call's status); a resumption by the fast path never returns here.
bool fastpath_call(Thread& self, arch::User_frame& frame, bool by_thread_id);
/// The same for ipc_reply_recv.
bool fastpath_reply_recv(Thread& self, arch::User_frame& frame);
/// The communicator's fast path (mpi_shim/kernel/comm_fastpath.cpp): comm_send into a
/// blocked receive, and comm_recv of a blocked send or blocking with a direct switch.
/// Same contract: false without side effects when the slow path must do it.
bool fastpath_comm_send(Thread& self, arch::User_frame& frame);
bool fastpath_comm_recv(Thread& self, arch::User_frame& frame);

} // namespace kernel
