// Internal state of ipclab's MPI library: communicator handles and error handling.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/comm.hpp"
#include "abi/status.hpp"
#include "mpi.h"

namespace ipclab::mpi {

/// What an MPI_Comm handle stands for: the kernel communicator's capability slot and the
/// caller's rank and the group size there.
struct Comm {
    uint64_t slot = 0;
    int rank = 0;
    int size = 0;
};

enum class Phase { before_init, running, finalized };
extern Phase phase;

/// The communicator behind `handle`, or nullptr if the handle is not valid now.
Comm* lookup(MPI_Comm handle);

/// The error class a kernel status becomes (the one place statuses map to MPI errors).
int error_class(Status s);

/// Reports an error of `function` on `comm` through its error handler. With the default
/// handler (MPI_ERRORS_ARE_FATAL, MPI-3.1 section 8.3) it prints the error and aborts the
/// job; returns `error` otherwise.
int raise(MPI_Comm comm, int error, const char* function);

/// Size in bytes of a predefined datatype, or 0 if `datatype` is not one.
size_t type_size(MPI_Datatype datatype);

/// Point-to-point in bytes on one of the communicator's contexts (user traffic or
/// collectives). Return kernel statuses; the callers map them.
Status send_bytes(const Comm& c, int dest, int tag, const void* buf, size_t bytes, Comm_context context);
Status recv_bytes(const Comm& c, int source, int tag, void* buf, size_t capacity, Comm_context context,
                  MPI_Status* status);

} // namespace ipclab::mpi
