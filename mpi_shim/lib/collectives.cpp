// Tree and reduction collectives (MPI-3.1 sections 5.3, 5.4, 5.9-5.11): barrier, broadcast,
// reduce, allreduce, reduce-scatter and the scans, built from point-to-point on the
// communicator's collective context with the algorithms MPI libraries use (binomial trees,
// recursive doubling). Gather, scatter and all-to-all: collectives_exchange.cpp.
#include <limits.h>
#include <string.h>

#include "mpi_shim/lib/collectives.hpp"
#include "mpi_shim/lib/reduce_ops.hpp"

namespace ipclab::mpi::coll {

int send(const Comm& c, int dest, int tag, const void* buf, size_t bytes) {
    return error_class(send_bytes(c, dest, tag, buf, bytes, context_collective));
}

int recv(const Comm& c, int source, int tag, void* buf, size_t capacity) {
    return error_class(recv_bytes(c, source, tag, buf, capacity, context_collective, nullptr));
}

int exchange(const Comm& c, int tag, int dest, const void* sendbuf, size_t sendbytes, int source, void* recvbuf,
             size_t capacity) {
    return error_class(sendrecv_bytes(c, dest, tag, sendbuf, sendbytes, source, tag, recvbuf, capacity,
                                      context_collective, nullptr));
}

int regular_layout(Layout& layout, int count, MPI_Datatype datatype) {
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return e;
    layout = Layout{type_size(datatype), count, nullptr, nullptr};
    return MPI_SUCCESS;
}

int varying_layout(Layout& layout, const int* counts, const int* displs, int blocks, MPI_Datatype datatype) {
    if (!counts || !displs) return MPI_ERR_ARG;
    size_t bytes;
    for (int j = 0; j < blocks; ++j)
        if (int e = message_bytes(counts[j], datatype, bytes)) return e;
    if (!type_size(datatype)) return MPI_ERR_TYPE;
    layout = Layout{type_size(datatype), 0, counts, displs};
    return MPI_SUCCESS;
}

/// Binomial tree over ranks relative to the root (v = rank - root mod p): v receives from
/// v - lowbit(v), then sends to v + 2^k for every 2^k below lowbit(v), largest first. A rank
/// only ever waits for its parent or for a child that is already waiting for it.
int bcast_bytes(const Comm& c, void* buf, size_t bytes, int root, int tag) {
    const int size = c.size, vrank = (c.rank - root + size) % size;
    int mask = 1;
    for (; mask < size; mask <<= 1) {
        if (vrank & mask) {
            if (int e = recv(c, (vrank - mask + root) % size, tag, buf, bytes)) return e;
            break;
        }
    }
    for (mask >>= 1; mask > 0; mask >>= 1)
        if (vrank + mask < size)
            if (int e = send(c, (vrank + mask + root) % size, tag, buf, bytes)) return e;
    return MPI_SUCCESS;
}

/// Binomial tree, the reverse of bcast_bytes: v collects its children v + 1, v + 2, v + 4, ...
/// (lowest first), combines, and sends to its parent. v then holds ranks [v, v + lowbit(v)),
/// so combining "mine op child's" keeps rank order. For a non-commutative operation the tree
/// is rooted at rank 0, where relative and real order agree, and 0 passes the result on.
int reduce_to(const Comm& c, const void* in, void* out, int count, MPI_Datatype datatype, MPI_Op op, int root,
              int tag) {
    const size_t bytes = size_t(count) * type_size(datatype);
    const int size = c.size, rank = c.rank;
    const int top = op_commutative(op) ? root : 0;
    const int vrank = (rank - top + size) % size;
    Buffer mine, theirs;
    char* acc = static_cast<char*>(out);
    if (rank != top || top != root) {
        if (!mine.allocate(bytes)) return MPI_ERR_NO_MEM;
        acc = mine.data;
    }
    if (acc != in) memcpy(acc, in, bytes);
    char* child_data = nullptr;
    for (int mask = 1; mask < size; mask <<= 1) {
        if (vrank & mask) {
            if (int e = send(c, (vrank - mask + top) % size, tag, acc, bytes)) return e;
            break;
        }
        const int child = vrank | mask;
        if (child >= size) continue;
        if (!child_data) {
            if (!theirs.allocate(bytes)) return MPI_ERR_NO_MEM;
            child_data = theirs.data;
        }
        if (int e = recv(c, (child + top) % size, tag, child_data, bytes)) return e;
        apply_op(op, datatype, acc, child_data, count); // child_data = acc op child_data
        char* t = acc;
        acc = child_data;
        child_data = t;
    }
    if (vrank == 0) {
        if (top != root) return send(c, root, tag, acc, bytes);
        if (acc != out) memcpy(out, acc, bytes);
    } else if (rank == root) {
        return recv(c, top, tag, out, bytes);
    }
    return MPI_SUCCESS;
}

namespace {

/// The checks every reducing collective makes: comm, count, operation and datatype, and the
/// buffers (sendbuf may be MPI_IN_PLACE where `in_place_ok`). Fills `bytes`.
int check_reduction(const void* sendbuf, const void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                    bool in_place_ok, bool recv_significant, size_t& bytes) {
    if (int e = message_bytes(count, datatype, bytes)) return e;
    if (int e = check_op(op, datatype)) return e;
    if (sendbuf == MPI_IN_PLACE ? !in_place_ok : check_buffer(sendbuf, bytes) != MPI_SUCCESS) return MPI_ERR_BUFFER;
    if (recv_significant && check_buffer(recvbuf, bytes)) return MPI_ERR_BUFFER;
    return MPI_SUCCESS;
}

/// Recursive doubling (p a power of two): in step k every rank swaps its partial result with
/// rank ^ 2^k and combines, lower ranks' data first; log2(p) exchanges.
int allreduce_doubling(const Comm& c, void* buf, int count, MPI_Datatype datatype, MPI_Op op, size_t bytes) {
    Buffer other;
    if (!other.allocate(bytes)) return MPI_ERR_NO_MEM;
    char *acc = static_cast<char*>(buf), *theirs = other.data;
    for (int mask = 1; mask < c.size; mask <<= 1) {
        const int partner = c.rank ^ mask;
        if (int e = exchange(c, tag_allreduce, partner, acc, bytes, partner, theirs, bytes)) return e;
        if (partner < c.rank) {
            apply_op(op, datatype, theirs, acc, count); // acc = theirs op acc
        } else {
            apply_op(op, datatype, acc, theirs, count); // theirs = acc op theirs
            char* t = acc;
            acc = theirs;
            theirs = t;
        }
    }
    if (acc != buf) memcpy(buf, acc, bytes);
    return MPI_SUCCESS;
}

/// Recursive-doubling prefix reduction (MPI_Scan, MPI_Exscan): `partial` holds the reduction
/// over the caller's block of 2^k ranks; the partner's partial is from lower ranks or higher.
/// For the exclusive scan rank 0's `out` is left alone (undefined, section 5.11.2).
int scan(const Comm& c, const void* in, void* out, int count, MPI_Datatype datatype, MPI_Op op, bool exclusive) {
    const size_t bytes = size_t(count) * type_size(datatype);
    const int tag = exclusive ? tag_exscan : tag_scan;
    Buffer a, b;
    if (!a.allocate(bytes) || !b.allocate(bytes)) return MPI_ERR_NO_MEM;
    char *partial = a.data, *theirs = b.data;
    memcpy(partial, in, bytes);
    if (!exclusive && out != in) memcpy(out, in, bytes);
    bool have_result = !exclusive;
    for (int mask = 1; mask < c.size; mask <<= 1) {
        const int partner = c.rank ^ mask;
        if (partner >= c.size) continue;
        if (int e = exchange(c, tag, partner, partial, bytes, partner, theirs, bytes)) return e;
        if (partner < c.rank) {
            if (have_result) {
                apply_op(op, datatype, theirs, out, count); // out = theirs op out
            } else {
                memcpy(out, theirs, bytes);
                have_result = true;
            }
            apply_op(op, datatype, theirs, partial, count); // partial = theirs op partial
        } else {
            apply_op(op, datatype, partial, theirs, count); // theirs = partial op theirs
            char* t = partial;
            partial = theirs;
            theirs = t;
        }
    }
    return MPI_SUCCESS;
}

/// Reduce-scatter as a reduction of all blocks to rank 0 followed by a scatter of the blocks
/// (MPICH's choice for non-commutative operations; correct for every operation).
int reduce_scatter(const Comm& c, const void* in, void* out, int total, const Layout& blocks, MPI_Datatype datatype,
                   MPI_Op op) {
    Buffer all;
    if (c.rank == 0 && !all.allocate(size_t(total) * blocks.item)) return MPI_ERR_NO_MEM;
    if (int e = reduce_to(c, in, all.data, total, datatype, op, 0, tag_reduce_scatter)) return e;
    return scatter_blocks(c, all.data, blocks, out, blocks.bytes(c.rank), 0, tag_reduce_scatter);
}

} // namespace

} // namespace ipclab::mpi::coll

using namespace ipclab::mpi;
using namespace ipclab::mpi::coll;

/// MPI-3.1 section 5.3. Binomial tree: every rank waits for its children, tells its parent,
/// then waits for the release from its parent and passes it on: 2 log2(p) steps.
extern "C" int MPI_Barrier(MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Barrier");
    const int rank = c->rank, size = c->size;
    char token = 0;
    int mask = 1;
    for (; mask < size; mask <<= 1) { // gather: children report to their parent
        if (rank & mask) {
            if (int e = send(*c, rank - mask, tag_barrier, &token, 1)) return raise(comm, e, "MPI_Barrier");
            break;
        }
        if (rank + mask < size)
            if (int e = recv(*c, rank + mask, tag_barrier, &token, 1)) return raise(comm, e, "MPI_Barrier");
    }
    if (rank != 0) // release from the parent
        if (int e = recv(*c, rank - mask, tag_barrier, &token, 1)) return raise(comm, e, "MPI_Barrier");
    for (mask >>= 1; mask > 0; mask >>= 1) // release the children
        if (rank + mask < size)
            if (int e = send(*c, rank + mask, tag_barrier, &token, 1)) return raise(comm, e, "MPI_Barrier");
    return MPI_SUCCESS;
}

/// MPI-3.1 section 5.4: `count` items from `root` to every rank, by a binomial tree
/// (log2(p) rounds). Errors: MPI_ERR_COMM, MPI_ERR_ROOT, MPI_ERR_COUNT, MPI_ERR_TYPE,
/// MPI_ERR_BUFFER, and those of the transfers (MPI_ERR_TRUNCATE, MPIX_ERR_PROC_FAILED, ...).
extern "C" int MPI_Bcast(void* buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Bcast");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Bcast");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Bcast");
    if (int e = check_buffer(buffer, bytes)) return raise(comm, e, "MPI_Bcast");
    return raise(comm, bcast_bytes(*c, buffer, bytes, root, tag_bcast), "MPI_Bcast");
}

/// MPI-3.1 section 5.9.1: recvbuf at `root` = the reduction of every rank's sendbuf in rank
/// order (sendbuf MPI_IN_PLACE at the root: its input is in recvbuf). Binomial tree.
/// Errors: as MPI_Bcast, and MPI_ERR_OP (operation and datatype do not go together).
extern "C" int MPI_Reduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root,
                          MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Reduce");
    if (root < 0 || root >= c->size) return raise(comm, MPI_ERR_ROOT, "MPI_Reduce");
    const bool at_root = c->rank == root;
    size_t bytes;
    if (int e = check_reduction(sendbuf, recvbuf, count, datatype, op, at_root, at_root, bytes))
        return raise(comm, e, "MPI_Reduce");
    const void* in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    return raise(comm, reduce_to(*c, in, recvbuf, count, datatype, op, root, tag_reduce), "MPI_Reduce");
}

/// MPI-3.1 section 5.9.6: every rank's recvbuf = the reduction of all sendbufs (MPI_IN_PLACE:
/// the input is in recvbuf). Recursive doubling when p is a power of two, otherwise a
/// reduction to rank 0 and a broadcast. Errors: as MPI_Reduce without MPI_ERR_ROOT.
extern "C" int MPI_Allreduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                             MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Allreduce");
    size_t bytes;
    if (int e = check_reduction(sendbuf, recvbuf, count, datatype, op, true, true, bytes))
        return raise(comm, e, "MPI_Allreduce");
    if (sendbuf != MPI_IN_PLACE && sendbuf != recvbuf) memcpy(recvbuf, sendbuf, bytes);
    int e;
    if ((c->size & (c->size - 1)) == 0) {
        e = allreduce_doubling(*c, recvbuf, count, datatype, op, bytes);
    } else {
        e = reduce_to(*c, recvbuf, recvbuf, count, datatype, op, 0, tag_allreduce);
        if (!e) e = bcast_bytes(*c, recvbuf, bytes, 0, tag_allreduce);
    }
    return raise(comm, e, "MPI_Allreduce");
}

/// MPI-3.1 section 5.10.1: the elementwise reduction of p * recvcount items, block i of
/// recvcount items to rank i (MPI_IN_PLACE: the input is in recvbuf, p * recvcount items).
extern "C" int MPI_Reduce_scatter_block(const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype datatype,
                                        MPI_Op op, MPI_Comm comm) {
    const char* const name = "MPI_Reduce_scatter_block";
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, name);
    if (recvcount < 0 || recvcount > INT_MAX / c->size) return raise(comm, MPI_ERR_COUNT, name);
    const int total = recvcount * c->size;
    size_t bytes;
    if (int e = check_reduction(MPI_IN_PLACE, recvbuf, recvcount, datatype, op, true, true, bytes))
        return raise(comm, e, name);
    const void* in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    if (int e = check_reduction(in, nullptr, total, datatype, op, false, false, bytes)) return raise(comm, e, name);
    Layout blocks;
    if (int e = regular_layout(blocks, recvcount, datatype)) return raise(comm, e, name);
    return raise(comm, reduce_scatter(*c, in, recvbuf, total, blocks, datatype, op), name);
}

/// MPI-3.1 section 5.10.2: as MPI_Reduce_scatter_block with recvcounts[i] items for rank i.
extern "C" int MPI_Reduce_scatter(const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype datatype,
                                  MPI_Op op, MPI_Comm comm) {
    const char* const name = "MPI_Reduce_scatter";
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, name);
    if (!recvcounts) return raise(comm, MPI_ERR_ARG, name);
    Buffer displs;
    if (!displs.allocate(sizeof(int) * size_t(c->size))) return raise(comm, MPI_ERR_NO_MEM, name);
    int* d = reinterpret_cast<int*>(displs.data);
    long long total = 0;
    for (int j = 0; j < c->size; ++j) {
        if (recvcounts[j] < 0 || total + recvcounts[j] > INT_MAX) return raise(comm, MPI_ERR_COUNT, name);
        d[j] = int(total);
        total += recvcounts[j];
    }
    size_t bytes;
    if (int e = check_reduction(MPI_IN_PLACE, recvbuf, recvcounts[c->rank], datatype, op, true, true, bytes))
        return raise(comm, e, name);
    const void* in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    if (int e = check_reduction(in, nullptr, int(total), datatype, op, false, false, bytes))
        return raise(comm, e, name);
    Layout blocks;
    if (int e = varying_layout(blocks, recvcounts, d, c->size, datatype)) return raise(comm, e, name);
    return raise(comm, reduce_scatter(*c, in, recvbuf, int(total), blocks, datatype, op), name);
}

/// MPI-3.1 section 5.11.1: rank i's recvbuf = the reduction of the sendbufs of ranks 0..i
/// (MPI_IN_PLACE: the input is in recvbuf). Recursive doubling, log2(p) exchanges.
extern "C" int MPI_Scan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                        MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Scan");
    size_t bytes;
    if (int e = check_reduction(sendbuf, recvbuf, count, datatype, op, true, true, bytes))
        return raise(comm, e, "MPI_Scan");
    const void* in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    return raise(comm, scan(*c, in, recvbuf, count, datatype, op, false), "MPI_Scan");
}

/// MPI-3.1 section 5.11.2: rank i's recvbuf = the reduction of ranks 0..i-1; rank 0's
/// recvbuf is left unchanged (undefined in the standard).
extern "C" int MPI_Exscan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                          MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Exscan");
    size_t bytes;
    // Rank 0's recvbuf receives nothing, but holds its input when sendbuf is MPI_IN_PLACE.
    const bool recv_significant = c->rank != 0 || sendbuf == MPI_IN_PLACE;
    if (int e = check_reduction(sendbuf, recvbuf, count, datatype, op, true, recv_significant, bytes))
        return raise(comm, e, "MPI_Exscan");
    const void* in = sendbuf == MPI_IN_PLACE ? recvbuf : sendbuf;
    return raise(comm, scan(*c, in, recvbuf, count, datatype, op, true), "MPI_Exscan");
}
