// Communicator attributes (MPI-3.1 sections 6.7 and 8.1.2): the predefined attributes of the
// environment, plus MPI_Alloc_mem/MPI_Free_mem (8.2) and MPI_Pcontrol (14.2.4).
#include <stdlib.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// The values of the predefined attributes. As the standard says (section 8.1.2), the
/// attribute value is a pointer to an int holding them.
int tag_ub = int(comm_tag_ub);
int host = MPI_PROC_NULL;        // no process is "the host"
int io = MPI_ANY_SOURCE;         // every rank can do I/O through the C library
int wtime_is_global = 1;         // every rank reads the one virtual clock (MPI_Wtime)
int universe_size = 0;           // MPI_COMM_WORLD's size: nothing can be spawned beyond it
int last_used_code = MPI_ERR_LASTCODE;

/// MPI_Comm_get_attr for the predefined keyvals: *(int**)attribute_val and *flag.
int get_attr(MPI_Comm comm, int keyval, void* attribute_val, int* flag, const char* name) {
    const Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, name);
    if (!attribute_val || !flag) return raise(comm, MPI_ERR_ARG, name);
    int* value = nullptr;
    switch (keyval) {
    case MPI_TAG_UB: value = &tag_ub; break;
    case MPI_HOST: value = &host; break;
    case MPI_IO: value = &io; break;
    case MPI_WTIME_IS_GLOBAL: value = &wtime_is_global; break;
    case MPI_UNIVERSE_SIZE:
        universe_size = lookup(MPI_COMM_WORLD)->size;
        value = &universe_size;
        break;
    case MPI_LASTUSEDCODE: value = &last_used_code; break;
    case MPI_APPNUM: break; // one program per run (no MPMD launch): no value
    default: return raise(comm, MPI_ERR_KEYVAL, name);
    }
    *flag = value != nullptr;
    if (value) *static_cast<int**>(attribute_val) = value;
    return MPI_SUCCESS;
}

} // namespace

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// MPI-3.1 sections 6.7.2 and 8.1.2. Predefined keyvals: MPI_TAG_UB, MPI_HOST, MPI_IO,
/// MPI_WTIME_IS_GLOBAL, MPI_UNIVERSE_SIZE, MPI_LASTUSEDCODE (value: a pointer to an int)
/// and MPI_APPNUM (*flag false). They are there on every communicator. User keyvals are
/// not offered. Errors: MPI_ERR_COMM, MPI_ERR_ARG (null pointer), MPI_ERR_KEYVAL.
extern "C" int MPI_Comm_get_attr(MPI_Comm comm, int comm_keyval, void* attribute_val, int* flag) {
    return get_attr(comm, comm_keyval, attribute_val, flag, "MPI_Comm_get_attr");
}

/// MPI-1's name of MPI_Comm_get_attr (deprecated since MPI-2.0).
extern "C" int MPI_Attr_get(MPI_Comm comm, int keyval, void* attribute_val, int* flag) {
    return get_attr(comm, keyval, attribute_val, flag, "MPI_Attr_get");
}

/// MPI-3.1 section 8.2: `size` bytes from the C library's heap into *(void**)baseptr; `info`
/// is ignored. Errors: MPI_ERR_ARG (negative size, null baseptr), MPI_ERR_NO_MEM.
extern "C" int MPI_Alloc_mem(MPI_Aint size, MPI_Info info, void* baseptr) {
    (void)info;
    if (size < 0 || !baseptr) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Alloc_mem");
    void* p = malloc(size ? size_t(size) : 1);
    if (!p) return raise(MPI_COMM_WORLD, MPI_ERR_NO_MEM, "MPI_Alloc_mem");
    *static_cast<void**>(baseptr) = p;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 8.2: frees memory from MPI_Alloc_mem.
extern "C" int MPI_Free_mem(void* base) {
    free(base);
    return MPI_SUCCESS;
}

/// MPI-3.1 section 14.2.4: profiling control; ipclab has no profiling layer to steer.
extern "C" int MPI_Pcontrol(const int level, ...) {
    (void)level;
    return MPI_SUCCESS;
}
