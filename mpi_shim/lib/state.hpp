// Internal interface of ipclab's MPI library: communicator handles, error handling and the
// point-to-point primitives the collectives and communicator constructors are built from.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/capability.hpp"
#include "abi/comm.hpp"
#include "abi/status.hpp"
#include "mpi.h"

namespace ipclab {
struct Syscall_registers; // runtime/include/ipclab/syscall.hpp
}

namespace ipclab::mpi {

/// What an MPI_Comm handle stands for (communicators.cpp keeps the table).
struct Comm {
    uint64_t slot = 0;          ///< the kernel communicator's capability slot
    int rank = 0;               ///< the caller's rank in it
    int size = 0;               ///< the group size
    int* world_ranks = nullptr; ///< rank -> rank in MPI_COMM_WORLD (the group, for MPI_Group)
    MPI_Errhandler errhandler = MPI_ERRORS_ARE_FATAL;
    uint64_t creations = 0;     ///< communicators created from this one: the key of the next
};

enum class Phase { before_init, running, finalized };
extern Phase phase;

/// Handle h's communicator while it exists, else nullptr (communicators.cpp keeps it).
extern Comm* live_comms[cap_slots];
/// The communicator behind `handle`, or nullptr if the handle is not valid now (inline: it
/// is on the path of every MPI call).
inline Comm* lookup(MPI_Comm handle) {
    return phase == Phase::running && unsigned(handle) < cap_slots ? live_comms[handle] : nullptr;
}
/// Sets up MPI_COMM_WORLD (the capability in slot_comm_world, `rank` of `size`) and
/// MPI_COMM_SELF; called by MPI_Init. Returns an MPI error class.
int init_communicators(int rank, int size);

/// The error class a kernel status becomes (the one place statuses map to MPI errors). A
/// failed status is remembered until the next raise, which names it in the fatal message.
int error_class(Status s);

/// Reports an error of `function` on `comm` through its error handler (MPI-3.1 section 8.3):
/// with MPI_ERRORS_ARE_FATAL it prints the error (class name, string and, when it came from
/// the status error_class mapped last, the kernel's reason) and aborts the job; with
/// MPI_ERRORS_RETURN it returns `error`. MPI_SUCCESS passes through.
int raise(MPI_Comm comm, int error, const char* function);

/// Size in bytes of a predefined datatype, or 0 if `datatype` is not one.
size_t type_size(MPI_Datatype datatype);
/// Checks count and datatype and computes the byte length: MPI_SUCCESS or an error class.
int message_bytes(int count, MPI_Datatype datatype, size_t& bytes);

/// Point-to-point in bytes on one of the communicator's contexts (user traffic or
/// collectives); return kernel statuses, which the callers map with error_class.
/// send_bytes is the rendezvous MPI_Ssend; recv_bytes fills `status` (may be nullptr).
Status send_bytes(const Comm& c, int dest, int tag, const void* buf, size_t bytes, Comm_context context);
Status recv_bytes(const Comm& c, int source, int tag, void* buf, size_t capacity, Comm_context context,
                  MPI_Status* status);
/// A simultaneous exchange (MPI_Sendrecv): the receive is posted before the send starts, so
/// two ranks exchanging with each other cannot deadlock.
Status sendrecv_bytes(const Comm& c, int dest, int sendtag, const void* sendbuf, size_t sendbytes, int source,
                      int recvtag, void* recvbuf, size_t recvcapacity, Comm_context context, MPI_Status* status);

/// Fills an MPI_Status (MPI-3.1 section 3.2.5) with an envelope and byte length.
void set_status(MPI_Status* status, int source, int tag, int error, long long bytes);
/// Fills `status` (may be nullptr) from a completed comm_recv or comm_wait of a receive:
/// status `s`, results r0 source, r1 tag, r2 bytes (abi/syscall.hpp).
void set_received(MPI_Status* status, Status s, const Syscall_registers& r);

} // namespace ipclab::mpi
