// The MPI-3.1 functions ipclab does not support, and the few that are trivial with integer
// handles: the handle and status conversions, address arithmetic and the predefined attribute
// callbacks. Every other function of mpi.h is defined in the other files of mpi_shim/lib:
//   MPI_Init, MPI_Init_thread, MPI_Initialized, MPI_Finalize, MPI_Finalized, MPI_Abort, MPI_Wtime,
//   MPI_Wtick, MPI_Get_version, MPI_Get_library_version, MPI_Get_processor_name, MPI_Query_thread,
//   MPI_Is_thread_main, MPI_Send, MPI_Ssend, MPI_Rsend, MPI_Bsend, MPI_Recv, MPI_Sendrecv,
//   MPI_Sendrecv_replace, MPI_Probe, MPI_Iprobe, MPI_Get_count, MPI_Get_elements,
//   MPI_Get_elements_x, MPI_Isend, MPI_Issend, MPI_Irsend, MPI_Ibsend, MPI_Irecv, MPI_Wait,
//   MPI_Waitall, MPI_Waitany, MPI_Waitsome, MPI_Test, MPI_Testall, MPI_Testany, MPI_Testsome,
//   MPI_Request_free, MPI_Request_get_status, MPI_Cancel, MPI_Test_cancelled, MPI_Type_size,
//   MPI_Type_size_x, MPI_Buffer_attach, MPI_Buffer_detach, MPIX_Comm_set_send_timeout,
//   MPIX_Comm_get_send_timeout, MPIX_Comm_abort_sends, MPIX_Buffer_usage, MPI_Barrier, MPI_Bcast,
//   MPI_Reduce, MPI_Allreduce, MPI_Gather, MPI_Gatherv, MPI_Scatter, MPI_Scatterv, MPI_Allgather,
//   MPI_Allgatherv, MPI_Alltoall, MPI_Alltoallv, MPI_Reduce_scatter, MPI_Reduce_scatter_block,
//   MPI_Scan, MPI_Exscan, MPI_Reduce_local, MPI_Op_create, MPI_Op_free, MPI_Op_commutative,
//   MPI_Comm_size, MPI_Comm_rank, MPI_Comm_compare, MPI_Comm_dup, MPI_Comm_split, MPI_Comm_free,
//   MPI_Comm_group, MPI_Comm_create, MPI_Comm_create_group, MPI_Comm_test_inter, MPI_Comm_set_name,
//   MPI_Comm_get_name, MPI_Group_incl, MPI_Group_excl, MPI_Group_size, MPI_Group_rank,
//   MPI_Group_translate_ranks, MPI_Group_free, MPI_Group_compare, MPI_Group_union,
//   MPI_Group_intersection, MPI_Group_difference, MPI_Comm_get_attr, MPI_Attr_get,
//   MPI_Comm_set_errhandler, MPI_Comm_get_errhandler, MPI_Errhandler_set, MPI_Errhandler_get,
//   MPI_Errhandler_free, MPI_Comm_call_errhandler, MPI_Error_class, MPI_Error_string,
//   MPI_Alloc_mem, MPI_Free_mem, MPI_Pcontrol.
// mpi_link_all (experiments/tests) links a program naming every function of mpi.h, so a
// function missing here and elsewhere, or defined in both places, fails the build.
#include <stdio.h>
#include <string.h>

#include "mpi.h"

namespace {

/// What every unsupported function returns; reports the function on stderr the first time it
/// is called (`reported` is that function's own flag), so a program sees why it fails
/// without a flood of lines from a loop.
int unsupported(const char* function, bool& reported) {
    if (!reported) {
        reported = true;
        fprintf(stderr,
                "ipclab MPI: %s is not supported; returning MPI_ERR_UNSUPPORTED_OPERATION\n",
                function);
    }
    return MPI_ERR_UNSUPPORTED_OPERATION;
}

} // namespace

// ---- Trivial functions -------------------------------------------------------------------

// Handle conversions (MPI-3.1 section 17.2.4): a handle is the same integer in C and Fortran.
#define IPCLAB_HANDLE_CONVERSIONS(Kind, Handle)                                                  \
    extern "C" MPI_Fint MPI_##Kind##_c2f(Handle handle) { return handle; }                     \
    extern "C" Handle MPI_##Kind##_f2c(MPI_Fint handle) { return handle; }

IPCLAB_HANDLE_CONVERSIONS(Comm, MPI_Comm)
IPCLAB_HANDLE_CONVERSIONS(Errhandler, MPI_Errhandler)
IPCLAB_HANDLE_CONVERSIONS(File, MPI_File)
IPCLAB_HANDLE_CONVERSIONS(Group, MPI_Group)
IPCLAB_HANDLE_CONVERSIONS(Info, MPI_Info)
IPCLAB_HANDLE_CONVERSIONS(Message, MPI_Message)
IPCLAB_HANDLE_CONVERSIONS(Op, MPI_Op)
IPCLAB_HANDLE_CONVERSIONS(Request, MPI_Request)
IPCLAB_HANDLE_CONVERSIONS(Type, MPI_Datatype)
IPCLAB_HANDLE_CONVERSIONS(Win, MPI_Win)

// Status conversions (section 17.2.5): the Fortran status is the C status's bytes, in
// sizeof(MPI_Status) / sizeof(MPI_Fint) integers. The IGNORE values are not statuses.
extern "C" int MPI_Status_c2f(const MPI_Status* c_status, MPI_Fint* f_status) {
    if (!c_status || !f_status) return MPI_ERR_ARG;
    memcpy(f_status, c_status, sizeof *c_status);
    return MPI_SUCCESS;
}

extern "C" int MPI_Status_f2c(const MPI_Fint* f_status, MPI_Status* c_status) {
    if (!f_status || !c_status) return MPI_ERR_ARG;
    memcpy(c_status, f_status, sizeof *c_status);
    return MPI_SUCCESS;
}

// Addresses (section 4.1.5): the address space is flat, so an address is the pointer's value
// and address arithmetic is integer arithmetic (done unsigned: wrapping, never undefined).
extern "C" int MPI_Get_address(const void* location, MPI_Aint* address) {
    *address = reinterpret_cast<MPI_Aint>(location);
    return MPI_SUCCESS;
}

extern "C" int MPI_Address(void* location, MPI_Aint* address) {
    return MPI_Get_address(location, address);
}

extern "C" MPI_Aint MPI_Aint_add(MPI_Aint base, MPI_Aint disp) {
    return MPI_Aint(static_cast<unsigned long>(base) + static_cast<unsigned long>(disp));
}

extern "C" MPI_Aint MPI_Aint_diff(MPI_Aint addr1, MPI_Aint addr2) {
    return MPI_Aint(static_cast<unsigned long>(addr1) - static_cast<unsigned long>(addr2));
}

// Predefined attribute callbacks (sections 6.7.2-6.7.4, 15.1): NULL_COPY keeps the attribute
// off the new object, DUP copies its value, NULL_DELETE does nothing.
#define IPCLAB_NULL_COPY_FN(name, Object)                                                        \
    extern "C" int name(Object, int, void*, void*, void*, int* flag) {                          \
        *flag = 0;                                                                               \
        return MPI_SUCCESS;                                                                      \
    }
#define IPCLAB_DUP_FN(name, Object)                                                              \
    extern "C" int name(Object, int, void*, void* attribute_val_in, void* attribute_val_out,     \
                        int* flag) {                                                             \
        *static_cast<void**>(attribute_val_out) = attribute_val_in;                              \
        *flag = 1;                                                                               \
        return MPI_SUCCESS;                                                                      \
    }
#define IPCLAB_NULL_DELETE_FN(name, Object)                                                      \
    extern "C" int name(Object, int, void*, void*) { return MPI_SUCCESS; }

IPCLAB_NULL_COPY_FN(MPI_COMM_NULL_COPY_FN, MPI_Comm)
IPCLAB_DUP_FN(MPI_COMM_DUP_FN, MPI_Comm)
IPCLAB_NULL_DELETE_FN(MPI_COMM_NULL_DELETE_FN, MPI_Comm)
IPCLAB_NULL_COPY_FN(MPI_WIN_NULL_COPY_FN, MPI_Win)
IPCLAB_DUP_FN(MPI_WIN_DUP_FN, MPI_Win)
IPCLAB_NULL_DELETE_FN(MPI_WIN_NULL_DELETE_FN, MPI_Win)
IPCLAB_NULL_COPY_FN(MPI_TYPE_NULL_COPY_FN, MPI_Datatype)
IPCLAB_DUP_FN(MPI_TYPE_DUP_FN, MPI_Datatype)
IPCLAB_NULL_DELETE_FN(MPI_TYPE_NULL_DELETE_FN, MPI_Datatype)
IPCLAB_NULL_COPY_FN(MPI_NULL_COPY_FN, MPI_Comm)
IPCLAB_DUP_FN(MPI_DUP_FN, MPI_Comm)
IPCLAB_NULL_DELETE_FN(MPI_NULL_DELETE_FN, MPI_Comm)

// ---- Unsupported functions, in mpi.h's order -----------------------------------------------

// Defines `int name(parameter types...)`: reports itself once and returns
// MPI_ERR_UNSUPPORTED_OPERATION. The parameters are unnamed (unused). The types must be
// mpi.h's: two extern "C" functions of one name cannot overload, so a mismatch does not compile.
#define UNSUPPORTED(name, ...)                                                                   \
    extern "C" int name(__VA_ARGS__) {                                                           \
        static bool reported = false;                                                            \
        return unsupported(#name, reported);                                                     \
    }
// 3 Point-to-point communication
UNSUPPORTED(MPI_Improbe, int, int, MPI_Comm, int*, MPI_Message*, MPI_Status*)
UNSUPPORTED(MPI_Mprobe, int, int, MPI_Comm, MPI_Message*, MPI_Status*)
UNSUPPORTED(MPI_Mrecv, void*, int, MPI_Datatype, MPI_Message*, MPI_Status*)
UNSUPPORTED(MPI_Imrecv, void*, int, MPI_Datatype, MPI_Message*, MPI_Request*)
UNSUPPORTED(MPI_Send_init, const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Bsend_init, const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ssend_init, const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Rsend_init, const void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Recv_init, void*, int, MPI_Datatype, int, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Start, MPI_Request*)
UNSUPPORTED(MPI_Startall, int, MPI_Request*)

// 4 Datatypes
UNSUPPORTED(MPI_Type_contiguous, int, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_vector, int, int, int, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_hvector, int, int, MPI_Aint, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_indexed, int, const int*, const int*, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_hindexed, int, const int*, const MPI_Aint*, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_indexed_block, int, int, const int*, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_hindexed_block, int, int, const MPI_Aint*, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_struct, int, const int*, const MPI_Aint*, const MPI_Datatype*,
            MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_subarray, int, const int*, const int*, const int*, int, MPI_Datatype,
            MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_darray, int, int, int, const int*, const int*, const int*, const int*,
            int, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_get_extent, MPI_Datatype, MPI_Aint*, MPI_Aint*)
UNSUPPORTED(MPI_Type_get_extent_x, MPI_Datatype, MPI_Count*, MPI_Count*)
UNSUPPORTED(MPI_Type_create_resized, MPI_Datatype, MPI_Aint, MPI_Aint, MPI_Datatype*)
UNSUPPORTED(MPI_Type_get_true_extent, MPI_Datatype, MPI_Aint*, MPI_Aint*)
UNSUPPORTED(MPI_Type_get_true_extent_x, MPI_Datatype, MPI_Count*, MPI_Count*)
UNSUPPORTED(MPI_Type_commit, MPI_Datatype*)
UNSUPPORTED(MPI_Type_free, MPI_Datatype*)
UNSUPPORTED(MPI_Type_dup, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_get_envelope, MPI_Datatype, int*, int*, int*, int*)
UNSUPPORTED(MPI_Type_get_contents, MPI_Datatype, int, int, int, int*, MPI_Aint*, MPI_Datatype*)
UNSUPPORTED(MPI_Pack, const void*, int, MPI_Datatype, void*, int, int*, MPI_Comm)
UNSUPPORTED(MPI_Unpack, const void*, int, int*, void*, int, MPI_Datatype, MPI_Comm)
UNSUPPORTED(MPI_Pack_size, int, MPI_Datatype, MPI_Comm, int*)
UNSUPPORTED(MPI_Pack_external, const char*, const void*, int, MPI_Datatype, void*, MPI_Aint,
            MPI_Aint*)
UNSUPPORTED(MPI_Unpack_external, const char*, const void*, MPI_Aint, MPI_Aint*, void*, int,
            MPI_Datatype)
UNSUPPORTED(MPI_Pack_external_size, const char*, int, MPI_Datatype, MPI_Aint*)

// 5 Collective communication
UNSUPPORTED(MPI_Alltoallw, const void*, const int*, const int*, const MPI_Datatype*, void*,
            const int*, const int*, const MPI_Datatype*, MPI_Comm)
UNSUPPORTED(MPI_Ibarrier, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ibcast, void*, int, MPI_Datatype, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Igather, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, int, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Igatherv, const void*, int, MPI_Datatype, void*, const int*, const int*,
            MPI_Datatype, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Iscatter, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, int, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Iscatterv, const void*, const int*, const int*, MPI_Datatype, void*, int,
            MPI_Datatype, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Iallgather, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Iallgatherv, const void*, int, MPI_Datatype, void*, const int*, const int*,
            MPI_Datatype, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ialltoall, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Ialltoallv, const void*, const int*, const int*, MPI_Datatype, void*, const int*,
            const int*, MPI_Datatype, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ialltoallw, const void*, const int*, const int*, const MPI_Datatype*, void*,
            const int*, const int*, const MPI_Datatype*, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ireduce, const void*, void*, int, MPI_Datatype, MPI_Op, int, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Iallreduce, const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ireduce_scatter_block, const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Ireduce_scatter, const void*, void*, const int*, MPI_Datatype, MPI_Op, MPI_Comm,
            MPI_Request*)
UNSUPPORTED(MPI_Iscan, const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Iexscan, const void*, void*, int, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request*)

// 6 Groups, contexts, communicators and caching
UNSUPPORTED(MPI_Group_range_incl, MPI_Group, int, int (*)[3], MPI_Group*)
UNSUPPORTED(MPI_Group_range_excl, MPI_Group, int, int (*)[3], MPI_Group*)
UNSUPPORTED(MPI_Comm_dup_with_info, MPI_Comm, MPI_Info, MPI_Comm*)
UNSUPPORTED(MPI_Comm_idup, MPI_Comm, MPI_Comm*, MPI_Request*)
UNSUPPORTED(MPI_Comm_split_type, MPI_Comm, int, int, MPI_Info, MPI_Comm*)
UNSUPPORTED(MPI_Comm_set_info, MPI_Comm, MPI_Info)
UNSUPPORTED(MPI_Comm_get_info, MPI_Comm, MPI_Info*)
UNSUPPORTED(MPI_Comm_remote_size, MPI_Comm, int*)
UNSUPPORTED(MPI_Comm_remote_group, MPI_Comm, MPI_Group*)
UNSUPPORTED(MPI_Intercomm_create, MPI_Comm, int, MPI_Comm, int, int, MPI_Comm*)
UNSUPPORTED(MPI_Intercomm_merge, MPI_Comm, int, MPI_Comm*)
UNSUPPORTED(MPI_Comm_create_keyval, MPI_Comm_copy_attr_function*, MPI_Comm_delete_attr_function*,
            int*, void*)
UNSUPPORTED(MPI_Comm_free_keyval, int*)
UNSUPPORTED(MPI_Comm_set_attr, MPI_Comm, int, void*)
UNSUPPORTED(MPI_Comm_delete_attr, MPI_Comm, int)
UNSUPPORTED(MPI_Win_create_keyval, MPI_Win_copy_attr_function*, MPI_Win_delete_attr_function*, int*,
            void*)
UNSUPPORTED(MPI_Win_free_keyval, int*)
UNSUPPORTED(MPI_Win_set_attr, MPI_Win, int, void*)
UNSUPPORTED(MPI_Win_get_attr, MPI_Win, int, void*, int*)
UNSUPPORTED(MPI_Win_delete_attr, MPI_Win, int)
UNSUPPORTED(MPI_Type_create_keyval, MPI_Type_copy_attr_function*, MPI_Type_delete_attr_function*,
            int*, void*)
UNSUPPORTED(MPI_Type_free_keyval, int*)
UNSUPPORTED(MPI_Type_set_attr, MPI_Datatype, int, void*)
UNSUPPORTED(MPI_Type_get_attr, MPI_Datatype, int, void*, int*)
UNSUPPORTED(MPI_Type_delete_attr, MPI_Datatype, int)
UNSUPPORTED(MPI_Type_set_name, MPI_Datatype, const char*)
UNSUPPORTED(MPI_Type_get_name, MPI_Datatype, char*, int*)
UNSUPPORTED(MPI_Win_set_name, MPI_Win, const char*)
UNSUPPORTED(MPI_Win_get_name, MPI_Win, char*, int*)

// 7 Process topologies
UNSUPPORTED(MPI_Cart_create, MPI_Comm, int, const int*, const int*, int, MPI_Comm*)
UNSUPPORTED(MPI_Dims_create, int, int, int*)
UNSUPPORTED(MPI_Graph_create, MPI_Comm, int, const int*, const int*, int, MPI_Comm*)
UNSUPPORTED(MPI_Dist_graph_create_adjacent, MPI_Comm, int, const int*, const int*, int, const int*,
            const int*, MPI_Info, int, MPI_Comm*)
UNSUPPORTED(MPI_Dist_graph_create, MPI_Comm, int, const int*, const int*, const int*, const int*,
            MPI_Info, int, MPI_Comm*)
UNSUPPORTED(MPI_Topo_test, MPI_Comm, int*)
UNSUPPORTED(MPI_Graphdims_get, MPI_Comm, int*, int*)
UNSUPPORTED(MPI_Graph_get, MPI_Comm, int, int, int*, int*)
UNSUPPORTED(MPI_Cartdim_get, MPI_Comm, int*)
UNSUPPORTED(MPI_Cart_get, MPI_Comm, int, int*, int*, int*)
UNSUPPORTED(MPI_Cart_rank, MPI_Comm, const int*, int*)
UNSUPPORTED(MPI_Cart_coords, MPI_Comm, int, int, int*)
UNSUPPORTED(MPI_Graph_neighbors_count, MPI_Comm, int, int*)
UNSUPPORTED(MPI_Graph_neighbors, MPI_Comm, int, int, int*)
UNSUPPORTED(MPI_Dist_graph_neighbors_count, MPI_Comm, int*, int*, int*)
UNSUPPORTED(MPI_Dist_graph_neighbors, MPI_Comm, int, int*, int*, int, int*, int*)
UNSUPPORTED(MPI_Cart_shift, MPI_Comm, int, int, int*, int*)
UNSUPPORTED(MPI_Cart_sub, MPI_Comm, const int*, MPI_Comm*)
UNSUPPORTED(MPI_Cart_map, MPI_Comm, int, const int*, const int*, int*)
UNSUPPORTED(MPI_Graph_map, MPI_Comm, int, const int*, const int*, int*)
UNSUPPORTED(MPI_Neighbor_allgather, const void*, int, MPI_Datatype, void*, int, MPI_Datatype,
            MPI_Comm)
UNSUPPORTED(MPI_Neighbor_allgatherv, const void*, int, MPI_Datatype, void*, const int*, const int*,
            MPI_Datatype, MPI_Comm)
UNSUPPORTED(MPI_Neighbor_alltoall, const void*, int, MPI_Datatype, void*, int, MPI_Datatype,
            MPI_Comm)
UNSUPPORTED(MPI_Neighbor_alltoallv, const void*, const int*, const int*, MPI_Datatype, void*,
            const int*, const int*, MPI_Datatype, MPI_Comm)
UNSUPPORTED(MPI_Neighbor_alltoallw, const void*, const int*, const MPI_Aint*, const MPI_Datatype*,
            void*, const int*, const MPI_Aint*, const MPI_Datatype*, MPI_Comm)
UNSUPPORTED(MPI_Ineighbor_allgather, const void*, int, MPI_Datatype, void*, int, MPI_Datatype,
            MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ineighbor_allgatherv, const void*, int, MPI_Datatype, void*, const int*, const int*,
            MPI_Datatype, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ineighbor_alltoall, const void*, int, MPI_Datatype, void*, int, MPI_Datatype,
            MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ineighbor_alltoallv, const void*, const int*, const int*, MPI_Datatype, void*,
            const int*, const int*, MPI_Datatype, MPI_Comm, MPI_Request*)
UNSUPPORTED(MPI_Ineighbor_alltoallw, const void*, const int*, const MPI_Aint*, const MPI_Datatype*,
            void*, const int*, const MPI_Aint*, const MPI_Datatype*, MPI_Comm, MPI_Request*)

// 8 MPI environmental management
UNSUPPORTED(MPI_Comm_create_errhandler, MPI_Comm_errhandler_function*, MPI_Errhandler*)
UNSUPPORTED(MPI_Win_create_errhandler, MPI_Win_errhandler_function*, MPI_Errhandler*)
UNSUPPORTED(MPI_Win_set_errhandler, MPI_Win, MPI_Errhandler)
UNSUPPORTED(MPI_Win_get_errhandler, MPI_Win, MPI_Errhandler*)
UNSUPPORTED(MPI_File_create_errhandler, MPI_File_errhandler_function*, MPI_Errhandler*)
UNSUPPORTED(MPI_File_set_errhandler, MPI_File, MPI_Errhandler)
UNSUPPORTED(MPI_File_get_errhandler, MPI_File, MPI_Errhandler*)
UNSUPPORTED(MPI_Add_error_class, int*)
UNSUPPORTED(MPI_Add_error_code, int, int*)
UNSUPPORTED(MPI_Add_error_string, int, const char*)
UNSUPPORTED(MPI_Win_call_errhandler, MPI_Win, int)
UNSUPPORTED(MPI_File_call_errhandler, MPI_File, int)

// 9 The info object
UNSUPPORTED(MPI_Info_create, MPI_Info*)
UNSUPPORTED(MPI_Info_set, MPI_Info, const char*, const char*)
UNSUPPORTED(MPI_Info_delete, MPI_Info, const char*)
UNSUPPORTED(MPI_Info_get, MPI_Info, const char*, int, char*, int*)
UNSUPPORTED(MPI_Info_get_valuelen, MPI_Info, const char*, int*, int*)
UNSUPPORTED(MPI_Info_get_nkeys, MPI_Info, int*)
UNSUPPORTED(MPI_Info_get_nthkey, MPI_Info, int, char*)
UNSUPPORTED(MPI_Info_dup, MPI_Info, MPI_Info*)
UNSUPPORTED(MPI_Info_free, MPI_Info*)

// 10 Process creation and management
UNSUPPORTED(MPI_Comm_spawn, const char*, char**, int, MPI_Info, int, MPI_Comm, MPI_Comm*, int*)
UNSUPPORTED(MPI_Comm_get_parent, MPI_Comm*)
UNSUPPORTED(MPI_Comm_spawn_multiple, int, char**, char***, const int*, const MPI_Info*, int,
            MPI_Comm, MPI_Comm*, int*)
UNSUPPORTED(MPI_Open_port, MPI_Info, char*)
UNSUPPORTED(MPI_Close_port, const char*)
UNSUPPORTED(MPI_Comm_accept, const char*, MPI_Info, int, MPI_Comm, MPI_Comm*)
UNSUPPORTED(MPI_Comm_connect, const char*, MPI_Info, int, MPI_Comm, MPI_Comm*)
UNSUPPORTED(MPI_Publish_name, const char*, MPI_Info, const char*)
UNSUPPORTED(MPI_Unpublish_name, const char*, MPI_Info, const char*)
UNSUPPORTED(MPI_Lookup_name, const char*, MPI_Info, char*)
UNSUPPORTED(MPI_Comm_disconnect, MPI_Comm*)
UNSUPPORTED(MPI_Comm_join, int, MPI_Comm*)

// 11 One-sided communication
UNSUPPORTED(MPI_Win_create, void*, MPI_Aint, int, MPI_Info, MPI_Comm, MPI_Win*)
UNSUPPORTED(MPI_Win_allocate, MPI_Aint, int, MPI_Info, MPI_Comm, void*, MPI_Win*)
UNSUPPORTED(MPI_Win_allocate_shared, MPI_Aint, int, MPI_Info, MPI_Comm, void*, MPI_Win*)
UNSUPPORTED(MPI_Win_shared_query, MPI_Win, int, MPI_Aint*, int*, void*)
UNSUPPORTED(MPI_Win_create_dynamic, MPI_Info, MPI_Comm, MPI_Win*)
UNSUPPORTED(MPI_Win_attach, MPI_Win, void*, MPI_Aint)
UNSUPPORTED(MPI_Win_detach, MPI_Win, const void*)
UNSUPPORTED(MPI_Win_free, MPI_Win*)
UNSUPPORTED(MPI_Win_get_group, MPI_Win, MPI_Group*)
UNSUPPORTED(MPI_Win_set_info, MPI_Win, MPI_Info)
UNSUPPORTED(MPI_Win_get_info, MPI_Win, MPI_Info*)
UNSUPPORTED(MPI_Put, const void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype, MPI_Win)
UNSUPPORTED(MPI_Get, void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype, MPI_Win)
UNSUPPORTED(MPI_Accumulate, const void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype,
            MPI_Op, MPI_Win)
UNSUPPORTED(MPI_Get_accumulate, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, int,
            MPI_Aint, int, MPI_Datatype, MPI_Op, MPI_Win)
UNSUPPORTED(MPI_Fetch_and_op, const void*, void*, MPI_Datatype, int, MPI_Aint, MPI_Op, MPI_Win)
UNSUPPORTED(MPI_Compare_and_swap, const void*, const void*, void*, MPI_Datatype, int, MPI_Aint,
            MPI_Win)
UNSUPPORTED(MPI_Rput, const void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype, MPI_Win,
            MPI_Request*)
UNSUPPORTED(MPI_Rget, void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype, MPI_Win,
            MPI_Request*)
UNSUPPORTED(MPI_Raccumulate, const void*, int, MPI_Datatype, int, MPI_Aint, int, MPI_Datatype,
            MPI_Op, MPI_Win, MPI_Request*)
UNSUPPORTED(MPI_Rget_accumulate, const void*, int, MPI_Datatype, void*, int, MPI_Datatype, int,
            MPI_Aint, int, MPI_Datatype, MPI_Op, MPI_Win, MPI_Request*)
UNSUPPORTED(MPI_Win_fence, int, MPI_Win)
UNSUPPORTED(MPI_Win_start, MPI_Group, int, MPI_Win)
UNSUPPORTED(MPI_Win_complete, MPI_Win)
UNSUPPORTED(MPI_Win_post, MPI_Group, int, MPI_Win)
UNSUPPORTED(MPI_Win_wait, MPI_Win)
UNSUPPORTED(MPI_Win_test, MPI_Win, int*)
UNSUPPORTED(MPI_Win_lock, int, int, int, MPI_Win)
UNSUPPORTED(MPI_Win_lock_all, int, MPI_Win)
UNSUPPORTED(MPI_Win_unlock, int, MPI_Win)
UNSUPPORTED(MPI_Win_unlock_all, MPI_Win)
UNSUPPORTED(MPI_Win_flush, int, MPI_Win)
UNSUPPORTED(MPI_Win_flush_all, MPI_Win)
UNSUPPORTED(MPI_Win_flush_local, int, MPI_Win)
UNSUPPORTED(MPI_Win_flush_local_all, MPI_Win)
UNSUPPORTED(MPI_Win_sync, MPI_Win)

// 12 External interfaces
UNSUPPORTED(MPI_Grequest_start, MPI_Grequest_query_function*, MPI_Grequest_free_function*,
            MPI_Grequest_cancel_function*, void*, MPI_Request*)
UNSUPPORTED(MPI_Grequest_complete, MPI_Request)
UNSUPPORTED(MPI_Status_set_elements, MPI_Status*, MPI_Datatype, int)
UNSUPPORTED(MPI_Status_set_elements_x, MPI_Status*, MPI_Datatype, MPI_Count)
UNSUPPORTED(MPI_Status_set_cancelled, MPI_Status*, int)

// 13 I/O
UNSUPPORTED(MPI_File_open, MPI_Comm, const char*, int, MPI_Info, MPI_File*)
UNSUPPORTED(MPI_File_close, MPI_File*)
UNSUPPORTED(MPI_File_delete, const char*, MPI_Info)
UNSUPPORTED(MPI_File_set_size, MPI_File, MPI_Offset)
UNSUPPORTED(MPI_File_preallocate, MPI_File, MPI_Offset)
UNSUPPORTED(MPI_File_get_size, MPI_File, MPI_Offset*)
UNSUPPORTED(MPI_File_get_group, MPI_File, MPI_Group*)
UNSUPPORTED(MPI_File_get_amode, MPI_File, int*)
UNSUPPORTED(MPI_File_set_info, MPI_File, MPI_Info)
UNSUPPORTED(MPI_File_get_info, MPI_File, MPI_Info*)
UNSUPPORTED(MPI_File_set_view, MPI_File, MPI_Offset, MPI_Datatype, MPI_Datatype, const char*,
            MPI_Info)
UNSUPPORTED(MPI_File_get_view, MPI_File, MPI_Offset*, MPI_Datatype*, MPI_Datatype*, char*)
UNSUPPORTED(MPI_File_read_at, MPI_File, MPI_Offset, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_read_at_all, MPI_File, MPI_Offset, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write_at, MPI_File, MPI_Offset, const void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write_at_all, MPI_File, MPI_Offset, const void*, int, MPI_Datatype,
            MPI_Status*)
UNSUPPORTED(MPI_File_iread_at, MPI_File, MPI_Offset, void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iwrite_at, MPI_File, MPI_Offset, const void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iread_at_all, MPI_File, MPI_Offset, void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iwrite_at_all, MPI_File, MPI_Offset, const void*, int, MPI_Datatype,
            MPI_Request*)
UNSUPPORTED(MPI_File_read, MPI_File, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_read_all, MPI_File, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write, MPI_File, const void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write_all, MPI_File, const void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_iread, MPI_File, void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iwrite, MPI_File, const void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iread_all, MPI_File, void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iwrite_all, MPI_File, const void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_seek, MPI_File, MPI_Offset, int)
UNSUPPORTED(MPI_File_get_position, MPI_File, MPI_Offset*)
UNSUPPORTED(MPI_File_get_byte_offset, MPI_File, MPI_Offset, MPI_Offset*)
UNSUPPORTED(MPI_File_read_shared, MPI_File, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write_shared, MPI_File, const void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_iread_shared, MPI_File, void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_iwrite_shared, MPI_File, const void*, int, MPI_Datatype, MPI_Request*)
UNSUPPORTED(MPI_File_read_ordered, MPI_File, void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_write_ordered, MPI_File, const void*, int, MPI_Datatype, MPI_Status*)
UNSUPPORTED(MPI_File_seek_shared, MPI_File, MPI_Offset, int)
UNSUPPORTED(MPI_File_get_position_shared, MPI_File, MPI_Offset*)
UNSUPPORTED(MPI_File_read_at_all_begin, MPI_File, MPI_Offset, void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_read_at_all_end, MPI_File, void*, MPI_Status*)
UNSUPPORTED(MPI_File_write_at_all_begin, MPI_File, MPI_Offset, const void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_write_at_all_end, MPI_File, const void*, MPI_Status*)
UNSUPPORTED(MPI_File_read_all_begin, MPI_File, void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_read_all_end, MPI_File, void*, MPI_Status*)
UNSUPPORTED(MPI_File_write_all_begin, MPI_File, const void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_write_all_end, MPI_File, const void*, MPI_Status*)
UNSUPPORTED(MPI_File_read_ordered_begin, MPI_File, void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_read_ordered_end, MPI_File, void*, MPI_Status*)
UNSUPPORTED(MPI_File_write_ordered_begin, MPI_File, const void*, int, MPI_Datatype)
UNSUPPORTED(MPI_File_write_ordered_end, MPI_File, const void*, MPI_Status*)
UNSUPPORTED(MPI_File_get_type_extent, MPI_File, MPI_Datatype, MPI_Aint*)
UNSUPPORTED(MPI_Register_datarep, const char*, MPI_Datarep_conversion_function*,
            MPI_Datarep_conversion_function*, MPI_Datarep_extent_function*, void*)
UNSUPPORTED(MPI_File_set_atomicity, MPI_File, int)
UNSUPPORTED(MPI_File_get_atomicity, MPI_File, int*)
UNSUPPORTED(MPI_File_sync, MPI_File)

// 14 Tool support
UNSUPPORTED(MPI_T_init_thread, int, int*)
UNSUPPORTED(MPI_T_finalize)
UNSUPPORTED(MPI_T_enum_get_info, MPI_T_enum, int*, char*, int*)
UNSUPPORTED(MPI_T_enum_get_item, MPI_T_enum, int, int*, char*, int*)
UNSUPPORTED(MPI_T_cvar_get_num, int*)
UNSUPPORTED(MPI_T_cvar_get_info, int, char*, int*, int*, MPI_Datatype*, MPI_T_enum*, char*, int*,
            int*, int*)
UNSUPPORTED(MPI_T_cvar_get_index, const char*, int*)
UNSUPPORTED(MPI_T_cvar_handle_alloc, int, void*, MPI_T_cvar_handle*, int*)
UNSUPPORTED(MPI_T_cvar_handle_free, MPI_T_cvar_handle*)
UNSUPPORTED(MPI_T_cvar_read, MPI_T_cvar_handle, void*)
UNSUPPORTED(MPI_T_cvar_write, MPI_T_cvar_handle, const void*)
UNSUPPORTED(MPI_T_pvar_get_num, int*)
UNSUPPORTED(MPI_T_pvar_get_info, int, char*, int*, int*, int*, MPI_Datatype*, MPI_T_enum*, char*,
            int*, int*, int*, int*, int*)
UNSUPPORTED(MPI_T_pvar_get_index, const char*, int, int*)
UNSUPPORTED(MPI_T_pvar_session_create, MPI_T_pvar_session*)
UNSUPPORTED(MPI_T_pvar_session_free, MPI_T_pvar_session*)
UNSUPPORTED(MPI_T_pvar_handle_alloc, MPI_T_pvar_session, int, void*, MPI_T_pvar_handle*, int*)
UNSUPPORTED(MPI_T_pvar_handle_free, MPI_T_pvar_session, MPI_T_pvar_handle*)
UNSUPPORTED(MPI_T_pvar_start, MPI_T_pvar_session, MPI_T_pvar_handle)
UNSUPPORTED(MPI_T_pvar_stop, MPI_T_pvar_session, MPI_T_pvar_handle)
UNSUPPORTED(MPI_T_pvar_read, MPI_T_pvar_session, MPI_T_pvar_handle, void*)
UNSUPPORTED(MPI_T_pvar_write, MPI_T_pvar_session, MPI_T_pvar_handle, const void*)
UNSUPPORTED(MPI_T_pvar_reset, MPI_T_pvar_session, MPI_T_pvar_handle)
UNSUPPORTED(MPI_T_pvar_readreset, MPI_T_pvar_session, MPI_T_pvar_handle, void*)
UNSUPPORTED(MPI_T_category_get_num, int*)
UNSUPPORTED(MPI_T_category_get_info, int, char*, int*, char*, int*, int*, int*, int*)
UNSUPPORTED(MPI_T_category_get_index, const char*, int*)
UNSUPPORTED(MPI_T_category_get_cvars, int, int, int*)
UNSUPPORTED(MPI_T_category_get_pvars, int, int, int*)
UNSUPPORTED(MPI_T_category_get_categories, int, int, int*)
UNSUPPORTED(MPI_T_category_changed, int*)

// 15, 16 Deprecated and removed interfaces
UNSUPPORTED(MPI_Attr_delete, MPI_Comm, int)
UNSUPPORTED(MPI_Attr_put, MPI_Comm, int, void*)
UNSUPPORTED(MPI_Keyval_create, MPI_Copy_function*, MPI_Delete_function*, int*, void*)
UNSUPPORTED(MPI_Keyval_free, int*)
UNSUPPORTED(MPI_Errhandler_create, MPI_Handler_function*, MPI_Errhandler*)
UNSUPPORTED(MPI_Type_extent, MPI_Datatype, MPI_Aint*)
UNSUPPORTED(MPI_Type_hindexed, int, int*, MPI_Aint*, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_hvector, int, int, MPI_Aint, MPI_Datatype, MPI_Datatype*)
UNSUPPORTED(MPI_Type_lb, MPI_Datatype, MPI_Aint*)
UNSUPPORTED(MPI_Type_struct, int, int*, MPI_Aint*, MPI_Datatype*, MPI_Datatype*)
UNSUPPORTED(MPI_Type_ub, MPI_Datatype, MPI_Aint*)

// 17 Language interoperability
UNSUPPORTED(MPI_Type_create_f90_real, int, int, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_f90_complex, int, int, MPI_Datatype*)
UNSUPPORTED(MPI_Type_create_f90_integer, int, MPI_Datatype*)
UNSUPPORTED(MPI_Type_match_size, int, int, MPI_Datatype*)
