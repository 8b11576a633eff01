// Internal pieces the collectives share (collectives.cpp: trees and reductions,
// collectives_exchange.cpp: gather, scatter, all-to-all) and MPI_Comm_split uses.
// Every routine runs on the communicator's collective context, so no user message matches
// (MPI-3.1 sections 5.1 and 6.1.2), and returns an MPI error class: sends are rendezvous (MPI_Ssend
// semantics), so each algorithm orders its sends and receives to be deadlock-free without
// buffering, and exchanges go through sendrecv_bytes, which posts the receive first.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi::coll {

/// One tag per kind of collective. A rank runs one collective at a time on a communicator,
/// and messages between two ranks do not overtake each other, so the kind alone keeps two
/// successive collectives apart.
enum Tag : int {
    tag_barrier = 1,
    tag_bcast,
    tag_reduce,
    tag_allreduce,
    tag_gather,
    tag_gatherv,
    tag_scatter,
    tag_scatterv,
    tag_allgather,
    tag_allgatherv,
    tag_alltoall,
    tag_alltoallv,
    tag_reduce_scatter,
    tag_scan,
    tag_exscan,
    tag_comm_split,
};

/// Point-to-point on the collective context; MPI_SUCCESS or the error class.
int send(const Comm& c, int dest, int tag, const void* buf, size_t bytes);
int recv(const Comm& c, int source, int tag, void* buf, size_t capacity);
/// Sends `sendbytes` to `dest` while receiving up to `capacity` bytes from `source`.
int exchange(const Comm& c, int tag, int dest, const void* sendbuf, size_t sendbytes, int source, void* recvbuf,
             size_t capacity);

/// A scratch buffer freed when it goes out of scope.
struct Buffer {
    char* data = nullptr;
    Buffer() = default;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { free(data); }
    /// False when out of memory.
    bool allocate(size_t bytes) {
        data = static_cast<char*>(malloc(bytes ? bytes : 1));
        return data != nullptr;
    }
};

/// Where the blocks of a buffer lie: block j holds counts[j] items at item displs[j]
/// (the v variants), or `count` items at item count * j when counts is null.
struct Layout {
    size_t item = 0; ///< bytes per item (type_size of the datatype)
    int count = 0;
    const int* counts = nullptr;
    const int* displs = nullptr;
    size_t bytes(int j) const { return size_t(counts ? counts[j] : count) * item; }
    /// Byte offset of block j from the buffer's start (negative displacements are legal).
    ptrdiff_t offset(int j) const {
        return (displs ? ptrdiff_t(displs[j]) : ptrdiff_t(count) * j) * ptrdiff_t(item);
    }
};

/// A layout of `count` items of `datatype` per block: MPI_SUCCESS, MPI_ERR_TYPE or
/// MPI_ERR_COUNT (negative, or a block over the kernel's message limit comm_max_bytes).
int regular_layout(Layout& layout, int count, MPI_Datatype datatype);
/// A layout of `blocks` blocks of counts[j] items at item displs[j]: as regular_layout, and
/// MPI_ERR_ARG for a null array.
int varying_layout(Layout& layout, const int* counts, const int* displs, int blocks, MPI_Datatype datatype);
/// MPI_ERR_BUFFER for a null buffer holding data or MPI_IN_PLACE where it is not allowed.
inline int check_buffer(const void* buf, size_t bytes) {
    return (bytes && !buf) || buf == MPI_IN_PLACE ? MPI_ERR_BUFFER : MPI_SUCCESS;
}

/// Binomial-tree broadcast of `bytes` from `root` (MPI-3.1 section 5.4).
int bcast_bytes(const Comm& c, void* buf, size_t bytes, int root, int tag);
/// Binomial-tree reduction of `count` items from every rank's `in` into `out` at `root`
/// (`out` is ignored elsewhere; `in` may equal `out` at the root).
int reduce_to(const Comm& c, const void* in, void* out, int count, MPI_Datatype datatype, MPI_Op op, int root,
              int tag);
/// Sends block j of the root's `buf` (laid out by `layout`) to rank j; every rank receives its
/// block into `recv` (the root copies its own, unless `recv` is MPI_IN_PLACE).
int scatter_blocks(const Comm& c, const char* buf, const Layout& layout, void* recv, size_t capacity, int root,
                   int tag);
/// Ring allgather within `buf` laid out by `layout`: rank j's block is in place on rank j;
/// afterwards every rank has every block. p - 1 steps, each a sendrecv to the right neighbour.
int ring_allgather(const Comm& c, char* buf, const Layout& layout, int tag);

} // namespace ipclab::mpi::coll
