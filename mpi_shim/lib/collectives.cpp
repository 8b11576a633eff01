// Collectives built from point-to-point on the communicator's collective context, so they
// never match user messages (MPI-3.1 section 5.1), with the algorithms MPI libraries use.
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {
constexpr int tag_barrier = 1;
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// Binomial-tree barrier: every rank waits for its children, tells its parent, then waits
/// for the release from its parent and passes it on: 2 log2(size) steps. Blocking
/// rendezvous sends cannot deadlock on a tree, unlike a dissemination ring.
extern "C" int MPI_Barrier(MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Barrier");
    const int rank = c->rank, size = c->size;
    char token = 0;
    int mask = 1;
    for (; mask < size; mask <<= 1) { // gather: children report to their parent
        if (rank & mask) {
            ipclab::Status s = send_bytes(*c, rank - mask, tag_barrier, &token, 1, ipclab::context_collective);
            if (s != ipclab::Status::ok) return raise(comm, error_class(s), "MPI_Barrier");
            break;
        }
        if (rank + mask < size) {
            ipclab::Status s = recv_bytes(*c, rank + mask, tag_barrier, &token, 1, ipclab::context_collective, nullptr);
            if (s != ipclab::Status::ok) return raise(comm, error_class(s), "MPI_Barrier");
        }
    }
    if (rank != 0) { // release from the parent
        ipclab::Status s = recv_bytes(*c, rank - mask, tag_barrier, &token, 1, ipclab::context_collective, nullptr);
        if (s != ipclab::Status::ok) return raise(comm, error_class(s), "MPI_Barrier");
    }
    for (mask >>= 1; mask > 0; mask >>= 1) { // release the children
        if (rank + mask < size) {
            ipclab::Status s = send_bytes(*c, rank + mask, tag_barrier, &token, 1, ipclab::context_collective);
            if (s != ipclab::Status::ok) return raise(comm, error_class(s), "MPI_Barrier");
        }
    }
    return MPI_SUCCESS;
}
