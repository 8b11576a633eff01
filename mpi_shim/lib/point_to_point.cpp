// Blocking point-to-point communication (MPI-3.1 sections 3.2-3.5) on the kernel
// communicator: MPI_Send is a rendezvous with one copy into the receiver's buffer.
#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

constexpr size_t type_sizes[] = {
    0,                          // MPI_DATATYPE_NULL
    sizeof(char),               // MPI_CHAR
    sizeof(signed char),        // MPI_SIGNED_CHAR
    sizeof(unsigned char),      // MPI_UNSIGNED_CHAR
    1,                          // MPI_BYTE
    sizeof(short),              // MPI_SHORT
    sizeof(unsigned short),     // MPI_UNSIGNED_SHORT
    sizeof(int),                // MPI_INT
    sizeof(unsigned),           // MPI_UNSIGNED
    sizeof(long),               // MPI_LONG
    sizeof(unsigned long),      // MPI_UNSIGNED_LONG
    sizeof(long long),          // MPI_LONG_LONG
    sizeof(unsigned long long), // MPI_UNSIGNED_LONG_LONG
    sizeof(float),              // MPI_FLOAT
    sizeof(double),             // MPI_DOUBLE
    sizeof(long double),        // MPI_LONG_DOUBLE
};

/// Checks count and datatype and computes the byte length; an MPI error class or SUCCESS.
int message_bytes(int count, MPI_Datatype datatype, size_t& bytes) {
    if (count < 0) return MPI_ERR_COUNT;
    size_t size = type_size(datatype);
    if (!size) return MPI_ERR_TYPE;
    bytes = size_t(count) * size;
    if (bytes > comm_max_bytes) return MPI_ERR_COUNT;
    return MPI_SUCCESS;
}

} // namespace

size_t type_size(MPI_Datatype datatype) {
    if (datatype <= 0 || size_t(datatype) >= sizeof type_sizes / sizeof type_sizes[0]) return 0;
    return type_sizes[datatype];
}

Status send_bytes(const Comm& c, int dest, int tag, const void* buf, size_t bytes, Comm_context context) {
    Syscall_registers r;
    r.r[0] = c.slot;
    r.r[1] = uint64_t(int64_t(dest));
    r.r[2] = uint64_t(int64_t(tag));
    r.r[3] = reinterpret_cast<uint64_t>(buf);
    r.r[4] = bytes;
    r.r[5] = context;
    return sys::comm_send(r);
}

Status recv_bytes(const Comm& c, int source, int tag, void* buf, size_t capacity, Comm_context context,
                  MPI_Status* status) {
    Syscall_registers r;
    r.r[0] = c.slot;
    r.r[1] = uint64_t(int64_t(source));
    r.r[2] = uint64_t(int64_t(tag));
    r.r[3] = reinterpret_cast<uint64_t>(buf);
    r.r[4] = capacity;
    r.r[5] = context;
    Status s = sys::comm_recv(r);
    if (status) {
        status->MPI_ERROR = error_class(s);
        if (s == Status::ok || s == Status::truncated) {
            status->MPI_SOURCE = int(int64_t(r.r[0]));
            status->MPI_TAG = int(int64_t(r.r[1]));
            status->ipclab_bytes = (long long)r.r[2];
        }
    }
    return s;
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

extern "C" int MPI_Send(const void* buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Send");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Send");
    if (dest == MPI_PROC_NULL) return MPI_SUCCESS;
    return raise(comm, error_class(send_bytes(*c, dest, tag, buf, bytes, ipclab::context_point_to_point)), "MPI_Send");
}

extern "C" int MPI_Recv(void* buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
                        MPI_Status* status) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Recv");
    size_t bytes;
    if (int e = message_bytes(count, datatype, bytes)) return raise(comm, e, "MPI_Recv");
    if (source == MPI_PROC_NULL) { // MPI-3.1 section 3.11: an empty message from MPI_PROC_NULL
        if (status) *status = MPI_Status{MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0};
        return MPI_SUCCESS;
    }
    ipclab::Status s = recv_bytes(*c, source, tag, buf, bytes, ipclab::context_point_to_point, status);
    return raise(comm, error_class(s), "MPI_Recv");
}

extern "C" int MPI_Get_count(const MPI_Status* status, MPI_Datatype datatype, int* count) {
    size_t size = type_size(datatype);
    if (!size) return raise(MPI_COMM_WORLD, MPI_ERR_TYPE, "MPI_Get_count");
    // MPI-3.1 section 3.2.5: MPI_UNDEFINED when the length is not a whole number of items.
    *count = status->ipclab_bytes % (long long)size ? MPI_UNDEFINED : int(status->ipclab_bytes / (long long)size);
    return MPI_SUCCESS;
}

extern "C" int MPI_Type_size(MPI_Datatype datatype, int* size) {
    size_t s = type_size(datatype);
    if (!s) return raise(MPI_COMM_WORLD, MPI_ERR_TYPE, "MPI_Type_size");
    *size = int(s);
    return MPI_SUCCESS;
}
