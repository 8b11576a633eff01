// Error handling (MPI-3.1 sections 8.3-8.4): error classes and their strings, the one place
// kernel statuses become error classes, and the predefined error handlers.
#include <stdio.h>
#include <string.h>

#include "mpi_shim/lib/state.hpp"

namespace ipclab::mpi {

namespace {

/// An error class's name in mpi.h and its string (MPI_Error_string).
struct Class_info {
    const char* name = nullptr; ///< null: not an error class
    const char* text = nullptr;
};

/// MPI-3.1 table 8.2 (the MPI_T classes: section 14.3.9) and ipclab's MPIX_ classes.
Class_info class_info(int c) {
#define IPCLAB_CLASS(code, text) \
    case code: return {#code, text}
    switch (c) {
    IPCLAB_CLASS(MPI_SUCCESS, "no error");
    IPCLAB_CLASS(MPI_ERR_BUFFER, "invalid buffer pointer");
    IPCLAB_CLASS(MPI_ERR_COUNT, "invalid count argument");
    IPCLAB_CLASS(MPI_ERR_TYPE, "invalid datatype argument");
    IPCLAB_CLASS(MPI_ERR_TAG, "invalid tag argument");
    IPCLAB_CLASS(MPI_ERR_COMM, "invalid communicator");
    IPCLAB_CLASS(MPI_ERR_RANK, "invalid rank");
    IPCLAB_CLASS(MPI_ERR_REQUEST, "invalid request (handle)");
    IPCLAB_CLASS(MPI_ERR_ROOT, "invalid root");
    IPCLAB_CLASS(MPI_ERR_GROUP, "invalid group");
    IPCLAB_CLASS(MPI_ERR_OP, "invalid operation");
    IPCLAB_CLASS(MPI_ERR_TOPOLOGY, "invalid topology");
    IPCLAB_CLASS(MPI_ERR_DIMS, "invalid dimension argument");
    IPCLAB_CLASS(MPI_ERR_ARG, "invalid argument of some other kind");
    IPCLAB_CLASS(MPI_ERR_UNKNOWN, "unknown error");
    IPCLAB_CLASS(MPI_ERR_TRUNCATE, "message truncated on receive");
    IPCLAB_CLASS(MPI_ERR_OTHER, "known error not in this list");
    IPCLAB_CLASS(MPI_ERR_INTERN, "internal MPI (implementation) error");
    IPCLAB_CLASS(MPI_ERR_NO_MEM, "memory exhausted");
    IPCLAB_CLASS(MPI_ERR_UNSUPPORTED_OPERATION, "unsupported operation");
    IPCLAB_CLASS(MPI_ERR_ACCESS, "permission denied");
    IPCLAB_CLASS(MPI_ERR_AMODE, "error related to the amode passed to MPI_FILE_OPEN");
    IPCLAB_CLASS(MPI_ERR_ASSERT, "invalid assertion argument");
    IPCLAB_CLASS(MPI_ERR_BAD_FILE, "invalid file name");
    IPCLAB_CLASS(MPI_ERR_BASE, "invalid base argument");
    IPCLAB_CLASS(MPI_ERR_CONVERSION, "an error occurred in a user supplied data conversion function");
    IPCLAB_CLASS(MPI_ERR_DISP, "invalid displacement argument");
    IPCLAB_CLASS(MPI_ERR_DUP_DATAREP, "conversion functions could not be registered: data representation already defined");
    IPCLAB_CLASS(MPI_ERR_FILE_EXISTS, "file exists");
    IPCLAB_CLASS(MPI_ERR_FILE_IN_USE, "file operation could not be completed: the file is in use");
    IPCLAB_CLASS(MPI_ERR_FILE, "invalid file handle");
    IPCLAB_CLASS(MPI_ERR_INFO_KEY, "key longer than MPI_MAX_INFO_KEY");
    IPCLAB_CLASS(MPI_ERR_INFO_NOKEY, "invalid key passed to MPI_INFO_DELETE");
    IPCLAB_CLASS(MPI_ERR_INFO_VALUE, "value longer than MPI_MAX_INFO_VAL");
    IPCLAB_CLASS(MPI_ERR_INFO, "invalid info argument");
    IPCLAB_CLASS(MPI_ERR_IO, "other I/O error");
    IPCLAB_CLASS(MPI_ERR_KEYVAL, "invalid keyval");
    IPCLAB_CLASS(MPI_ERR_LOCKTYPE, "invalid locktype argument");
    IPCLAB_CLASS(MPI_ERR_NAME, "invalid service name passed to MPI_LOOKUP_NAME");
    IPCLAB_CLASS(MPI_ERR_NO_SPACE, "not enough space");
    IPCLAB_CLASS(MPI_ERR_NO_SUCH_FILE, "file does not exist");
    IPCLAB_CLASS(MPI_ERR_NOT_SAME, "collective argument not identical on all processes");
    IPCLAB_CLASS(MPI_ERR_PORT, "invalid port name");
    IPCLAB_CLASS(MPI_ERR_QUOTA, "quota exceeded");
    IPCLAB_CLASS(MPI_ERR_READ_ONLY, "read-only file or file system");
    IPCLAB_CLASS(MPI_ERR_RMA_ATTACH, "memory cannot be attached");
    IPCLAB_CLASS(MPI_ERR_RMA_CONFLICT, "conflicting accesses to window");
    IPCLAB_CLASS(MPI_ERR_RMA_RANGE, "target memory is not part of the window");
    IPCLAB_CLASS(MPI_ERR_RMA_SHARED, "memory cannot be shared");
    IPCLAB_CLASS(MPI_ERR_RMA_SYNC, "wrong synchronization of RMA calls");
    IPCLAB_CLASS(MPI_ERR_RMA_FLAVOR, "passed window has the wrong flavor for the called function");
    IPCLAB_CLASS(MPI_ERR_SERVICE, "invalid service name passed to MPI_UNPUBLISH_NAME");
    IPCLAB_CLASS(MPI_ERR_SIZE, "invalid size argument");
    IPCLAB_CLASS(MPI_ERR_SPAWN, "error in spawning processes");
    IPCLAB_CLASS(MPI_ERR_UNSUPPORTED_DATAREP, "unsupported datarep passed to MPI_FILE_SET_VIEW");
    IPCLAB_CLASS(MPI_ERR_WIN, "invalid window argument");
    IPCLAB_CLASS(MPI_ERR_IN_STATUS, "error code is in status");
    IPCLAB_CLASS(MPI_ERR_PENDING, "pending request");
    IPCLAB_CLASS(MPI_T_ERR_MEMORY, "out of memory (tool information interface)");
    IPCLAB_CLASS(MPI_T_ERR_NOT_INITIALIZED, "tool information interface not initialized");
    IPCLAB_CLASS(MPI_T_ERR_CANNOT_INIT, "tool information interface cannot be initialized");
    IPCLAB_CLASS(MPI_T_ERR_INVALID_INDEX, "index invalid or has been deleted");
    IPCLAB_CLASS(MPI_T_ERR_INVALID_ITEM, "item index queried is out of range");
    IPCLAB_CLASS(MPI_T_ERR_INVALID_HANDLE, "handle is invalid");
    IPCLAB_CLASS(MPI_T_ERR_OUT_OF_HANDLES, "no more handles available");
    IPCLAB_CLASS(MPI_T_ERR_OUT_OF_SESSIONS, "no more sessions available");
    IPCLAB_CLASS(MPI_T_ERR_INVALID_SESSION, "session argument is not valid");
    IPCLAB_CLASS(MPI_T_ERR_CVAR_SET_NOT_NOW, "variable cannot be set at this moment");
    IPCLAB_CLASS(MPI_T_ERR_CVAR_SET_NEVER, "variable cannot be set until end of execution");
    IPCLAB_CLASS(MPI_T_ERR_PVAR_NO_STARTSTOP, "variable cannot be started or stopped");
    IPCLAB_CLASS(MPI_T_ERR_PVAR_NO_WRITE, "variable cannot be written or reset");
    IPCLAB_CLASS(MPI_T_ERR_PVAR_NO_ATOMIC, "variable cannot be read and written atomically");
    IPCLAB_CLASS(MPI_T_ERR_INVALID_NAME, "name does not match");
    IPCLAB_CLASS(MPI_T_ERR_INVALID, "invalid use of the tool information interface");
    IPCLAB_CLASS(MPIX_ERR_PROC_FAILED, "a peer process ended (exited, faulted or was killed)");
    IPCLAB_CLASS(MPIX_ERR_TIMEOUT, "the send timed out waiting for its receiver and was aborted");
    IPCLAB_CLASS(MPIX_ERR_SEND_ABORTED, "the communicator aborted the send (broken down towards its destination)");
    IPCLAB_CLASS(MPIX_ERR_CREDIT, "kernel-buffer credit towards the receiver used up; the run's policy bounds buffered sends");
    default: return {};
    }
#undef IPCLAB_CLASS
}

const char* class_string(int c) { return class_info(c).text; }

/// The communicator whose handler applies to an error on `comm`: `comm` itself, or for an
/// invalid handle MPI_COMM_WORLD (MPI-3.1 section 8.3: errors not tied to a valid
/// communicator are raised on MPI_COMM_WORLD). Null before MPI_Init and after MPI_Finalize.
const Comm* handler_owner(MPI_Comm& comm) {
    if (const Comm* c = lookup(comm)) return c;
    comm = MPI_COMM_WORLD;
    return lookup(MPI_COMM_WORLD);
}

/// The kernel status error_class last mapped to an error (Status::ok: none since the last
/// raise). The library is single-threaded (MPI_THREAD_SINGLE), so one variable will do.
Status last_kernel_error = Status::ok;

/// MPI_ERRORS_ARE_FATAL: prints "ipclab MPI: <function>: <class name>: <error string>
/// [; <kernel status description>] (rank R)", R the caller's rank in MPI_COMM_WORLD, and
/// aborts the job with the error code as exit code. `kernel` is the status the error came
/// from (Status::ok: the library found it), whose description says why, e.g. that the
/// run's policy refuses non-blocking sends.
[[noreturn]] void fatal(MPI_Comm comm, const Comm* c, int error, const char* function, Status kernel) {
    const Class_info info = class_info(error);
    char text[256];
    int n = info.name ? snprintf(text, sizeof text, "%s: %s", info.name, info.text)
                      : snprintf(text, sizeof text, "error code %d", error);
    if (kernel != Status::ok && n > 0 && size_t(n) < sizeof text)
        snprintf(text + n, sizeof text - size_t(n), "; %s", status_description(kernel));
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

/// The error class of kernel status `s` (docs/mpi.md, "Errors").
int class_of(Status s) {
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
    case Status::credit_exhausted: return MPIX_ERR_CREDIT;
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

} // namespace

int error_class(Status s) {
    if (s != Status::ok) last_kernel_error = s; // for the fatal message's reason
    return class_of(s);
}

int raise(MPI_Comm comm, int error, const char* function) {
    if (error == MPI_SUCCESS) return error;
    // The kernel's reason, if this error came from the status error_class mapped last.
    const Status kernel = class_of(last_kernel_error) == error ? last_kernel_error : Status::ok;
    last_kernel_error = Status::ok;
    const Comm* c = handler_owner(comm);
    if (c && c->errhandler == MPI_ERRORS_RETURN) return error;
    fatal(comm, c, error, function, kernel);
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
    if (c->errhandler == MPI_ERRORS_ARE_FATAL) fatal(comm, c, errorcode, "MPI_Comm_call_errhandler", ipclab::Status::ok);
    return MPI_SUCCESS;
}
