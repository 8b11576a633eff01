// Data-movement collectives (MPI-3.1 sections 5.5-5.8): gather, scatter, allgather and
// all-to-all with their v variants, on the communicator's collective context. The root of
// a gather or scatter talks to the ranks one after the other (every transfer is a rendezvous
// with one copy, so a tree would only copy more); allgather runs a ring and all-to-all a
// pairwise exchange, both from sendrecv steps, which cannot deadlock with synchronous sends.
#include <string.h>

#include "mpi_shim/lib/collectives.hpp"

namespace ipclab::mpi::coll {

namespace {

/// Copies the caller's own block: MPI_ERR_TRUNCATE if it does not fit, as a message would not.
int copy_block(void* to, size_t capacity, const void* from, size_t bytes) {
    if (bytes > capacity) return MPI_ERR_TRUNCATE;
    memcpy(to, from, bytes);
    return MPI_SUCCESS;
}

/// Byte span [lo, hi) of a buffer that a layout's `blocks` blocks cover.
void span(const Layout& layout, int blocks, ptrdiff_t& lo, ptrdiff_t& hi) {
    lo = hi = 0;
    for (int j = 0; j < blocks; ++j) {
        const ptrdiff_t start = layout.offset(j), end = start + ptrdiff_t(layout.bytes(j));
        if (j == 0 || start < lo) lo = start;
        if (j == 0 || end > hi) hi = end;
    }
}

/// Pairwise exchange: in step i every rank sends its block for rank + i and receives the
/// block of rank - i (mod p), one sendrecv per step, p - 1 steps; every pair of ranks meets
/// in exactly one step, so no message can match the wrong step. Send block j lies at
/// sends.offset(j) - shift from `send`.
int pairwise(const Comm& c, const char* send, const Layout& sends, ptrdiff_t shift, char* recv, const Layout& recvs,
             int tag) {
    const int p = c.size, rank = c.rank;
    if (int e = copy_block(recv + recvs.offset(rank), recvs.bytes(rank), send + (sends.offset(rank) - shift),
                           sends.bytes(rank)))
        return e;
    for (int i = 1; i < p; ++i) {
        const int dest = (rank + i) % p, source = (rank - i + p) % p;
        if (int e = exchange(c, tag, dest, send + (sends.offset(dest) - shift), sends.bytes(dest), source,
                             recv + recvs.offset(source), recvs.bytes(source)))
            return e;
    }
    return MPI_SUCCESS;
}

/// MPI_Alltoall(v) after the checks; sendbuf MPI_IN_PLACE: the data to send is in recvbuf,
/// laid out like the receive, and is copied aside first (the exchange overwrites it).
int alltoall(const Comm& c, const void* sendbuf, const Layout& sends, void* recvbuf, const Layout& recvs, int tag) {
    char* recv = static_cast<char*>(recvbuf);
    if (sendbuf != MPI_IN_PLACE) return pairwise(c, static_cast<const char*>(sendbuf), sends, 0, recv, recvs, tag);
    ptrdiff_t lo, hi;
    span(recvs, c.size, lo, hi);
    Buffer copy;
    if (!copy.allocate(size_t(hi - lo))) return MPI_ERR_NO_MEM;
    memcpy(copy.data, recv + lo, size_t(hi - lo));
    return pairwise(c, copy.data, recvs, lo, recv, recvs, tag);
}

/// The root of a gather: block i from rank i (its own copied unless MPI_IN_PLACE).
int gather(const Comm& c, const void* sendbuf, size_t sendbytes, void* recvbuf, const Layout& recvs, int root,
           int tag) {
    if (c.rank != root) return send(c, root, tag, sendbuf, sendbytes);
    char* recv = static_cast<char*>(recvbuf);
    for (int i = 0; i < c.size; ++i) {
        int e = i != root                  ? coll::recv(c, i, tag, recv + recvs.offset(i), recvs.bytes(i))
                : sendbuf == MPI_IN_PLACE ? MPI_SUCCESS
                                          : copy_block(recv + recvs.offset(i), recvs.bytes(i), sendbuf, sendbytes);
        if (e) return e;
    }
    return MPI_SUCCESS;
}

/// The send side of a gather or scatter outside the root: count, datatype and buffer.
int check_side(const void* buf, int count, MPI_Datatype datatype, size_t& bytes) {
    if (int e = message_bytes(count, datatype, bytes)) return e;
    return check_buffer(buf, bytes);
}

/// Checks a receive (or send) buffer of `p` blocks laid out by `layout`.
int check_blocks(const void* buf, const Layout& layout, int p) {
    ptrdiff_t lo, hi;
    span(layout, p, lo, hi);
    return check_buffer(buf, size_t(hi - lo));
}

} // namespace

int scatter_blocks(const Comm& c, const char* buf, const Layout& layout, void* recv, size_t capacity, int root,
                   int tag) {
    if (c.rank != root) return coll::recv(c, root, tag, recv, capacity);
    for (int i = 0; i < c.size; ++i) {
        int e = i != root             ? send(c, i, tag, buf + layout.offset(i), layout.bytes(i))
                : recv == MPI_IN_PLACE ? MPI_SUCCESS
                                       : copy_block(recv, capacity, buf + layout.offset(i), layout.bytes(i));
        if (e) return e;
    }
    return MPI_SUCCESS;
}

int ring_allgather(const Comm& c, char* buf, const Layout& layout, int tag) {
    const int p = c.size, right = (c.rank + 1) % p, left = (c.rank - 1 + p) % p;
    for (int s = 0; s + 1 < p; ++s) {
        const int out = (c.rank - s + p) % p, in = (c.rank - s - 1 + p) % p;
        if (int e = exchange(c, tag, right, buf + layout.offset(out), layout.bytes(out), left, buf + layout.offset(in),
                             layout.bytes(in)))
            return e;
    }
    return MPI_SUCCESS;
}

} // namespace ipclab::mpi::coll

using namespace ipclab::mpi;
using namespace ipclab::mpi::coll;

/// MPI-3.1 section 5.5: the root receives rank i's sendcount items into block i of recvbuf
/// (recvcount items of recvtype each; MPI_IN_PLACE as the root's sendbuf: its block is in
/// place). Errors: MPI_ERR_COMM, MPI_ERR_ROOT, MPI_ERR_COUNT, MPI_ERR_TYPE, MPI_ERR_BUFFER,
/// MPI_ERR_TRUNCATE and those of the transfers.
extern "C" int MPI_Gather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                          MPI_Datatype recvtype, int root, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Gather");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Gather");
    const bool at_root = c->rank == root, in_place = at_root && sendbuf == MPI_IN_PLACE;
    size_t sendbytes = 0;
    Layout recvs;
    if (!in_place)
        if (int e = check_side(sendbuf, sendcount, sendtype, sendbytes)) return raise(comm, e, "MPI_Gather");
    if (at_root) {
        if (int e = regular_layout(recvs, recvcount, recvtype)) return raise(comm, e, "MPI_Gather");
        if (int e = check_blocks(recvbuf, recvs, c->size)) return raise(comm, e, "MPI_Gather");
    }
    return raise(comm, gather(*c, sendbuf, sendbytes, recvbuf, recvs, root, tag_gather), "MPI_Gather");
}

/// MPI-3.1 section 5.5: as MPI_Gather, rank i's data going to recvcounts[i] items at item
/// displs[i] of recvbuf (both significant at the root only).
extern "C" int MPI_Gatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                           const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                           MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Gatherv");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Gatherv");
    const bool at_root = c->rank == root, in_place = at_root && sendbuf == MPI_IN_PLACE;
    size_t sendbytes = 0;
    Layout recvs;
    if (!in_place)
        if (int e = check_side(sendbuf, sendcount, sendtype, sendbytes)) return raise(comm, e, "MPI_Gatherv");
    if (at_root) {
        if (int e = varying_layout(recvs, recvcounts, displs, c->size, recvtype)) return raise(comm, e, "MPI_Gatherv");
        if (int e = check_blocks(recvbuf, recvs, c->size)) return raise(comm, e, "MPI_Gatherv");
    }
    return raise(comm, gather(*c, sendbuf, sendbytes, recvbuf, recvs, root, tag_gatherv), "MPI_Gatherv");
}

/// MPI-3.1 section 5.6: block i of the root's sendbuf (sendcount items of sendtype) to rank
/// i's recvbuf (MPI_IN_PLACE as the root's recvbuf: its block stays where it is).
extern "C" int MPI_Scatter(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                           MPI_Datatype recvtype, int root, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Scatter");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Scatter");
    const bool at_root = c->rank == root, in_place = at_root && recvbuf == MPI_IN_PLACE;
    size_t recvbytes = 0;
    Layout sends;
    if (!in_place)
        if (int e = check_side(recvbuf, recvcount, recvtype, recvbytes)) return raise(comm, e, "MPI_Scatter");
    if (at_root) {
        if (int e = regular_layout(sends, sendcount, sendtype)) return raise(comm, e, "MPI_Scatter");
        if (int e = check_blocks(sendbuf, sends, c->size)) return raise(comm, e, "MPI_Scatter");
    }
    return raise(comm, scatter_blocks(*c, static_cast<const char*>(sendbuf), sends, recvbuf, recvbytes, root, tag_scatter),
                 "MPI_Scatter");
}

/// MPI-3.1 section 5.6: as MPI_Scatter, rank i getting sendcounts[i] items from item
/// displs[i] of the root's sendbuf.
extern "C" int MPI_Scatterv(const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                            void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Scatterv");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Scatterv");
    const bool at_root = c->rank == root, in_place = at_root && recvbuf == MPI_IN_PLACE;
    size_t recvbytes = 0;
    Layout sends;
    if (!in_place)
        if (int e = check_side(recvbuf, recvcount, recvtype, recvbytes)) return raise(comm, e, "MPI_Scatterv");
    if (at_root) {
        if (int e = varying_layout(sends, sendcounts, displs, c->size, sendtype)) return raise(comm, e, "MPI_Scatterv");
        if (int e = check_blocks(sendbuf, sends, c->size)) return raise(comm, e, "MPI_Scatterv");
    }
    return raise(comm, scatter_blocks(*c, static_cast<const char*>(sendbuf), sends, recvbuf, recvbytes, root, tag_scatterv),
                 "MPI_Scatterv");
}

namespace {

/// MPI_Allgather(v) after building the receive layout: the caller's block into place
/// (unless MPI_IN_PLACE), then the ring.
int allgather(MPI_Comm comm, const Comm& c, const void* sendbuf, int sendcount, MPI_Datatype sendtype,
              void* recvbuf, const Layout& recvs, int tag, const char* name) {
    char* recv = static_cast<char*>(recvbuf);
    if (int e = check_blocks(recvbuf, recvs, c.size)) return raise(comm, e, name);
    if (sendbuf != MPI_IN_PLACE) {
        size_t sendbytes;
        if (int e = check_side(sendbuf, sendcount, sendtype, sendbytes)) return raise(comm, e, name);
        if (int e = copy_block(recv + recvs.offset(c.rank), recvs.bytes(c.rank), sendbuf, sendbytes))
            return raise(comm, e, name);
    }
    return raise(comm, ring_allgather(c, recv, recvs, tag), name);
}

} // namespace

/// MPI-3.1 section 5.7: every rank gets every rank's block (recvcount items each, rank i's at
/// block i); MPI_IN_PLACE: the caller's block is already in recvbuf. Ring, p - 1 steps.
extern "C" int MPI_Allgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                             MPI_Datatype recvtype, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Allgather");
    Layout recvs;
    if (int e = regular_layout(recvs, recvcount, recvtype)) return raise(comm, e, "MPI_Allgather");
    return allgather(comm, *c, sendbuf, sendcount, sendtype, recvbuf, recvs, tag_allgather, "MPI_Allgather");
}

/// MPI-3.1 section 5.7: as MPI_Allgather with rank i's recvcounts[i] items at item displs[i].
extern "C" int MPI_Allgatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                              const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Allgatherv");
    Layout recvs;
    if (int e = varying_layout(recvs, recvcounts, displs, c->size, recvtype)) return raise(comm, e, "MPI_Allgatherv");
    return allgather(comm, *c, sendbuf, sendcount, sendtype, recvbuf, recvs, tag_allgatherv, "MPI_Allgatherv");
}

/// MPI-3.1 section 5.8: block j of rank i's sendbuf goes to block i of rank j's recvbuf
/// (MPI_IN_PLACE: the data to send is in recvbuf, sendcount and sendtype are ignored).
/// Pairwise exchange, p - 1 sendrecv steps.
extern "C" int MPI_Alltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                            MPI_Datatype recvtype, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Alltoall");
    Layout sends, recvs;
    if (int e = regular_layout(recvs, recvcount, recvtype)) return raise(comm, e, "MPI_Alltoall");
    if (int e = check_blocks(recvbuf, recvs, c->size)) return raise(comm, e, "MPI_Alltoall");
    if (sendbuf != MPI_IN_PLACE) {
        if (int e = regular_layout(sends, sendcount, sendtype)) return raise(comm, e, "MPI_Alltoall");
        if (int e = check_blocks(sendbuf, sends, c->size)) return raise(comm, e, "MPI_Alltoall");
    }
    return raise(comm, alltoall(*c, sendbuf, sends, recvbuf, recvs, tag_alltoall), "MPI_Alltoall");
}

/// MPI-3.1 section 5.8: as MPI_Alltoall with per-rank counts and displacements (in items).
extern "C" int MPI_Alltoallv(const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                             void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype,
                             MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Alltoallv");
    Layout sends, recvs;
    if (int e = varying_layout(recvs, recvcounts, rdispls, c->size, recvtype)) return raise(comm, e, "MPI_Alltoallv");
    if (int e = check_blocks(recvbuf, recvs, c->size)) return raise(comm, e, "MPI_Alltoallv");
    if (sendbuf != MPI_IN_PLACE) {
        if (int e = varying_layout(sends, sendcounts, sdispls, c->size, sendtype)) return raise(comm, e, "MPI_Alltoallv");
        if (int e = check_blocks(sendbuf, sends, c->size)) return raise(comm, e, "MPI_Alltoallv");
    }
    return raise(comm, alltoall(*c, sendbuf, sends, recvbuf, recvs, tag_alltoallv), "MPI_Alltoallv");
}
