// Error handling (MPI-3.1 sections 8.3-8.4): error classes and their strings, the one place
// kernel statuses become error classes, and the predefined error handlers.
#include <stdio.h>
#include <string.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// MPI-3.1 table 8.2 (the MPI_T classes: section 14.3.9) and ipclab's MPIX_ classes.
const char* class_string(int c) {
    switch (c) {
    case MPI_SUCCESS: return "no error";
    case MPI_ERR_BUFFER: return "invalid buffer pointer";
    case MPI_ERR_COUNT: return "invalid count argument";
    case MPI_ERR_TYPE: return "invalid datatype argument";
    case MPI_ERR_TAG: return "invalid tag argument";
    case MPI_ERR_COMM: return "invalid communicator";
    case MPI_ERR_RANK: return "invalid rank";
    case MPI_ERR_REQUEST: return "invalid request (handle)";
    case MPI_ERR_ROOT: return "invalid root";
    case MPI_ERR_GROUP: return "invalid group";
    case MPI_ERR_OP: return "invalid operation";
    case MPI_ERR_TOPOLOGY: return "invalid topology";
    case MPI_ERR_DIMS: return "invalid dimension argument";
    case MPI_ERR_ARG: return "invalid argument of some other kind";
    case MPI_ERR_UNKNOWN: return "unknown error";
    case MPI_ERR_TRUNCATE: return "message truncated on receive";
    case MPI_ERR_OTHER: return "known error not in this list";
    case MPI_ERR_INTERN: return "internal MPI (implementation) error";
    case MPI_ERR_NO_MEM: return "memory exhausted";
    case MPI_ERR_UNSUPPORTED_OPERATION: return "unsupported operation";
    case MPI_ERR_ACCESS: return "permission denied";
    case MPI_ERR_AMODE: return "error related to the amode passed to MPI_FILE_OPEN";
    case MPI_ERR_ASSERT: return "invalid assertion argument";
    case MPI_ERR_BAD_FILE: return "invalid file name";
    case MPI_ERR_BASE: return "invalid base argument";
    case MPI_ERR_CONVERSION: return "an error occurred in a user supplied data conversion function";
    case MPI_ERR_DISP: return "invalid displacement argument";
    case MPI_ERR_DUP_DATAREP: return "conversion functions could not be registered: data representation already defined";
    case MPI_ERR_FILE_EXISTS: return "file exists";
    case MPI_ERR_FILE_IN_USE: return "file operation could not be completed: the file is in use";
    case MPI_ERR_FILE: return "invalid file handle";
    case MPI_ERR_INFO_KEY: return "key longer than MPI_MAX_INFO_KEY";
    case MPI_ERR_INFO_NOKEY: return "invalid key passed to MPI_INFO_DELETE";
    case MPI_ERR_INFO_VALUE: return "value longer than MPI_MAX_INFO_VAL";
    case MPI_ERR_INFO: return "invalid info argument";
    case MPI_ERR_IO: return "other I/O error";
    case MPI_ERR_KEYVAL: return "invalid keyval";
    case MPI_ERR_LOCKTYPE: return "invalid locktype argument";
    case MPI_ERR_NAME: return "invalid service name passed to MPI_LOOKUP_NAME";
    case MPI_ERR_NO_SPACE: return "not enough space";
    case MPI_ERR_NO_SUCH_FILE: return "file does not exist";
    case MPI_ERR_NOT_SAME: return "collective argument not identical on all processes";
    case MPI_ERR_PORT: return "invalid port name";
    case MPI_ERR_QUOTA: return "quota exceeded";
    case MPI_ERR_READ_ONLY: return "read-only file or file system";
    case MPI_ERR_RMA_ATTACH: return "memory cannot be attached";
    case MPI_ERR_RMA_CONFLICT: return "conflicting accesses to window";
    case MPI_ERR_RMA_RANGE: return "target memory is not part of the window";
    case MPI_ERR_RMA_SHARED: return "memory cannot be shared";
    case MPI_ERR_RMA_SYNC: return "wrong synchronization of RMA calls";
    case MPI_ERR_RMA_FLAVOR: return "passed window has the wrong flavor for the called function";
    case MPI_ERR_SERVICE: return "invalid service name passed to MPI_UNPUBLISH_NAME";
    case MPI_ERR_SIZE: return "invalid size argument";
    case MPI_ERR_SPAWN: return "error in spawning processes";
    case MPI_ERR_UNSUPPORTED_DATAREP: return "unsupported datarep passed to MPI_FILE_SET_VIEW";
    case MPI_ERR_WIN: return "invalid window argument";
    case MPI_ERR_IN_STATUS: return "error code is in status";
    case MPI_ERR_PENDING: return "pending request";
    case MPI_T_ERR_MEMORY: return "out of memory (tool information interface)";
    case MPI_T_ERR_NOT_INITIALIZED: return "tool information interface not initialized";
    case MPI_T_ERR_CANNOT_INIT: return "tool information interface cannot be initialized";
    case MPI_T_ERR_INVALID_INDEX: return "index invalid or has been deleted";
    case MPI_T_ERR_INVALID_ITEM: return "item index queried is out of range";
    case MPI_T_ERR_INVALID_HANDLE: return "handle is invalid";
    case MPI_T_ERR_OUT_OF_HANDLES: return "no more handles available";
    case MPI_T_ERR_OUT_OF_SESSIONS: return "no more sessions available";
    case MPI_T_ERR_INVALID_SESSION: return "session argument is not valid";
    case MPI_T_ERR_CVAR_SET_NOT_NOW: return "variable cannot be set at this moment";
    case MPI_T_ERR_CVAR_SET_NEVER: return "variable cannot be set until end of execution";
    case MPI_T_ERR_PVAR_NO_STARTSTOP: return "variable cannot be started or stopped";
    case MPI_T_ERR_PVAR_NO_WRITE: return "variable cannot be written or reset";
    case MPI_T_ERR_PVAR_NO_ATOMIC: return "variable cannot be read and written atomically";
    case MPI_T_ERR_INVALID_NAME: return "name does not match";
    case MPI_T_ERR_INVALID: return "invalid use of the tool information interface";
    case MPIX_ERR_PROC_FAILED: return "a peer process ended (exited, faulted or was killed)";
    case MPIX_ERR_TIMEOUT: return "the send timed out waiting for its receiver and was aborted";
    case MPIX_ERR_SEND_ABORTED: return "the communicator aborted the send (broken down towards its destination)";
    default: return nullptr;
    }
}

/// The communicator whose handler applies to an error on `comm`: `comm` itself, or for an
/// invalid handle MPI_COMM_WORLD (MPI-3.1 section 8.3: errors not tied to a valid
/// communicator are raised on MPI_COMM_WORLD). Null before MPI_Init and after MPI_Finalize.
const Comm* handler_owner(MPI_Comm& comm) {
    if (const Comm* c = lookup(comm)) return c;
    comm = MPI_COMM_WORLD;
    return lookup(MPI_COMM_WORLD);
}

/// MPI_ERRORS_ARE_FATAL: prints "ipclab MPI: <function>: <error string> (rank R)", R the
/// caller's rank in MPI_COMM_WORLD, and aborts the job with the error code as exit code.
[[noreturn]] void fatal(MPI_Comm comm, const Comm* c, int error, const char* function) {
    const char* text = class_string(error);
    char unknown[32];
    if (!text) {
        snprintf(unknown, sizeof unknown, "error code %d", error);
        text = unknown;
    }
    const Comm* world = lookup(MPI_COMM_WORLD);
    if (world)
        fprintf(stderr, "ipclab MPI: %s: %s (rank %d)\n", function, text, world->rank);
    else
        fprintf(stderr, "ipclab MPI: %s: %s\n", function, text);
    fflush(stderr);
    MPI_Abort(c ? comm : MPI_COMM_WORLD, error);
    __builtin_unreachable(); // MPI_Abort ends the task
}

bool valid_errhandler(MPI_Errhandler e) { return e == MPI_ERRORS_ARE_FATAL || e == MPI_ERRORS_RETURN; }

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
    case Status::partner_dead: return MPIX_ERR_PROC_FAILED;
    case Status::timed_out: return MPIX_ERR_TIMEOUT;
    case Status::send_aborted: return MPIX_ERR_SEND_ABORTED;
    case Status::denied: return MPI_ERR_ACCESS;
    case Status::unsupported: return MPI_ERR_UNSUPPORTED_OPERATION;
    case Status::invalid_request: return MPI_ERR_REQUEST;
    case Status::would_block: return MPI_ERR_OTHER; // MPI_Test and MPI_Iprobe handle it themselves
    case Status::no_reply_capability:
    case Status::reply_dropped:
    case Status::unknown_syscall: return MPI_ERR_INTERN;
    }
    return MPI_ERR_UNKNOWN;
}

int raise(MPI_Comm comm, int error, const char* function) {
    if (error == MPI_SUCCESS) return error;
    const Comm* c = handler_owner(comm);
    if (c && c->errhandler == MPI_ERRORS_RETURN) return error;
    fatal(comm, c, error, function);
}

} // namespace ipclab::mpi

using namespace ipclab::mpi;

/// MPI-3.1 section 8.4: every error code is its own class here (there are no user codes).
/// Errors: MPI_ERR_ARG (not an error code, null pointer).
extern "C" int MPI_Error_class(int errorcode, int* errorclass) {
    if (!class_string(errorcode) || !errorclass) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Error_class");
    *errorclass = errorcode;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 8.4: the text of an error code, at most MPI_MAX_ERROR_STRING - 1
/// characters and a terminating zero; *resultlen its length.
extern "C" int MPI_Error_string(int errorcode, char* string, int* resultlen) {
    const char* s = class_string(errorcode);
    if (!s || !string || !resultlen) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Error_string");
    size_t n = strlen(s);
    if (n >= MPI_MAX_ERROR_STRING) n = MPI_MAX_ERROR_STRING - 1;
    memcpy(string, s, n);
    string[n] = 0;
    *resultlen = int(n);
    return MPI_SUCCESS;
}

/// MPI-3.1 section 8.3.1: MPI_ERRORS_ARE_FATAL or MPI_ERRORS_RETURN (user handlers are not
/// offered). Errors: MPI_ERR_COMM, MPI_ERR_ARG (another handler).
extern "C" int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler) {
    Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_set_errhandler");
    if (!valid_errhandler(errhandler)) return raise(comm, MPI_ERR_ARG, "MPI_Comm_set_errhandler");
    c->errhandler = errhandler;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 8.3.1. Errors: MPI_ERR_COMM, MPI_ERR_ARG (null pointer).
extern "C" int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler* errhandler) {
    const Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_get_errhandler");
    if (!errhandler) return raise(comm, MPI_ERR_ARG, "MPI_Comm_get_errhandler");
    *errhandler = c->errhandler;
    return MPI_SUCCESS;
}

/// MPI-1's names for MPI_Comm_set_errhandler/MPI_Comm_get_errhandler (removed in MPI-3.0,
/// still used by old programs).
extern "C" int MPI_Errhandler_set(MPI_Comm comm, MPI_Errhandler errhandler) {
    return MPI_Comm_set_errhandler(comm, errhandler);
}

extern "C" int MPI_Errhandler_get(MPI_Comm comm, MPI_Errhandler* errhandler) {
    return MPI_Comm_get_errhandler(comm, errhandler);
}

/// MPI-3.1 section 8.3.4: sets *errhandler to MPI_ERRHANDLER_NULL. The predefined handlers
/// stay valid (a handle from MPI_Comm_get_errhandler is freed like this).
/// Errors: MPI_ERR_ARG (null pointer or not a handler).
extern "C" int MPI_Errhandler_free(MPI_Errhandler* errhandler) {
    if (!errhandler || !valid_errhandler(*errhandler)) return raise(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Errhandler_free");
    *errhandler = MPI_ERRHANDLER_NULL;
    return MPI_SUCCESS;
}

/// MPI-3.1 section 8.3.6: invokes `comm`'s handler with `errorcode`: MPI_ERRORS_ARE_FATAL
/// aborts the job; otherwise MPI_SUCCESS (the handler was called and returned).
extern "C" int MPI_Comm_call_errhandler(MPI_Comm comm, int errorcode) {
    const Comm* c = lookup(comm);
    if (!c) return raise(comm, MPI_ERR_COMM, "MPI_Comm_call_errhandler");
    if (c->errhandler == MPI_ERRORS_ARE_FATAL) fatal(comm, c, errorcode, "MPI_Comm_call_errhandler");
    return MPI_SUCCESS;
}
