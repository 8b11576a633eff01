// Blocking point-to-point communication (MPI-3.1 sections 3.2-3.5) on the kernel
// communicator: MPI_Send is a rendezvous with one copy into the receiver's buffer.
#include <stdlib.h>
#include <string.h>

#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// Extent in bytes of each predefined datatype, by handle value (mpi.h): the stride of one
/// item in a buffer, which is what a message of `count` items occupies.
struct Datatype_bytes {
    uint8_t extent;
    uint8_t size; ///< MPI_Type_size: differs from the extent for padded pair types
};
constexpr Datatype_bytes type_bytes[] = {
    {0, 0},                                     // MPI_DATATYPE_NULL
    {1, 1}, {1, 1}, {1, 1}, {1, 1},             // CHAR, SIGNED_CHAR, UNSIGNED_CHAR, BYTE
    {2, 2}, {2, 2}, {4, 4}, {4, 4},             // SHORT, UNSIGNED_SHORT, INT, UNSIGNED
    {8, 8}, {8, 8}, {8, 8}, {8, 8},             // LONG, UNSIGNED_LONG, LONG_LONG, UNSIGNED_LONG_LONG
    {4, 4}, {8, 8}, {16, 16},                   // FLOAT, DOUBLE, LONG_DOUBLE
    {4, 4}, {1, 1},                             // 16 WCHAR, C_BOOL
    {1, 1}, {2, 2}, {4, 4}, {8, 8},             // INT8_T .. INT64_T
    {1, 1}, {2, 2}, {4, 4}, {8, 8},             // UINT8_T .. UINT64_T
    {8, 8}, {8, 8}, {8, 8}, {1, 1},             // 26 AINT, OFFSET, COUNT, PACKED
    {8, 8}, {16, 16}, {8, 8},                   // 30 C_FLOAT_COMPLEX, C_DOUBLE_COMPLEX, C_COMPLEX
    {8, 8}, {16, 12}, {16, 12}, {8, 8},         // 33 FLOAT_INT, DOUBLE_INT, LONG_INT, 2INT
    {8, 6}, {32, 20},                           // 37 SHORT_INT, LONG_DOUBLE_INT
    {0, 0}, {0, 0},                             // 39 LB, UB (markers: no data)
    {4, 4}, {4, 4}, {8, 8}, {4, 4}, {1, 1},     // 41 INTEGER, REAL, DOUBLE_PRECISION, LOGICAL, CHARACTER
    {8, 8}, {8, 8}, {16, 16},                   // 46 2INTEGER, 2REAL, 2DOUBLE_PRECISION
    {32, 32}, {1, 1}, {8, 8}, {16, 16}, {32, 32}, // 49 C_LONG_DOUBLE_COMPLEX, CXX_BOOL, CXX_*_COMPLEX
    {8, 8}, {16, 16},                           // 54 COMPLEX, DOUBLE_COMPLEX
    {1, 1}, {2, 2}, {4, 4}, {8, 8},             // 56 INTEGER1 .. INTEGER8
    {4, 4}, {8, 8}, {16, 16},                   // 60 REAL4, REAL8, REAL16
    {8, 8}, {16, 16}, {32, 32},                 // 63 COMPLEX8, COMPLEX16, COMPLEX32
    {16, 16}, {32, 32},                         // 66 2COMPLEX, 2DOUBLE_COMPLEX
};
static_assert(sizeof type_bytes / sizeof type_bytes[0] == 68, "one entry per predefined datatype in mpi.h");

} // namespace

namespace {

/// Packs a message of at most comm_register_bytes into the three payload registers' words
/// (abi/comm.hpp), without reading past it: whole words, then a 4-, 2- and 1-byte tail.
inline void pack_words(const void* buf, size_t bytes, uint64_t (&w)[3]) {
    const auto* p = static_cast<const unsigned char*>(buf);
    w[0] = w[1] = w[2] = 0;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) memcpy(&w[i / 8], p + i, 8);
    auto* tail = reinterpret_cast<unsigned char*>(w) + i; // little-endian: byte k of the message
    if (bytes & 4) memcpy(tail, p + i, 4), tail += 4, i += 4;
    if (bytes & 2) memcpy(tail, p + i, 2), tail += 2, i += 2;
    if (bytes & 1) *tail = p[i];
}

/// The first `bytes` of the payload words into `buf`, the same way round.
inline void unpack_words(void* buf, size_t bytes, const uint64_t (&w)[3]) {
    auto* p = static_cast<unsigned char*>(buf);
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) memcpy(p + i, &w[i / 8], 8);
    const auto* tail = reinterpret_cast<const unsigned char*>(w) + i;
    if (bytes & 4) memcpy(p + i, tail, 4), tail += 4, i += 4;
    if (bytes & 2) memcpy(p + i, tail, 2), tail += 2, i += 2;
    if (bytes & 1) p[i] = *tail;
}

/// The registers of a comm_send/comm_recv/comm_irecv (abi/syscall.hpp): a0 slot, a1 peer,
/// a2 tag, a3 buffer, a4 length or capacity, a5 context and flags.
[[gnu::always_inline]] inline Syscall_registers p2p_registers(const Comm& c, int peer, int tag, const void* buf,
                                                              size_t bytes, uint64_t a5) {
    Syscall_registers r;
    r.r[0] = c.slot;
    r.r[1] = uint64_t(int64_t(peer));
    r.r[2] = uint64_t(int64_t(tag));
    r.r[3] = reinterpret_cast<uint64_t>(buf);
    r.r[4] = bytes;
    r.r[5] = a5;
    return r;
}

/// comm_send of a message of at most comm_register_bytes in registers (abi/comm.hpp).
[[gnu::always_inline]] inline Status send_in_registers(const Comm& c, int dest, int tag, const void* buf,
                                                       size_t bytes, Comm_context context) {
    uint64_t payload[3];
    pack_words(buf, bytes, payload);
    Syscall_registers r = p2p_registers(c, dest, tag, nullptr, bytes, context | comm_in_registers);
    return syscall_with_payload(Syscall::comm_send, r, payload);
}

/// comm_recv with a capacity of at most comm_register_bytes: the message comes back in
/// registers and is stored into `buf` here; fills `status` (may be nullptr).
[[gnu::always_inline]] inline Status recv_in_registers(const Comm& c, int source, int tag, void* buf,
                                                       size_t capacity, Comm_context context, MPI_Status* status) {
    uint64_t payload[3] = {};
    Syscall_registers r = p2p_registers(c, source, tag, nullptr, capacity, context | comm_in_registers);
    const Status s = syscall_with_payload(Syscall::comm_recv, r, payload);
    if (__builtin_expect(s == Status::ok, 1)) {
        unpack_words(buf, r.r[2], payload);
        if (status) set_status(status, int(int64_t(r.r[0])), int(int64_t(r.r[1])), MPI_SUCCESS, (long long)r.r[2]);
        return s;
    }
    if (s == Status::truncated) unpack_words(buf, r.r[2], payload);
    set_received(status, s, r);
    return s;
}

} // namespace

int message_bytes(int count, MPI_Datatype datatype, size_t& bytes) {
    if (count < 0) return MPI_ERR_COUNT;
    size_t size = type_size(datatype);
    if (!size) return MPI_ERR_TYPE;
    bytes = size_t(count) * size;
    if (bytes > comm_max_bytes) return MPI_ERR_COUNT;
    return MPI_SUCCESS;
}

void set_status(MPI_Status* status, int source, int tag, int error, long long bytes) {
    if (!status) return;
    status->MPI_SOURCE = source;
    status->MPI_TAG = tag;
    status->MPI_ERROR = error;
    status->ipclab_cancelled = 0;
    status->ipclab_bytes = bytes;
}

void set_received(MPI_Status* status, Status s, const Syscall_registers& r) {
    if (!status) return;
    if (s == Status::ok)
        set_status(status, int(int64_t(r.r[0])), int(int64_t(r.r[1])), MPI_SUCCESS, (long long)r.r[2]);
    else if (s == Status::truncated)
        set_status(status, int(int64_t(r.r[0])), int(int64_t(r.r[1])), MPI_ERR_TRUNCATE, (long long)r.r[2]);
    else
        status->MPI_ERROR = error_class(s);
}

size_t type_size(MPI_Datatype datatype) {
    if (datatype <= 0 || size_t(datatype) >= sizeof type_bytes / sizeof type_bytes[0]) return 0;
    return type_bytes[datatype].extent;
}

Status send_bytes(const Comm& c, int dest, int tag, const void* buf, size_t bytes, Comm_context context) {
    if (bytes <= comm_register_bytes) return send_in_registers(c, dest, tag, buf, bytes, context);
    Syscall_registers r = p2p_registers(c, dest, tag, buf, bytes, context);
    return sys::comm_send(r);
}

Status recv_bytes(const Comm& c, int source, int tag, void* buf, size_t capacity, Comm_context context,
                  MPI_Status* status) {
    if (capacity <= comm_register_bytes) return recv_in_registers(c, source, tag, buf, capacity, context, status);
    Syscall_registers r = p2p_registers(c, source, tag, buf, capacity, context);
    Status s = sys::comm_recv(r);
    set_received(status, s, r);
    return s;
}

Status sendrecv_bytes(const Comm& c, int dest, int sendtag, const void* sendbuf, size_t sendbytes, int source,
                      int recvtag, void* recvbuf, size_t recvcapacity, Comm_context context, MPI_Status* status) {
    if (source == MPI_PROC_NULL) {
        set_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
        return dest == MPI_PROC_NULL ? Status::ok : send_bytes(c, dest, sendtag, sendbuf, sendbytes, context);
    }
    if (dest == MPI_PROC_NULL) return recv_bytes(c, source, recvtag, recvbuf, recvcapacity, context, status);
    // Post the receive first, so that two ranks exchanging with each other both find their
    // partner's receive waiting when they send.
    Syscall_registers r = p2p_registers(c, source, recvtag, recvbuf, recvcapacity, context);
    Status s = sys::comm_irecv(r);
    if (s != Status::ok) return s;
    const uint64_t request = r.r[0];
    Status sent = send_bytes(c, dest, sendtag, sendbuf, sendbytes, context);
    Syscall_registers w;
    w.r[0] = request;
    if (sent != Status::ok) { // withdraw the receive: nothing may land in recvbuf later
        if (sys::comm_cancel(w) == Status::ok && w.r[0] == 1) return sent;
        w.r[0] = request; // it had completed: collect it
    }
    Status received = sys::comm_wait(w);
    set_received(status, received, w);
    return sent != Status::ok ? sent : received;
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

extern "C" int MPI_Send(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Send");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Send");
    if (dest == MPI_PROC_NULL) return MPI_SUCCESS;
    ipclab::Status s = bytes <= ipclab::comm_register_bytes
                           ? send_in_registers(*c, dest, tag, buf, bytes, ipclab::context_point_to_point)
                           : send_bytes(*c, dest, tag, buf, bytes, ipclab::context_point_to_point);
    return __builtin_expect(s == ipclab::Status::ok, 1) ? MPI_SUCCESS : raise(comm, error_class(s), "MPI_Send");
}

extern "C" int MPI_Ssend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    return MPI_Send(buf, count, datatype, dest, tag, comm); // MPI_Send is already synchronous
}

extern "C" int MPI_Rsend(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    return MPI_Send(buf, count, datatype, dest, tag, comm); // ready mode: a correct program has the receive posted
}

extern "C" int MPI_Recv(void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Status* status) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Recv");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Recv");
    if (source == MPI_PROC_NULL) { // MPI-3.1 section 3.11: an empty message from MPI_PROC_NULL
        set_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
        return MPI_SUCCESS;
    }
    ipclab::Status s =
        bytes <= ipclab::comm_register_bytes
            ? recv_in_registers(*c, source, tag, buf, bytes, ipclab::context_point_to_point, status)
            : recv_bytes(*c, source, tag, buf, bytes, ipclab::context_point_to_point, status);
    return __builtin_expect(s == ipclab::Status::ok, 1) ? MPI_SUCCESS : raise(comm, error_class(s), "MPI_Recv");
}

namespace {

/// Items of `datatype` in the message `status` describes: MPI_UNDEFINED when the length is
/// not a whole number of items (MPI-3.1 section 3.2.5). An error class or MPI_SUCCESS.
int items(const MPI_Status* status, MPI_Datatype datatype, long long& count, const char* function) {
    const size_t size = type_size(datatype);
    if (!size) return raise(MPI_COMM_WORLD, MPI_ERR_TYPE, function);
    if (!status) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, function);
    count = status->ipclab_bytes % (long long)size ? MPI_UNDEFINED : status->ipclab_bytes / (long long)size;
    return MPI_SUCCESS;
}

} // namespace

extern "C" int MPI_Get_count(const MPI_Status* status, MPI_Datatype datatype, int* count) {
    long long n = 0;
    if (int e = items(status, datatype, n, "MPI_Get_count")) return e;
    *count = int(n);
    return MPI_SUCCESS;
}

extern "C" int MPI_Type_size(MPI_Datatype datatype, int* size) {
    size_t s = type_size(datatype);
    if (!s) return raise(MPI_COMM_WORLD, MPI_ERR_TYPE, "MPI_Type_size");
    *size = int(type_bytes[datatype].size);
    return MPI_SUCCESS;
}

extern "C" int MPI_Get_elements(const MPI_Status* status, MPI_Datatype datatype, int* count) {
    return MPI_Get_count(status, datatype, count); // predefined datatypes only: elements = items
}

extern "C" int MPI_Get_elements_x(const MPI_Status* status, MPI_Datatype datatype, MPI_Count* count) {
    long long n = 0;
    if (int e = items(status, datatype, n, "MPI_Get_elements_x")) return e;
    *count = MPI_Count(n);
    return MPI_SUCCESS;
}

extern "C" int MPI_Type_size_x(MPI_Datatype datatype, MPI_Count* size) {
    size_t s = type_size(datatype);
    if (!s) return raise(MPI_COMM_WORLD, MPI_ERR_TYPE, "MPI_Type_size_x");
    *size = MPI_Count(type_bytes[datatype].size);
    return MPI_SUCCESS;
}

/// MPI-3.1 section 3.10: send and receive at once; the receive is posted before the send.
extern "C" int MPI_Sendrecv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag,
                            void* recvbuf, int recvcount, MPI_Datatype recvtype, int source, int recvtag,
                            MPI_Comm comm, MPI_Status* status) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Sendrecv");
    size_t sendbytes, recvbytes;
    if (int e = message_bytes(sendcount, sendtype, sendbytes)) return raise(comm, e, "MPI_Sendrecv");
    if (int e = message_bytes(recvcount, recvtype, recvbytes)) return raise(comm, e, "MPI_Sendrecv");
    ipclab::Status s = sendrecv_bytes(*c, dest, sendtag, sendbuf, sendbytes, source, recvtag, recvbuf, recvbytes,
                                      ipclab::context_point_to_point, status);
    return raise(comm, error_class(s), "MPI_Sendrecv");
}

extern "C" int MPI_Sendrecv_replace(void* buf, int count, MPI_Datatype datatype, int dest, int sendtag, int source,
                                    int recvtag, MPI_Comm comm, MPI_Status* status) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Sendrecv_replace");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Sendrecv_replace");
    void* copy = malloc(bytes ? bytes : 1); // the outgoing message, while the incoming one lands in buf
    if (!copy) return raise(comm, MPI_ERR_NO_MEM, "MPI_Sendrecv_replace");
    memcpy(copy, buf, bytes);
    ipclab::Status s = sendrecv_bytes(*c, dest, sendtag, copy, bytes, source, recvtag, buf, bytes,
                                      ipclab::context_point_to_point, status);
    free(copy);
    return raise(comm, error_class(s), "MPI_Sendrecv_replace");
}

namespace {

/// MPI_Probe and MPI_Iprobe (MPI-3.1 section 3.8.1): the kernel looks at the unexpected
/// messages without receiving one.
int probe(int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status, bool block, const char* function) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, function);
    if (source == MPI_PROC_NULL) {
        if (flag) *flag = 1;
        set_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
        return MPI_SUCCESS;
    }
    ipclab::Syscall_registers r;
    r.r[0] = c->slot;
    r.r[1] = uint64_t(int64_t(source));
    r.r[2] = uint64_t(int64_t(tag));
    r.r[5] = ipclab::context_point_to_point;
    r.timeout = block ? ipclab::timeout_infinite : ipclab::timeout_zero;
    ipclab::Status s = ipclab::sys::comm_probe(r);
    if (flag) *flag = s == ipclab::Status::ok;
    if (s == ipclab::Status::would_block) return MPI_SUCCESS;
    if (s == ipclab::Status::ok) set_received(status, s, r);
    return raise(comm, error_class(s), function);
}

} // namespace

extern "C" int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status* status) {
    return probe(source, tag, comm, nullptr, status, true, "MPI_Probe");
}

extern "C" int MPI_Iprobe(int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status) {
    if (!flag) return raise(comm, MPI_ERR_ARG, "MPI_Iprobe");
    return probe(source, tag, comm, flag, status, false, "MPI_Iprobe");
}
