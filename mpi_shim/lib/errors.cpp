// Error classes, their strings, and the fatal error handler.
#include <stdio.h>
#include <string.h>

#include "ipclab/syscall.hpp"
#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

const char* class_string(int c) {
    switch (c) {
    case MPI_SUCCESS: return "no error";
    case MPI_ERR_BUFFER: return "invalid buffer pointer";
    case MPI_ERR_COUNT: return "invalid count argument";
    case MPI_ERR_TYPE: return "invalid datatype argument";
    case MPI_ERR_TAG: return "invalid tag argument";
    case MPI_ERR_COMM: return "invalid communicator";
    case MPI_ERR_RANK: return "invalid rank";
    case MPI_ERR_REQUEST: return "invalid request";
    case MPI_ERR_ROOT: return "invalid root";
    case MPI_ERR_GROUP: return "invalid group";
    case MPI_ERR_OP: return "invalid operation";
    case MPI_ERR_TOPOLOGY: return "invalid topology";
    case MPI_ERR_DIMS: return "invalid dimension argument";
    case MPI_ERR_ARG: return "invalid argument of some other kind";
    case MPI_ERR_UNKNOWN: return "unknown error";
    case MPI_ERR_TRUNCATE: return "message truncated";
    case MPI_ERR_OTHER: return "known error not in this list";
    case MPI_ERR_INTERN: return "internal MPI (implementation) error";
    case MPI_ERR_NO_MEM: return "out of memory";
    case MPI_ERR_UNSUPPORTED_OPERATION: return "unsupported operation";
    default: return nullptr;
    }
}

} // namespace

int error_class(Status s) {
    switch (s) {
    case Status::ok: return MPI_SUCCESS;
    case Status::invalid_capability:
    case Status::wrong_object_type:
    case Status::insufficient_rights: return MPI_ERR_COMM;
    case Status::invalid_pointer: return MPI_ERR_BUFFER;
    case Status::message_too_long: return MPI_ERR_COUNT;
    case Status::truncated: return MPI_ERR_TRUNCATE;
    case Status::out_of_memory: return MPI_ERR_NO_MEM;
    case Status::invalid_rank: return MPI_ERR_RANK;
    case Status::invalid_tag: return MPI_ERR_TAG;
    case Status::invalid_argument: return MPI_ERR_ARG;
    case Status::partner_dead:
    case Status::timed_out:
    case Status::would_block: return MPI_ERR_OTHER;
    case Status::no_reply_capability:
    case Status::reply_dropped:
    case Status::unknown_syscall: return MPI_ERR_INTERN;
    }
    return MPI_ERR_UNKNOWN;
}

int raise(MPI_Comm comm, int error, const char* function) {
    if (error == MPI_SUCCESS) return error;
    fprintf(stderr, "ipclab MPI: %s on communicator %d: %s\n", function, comm, class_string(error));
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, error);
    return error; // not reached
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

extern "C" int MPI_Error_class(int errorcode, int* errorclass) {
    if (!class_string(errorcode)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Error_class");
    *errorclass = errorcode; // every error code is its own class here
    return MPI_SUCCESS;
}

extern "C" int MPI_Error_string(int errorcode, char* string, int* resultlen) {
    const char* s = class_string(errorcode);
    if (!s) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Error_string");
    size_t n = strlen(s);
    if (n >= MPI_MAX_ERROR_STRING) n = MPI_MAX_ERROR_STRING - 1;
    memcpy(string, s, n);
    string[n] = 0;
    *resultlen = int(n);
    return MPI_SUCCESS;
}
