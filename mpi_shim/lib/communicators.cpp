// Communicator queries (MPI-3.1 section 6.4.1).
#include "mpi_shim/lib/state.hpp"

using namespace ipclab::mpi;

extern "C" int MPI_Comm_size(MPI_Comm comm, int* size) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_size");
    *size = c->size;
    return MPI_SUCCESS;
}

extern "C" int MPI_Comm_rank(MPI_Comm comm, int* rank) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_rank");
    *rank = c->rank;
    return MPI_SUCCESS;
}
